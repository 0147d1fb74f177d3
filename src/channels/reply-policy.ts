import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { HandleResult, InboundHandler } from '../conversation/inbound-handler';
import type { InboundMessage } from '../conversation/types';
import type { ChannelName, RenderedMessage } from '../core/messages';
import { safeError } from '../logger';
import type { ChannelSender } from '../outbox/channel-sender';
import type { ChatHold, Outbox } from '../outbox/outbox';

/** A handled message whose replies are sent or recorded in the outbox, with the keys they go under. */
export type RepliedResult = HandleResult & { replyKeys: string[] };

/** The handler every channel calls: it answers and delivers the answer; the channel sends nothing itself. */
export type ReplyingHandler = (msg: InboundMessage) => Promise<RepliedResult>;

/**
 * How a channel's replies leave: `direct` at once with the channel's own
 * sender (Telegram, the web chat: a citizen waits for the answer, and the
 * outbox's claim and bookkeeping would cost several database writes per
 * reply); `outbox` recorded in the outbox and paced like every message (the
 * WhatsApp channels: a personal number must write like a person, and messages
 * wait while the phone is away).
 */
export type ReplyMode = 'direct' | 'outbox';

/** The outbox key of the `index`-th reply to one update (the same on every delivery of that update). */
export function replyKey(msg: Pick<InboundMessage, 'channel' | 'chatId' | 'updateKey'>, index: number): string {
  return `reply:${msg.channel}:${msg.chatId}:${msg.updateKey}:${index}`;
}

/** What {@link createReplyPolicy} needs. */
export interface ReplyPolicyDeps {
  /** The shared handler; it saves each step's replies with the step (`recorded`). */
  handler: InboundHandler;
  outbox: Pick<Outbox, 'enqueue' | 'holdChat'>;
  /** The sender of a channel, looked up when a reply goes (channels are made after the policy). */
  senderOf(channel: ChannelName): ChannelSender | undefined;
  /** Mark the saved replies of an update as delivered, so a redelivery hands out nothing. */
  settle(msg: InboundMessage): Promise<void>;
  logger: Logger;
}

/**
 * The one reply policy of every channel, in two modes ({@link ReplyMode}).
 * In both, the chat is held in the outbox while its message is handled and
 * answered, so the replies go before any notice the handling queued for the
 * same chat (the filing's "assigned to an officer", an export's document);
 * and the replies were saved with the conversation step, so none is lost:
 * - a redelivered update whose replies were not settled (a crash came between
 *   the save and the sending) records them in the outbox now, under keys named
 *   by the update, so repeating that records nothing twice;
 * - a direct send that fails records that reply and the rest in the outbox,
 *   which retries them in order;
 * - an apology or a flood warning, which is not saved, gets fresh keys, so a
 *   later successful handling of the same update is never mistaken for it.
 * @example const replies = createReplyPolicy({ handler, outbox, senderOf, settle, logger }); telegramBot({ handler: replies.direct })
 */
export function createReplyPolicy(deps: ReplyPolicyDeps): Record<ReplyMode, ReplyingHandler> {
  const keysOf = (msg: InboundMessage, result: HandleResult) =>
    result.messages.map((_, i) => (result.recorded ? replyKey(msg, i) : `${replyKey(msg, i)}:${randomUUID()}`));

  async function record(
    msg: InboundMessage,
    messages: RenderedMessage[],
    keys: string[],
    hold: ChatHold,
  ): Promise<void> {
    if (messages.length === 0) return;
    await deps.outbox.enqueue(
      messages.map((message, i) => ({
        channel: msg.channel,
        chatId: msg.chatId,
        message,
        dedupeKey: keys[i] as string,
      })),
      { hold },
    );
  }

  /**
   * Send in order with the channel's sender; from the first failure on, the rest go to the outbox.
   * False when the channel has no sender in this process (only a test calls the handler so): the
   * replies are then only returned, and stay unsettled.
   */
  async function sendNow(
    msg: InboundMessage,
    messages: RenderedMessage[],
    keys: string[],
    hold: ChatHold,
  ): Promise<boolean> {
    const sender = deps.senderOf(msg.channel);
    if (!sender) return false;
    for (const [i, message] of messages.entries()) {
      try {
        await sender.send(msg.chatId, message, { key: keys[i] as string });
      } catch (err) {
        deps.logger.warn(
          { event: 'reply_send_failed', channel: msg.channel, err: safeError(err) },
          'a reply could not go at once; the outbox retries it',
        );
        await record(msg, messages.slice(i), keys.slice(i), hold);
        return true;
      }
    }
    return true;
  }

  function withMode(mode: ReplyMode): ReplyingHandler {
    return async (msg) => {
      const hold = deps.outbox.holdChat(msg.channel, msg.chatId);
      try {
        const result = await deps.handler(msg);
        const replyKeys = keysOf(msg, result);
        // A redelivery hands out replies only when they were never settled: they go through the outbox, whose keys stop a repeat.
        let delivered = true;
        if (mode === 'outbox' || result.duplicate) await record(msg, result.messages, replyKeys, hold);
        else delivered = await sendNow(msg, result.messages, replyKeys, hold);
        if (delivered && result.recorded && result.messages.length > 0) {
          await deps
            .settle(msg)
            .catch((err: unknown) =>
              deps.logger.warn({ event: 'reply_settle_failed', err: safeError(err) }, 'could not mark replies as sent'),
            );
        }
        return { ...result, replyKeys };
      } finally {
        hold.release();
      }
    };
  }

  return { direct: withMode('direct'), outbox: withMode('outbox') };
}
