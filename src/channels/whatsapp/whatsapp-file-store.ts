import { randomBytes } from 'node:crypto';
import { mongo, Schema, type Connection } from 'mongoose';
import type { MessageMedia } from 'whatsapp-web.js';
import type { WhatsAppMessageLike } from './whatsapp-types';
import { modelOnce } from '../../db/model-once';

/**
 * Photos and voice notes citizens send on WhatsApp, kept in MongoDB
 * (collection `whatsapp_files`) under ids of our own (`waf_…`).
 *
 * Why not the message's serialized id as the file id: it holds the sender's
 * phone number (`false_9198…@c.us_3EB0…`), and file ids travel onto ticket
 * cards that officers see even when the citizen chose not to share the
 * number. Why the bytes are kept: WhatsApp Web forgets old messages and media
 * expire on WhatsApp's servers, while a complaint's photo is evidence needed
 * days later. WhatsApp Web hands over nothing while media is still coming
 * from the phone or being re-uploaded, so a download is tried again after
 * short waits; when it still fails, the message id is kept and the media
 * fetched on demand when it is forwarded ({@link WhatsAppFileStore.withBytes}).
 */
export interface WhatsAppFileStore {
  /** Download the message's media and store it; resolves with the new file id. Never logs or returns the bytes. */
  saveFrom(
    msg: Pick<WhatsAppMessageLike, 'id' | 'downloadMedia'>,
    kind: 'photo' | 'voice',
    now: Date,
    retry?: DownloadRetry,
    maxBytes?: number,
  ): Promise<string>;
  get(fileId: string): Promise<WhatsAppFile | null>;
  /**
   * The file with its bytes: those stored, else fetched now from the original
   * message with `fetch` (and stored for next time). Null when unknown; the
   * file without bytes when the fetch found nothing.
   */
  withBytes(
    fileId: string,
    fetch: (messageId: string) => Promise<MessageMedia | undefined>,
  ): Promise<WhatsAppFile | null>;
  /** Delete files stored before `date` (a scheduled clean-up); returns how many. */
  purgeOlderThan(date: Date): Promise<number>;
}

/** A download larger than the limit given to {@link WhatsAppFileStore.saveFrom}; nothing was stored. */
export class MediaTooBigError extends Error {
  constructor(readonly size: number) {
    super(`media of ${size} bytes is over the limit`);
    this.name = 'MediaTooBigError';
  }
}

/** How a download that gave nothing is tried again: after each of `waitsMs`, through `sleep`. */
export interface DownloadRetry {
  waitsMs: readonly number[];
  sleep: (ms: number) => Promise<void>;
}

/** A stored file as read back: the bytes, or only the WhatsApp message to fetch them from. */
export interface WhatsAppFile {
  fileId: string;
  kind: 'photo' | 'voice';
  messageId: string;
  mimeType?: string;
  fileName?: string;
  bytes?: Buffer;
}

interface FileDoc {
  _id: string;
  kind: 'photo' | 'voice';
  messageId: string;
  mimeType?: string;
  fileName?: string;
  size: number;
  bytes?: Buffer;
  createdAt: Date;
}

/** Shape of the ids this store hands out. */
export const WHATSAPP_FILE_ID_RE = /^waf_[0-9a-f]{24}$/;

/** Largest file kept, below MongoDB's 16 MB document limit; bigger ones are kept by reference only. */
export const MAX_WHATSAPP_FILE_BYTES = 15 * 1024 * 1024;

const fileSchema = new Schema<FileDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true, enum: ['photo', 'voice'] },
    messageId: { type: String, required: true },
    mimeType: String,
    fileName: String,
    size: { type: Number, required: true },
    bytes: Buffer,
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
fileSchema.index({ createdAt: 1 });

/** The file store over its own collection on the given connection. */
export async function createWhatsAppFileStore(conn: Connection): Promise<WhatsAppFileStore> {
  const File = modelOnce<FileDoc>(conn, 'WhatsAppFile', fileSchema, 'whatsapp_files');
  await File.createIndexes();

  async function get(fileId: string): Promise<WhatsAppFile | null> {
    if (!WHATSAPP_FILE_ID_RE.test(fileId)) return null;
    const doc = await File.findById(fileId).lean<FileDoc>().exec();
    if (!doc) return null;
    return {
      fileId: doc._id,
      kind: doc.kind,
      messageId: doc.messageId,
      ...(doc.mimeType ? { mimeType: doc.mimeType } : {}),
      ...(doc.fileName ? { fileName: doc.fileName } : {}),
      ...(doc.bytes ? { bytes: toBuffer(doc.bytes) } : {}),
    };
  }

  return {
    async saveFrom(msg, kind, now, retry, maxBytes) {
      const fileId = `waf_${randomBytes(12).toString('hex')}`;
      let media = await msg.downloadMedia().catch(() => undefined);
      for (const ms of retry?.waitsMs ?? []) {
        if (media?.data) break;
        await retry?.sleep(ms);
        media = await msg.downloadMedia().catch(() => undefined);
      }
      const bytes = media?.data ? Buffer.from(media.data, 'base64') : undefined;
      // Larger than the configured limit: nothing is stored, the citizen is told (see MediaTooBigError).
      if (bytes && maxBytes !== undefined && bytes.length > maxBytes) throw new MediaTooBigError(bytes.length);
      const keep = bytes && bytes.length > 0 && bytes.length <= MAX_WHATSAPP_FILE_BYTES;
      await File.create({
        _id: fileId,
        kind,
        messageId: msg.id._serialized,
        ...(media?.mimetype ? { mimeType: media.mimetype } : {}),
        ...(media?.filename ? { fileName: media.filename } : {}),
        size: bytes?.length ?? 0,
        ...(keep ? { bytes } : {}),
        createdAt: now,
      });
      return fileId;
    },
    get,
    async withBytes(fileId, fetch) {
      const file = await get(fileId);
      if (!file || file.bytes) return file;
      const media = await fetch(file.messageId).catch(() => undefined);
      const bytes = media?.data ? Buffer.from(media.data, 'base64') : undefined;
      if (!bytes?.length) return file;
      const mimeType = file.mimeType ?? media?.mimetype;
      const fileName = file.fileName ?? media?.filename ?? undefined;
      if (bytes.length <= MAX_WHATSAPP_FILE_BYTES) {
        await File.updateOne(
          { _id: fileId },
          { $set: { bytes, size: bytes.length, ...(mimeType ? { mimeType } : {}), ...(fileName ? { fileName } : {}) } },
        );
      }
      return { ...file, bytes, ...(mimeType ? { mimeType } : {}), ...(fileName ? { fileName } : {}) };
    },
    async purgeOlderThan(date) {
      const res = await File.deleteMany({ createdAt: { $lt: date } });
      return res.deletedCount;
    },
  };
}

/** A lean read gives the driver's Binary, not a Buffer. */
function toBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof mongo.Binary) return Buffer.from(v.buffer.buffer, v.buffer.byteOffset, v.position);
  throw new TypeError('stored file has no bytes');
}
