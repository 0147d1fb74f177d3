import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { ReplyingHandler } from '../reply-policy';
import type { RenderedMessage } from '../../core/messages';
import { AppError } from '../../errors';
import { createWebFileStore, sniffImageType, WEB_FILE_ID_RE, type WebFile } from './web-file-store';
import { WEB_CHAT_ID_RE, WebRequestError, webRequestToInbound } from './web-inbound';
import {
  createWebMessageStore,
  FRESH_KEY_PREFIX,
  type WebMessageDraft,
  type WebMessageView,
  type WebOutputView,
} from './web-message-store';
import type { WebPlace } from './web-places';

/** Largest photo the page may upload, by default. */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

export interface WebChannelDeps {
  conn: Connection;
  handler: ReplyingHandler;
  clock: Clock;
  logger: Logger;
  places: readonly WebPlace[];
  /** Largest photo upload in bytes (default 2 MB). */
  maxUploadBytes?: number;
}

/** How the outbox should treat a failed web send (the shape of the outbox's SendFailure). */
export type WebSendFailure =
  { retry: true; afterMs?: number; code?: string } | { retry: false; reason: string; code?: string; detail?: string };

/**
 * The web channel's outbound side, in the shape of the outbox's
 * ChannelSender: the outbox delivers staff and citizen notifications to web
 * chats with it.
 */
export interface WebSender {
  readonly channel: 'web';
  /** Store a message in the chat (the page shows it at its next poll); messageId is its sequence number. */
  send(
    chatId: string,
    message: RenderedMessage,
    opts?: { signal?: AbortSignal; key?: string },
  ): Promise<{ messageId?: string }>;
  /** A malformed chat id never becomes deliverable; a database failure may pass. */
  classify(err: unknown): WebSendFailure;
}

/** A rendered message that may carry media (photos and voice notes forwarded by file id). */
type WithMedia = RenderedMessage & { media?: { kind: 'photo' | 'voice'; fileId: string } };

/** The error {@link WebSender.send} throws for a chat id that cannot be a web chat. */
class WebChatIdError extends AppError {
  constructor(chatId: string) {
    super('CHANNEL_SEND_FAILED', `not a web chat id: ${JSON.stringify(chatId.slice(0, 50))}`);
    this.name = 'WebChatIdError';
  }
}

/** The web channel: the simulator's pages talk to the real handler through it. */
export interface WebChannel {
  readonly channel: 'web';
  readonly places: readonly WebPlace[];
  readonly maxUploadBytes: number;
  readonly sender: WebSender;
  /**
   * One message from the page: stored, handed to the shared handler, replies
   * stored. A repeated client id stores and answers nothing new.
   * Throws {@link WebRequestError} for a malformed request.
   */
  receive(body: unknown): Promise<{ duplicate: boolean; messages: WebMessageView[] }>;
  /**
   * Messages of a chat after `afterSeq`. With `waitMs`, waits up to that long
   * for the first new one (long poll); `signal` ends the wait early.
   */
  messages(
    chatId: string,
    afterSeq: number,
    opts?: { waitMs?: number; signal?: AbortSignal },
  ): Promise<WebMessageView[]>;
  /** Store an uploaded image; throws {@link WebRequestError} (413, 415) when too big or not an image. */
  upload(input: { bytes: Buffer; chatId?: string }): Promise<{ fileId: string; mimeType: string }>;
  file(fileId: string): Promise<WebFile | null>;
  /** Delete messages and files stored before `date`; for a scheduled clean-up job. */
  purgeOlderThan(date: Date): Promise<{ messages: number; files: number }>;
}

// Control characters cannot be stored on FerretDB (NUL) and have no place on a page.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Build the web channel on its own collections (`web_messages`, `web_chats`,
 * `web_files`) of the given connection.
 * @example
 * const web = await createWebChannel({ conn, handler, clock, logger, places: loadPlaces(flowsDir) });
 * await web.receive({ chatId: 'citizen-1', clientId: 'k1x9…', kind: 'command', command: 'start' });
 */
