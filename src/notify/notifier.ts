import type { ChannelName } from '../conversation/types';
import type { RenderedMessage } from '../conversation/render';

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
