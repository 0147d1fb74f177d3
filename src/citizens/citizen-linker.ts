import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { HandleResult } from '../conversation/inbound-handler';
import { normalizeSharedPhone } from '../conversation/text-input';
import type { ChannelName } from '../core/messages';
import type { InboundMessage } from '../conversation/types';
import type { ConversationStore } from '../storage/conversation-store';
import type { CitizenStore } from './citizen-store';
import { safeError } from '../logger';

/** What {@link createCitizenLinker} needs. */
export interface CitizenLinkerDeps {
  citizens: CitizenStore;
  conversations: Pick<ConversationStore, 'load'>;
  clock: Clock;
  logger: Logger;
}

/** Ties chats to verified phone numbers. */
export interface CitizenLinker {
  /**
   * Tie the citizen of a chat's conversation to `phone` (which the platform
   * vouched for). False when the chat has no conversation yet or the number
   * is not one.
   */
  linkChat(input: { channel: ChannelName; chatId: string; phone: string }): Promise<boolean>;
}

/**
 * Build the linker. Call it only with numbers the platform vouched for: a
 * number typed by hand proves nothing, and linking it would show a stranger
 * someone else's complaints.
 * @example await linker.linkChat({ channel: 'whatsapp', chatId: '9198…@c.us', phone: '+9198…' })
 */
export function createCitizenLinker(deps: CitizenLinkerDeps): CitizenLinker {
  return {
    async linkChat({ channel, chatId, phone }) {
      const normalized = normalizeSharedPhone(phone);
      if (!normalized) return false;
      const identity = `${channel}:${chatId}`;
      const doc = await deps.conversations.load(identity);
      if (!doc) return false;
      await deps.citizens.link({ phone: normalized, citizenId: doc.citizenId, identity, now: deps.clock.now() });
      deps.logger.info({ event: 'citizen_linked', channel }, 'chat tied to a verified phone number');
      return true;
    },
  };
}

/**
 * The shared handler, plus: a person who shares their own contact (Telegram's
 * "share my number" button, WhatsApp's "share my number" option) is tied to
 * that number once the message is handled. A failure to link is logged and
 * does not touch the reply.
 * @example const handler = withCitizenLinks(createInboundHandler(deps), linker, logger)
 */
export function withCitizenLinks<R extends HandleResult>(
  handler: (msg: InboundMessage) => Promise<R>,
  linker: CitizenLinker,
  logger: Logger,
): (msg: InboundMessage) => Promise<R> {
  // Generic in the result: a wrapped replying handler stays one.
  return async (msg) => {
    const result = await handler(msg);
    const c = msg.content;
    // The simulator's numbers are made up: only Telegram and WhatsApp prove a number.
    if (!result.duplicate && c.kind === 'contact' && c.own && msg.channel !== 'web') {
      await linker.linkChat({ channel: msg.channel, chatId: msg.chatId, phone: c.phone }).catch((err: unknown) => {
        logger.warn(
          { event: 'citizen_link_failed', channel: msg.channel, error: safeError(err) },
          'could not link a shared number',
        );
      });
    }
    return result;
  };
}
