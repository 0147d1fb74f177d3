import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from '../../outbox/outbox-store';

/** One webhook message kept from its arrival until it has been handled. */
export interface CloudInboxItem {
  /** The platform's message id (`wamid…`): a redelivered webhook inserts nothing new. */
  _id: string;
  chatId: string;
  /** The message object as JSON text: outside data never becomes document keys. */
  json: string;
  profileName?: string;
  receivedAt: Date;
}

/**
 * Webhook messages accepted but not yet handled. The webhook answers 200 only
 * after the insert, so a crash between the answer and the handling loses
 * nothing: whatever is left here is handled at the next start. Handled items
 * are deleted, so the collection holds only work in flight.
 */
export interface CloudInbox {
  /** Insert new items; returns those that were not there already (a redelivery is skipped). */
  add(items: CloudInboxItem[]): Promise<CloudInboxItem[]>;
  /** Items still to handle, oldest first. */
  pending(limit: number): Promise<CloudInboxItem[]>;
  done(id: string): Promise<void>;
}

/**
 * When each chat last wrote to us, for WhatsApp's 24-hour customer-service
 * window: free-form messages only inside it, approved templates after.
 * Entries older than the window are purged by the clean-up job, so the
 * collection holds only chats active in the last day.
 */
export interface CloudWindowStore {
  touch(chatId: string, at: Date): Promise<void>;
  lastInboundAt(chatId: string): Promise<Date | undefined>;
  purgeOlderThan(date: Date): Promise<number>;
}

interface WindowDoc {
  _id: string;
  lastInboundAt: Date;
}

const inboxSchema = new Schema<CloudInboxItem>(
  {
    _id: { type: String, required: true },
    chatId: { type: String, required: true },
    json: { type: String, required: true },
    profileName: String,
    receivedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

const windowSchema = new Schema<WindowDoc>({ _id: { type: String, required: true }, lastInboundAt: { type: Date, required: true } }, { versionKey: false });

/** The inbox and the window store on their own collections. */
export async function createCloudStores(conn: Connection): Promise<{ inbox: CloudInbox; windows: CloudWindowStore }> {
  const Inbox = (conn.models.WhatsAppCloudInbox as Model<CloudInboxItem> | undefined) ?? conn.model<CloudInboxItem>('WhatsAppCloudInbox', inboxSchema, 'whatsapp_cloud_inbox');
  const Window = (conn.models.WhatsAppCloudWindow as Model<WindowDoc> | undefined) ?? conn.model<WindowDoc>('WhatsAppCloudWindow', windowSchema, 'whatsapp_cloud_windows');
  await Promise.all([Inbox.createCollection().catch(() => undefined), Window.createCollection().catch(() => undefined)]);

  const inbox: CloudInbox = {
    async add(items) {
      const fresh: CloudInboxItem[] = [];
      // One insert each: a duplicate id is the signal that this message was seen before.
      for (const item of items) {
        try {
          await Inbox.create(item);
          fresh.push(item);
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
        }
      }
      return fresh;
    },
    async pending(limit) {
      return Inbox.find().sort({ receivedAt: 1 }).limit(limit).lean<CloudInboxItem[]>().exec();
    },
    async done(id) {
      await Inbox.deleteOne({ _id: id });
    },
  };

  const windows: CloudWindowStore = {
    async touch(chatId, at) {
      await Window.updateOne({ _id: chatId }, { $set: { lastInboundAt: at } }, { upsert: true });
    },
    async lastInboundAt(chatId) {
      const doc = await Window.findById(chatId).lean<WindowDoc>().exec();
      return doc?.lastInboundAt;
    },
    async purgeOlderThan(date) {
      return (await Window.deleteMany({ lastInboundAt: { $lt: date } })).deletedCount;
    },
  };
  return { inbox, windows };
}
