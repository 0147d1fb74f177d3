import type { ChannelName, RenderedMessage } from './messages';

/** One message for someone other than the sender of the current update. */
export interface OutboundItem {
  channel: ChannelName;
  chatId: string;
  message: RenderedMessage;
  /** Same key, same notification: enqueuing it twice sends it once. */
  dedupeKey?: string;
  /** The ticket the message is about: a staff member's reply to it then updates that ticket. */
  ticketRef?: string;
}

/** Where notifications go: the outbox, which records them before sending. */
export interface Notifier {
  enqueue(items: OutboundItem[]): Promise<unknown>;
}

/**
 * The notices one change of a record owes, written in the same document write
 * as the change and moved to the outbox afterwards by an idempotent relay
 * (see src/tickets/notice-relay.ts): a crash between the change and the
 * outbox loses nothing, and every item's dedupe key keeps a repeated relay
 * from sending twice.
 */
export interface OwedNotices {
  /** Names the change (e.g. `ALR-000001:resolve:5`). */
  key: string;
  /** Each with a deterministic dedupeKey. */
  items: Array<OutboundItem & { dedupeKey: string }>;
}
