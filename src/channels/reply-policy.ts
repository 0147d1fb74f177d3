import { randomUUID } from 'node:crypto';
import type { HandleResult, InboundHandler } from '../conversation/inbound-handler';
import type { InboundMessage } from '../conversation/types';
import type { Outbox } from '../outbox/outbox';

/** A handled message whose replies are already recorded in the outbox, with the keys they were recorded under. */
export type RepliedResult = HandleResult & { replyKeys: string[] };

/** The handler every channel calls: it answers and records the answer for sending; the channel sends nothing itself. */
export type ReplyingHandler = (msg: InboundMessage) => Promise<RepliedResult>;

/** The outbox key of the `index`-th reply to one update (the same on every delivery of that update). */
export function replyKey(msg: Pick<InboundMessage, 'channel' | 'chatId' | 'updateKey'>, index: number): string {
  return `reply:${msg.channel}:${msg.chatId}:${msg.updateKey}:${index}`;
}

/**
 * The one reply policy of every channel: the replies to a message are
 * recorded in the outbox (which wakes at once, so they go within
 * milliseconds) and delivered by the channel's sender, in order with
 * everything else for that chat. The chat is held while the message is
 * handled, so the replies go before any notice the handling queued for the
 * same chat (the filing's "assigned to an officer", an export's document).
 *
 * Replies that were saved with the conversation step (`recorded`) get keys
 * named by the update: a redelivery after a crash between the save and this
 * enqueue records them now, and one after a successful enqueue records
 * nothing twice. An apology or a flood warning, which is not saved, gets
 * fresh keys, so a later successful handling of the same update is never
 * mistaken for it.
 * @example const handler = replyThroughOutbox(limitInbound(inner, limits), outbox); await handler(msg)
 */
export function replyThroughOutbox(handler: InboundHandler, outbox: Pick<Outbox, 'enqueue' | 'holdChat'>): ReplyingHandler {
  return async (msg) => {
    const hold = outbox.holdChat(msg.channel, msg.chatId);
    try {
      const result = await handler(msg);
      const replyKeys = result.messages.map((_, i) => (result.recorded ? replyKey(msg, i) : `${replyKey(msg, i)}:${randomUUID()}`));
      if (result.messages.length > 0) {
        const items = result.messages.map((message, i) => ({ channel: msg.channel, chatId: msg.chatId, message, dedupeKey: replyKeys[i] as string }));
        await outbox.enqueue(items, { hold });
      }
      return { ...result, replyKeys };
    } finally {
      hold.release();
    }
  };
}
