import { Schema, type Connection } from 'mongoose';
import { modelOnce } from '../../db/model-once';

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

const windowSchema = new Schema<WindowDoc>(
  { _id: { type: String, required: true }, lastInboundAt: { type: Date, required: true } },
  { versionKey: false },
);

/** The window store on its collection `whatsapp_cloud_windows`. */
export async function createCloudWindowStore(conn: Connection): Promise<CloudWindowStore> {
  const Window = modelOnce<WindowDoc>(conn, 'WhatsAppCloudWindow', windowSchema, 'whatsapp_cloud_windows');
  await Window.createCollection().catch(() => undefined);
  return {
    async touch(chatId, at) {
      await Window.updateOne({ _id: chatId }, { $set: { lastInboundAt: at } }, { upsert: true });
    },
    async lastInboundAt(chatId) {
      return (await Window.findById(chatId).lean<WindowDoc>().exec())?.lastInboundAt;
    },
    async purgeOlderThan(date) {
      return (await Window.deleteMany({ lastInboundAt: { $lt: date } })).deletedCount;
    },
  };
}
