import type { RenderedMessage } from '../core/messages';
import type { ChannelName } from '../core/messages';

/** What the platform said about a message it refused, as the outbox acts on it. */
export type SendFailure =
  /** Try again later: after `afterMs` when the platform said so (429 retry_after), else with back-off. */
  | { retry: true; afterMs?: number; code?: string }
  /** Never try again: `reason` is a stable code (`blocked`, `chat_not_found`, `rejected`); `detail` the platform's words. */
  | { retry: false; reason: string; code?: string; detail?: string };

/**
 * One platform's way of delivering a rendered message, found by the outbox
 * through its channel name. `code` in a {@link SendFailure} is what the logs
 * show (e.g. `telegram_429`, `network`); it must never contain message text.
 * @example
 * const sender: ChannelSender = {
 *   channel: 'web',
 *   send: async (chatId, m) => ({ messageId: await socket.push(chatId, m) }),
 *   classify: () => ({ retry: true, code: 'web_unavailable' }),
 * };
 */
export interface ChannelSender {
  readonly channel: ChannelName;
  /**
   * Deliver one message; resolves with the platform's id for it and, where a
   * channel has several ways to send (WhatsApp's template or free text), which
   * one it used. `signal` aborts a send that takes too long; `key` is the
   * message's outbox key (the same on every attempt), for a platform that can
   * store a message idempotently (the web chat).
   */
  send(
    chatId: string,
    message: RenderedMessage,
    opts?: { signal?: AbortSignal; key?: string },
  ): Promise<{ messageId?: string; via?: string }>;
  /** Decide whether an error thrown by `send` is worth retrying. */
  classify(err: unknown): SendFailure;
}
