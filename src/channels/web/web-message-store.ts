import { Schema, type Connection } from 'mongoose';
import { modelOnce } from '../../db/model-once';

/** What a person sent in a web chat, kept as the page shows it. */
export interface WebInputView {
  kind: 'text' | 'command' | 'button' | 'location' | 'contact' | 'photo';
  /** Typed text or the command as typed (`/status ALR-000001`). */
  text?: string;
  /** The label of the button pressed. */
  label?: string;
  placeId?: string;
  lat?: number;
  lon?: number;
  /** The simulated number shared. */
  phone?: string;
  fileId?: string;
  caption?: string;
}

/** What the bot sent to a web chat: a rendered message, with any document stored apart. */
export interface WebOutputView {
  text: string;
  buttons?: Array<{ label: string; data: string }>;
  contactRequest?: { label: string };
  /** A photo or voice note by file id; `here` when it is a web file the page can show. */
  media?: { kind: 'photo' | 'voice'; fileId: string; here: boolean };
  document?: { fileName: string; mimeType: string; fileId: string };
}

/** One message of a web chat as the page receives it. */
export interface WebMessageView {
  seq: number;
  direction: 'in' | 'out';
  createdAt: string;
  input?: WebInputView;
  message?: WebOutputView;
}

/** One message to append; `key` makes a repeated append a no-op. */
export type WebMessageDraft =
  { key: string; direction: 'in'; input: WebInputView } | { key: string; direction: 'out'; message: WebOutputView };

interface WebMessageDoc {
  chatId: string;
  /** 1, 2, 3… within the chat; the page asks for messages after the last it has. */
  seq: number;
  /** `in:<client id>`, `reply:<client id>:<n>` or `out:<uuid>`: unique in the chat. */
  key: string;
  direction: 'in' | 'out';
  input?: WebInputView;
  message?: WebOutputView;
  createdAt: Date;
}

interface WebChatDoc {
  _id: string;
  seq: number;
}

/** Stored messages of web chats, with a wake-up for pages waiting on a chat. */
export interface WebMessageStore {
  /**
   * Append messages to a chat in order and wake anyone waiting on it. Drafts
   * whose key the chat already holds are skipped; returns the ones stored.
   */
  append(chatId: string, drafts: readonly WebMessageDraft[], now: Date): Promise<WebMessageView[]>;
  /** Messages of a chat after `afterSeq`, oldest first, at most `limit`. */
  list(chatId: string, afterSeq: number, limit?: number): Promise<WebMessageView[]>;
  /** The chat's messages stored under these keys, oldest first. */
  withKeys(chatId: string, keys: readonly string[]): Promise<WebMessageView[]>;
  /**
   * A promise that settles at the next append to the chat; subscribe before
   * reading so nothing appended in between is missed. Always `cancel()`.
   */
  nextAppend(chatId: string): { promise: Promise<void>; cancel(): void };
  /** Delete messages stored before `date` (scheduled clean-up). */
  deleteOlderThan(date: Date): Promise<number>;
}

/** Prefix of keys that are new by construction (`out:<uuid>`). */
export const FRESH_KEY_PREFIX = 'out:';

/** Most messages one read returns; the page reads again for more. */
export const WEB_LIST_LIMIT = 200;

