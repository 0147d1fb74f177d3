import { randomBytes } from 'node:crypto';
import { mongo, Schema, type Connection } from 'mongoose';
import { modelOnce } from '../../db/model-once';

/**
 * Files of the web channel (photos citizens attach in the simulator, documents
 * sent to a web chat) are kept in MongoDB as Binary, not under DATA_DIR: they
 * are small (an upload is capped well below the 16 MB document limit), they
 * then live wherever the database lives (a container with no disk, several
 * instances, one backup), and tickets can refer to them by id like Telegram's
 * file_id. FerretDB stores binData as it is.
 */
export interface WebFileDoc {
  _id: string;
  mimeType: string;
  size: number;
  bytes: Buffer;
  fileName: string;
  /** The web chat that uploaded or received it; '' when unknown. */
  chatId: string;
  createdAt: Date;
}

/** A stored file as read back. */
export interface WebFile {
  fileId: string;
  mimeType: string;
  fileName: string;
  bytes: Buffer;
  /** The web chat that uploaded it; '' when unknown. */
  chatId: string;
}

/** Files of the web channel by id. */
export interface WebFileStore {
  save(input: {
    bytes: Buffer;
    mimeType: string;
    fileName?: string;
    chatId?: string;
    now: Date;
  }): Promise<{ fileId: string }>;
  get(fileId: string): Promise<WebFile | null>;
  exists(fileId: string): Promise<boolean>;
  /** Delete files stored before `date` (a scheduled clean-up; there is no TTL index on FerretDB). */
  deleteOlderThan(date: Date): Promise<number>;
}

/** Shape of the ids this store hands out; anything else is not ours. */
export const WEB_FILE_ID_RE = /^wf_[0-9a-f]{24}$/;

/** Largest file the store accepts, below MongoDB's 16 MB document limit. */
export const MAX_STORED_FILE_BYTES = 15 * 1024 * 1024;

const webFileSchema = new Schema<WebFileDoc>(
  {
    _id: { type: String, required: true },
    mimeType: { type: String, required: true },
    size: { type: Number, required: true },
    bytes: { type: Buffer, required: true },
    fileName: { type: String, required: true },
    chatId: { type: String, default: '' },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
webFileSchema.index({ createdAt: 1 });

/** The file store over its own collection `web_files` on the given connection. */
export async function createWebFileStore(conn: Connection): Promise<WebFileStore> {
  const WebFile = modelOnce<WebFileDoc>(conn, 'WebFile', webFileSchema, 'web_files');
  await WebFile.createIndexes();
  return {
    async save({ bytes, mimeType, fileName, chatId, now }) {
      if (bytes.length > MAX_STORED_FILE_BYTES)
        throw new RangeError(`file of ${bytes.length} bytes is larger than ${MAX_STORED_FILE_BYTES}`);
      const fileId = `wf_${randomBytes(12).toString('hex')}`;
      await WebFile.create({
        _id: fileId,
        mimeType,
        size: bytes.length,
        bytes,
        fileName: fileName ?? fileId,
        chatId: chatId ?? '',
        createdAt: now,
      });
      return { fileId };
    },
    async get(fileId) {
      if (!WEB_FILE_ID_RE.test(fileId)) return null;
      const doc = await WebFile.findById(fileId).lean<WebFileDoc>().exec();
      if (!doc) return null;
      return {
        fileId: doc._id,
        mimeType: doc.mimeType,
        fileName: doc.fileName,
        bytes: toBuffer(doc.bytes),
        chatId: doc.chatId ?? '',
      };
    },
    async exists(fileId) {
      if (!WEB_FILE_ID_RE.test(fileId)) return false;
      return (await WebFile.exists({ _id: fileId })) !== null;
    },
    async deleteOlderThan(date) {
      const res = await WebFile.deleteMany({ createdAt: { $lt: date } });
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

/**
 * The image type from the file's first bytes (JPEG, PNG, GIF, WebP), or
 * undefined. The declared Content-Type is not trusted: the file is later
 * served with the type found here, so nothing else (HTML, SVG) can pass as
 * an image.
 */
export function sniffImageType(bytes: Buffer): 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (
    bytes.length >= 12 &&
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  return undefined;
}
