import { Schema, type Connection } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import { modelOnce } from '../db/model-once';

/** One pushed update (a webhook's message) kept from its arrival until it has been handled. */
export interface InboxItem {
  /** `<channel>:<the platform's id for it>`: a redelivery inserts nothing new. */
  _id: string;
  /** Updates of one chat are handled one at a time, in this order: the platform's sequence (Telegram's update_id, WhatsApp's timestamp). */
  chatKey: string;
  order: number;
  /** The platform's update as JSON text: outside data never becomes document keys. */
  json: string;
  /** Anything else the adapter read from the envelope (a profile name). */
  extra?: string;
  receivedAt: Date;
}

/**
 * Updates that webhooks (Telegram in webhook mode, the WhatsApp Cloud API)
 * accepted but that are not handled yet. A webhook answers 200 only after the
 * insert, so a crash between the answer and the handling loses nothing: what
 * is left here is handled at the next start, by whichever instance starts.
 * Handled items are deleted, so the collection holds only work in flight.
 */
export interface InboundInbox {
  /** Insert new items; returns those that were not there already. */
  add(items: InboxItem[]): Promise<InboxItem[]>;
  /** Items of `prefix` (`telegram:`, `whatsapp:`) still to handle, oldest first. */
  pending(prefix: string, limit: number): Promise<InboxItem[]>;
  /** One chat's items, oldest first. */
  pendingOf(chatKey: string, limit: number): Promise<InboxItem[]>;
  hasPending(chatKey: string): Promise<boolean>;
  done(id: string): Promise<void>;
}

const inboxSchema = new Schema<InboxItem>(
  {
    _id: { type: String, required: true },
    chatKey: { type: String, required: true },
    order: { type: Number, required: true },
    json: { type: String, required: true },
    extra: String,
    receivedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
inboxSchema.index({ chatKey: 1, order: 1 });

/** The inbox on its collection `inbound_inbox`. */
export async function createInboundInbox(conn: Connection): Promise<InboundInbox> {
  const Inbox = modelOnce<InboxItem>(conn, 'InboundInbox', inboxSchema, 'inbound_inbox');
  await Inbox.createIndexes();
  return {
    async add(items) {
      const fresh: InboxItem[] = [];
      // One insert each: a duplicate id is the signal that this update was seen before.
      for (const item of items) {
        try {
          await Inbox.create(item);
          fresh.push(item);
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
      return fresh;
    },
    async pending(prefix, limit) {
      return Inbox.find({ _id: { $gte: prefix, $lt: `${prefix}\uffff` } })
        .sort({ receivedAt: 1 })
        .limit(limit)
        .lean<InboxItem[]>()
        .exec();
    },
    async pendingOf(chatKey, limit) {
      return Inbox.find({ chatKey }).sort({ order: 1, receivedAt: 1 }).limit(limit).lean<InboxItem[]>().exec();
    },
    async hasPending(chatKey) {
      return (await Inbox.countDocuments({ chatKey })) > 0;
    },
    async done(id) {
      await Inbox.deleteOne({ _id: id });
    },
  };
}