export async function createWebChannel(deps: WebChannelDeps): Promise<WebChannel> {
  const [store, files] = await Promise.all([createWebMessageStore(deps.conn), createWebFileStore(deps.conn)]);
  const maxUploadBytes = deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const log = deps.logger;

  async function outputView(chatId: string, m: RenderedMessage): Promise<WebOutputView> {
    const view: WebOutputView = { text: m.text.replace(CONTROL_CHARS, '') };
    if (m.buttons?.length)
      view.buttons = m.buttons.map((b) => ({ label: b.label.replace(CONTROL_CHARS, ''), data: b.data }));
    if (m.contactRequest) view.contactRequest = { label: m.contactRequest.label };
    const media = (m as WithMedia).media;
    // A file id from another platform (a Telegram citizen's photo shown to a
    // web officer) cannot be fetched here; the page says so instead.
    if (media) view.media = { kind: media.kind, fileId: media.fileId, here: WEB_FILE_ID_RE.test(media.fileId) };
    if (m.document) {
      const { fileId } = await files.save({
        bytes: m.document.bytes,
        mimeType: m.document.mimeType,
        fileName: m.document.fileName,
        chatId,
        now: deps.clock.now(),
      });
      view.document = { fileName: m.document.fileName, mimeType: m.document.mimeType, fileId };
    }
    return view;
  }

  const sender: WebSender = {
    channel: 'web',
    async send(chatId, message, opts) {
      if (!WEB_CHAT_ID_RE.test(chatId)) throw new WebChatIdError(chatId);
      try {
        // Stored under the outbox's key: a send repeated (after a lost lease, or a reply retried) is stored once.
        const draft: WebMessageDraft = {
          key: opts?.key ?? `${FRESH_KEY_PREFIX}${randomUUID()}`,
          direction: 'out',
          message: await outputView(chatId, message),
        };
        const [stored] = await store.append(chatId, [draft], deps.clock.now());
        return stored ? { messageId: String(stored.seq) } : {};
      } catch (cause) {
        throw new AppError('CHANNEL_SEND_FAILED', 'could not store a web chat message', { cause });
      }
    },
    classify(err) {
      if (err instanceof WebChatIdError) return { retry: false, reason: 'chat_not_found', code: 'web_bad_chat_id' };
      return { retry: true, code: 'web_store_failed' };
    },
  };

  return {
    channel: 'web',
    places: deps.places,
    maxUploadBytes,
    sender,

    async receive(body) {
      const { inbound, input } = webRequestToInbound(body, deps.places, deps.clock.now());
      if (input.kind === 'photo' && input.fileId && !(await files.exists(input.fileId))) {
        throw new WebRequestError('invalid request: fileId names no uploaded file', 404);
      }
      // The person's own message is stored first, so the chat shows it
      // before the replies; a repeat of the same client id is skipped here
      // and recognised again by the handler.
      await store.append(
        inbound.chatId,
        [{ key: `in:${inbound.updateKey}`, direction: 'in', input }],
        inbound.receivedAt,
      );
      const result = await deps.handler(inbound);
      log.info(
        {
          event: 'web_message',
          chatId: inbound.chatId,
          kind: input.kind,
          duplicate: result.duplicate,
          replies: result.messages.length,
        },
        'web message handled',
      );
      // The reply policy has stored the replies with `sender` under their keys (or, if that failed, left them to the outbox).
      if (result.duplicate) return { duplicate: true, messages: [] };
      return { duplicate: false, messages: await store.withKeys(inbound.chatId, result.replyKeys) };
    },

    async messages(chatId, afterSeq, opts = {}) {
      if (!WEB_CHAT_ID_RE.test(chatId)) throw new WebRequestError('invalid request: chatId');
      const waitMs = Math.max(0, opts.waitMs ?? 0);
      // Subscribe before reading: an append between the read and the wait
      // would otherwise be missed until the wait ran out.
      const next = store.nextAppend(chatId);
      try {
        const now = await store.list(chatId, afterSeq);
        if (now.length || waitMs === 0 || opts.signal?.aborted) return now;
        const woke = await waitFor(next.promise, waitMs, opts.signal);
        return woke ? await store.list(chatId, afterSeq) : [];
      } finally {
        next.cancel();
      }
    },

    async upload({ bytes, chatId }) {
      if (bytes.length > maxUploadBytes) throw new WebRequestError(`file is larger than ${maxUploadBytes} bytes`, 413);
      const mimeType = sniffImageType(bytes);
      if (!mimeType) throw new WebRequestError('only JPEG, PNG, GIF or WebP images can be attached', 415);
      if (chatId !== undefined && !WEB_CHAT_ID_RE.test(chatId)) throw new WebRequestError('invalid request: chatId');
      const { fileId } = await files.save({ bytes, mimeType, ...(chatId ? { chatId } : {}), now: deps.clock.now() });
      log.info({ event: 'web_file_stored', size: bytes.length, mimeType }, 'web file stored');
      return { fileId, mimeType };
    },

    file(fileId) {
      return files.get(fileId);
    },

    async purgeOlderThan(date) {
      const [messages, filesDeleted] = await Promise.all([store.deleteOlderThan(date), files.deleteOlderThan(date)]);
      return { messages, files: filesDeleted };
    },
  };
}

/** True when `promise` settled first; false after `ms` or when `signal` aborts. */
function waitFor(promise: Promise<void>, ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (v: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => done(true));
  });
}