const webMessageSchema = new Schema<WebMessageDoc>(
  {
    chatId: { type: String, required: true },
    seq: { type: Number, required: true },
    key: { type: String, required: true },
    direction: { type: String, required: true, enum: ['in', 'out'] },
    input: { type: Schema.Types.Mixed, default: undefined },
    message: { type: Schema.Types.Mixed, default: undefined },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
webMessageSchema.index({ chatId: 1, seq: 1 }, { unique: true });
webMessageSchema.index({ chatId: 1, key: 1 }, { unique: true });
webMessageSchema.index({ createdAt: 1 });

const webChatSchema = new Schema<WebChatDoc>(
  { _id: { type: String, required: true }, seq: { type: Number, required: true } },
  { versionKey: false },
);

/**
 * The message store over two collections of its own: `web_messages` and
 * `web_chats` (the per-chat sequence counter).
 *
 * Appends to one chat are queued one after another in this process, so
 * sequence numbers become visible in order and a page reading "after 4" can
 * never see 6 before 5 exists. That is enough for the simulator, which runs
 * in one process; several instances would each keep their own queue.
 */
export async function createWebMessageStore(conn: Connection): Promise<WebMessageStore> {
  const WebMessage = modelOnce<WebMessageDoc>(conn, 'WebMessage', webMessageSchema, 'web_messages');
  const WebChat = modelOnce<WebChatDoc>(conn, 'WebChat', webChatSchema, 'web_chats');
  await Promise.all([WebMessage.createIndexes(), WebChat.createIndexes()]);

  const tails = new Map<string, Promise<unknown>>();
  const waiters = new Map<string, Set<() => void>>();

  function queued<T>(chatId: string, work: () => Promise<T>): Promise<T> {
    const run = (tails.get(chatId) ?? Promise.resolve()).then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(chatId, tail);
    void tail.then(() => {
      if (tails.get(chatId) === tail) tails.delete(chatId);
    });
    return run;
  }

  function wake(chatId: string): void {
    const set = waiters.get(chatId);
    if (!set) return;
    waiters.delete(chatId);
    for (const fn of set) fn();
  }

  async function insert(chatId: string, drafts: readonly WebMessageDraft[], now: Date): Promise<WebMessageView[]> {
    // Keys of new outbound messages are fresh uuids: only the others (a
    // person's message, the replies to it) can repeat and need the look-up.
    // The look-up runs inside the chat's queue, so a repeat arriving while
    // the first is still being stored waits and then finds its keys.
    const checkable = drafts.filter((d) => !d.key.startsWith(FRESH_KEY_PREFIX)).map((d) => d.key);
    const known = new Set<string>();
    if (checkable.length) {
      const existing = await WebMessage.find({ chatId, key: { $in: checkable } }, { key: 1 })
        .lean<Array<{ key: string }>>()
        .exec();
      for (const e of existing) known.add(e.key);
    }
    const fresh = drafts.filter((d, i) => !known.has(d.key) && drafts.findIndex((x) => x.key === d.key) === i);
    if (!fresh.length) return [];
    const chat = await WebChat.findOneAndUpdate(
      { _id: chatId },
      { $inc: { seq: fresh.length } },
      { upsert: true, returnDocument: 'after' },
    )
      .lean<WebChatDoc>()
      .exec();
    const first = (chat?.seq ?? fresh.length) - fresh.length + 1;
    const docs: WebMessageDoc[] = fresh.map((d, i) => ({
      chatId,
      seq: first + i,
      key: d.key,
      direction: d.direction,
      ...(d.direction === 'in' ? { input: d.input } : { message: d.message }),
      createdAt: now,
    }));
    await WebMessage.insertMany(docs, { ordered: true });
    return docs.map(toView);
  }

  return {
    async append(chatId, drafts, now) {
      if (!drafts.length) return [];
      const stored = await queued(chatId, () => insert(chatId, drafts, now));
      if (stored.length) wake(chatId);
      return stored;
    },
    async list(chatId, afterSeq, limit = WEB_LIST_LIMIT) {
      const docs = await WebMessage.find({ chatId, seq: { $gt: afterSeq } })
        .sort({ seq: 1 })
        .limit(Math.min(Math.max(1, limit), WEB_LIST_LIMIT))
        .lean<WebMessageDoc[]>()
        .exec();
      return docs.map(toView);
    },
    async withKeys(chatId, keys) {
      if (!keys.length) return [];
      const docs = await WebMessage.find({ chatId, key: { $in: [...keys] } })
        .sort({ seq: 1 })
        .lean<WebMessageDoc[]>()
        .exec();
      return docs.map(toView);
    },
    nextAppend(chatId) {
      let fn: () => void = () => undefined;
      const promise = new Promise<void>((resolve) => {
        fn = resolve;
      });
      let set = waiters.get(chatId);
      if (!set) {
        set = new Set();
        waiters.set(chatId, set);
      }
      set.add(fn);
      return {
        promise,
        cancel() {
          const s = waiters.get(chatId);
          if (!s) return;
          s.delete(fn);
          if (!s.size) waiters.delete(chatId);
        },
      };
    },
    async deleteOlderThan(date) {
      const res = await WebMessage.deleteMany({ createdAt: { $lt: date } });
      return res.deletedCount;
    },
  };
}

function toView(d: WebMessageDoc): WebMessageView {
  return {
    seq: d.seq,
    direction: d.direction,
    createdAt: d.createdAt.toISOString(),
    ...(d.input ? { input: d.input } : {}),
    ...(d.message ? { message: d.message } : {}),
  };
}
