/**
 * A stand-in for the Telegram Bot API that the real grammY `Bot` talks to over
 * HTTP on 127.0.0.1, so end-to-end tests exercise grammY's own request
 * encoding, long polling, error mapping and retries instead of a mock of them.
 *
 * It imitates the parts of Telegram whose behaviour our code depends on:
 * update confirmation by `offset`, long polls that wait for updates, per-chat
 * message ids, the exact error shapes for 400/403/429/500, and the validation
 * errors that bite in production (empty or over-long text, HTML that does not
 * parse, callback data over 64 bytes, editing a message into itself).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update, UserFromGetMe } from 'grammy/types';
import { FAKE_BOT_INFO, guessMimeType, type NewUpdate } from './telegram-updates';

/** Options for {@link createFakeTelegramApi}. */
export interface FakeTelegramApiOptions {
  /** Defaults to `<FAKE_BOT_INFO.id>:fake-token`; the part before `:` becomes the bot's id, as in Telegram. */
  token?: string;
  /** Defaults to `FAKE_BOT_INFO.username`. */
  botUsername?: string;
  /** Milliseconds since the epoch for `date` fields and `calls[].at`; defaults to `Date.now`. Timeouts always use real time. */
  now?: () => number;
  /**
   * Answer every `every`-th outbound call (sends, edits) with 429 and
   * `retry_after` seconds, as Telegram does now and then under load, without
   * performing it (benchmarks of the outbox's drain use it).
   */
  throttle?: { every: number; retryAfter: number };
}

/** How an injected failure is answered. `network` drops the connection without an answer (grammY raises `HttpError`). */
export type InjectedFailure =
  | { status: 500; description?: string }
  | { status: 429; retryAfter: number }
  | { status: 403; description?: string }
  | { status: 400; description: string }
  | { status: 'network' };

/** Narrows which calls an injected failure applies to. */
export interface FailureFilter {
  /** A Bot API method name. Without it, only {@link OUTBOUND_METHODS} are affected, never polling or start-up calls. */
  method?: string;
  chatId?: number;
}

/** A file that arrived in a multipart upload, in place of the `attach://` reference that named it. */
export interface UploadedFile {
  fileName: string;
  size: number;
  bytes: Buffer;
  contentType?: string;
}

/** One request the server received, in arrival order. */
export interface RecordedCall {
  /** The canonical method name (Telegram treats names case-insensitively). */
  method: string;
  /** Query and body parameters after decoding; JSON-valued fields are parsed, uploads are {@link UploadedFile}. */
  params: Record<string, unknown>;
  /** When the request arrived, from the `now` option. */
  at: number;
  /** Present when the call was answered with an error: its status, or `'network'` for a dropped connection. */
  failed?: number | 'network';
  /** The `result` of a successful answer. */
  result?: unknown;
}

/** The fake server; create one per test with {@link createFakeTelegramApi}. */
/** What a sent message says: its text, or a file's caption ('' for neither, or no call). */
export function textOf(call: RecordedCall | undefined): string {
  return String(call?.params.text ?? call?.params.caption ?? '');
}

export interface FakeTelegramApi {
  /** The token the server accepts; pass it to `new Bot(...)`. */
  readonly token: string;
  /** What `getMe` answers; pass as `botInfo` to skip the `getMe` call. */
  readonly botInfo: UserFromGetMe;
  /** Every request, including failed and unknown ones. */
  readonly calls: RecordedCall[];
  /** Listens on 127.0.0.1 on a free port. */
  start(): Promise<{ apiRoot: string }>;
  /** Answers pending long polls with no updates, closes every connection and stops listening. Stop bots first. */
  stop(): Promise<void>;
  /** Successful calls of {@link SENT_METHODS}, in order, optionally only those for one chat. */
  sent(chatId?: number): RecordedCall[];
  /** Resolves with the predicate's first value that is not `undefined`, `null` or `false`; rejects after `timeoutMs`. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** Resolves with `sent(chatId)` once it holds at least `count` calls. */
  waitForSent(chatId: number, count: number, timeoutMs?: number): Promise<RecordedCall[]>;
  /**
   * Pushes an update and resolves with the messages `chatId` receives after it, once
   * there are `count` new ones (default 10 s): one step of a conversation.
   */
  exchange(update: NewUpdate, chatId: number, count: number, timeoutMs?: number): Promise<RecordedCall[]>;
  /**
   * Queues an update (assigning the next `update_id` if absent) and wakes a waiting long poll.
   * Returns the update as it will be delivered: a new message's `message_id` is raised past the
   * newest message in its chat if needed, so refer to the returned copy, not the builder's.
   */
  pushUpdate(update: NewUpdate): Update;
  /** Queues an already pushed update again with the same `update_id`, delivered even though the offset has passed it. */
  redeliver(updateId: number): Update;
  /** Updates not yet confirmed by a `getUpdates` offset. */
  pendingUpdates(): number;
  /** The next `n` calls matching `filter` are answered with `failure` instead of being performed. */
  failNext(n: number, failure: InjectedFailure, filter?: FailureFilter): void;
  /** Every outbound call to `chatId` answers 403 "bot was blocked by the user" until {@link FakeTelegramApi.unblockChat}. */
  blockChat(chatId: number): void;
  /** Lets sends to `chatId` through again, as when the user unblocks the bot. */
  unblockChat(chatId: number): void;
  /** Makes `fileId` downloadable through `getFile` and `/file/bot<token>/<file_path>`. */
  addFile(fileId: string, bytes: Uint8Array | string, opts?: { filePath?: string }): void;
}

/** Methods that put something into a chat; their successful calls make up `sent()`. */
export const SENT_METHODS: ReadonlySet<string> = new Set([
  'sendMessage',
  'sendPhoto',
  'sendVoice',
  'sendDocument',
  'sendLocation',
  'copyMessage',
  'forwardMessage',
  'editMessageText',
  'editMessageReplyMarkup',
]);

/** Methods a bot uses to act on a chat; failures without a `method` filter and blocked chats apply to these. */
export const OUTBOUND_METHODS: ReadonlySet<string> = new Set([
  ...SENT_METHODS,
  'sendChatAction',
  'answerCallbackQuery',
  'deleteMessage',
]);

const IMPLEMENTED_METHODS = [
  'getMe',
  'getUpdates',
  'deleteWebhook',
  'setWebhook',
  'getWebhookInfo',
  'setMyCommands',
  'getMyCommands',
  'deleteMyCommands',
  ...OUTBOUND_METHODS,
  'getFile',
];

// Telegram method names are case-insensitive; calls are recorded under the documented spelling.
const CANONICAL_METHOD = new Map(IMPLEMENTED_METHODS.map((name) => [name.toLowerCase(), name]));

// In urlencoded and multipart bodies every value is a string; these fields are
// text and must stay strings even when they look like numbers or JSON.
const STRING_FIELDS = new Set([
  'text',
  'caption',
  'data',
  'callback_query_id',
  'inline_message_id',
  'file_id',
  'phone_number',
  'first_name',
  'last_name',
  'title',
  'address',
  'query',
  'url',
  'secret_token',
  'parse_mode',
  'action',
  'language_code',
]);

// JSON bodies may still carry these as JSON-encoded strings (Telegram accepts both).
const JSON_FIELDS = new Set([
  'reply_markup',
  'entities',
  'caption_entities',
  'reply_parameters',
  'link_preview_options',
  'commands',
  'scope',
  'allowed_updates',
  'media',
]);

const MAX_TEXT_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;
const MAX_CALLBACK_DATA_BYTES = 64;

interface ApiErrorBody {
  ok: false;
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

/** Thrown inside method handlers to answer with a Telegram error. */
class TelegramApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }

  toBody(): ApiErrorBody {
    return {
      ok: false,
      error_code: this.status,
      description: this.description,
      ...(this.parameters && { parameters: this.parameters }),
    };
  }
}

const badRequest = (what: string) => new TelegramApiError(400, `Bad Request: ${what}`);

interface FakeChat {
  id: number;
  type: string;
  [key: string]: unknown;
}

interface FakeMessage {
  message_id: number;
  chat: FakeChat;
  date: number;
  from?: { id: number; is_bot: boolean; [key: string]: unknown };
  text?: string;
  caption?: string;
  reply_markup?: unknown;
  [key: string]: unknown;
}

interface QueuedUpdate {
  update: Update;
  // Set by redeliver(): deliver once even though the offset already passed it.
  force: boolean;
}

interface Poller {
  call: RecordedCall;
  res: http.ServerResponse;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

interface FailureRule {
  remaining: number;
  failure: InjectedFailure;
  filter: FailureFilter;
}

interface StoredFile {
  uniqueId: string;
  bytes?: Buffer;
  filePath?: string;
  fileName?: string;
  mimeType?: string;
}

type Params = Record<string, unknown>;

/**
 * Creates a fake Telegram Bot API server. Nothing listens until `start()`.
 *
 * @example
 * ```ts
 * const api = createFakeTelegramApi();
 * const { apiRoot } = await api.start();
 * const bot = new Bot(api.token, { client: { apiRoot } });
 * bot.on('message:text', (ctx) => ctx.reply('नमस्ते'));
 * const running = bot.start();
 * api.pushUpdate(textMessage(42, 'hi'));
 * const [reply] = await api.waitForSent(42, 1);
 * await bot.stop();
 * await running;
 * await api.stop();
 * ```
 */
export function createFakeTelegramApi(opts: FakeTelegramApiOptions = {}): FakeTelegramApi {
  const token = opts.token ?? `${FAKE_BOT_INFO.id}:fake-token`;
  const now = opts.now ?? Date.now;
  const tokenBotId = Number(token.split(':')[0]);
  const botInfo: UserFromGetMe = {
    ...FAKE_BOT_INFO,
    id: Number.isSafeInteger(tokenBotId) && tokenBotId > 0 ? tokenBotId : FAKE_BOT_INFO.id,
    username: opts.botUsername ?? FAKE_BOT_INFO.username,
  };
  const botSender = { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username };

  const calls: RecordedCall[] = [];
  let queue: QueuedUpdate[] = [];
  const history = new Map<number, Update>();
  let nextUpdateId = 1;
  // Telegram lets only one getUpdates wait at a time; a second one terminates the first.
  let poller: Poller | undefined;
  let webhookUrl = '';

  const failureRules: FailureRule[] = [];
  const blockedChats = new Set<number>();
  let outboundCalls = 0;

  const chats = new Map<number, FakeChat>();
  const messages = new Map<number, Map<number, FakeMessage>>();
  const lastMessageIds = new Map<number, number>();
  const openCallbackQueries = new Set<string>();
  const commands = new Map<string, unknown[]>();

  const files = new Map<string, StoredFile>();
  const fileBytesByPath = new Map<string, Buffer>();
  let fileCounter = 0;

  let server: http.Server | undefined;
  let apiRoot: string | undefined;

  const unixNow = () => Math.floor(now() / 1000);

  // ---- chats and messages -------------------------------------------------

  function chatFor(chatId: number): FakeChat {
    const known = chats.get(chatId);
    if (known) return known;
    if (chatId > 0) return { id: chatId, type: 'private', first_name: `User ${chatId}` };
    // Supergroup ids are -100 followed by the channel id; anything else negative is a basic group.
    return { id: chatId, type: chatId < -1_000_000_000_000 ? 'supergroup' : 'group', title: `Group ${chatId}` };
  }

  function storeMessage(message: FakeMessage): void {
    const chatId = message.chat.id;
    let inChat = messages.get(chatId);
    if (!inChat) {
      inChat = new Map();
      messages.set(chatId, inChat);
    }
    inChat.set(message.message_id, message);
    // Users and the bot share one message id sequence per private chat.
    lastMessageIds.set(chatId, Math.max(lastMessageIds.get(chatId) ?? 0, message.message_id));
  }

  function findMessage(chatId: number, messageId: number): FakeMessage | undefined {
    return messages.get(chatId)?.get(messageId);
  }

  function allocateMessageId(chatId: number): number {
    const id = (lastMessageIds.get(chatId) ?? 0) + 1;
    lastMessageIds.set(chatId, id);
    return id;
  }

  /** Remembers chats, messages and file ids from an update so later calls can refer to them. */
  function learnFromIncomingMessage(message: FakeMessage | undefined, existing: 'replace' | 'keep'): void {
    if (!message || typeof message.chat?.id !== 'number') return;
    chats.set(message.chat.id, message.chat);
    if (message.reply_to_message && typeof message.reply_to_message === 'object') {
      const replied = message.reply_to_message as FakeMessage;
      if (!findMessage(replied.chat.id, replied.message_id)) storeMessage(replied);
    }
    // A callback query carries a copy of a message the bot may have edited since; ours is current.
    if (existing === 'replace' || !findMessage(message.chat.id, message.message_id)) storeMessage(message);
    for (const fileId of fileIdsIn(message)) {
      if (!files.has(fileId)) files.set(fileId, { uniqueId: `${fileId}-u` });
    }
  }

  function fileIdsIn(message: FakeMessage): string[] {
    const ids: string[] = [];
    const photo = message.photo;
    if (Array.isArray(photo)) {
      for (const size of photo) if (typeof size?.file_id === 'string') ids.push(size.file_id);
    }
    for (const key of ['voice', 'audio', 'document', 'video', 'video_note', 'animation', 'sticker']) {
      const media = message[key] as { file_id?: unknown } | undefined;
      if (typeof media?.file_id === 'string') ids.push(media.file_id);
    }
    return ids;
  }

  // ---- updates ------------------------------------------------------------

  function enqueue(entry: QueuedUpdate): void {
    const at = queue.findIndex((e) => e.update.update_id > entry.update.update_id);
    if (at === -1) queue.push(entry);
    else queue.splice(at, 0, entry);
  }

  function takeUpdates(offset: number, limit: number): Update[] {
    if (offset < 0) {
      // Negative offsets select the last -offset updates and forget the rest.
      queue = queue.slice(offset);
    } else {
      queue = queue.filter((e) => e.update.update_id >= offset || e.force);
    }
    const batch = queue.slice(0, limit);
    for (const entry of batch) entry.force = false;
    return batch.map((e) => structuredClone(e.update));
  }

  function wakePoller(): void {
    if (!poller) return;
    const updates = takeUpdates(poller.offset, poller.limit);
    if (updates.length > 0) finishPoll(updates);
  }

  function finishPoll(updates: Update[]): void {
    const current = poller;
    if (!current) return;
    poller = undefined;
    clearTimeout(current.timer);
    current.call.result = updates;
    respond(current.res, 200, { ok: true, result: updates });
  }

  function pushUpdate(input: NewUpdate): Update {
    const update = structuredClone(input) as Update;
    if (typeof update.update_id !== 'number') update.update_id = nextUpdateId;
    nextUpdateId = Math.max(nextUpdateId, update.update_id + 1);
    history.set(update.update_id, update);

    if (update.message) {
      // Builders number messages without knowing the bot's replies; Telegram numbers each chat's
      // messages in one increasing sequence, so a lagging id is moved past the newest one.
      const newest = lastMessageIds.get(update.message.chat.id) ?? 0;
      if (update.message.message_id <= newest) update.message.message_id = newest + 1;
    }
    learnFromIncomingMessage(update.message as FakeMessage | undefined, 'replace');
    learnFromIncomingMessage(update.edited_message as FakeMessage | undefined, 'replace');
    if (update.callback_query) {
      openCallbackQueries.add(update.callback_query.id);
      learnFromIncomingMessage(update.callback_query.message as FakeMessage | undefined, 'keep');
      const from = update.callback_query.from;
      if (!chats.has(from.id)) chats.set(from.id, { id: from.id, type: 'private', first_name: from.first_name });
    }

    enqueue({ update, force: false });
    wakePoller();
    return structuredClone(update);
  }

  function redeliver(updateId: number): Update {
    const queued = queue.find((e) => e.update.update_id === updateId);
    if (queued) {
      queued.force = true;
    } else {
      const update = history.get(updateId);
      if (!update) throw new Error(`redeliver: update ${updateId} was never pushed`);
      enqueue({ update, force: true });
    }
    wakePoller();
    return structuredClone(history.get(updateId) as Update);
  }

  // ---- files --------------------------------------------------------------

  function addFile(fileId: string, bytes: Uint8Array | string, fileOpts: { filePath?: string } = {}): void {
    fileCounter += 1;
    const data = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
    const filePath = fileOpts.filePath ?? `documents/file_${fileCounter}`;
    const existing = files.get(fileId);
    files.set(fileId, { ...existing, uniqueId: existing?.uniqueId ?? `${fileId}-u`, bytes: data, filePath });
    fileBytesByPath.set(filePath, data);
  }

  /** Resolves a media parameter (upload, known file_id or URL) to what the returned Message describes. */
  function resolveMedia(
    value: unknown,
    kind: 'photo' | 'voice' | 'document',
  ): { fileId: string; uniqueId: string; size?: number; fileName?: string; mimeType?: string } {
    if (value === undefined || value === null || value === '') throw badRequest(`there is no ${kind} in the request`);
    if (isUploadedFile(value)) {
      fileCounter += 1;
      const fileId = `fake-${kind}-${fileCounter}`;
      const ext = kind === 'photo' ? '.jpg' : kind === 'voice' ? '.oga' : extensionOf(value.fileName);
      const dir = kind === 'photo' ? 'photos' : kind === 'voice' ? 'voice' : 'documents';
      const filePath = `${dir}/file_${fileCounter}${ext}`;
      const stored: StoredFile = {
        uniqueId: `${fileId}-u`,
        bytes: value.bytes,
        filePath,
        fileName: value.fileName,
        mimeType: guessMimeType(value.fileName),
      };
      files.set(fileId, stored);
      fileBytesByPath.set(filePath, value.bytes);
      return {
        fileId,
        uniqueId: stored.uniqueId,
        size: value.size,
        fileName: value.fileName,
        mimeType: stored.mimeType,
      };
    }
    if (typeof value === 'string') {
      const known = files.get(value);
      if (known) {
        return {
          fileId: value,
          uniqueId: known.uniqueId,
          ...(known.bytes && { size: known.bytes.length }),
          ...(known.fileName !== undefined && { fileName: known.fileName }),
          ...(known.mimeType !== undefined && { mimeType: known.mimeType }),
        };
      }
      if (/^https?:\/\//.test(value)) {
        fileCounter += 1;
        const fileId = `fake-${kind}-${fileCounter}`;
        const fileName = decodeURIComponent(new URL(value).pathname.split('/').pop() || `file_${fileCounter}`);
        files.set(fileId, { uniqueId: `${fileId}-u`, fileName, mimeType: guessMimeType(fileName) });
        return { fileId, uniqueId: `${fileId}-u`, fileName, mimeType: guessMimeType(fileName) };
      }
    }
    throw badRequest('wrong file identifier/HTTP URL specified');
  }

  // ---- validation shared by send and edit methods ---------------------------

  function requireChatId(params: Params): number {
    const raw = params.chat_id;
    if (raw === undefined || raw === null || raw === '') throw badRequest('chat_id is empty');
    const id = typeof raw === 'number' ? raw : Number(raw);
    // Usernames (@channel) would need a directory of public chats; tests address chats by id.
    if (!Number.isSafeInteger(id)) throw badRequest('chat not found');
    return id;
  }

  function requireMessageId(params: Params, key = 'message_id'): number {
    const id = Number(params[key]);
    if (!Number.isSafeInteger(id)) throw badRequest(`${key} is empty`);
    return id;
  }

  /** Applies parse_mode to text, as Telegram does, and enforces the length limit. */
  function renderText(
    raw: unknown,
    parseMode: unknown,
    limit: number,
    emptyError: string | undefined,
    tooLong: string,
  ) {
    if (raw === undefined || raw === null) {
      if (emptyError) throw badRequest(emptyError);
      return undefined;
    }
    const text = parseMode === 'HTML' ? parseHtml(String(raw)) : String(raw);
    if (text.trim() === '') {
      if (emptyError) throw badRequest(emptyError);
      return undefined;
    }
    if (text.length > limit) throw badRequest(tooLong);
    return text;
  }

  /** A message's text (sendMessage, editMessageText): required, at most 4096 characters once rendered. */
  function messageText(params: Params): string | undefined {
    return renderText(params.text, params.parse_mode, MAX_TEXT_LENGTH, 'message text is empty', 'message is too long');
  }

  /** Validates reply_markup; returns what the Message echoes (Telegram only echoes inline keyboards). */
  function checkMarkup(markup: unknown): unknown {
    if (markup === undefined || markup === null || typeof markup !== 'object') return undefined;
    const inline = (markup as { inline_keyboard?: unknown }).inline_keyboard;
    if (!Array.isArray(inline)) return undefined;
    for (const row of inline) {
      if (!Array.isArray(row))
        throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
      for (const button of row as Array<Record<string, unknown>>) {
        const data = button?.callback_data;
        // Byte length, not characters: Devanagari takes 3 bytes per letter in UTF-8.
        if (typeof data === 'string' && (data === '' || Buffer.byteLength(data, 'utf8') > MAX_CALLBACK_DATA_BYTES)) {
          throw badRequest('BUTTON_DATA_INVALID');
        }
      }
    }
    return markup;
  }

  function replyTarget(chatId: number, params: Params): FakeMessage | undefined {
    const replyParameters = params.reply_parameters as
      { message_id?: unknown; allow_sending_without_reply?: unknown } | undefined;
    const rawId = replyParameters?.message_id ?? params.reply_to_message_id;
    if (rawId === undefined) return undefined;
    const target = findMessage(chatId, Number(rawId));
    if (target) {
      const { reply_to_message: _nested, ...flat } = target;
      return flat as FakeMessage;
    }
    if (replyParameters?.allow_sending_without_reply === true || params.allow_sending_without_reply === true)
      return undefined;
    throw badRequest('message to be replied not found');
  }

  /** Builds, stores and returns a message from the bot; ids are only consumed once validation passed. */
  function postMessage(params: Params, content: Record<string, unknown>): FakeMessage {
    const chatId = requireChatId(params);
    const markup = checkMarkup(params.reply_markup);
    const replyTo = replyTarget(chatId, params);
    const message: FakeMessage = {
      message_id: allocateMessageId(chatId),
      from: botSender,
      chat: chatFor(chatId),
      date: unixNow(),
      ...(replyTo && { reply_to_message: replyTo }),
      ...content,
      ...(markup !== undefined && { reply_markup: markup }),
    };
    storeMessage(message);
    return message;
  }

  function captionContent(params: Params): Record<string, unknown> {
    const caption = renderText(
      params.caption,
      params.parse_mode,
      MAX_CAPTION_LENGTH,
      undefined,
      'message caption is too long',
    );
    return {
      ...(caption !== undefined && { caption }),
      ...(caption !== undefined &&
        params.caption_entities !== undefined && { caption_entities: params.caption_entities }),
    };
  }

  function editableMessage(params: Params): FakeMessage | undefined {
    // Inline-mode messages have no chat on our side; Telegram answers `true` for them.
    if (params.inline_message_id !== undefined) return undefined;
    const chatId = requireChatId(params);
    const message = findMessage(chatId, requireMessageId(params));
    if (!message) throw badRequest('message to edit not found');
    if (message.from && message.from.is_bot === false) throw badRequest("message can't be edited");
    return message;
  }

  const NOT_MODIFIED =
    'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

  // ---- method handlers ------------------------------------------------------

  const handlers: Record<string, (params: Params) => unknown> = {
    getMe: () => botInfo,

    deleteWebhook: (params) => {
      webhookUrl = '';
      if (params.drop_pending_updates === true) queue = [];
      return true;
    },

    setWebhook: (params) => {
      if (typeof params.url !== 'string') throw badRequest('bad webhook: URL must be provided for webhook');
      webhookUrl = params.url;
      return true;
    },

    getWebhookInfo: () => ({ url: webhookUrl, has_custom_certificate: false, pending_update_count: queue.length }),

    setMyCommands: (params) => {
      const list = params.commands;
      if (!Array.isArray(list)) throw badRequest('commands must be an Array');
      for (const entry of list as Array<{ command?: unknown; description?: unknown }>) {
        // Telegram rejects command names outside [a-z0-9_], e.g. Hindi ones.
        if (typeof entry?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(entry.command)) {
          throw badRequest('BOT_COMMAND_INVALID');
        }
        if (typeof entry.description !== 'string' || entry.description.length < 1 || entry.description.length > 256) {
          throw badRequest('command description is empty');
        }
      }
      commands.set(commandsKey(params), list);
      return true;
    },

    getMyCommands: (params) => commands.get(commandsKey(params)) ?? [],

    deleteMyCommands: (params) => {
      commands.delete(commandsKey(params));
      return true;
    },

    sendMessage: (params) => {
      const text = messageText(params);
      return postMessage(params, { text, ...(params.entities !== undefined && { entities: params.entities }) });
    },

    sendPhoto: (params) => {
      const media = resolveMedia(params.photo, 'photo');
      return postMessage(params, {
        photo: [
          {
            file_id: media.fileId,
            file_unique_id: media.uniqueId,
            width: 800,
            height: 600,
            ...(media.size !== undefined && { file_size: media.size }),
          },
        ],
        ...captionContent(params),
      });
    },

    sendVoice: (params) => {
      const media = resolveMedia(params.voice, 'voice');
      return postMessage(params, {
        voice: {
          file_id: media.fileId,
          file_unique_id: media.uniqueId,
          duration: Number(params.duration ?? 0),
          mime_type: 'audio/ogg',
          ...(media.size !== undefined && { file_size: media.size }),
        },
        ...captionContent(params),
      });
    },

    sendDocument: (params) => {
      const media = resolveMedia(params.document, 'document');
      return postMessage(params, {
        document: {
          file_id: media.fileId,
          file_unique_id: media.uniqueId,
          ...(media.fileName !== undefined && { file_name: media.fileName }),
          ...(media.mimeType !== undefined && { mime_type: media.mimeType }),
          ...(media.size !== undefined && { file_size: media.size }),
        },
        ...captionContent(params),
      });
    },

    sendLocation: (params) => {
      const latitude = Number(params.latitude);
      const longitude = Number(params.longitude);
      if (!Number.isFinite(latitude) || Math.abs(latitude) > 90) throw badRequest('wrong latitude');
      if (!Number.isFinite(longitude) || Math.abs(longitude) > 180) throw badRequest('wrong longitude');
      return postMessage(params, { location: { latitude, longitude } });
    },

    sendChatAction: (params) => {
      requireChatId(params);
      if (typeof params.action !== 'string') throw badRequest('wrong parameter action in request');
      return true;
    },

    copyMessage: (params) => {
      const source = sourceMessage(params, 'copy');
      const content = messageContent(source);
      const copied = postMessage(params, { ...content, ...(params.caption !== undefined && captionContent(params)) });
      // copyMessage answers with the new id only, unlike forwardMessage.
      return { message_id: copied.message_id };
    },

    forwardMessage: (params) => {
      const source = sourceMessage(params, 'forward');
      const content = messageContent(source);
      const origin = source.from
        ? { type: 'user', sender_user: source.from, date: source.date }
        : { type: 'chat', sender_chat: source.chat, date: source.date };
      const { reply_markup: _ignored, ...withoutMarkup } = params;
      return postMessage(withoutMarkup, { forward_origin: origin, ...content });
    },

    editMessageText: (params) => {
      const text = messageText(params);
      const markup = checkMarkup(params.reply_markup);
      const message = editableMessage(params);
      if (!message) return true;
      if (message.text === undefined) throw badRequest('there is no text in the message to edit');
      if (message.text === text && sameJson(message.reply_markup, markup)) throw badRequest(NOT_MODIFIED);
      message.text = text;
      if (params.entities !== undefined) message.entities = params.entities;
      else delete message.entities;
      // Editing text without reply_markup removes the inline keyboard.
      if (markup !== undefined) message.reply_markup = markup;
      else delete message.reply_markup;
      message.edit_date = unixNow();
      return structuredClone(message);
    },

    editMessageReplyMarkup: (params) => {
      const markup = checkMarkup(params.reply_markup);
      const message = editableMessage(params);
      if (!message) return true;
      if (sameJson(message.reply_markup, markup)) throw badRequest(NOT_MODIFIED);
      if (markup !== undefined) message.reply_markup = markup;
      else delete message.reply_markup;
      message.edit_date = unixNow();
      return structuredClone(message);
    },

    answerCallbackQuery: (params) => {
      const id = params.callback_query_id;
      // Each query can be answered once; unknown and already answered ids fail alike.
      if (typeof id !== 'string' || !openCallbackQueries.delete(id)) {
        throw badRequest('query is too old and response timeout expired or query ID is invalid');
      }
      if (typeof params.text === 'string' && params.text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
      return true;
    },

    deleteMessage: (params) => {
      const chatId = requireChatId(params);
      const messageId = requireMessageId(params);
      if (!messages.get(chatId)?.delete(messageId)) throw badRequest('message to delete not found');
      return true;
    },

    getFile: (params) => {
      const fileId = params.file_id;
      const stored = typeof fileId === 'string' ? files.get(fileId) : undefined;
      // Only files whose bytes the test registered can be downloaded, so only they resolve.
      if (typeof fileId !== 'string' || !stored?.bytes || stored.filePath === undefined)
        throw badRequest('invalid file_id');
      return {
        file_id: fileId,
        file_unique_id: stored.uniqueId,
        file_size: stored.bytes.length,
        file_path: stored.filePath,
      };
    },
  };

  function sourceMessage(params: Params, verb: 'copy' | 'forward'): FakeMessage {
    const fromChat = Number(params.from_chat_id);
    if (!Number.isSafeInteger(fromChat)) throw badRequest('chat not found');
    const source = findMessage(fromChat, requireMessageId(params));
    if (!source) throw badRequest(`message to ${verb} not found`);
    return source;
  }

  /** What a copy or a forward carries over from its source: the content, not the message's own id, chat, time or buttons. */
  function messageContent(source: FakeMessage) {
    const {
      message_id: _id,
      chat: _chat,
      date: _date,
      from: _from,
      reply_markup: _markup,
      reply_to_message: _reply,
      edit_date: _edit,
      ...content
    } = source;
    return content;
  }

  function commandsKey(params: Params): string {
    return JSON.stringify([params.scope ?? { type: 'default' }, params.language_code ?? '']);
  }

  // ---- HTTP -----------------------------------------------------------------

  function respond(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  }

  function fail(res: http.ServerResponse, call: RecordedCall | undefined, error: TelegramApiError): void {
    if (call) call.failed = error.status;
    respond(res, error.status, error.toBody());
  }

  function matchFailure(method: string, params: Params): InjectedFailure | undefined {
    const chatId = chatIdOf(params);
    const rule = failureRules.find(
      (r) =>
        r.remaining > 0 &&
        (r.filter.method === undefined
          ? OUTBOUND_METHODS.has(method)
          : r.filter.method.toLowerCase() === method.toLowerCase()) &&
        (r.filter.chatId === undefined || r.filter.chatId === chatId),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) failureRules.splice(failureRules.indexOf(rule), 1);
    return rule.failure;
  }

  function injectedError(failure: Exclude<InjectedFailure, { status: 'network' }>): TelegramApiError {
    switch (failure.status) {
      case 429:
        return new TelegramApiError(429, `Too Many Requests: retry after ${failure.retryAfter}`, {
          retry_after: failure.retryAfter,
        });
      case 403:
        return new TelegramApiError(403, failure.description ?? 'Forbidden: bot was blocked by the user');
      case 500:
        return new TelegramApiError(500, failure.description ?? 'Internal Server Error');
      case 400:
        return new TelegramApiError(400, failure.description);
    }
  }

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');

    const fileRoute = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileRoute) {
      const bytes = fileRoute[1] === token ? fileBytesByPath.get(decodeURIComponent(fileRoute[2] ?? '')) : undefined;
      if (!bytes) {
        respond(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      res.end(bytes);
      return;
    }

    const route = /^\/bot([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!route) {
      respond(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }

    let params: Params;
    try {
      params = await readParams(req, url);
    } catch (error) {
      const call: RecordedCall = { method: route[2] ?? '', params: {}, at: now() };
      calls.push(call);
      fail(res, call, badRequest(`can't parse request body: ${(error as Error).message}`));
      return;
    }

    const method = CANONICAL_METHOD.get((route[2] ?? '').toLowerCase());
    const call: RecordedCall = { method: method ?? route[2] ?? '', params, at: now() };
    calls.push(call);

    if (route[1] !== token) return fail(res, call, new TelegramApiError(401, 'Unauthorized'));
    if (!method) return fail(res, call, new TelegramApiError(404, 'Not Found'));

    const injected = matchFailure(method, params);
    if (injected?.status === 'network') {
      call.failed = 'network';
      req.socket.destroy();
      return;
    }
    if (injected) return fail(res, call, injectedError(injected));
    if (opts.throttle && OUTBOUND_METHODS.has(method) && ++outboundCalls % opts.throttle.every === 0) {
      return fail(res, call, injectedError({ status: 429, retryAfter: opts.throttle.retryAfter }));
    }

    const chatId = chatIdOf(params);
    if (OUTBOUND_METHODS.has(method) && chatId !== undefined && blockedChats.has(chatId)) {
      return fail(res, call, new TelegramApiError(403, 'Forbidden: bot was blocked by the user'));
    }

    if (method === 'getUpdates') return getUpdates(call, res);

    try {
      const result = handlers[method]?.(params);
      call.result = result;
      respond(res, 200, { ok: true, result });
    } catch (error) {
      if (error instanceof TelegramApiError) return fail(res, call, error);
      fail(res, call, new TelegramApiError(500, `Internal Server Error: ${(error as Error).message}`));
    }
  }

  function getUpdates(call: RecordedCall, res: http.ServerResponse): void {
    const { params } = call;
    if (webhookUrl !== '') {
      return fail(
        res,
        call,
        new TelegramApiError(
          409,
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        ),
      );
    }
    if (poller) {
      const previous = poller;
      poller = undefined;
      clearTimeout(previous.timer);
      fail(
        previous.res,
        previous.call,
        new TelegramApiError(
          409,
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        ),
      );
    }
    const offset = Number(params.offset ?? 0) || 0;
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100) || 100));
    const timeoutSeconds = Math.max(0, Number(params.timeout ?? 0) || 0);

    const updates = takeUpdates(offset, limit);
    if (updates.length > 0 || timeoutSeconds === 0) {
      call.result = updates;
      respond(res, 200, { ok: true, result: updates });
      return;
    }
    const timer = setTimeout(() => finishPoll([]), timeoutSeconds * 1000);
    timer.unref();
    const waiting: Poller = { call, res, offset, limit, timer };
    poller = waiting;
    // grammY aborts the pending poll on bot.stop(); forget it so nothing is written to a dead socket.
    res.on('close', () => {
      if (poller === waiting) {
        poller = undefined;
        clearTimeout(timer);
      }
    });
  }

  // ---- lifecycle and assertions --------------------------------------------

  async function start(): Promise<{ apiRoot: string }> {
    if (server && apiRoot) return { apiRoot };
    const created = http.createServer((req, res) => {
      handleRequest(req, res).catch((error: unknown) => {
        respond(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
      });
    });
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(0, '127.0.0.1', () => {
        created.off('error', reject);
        resolve();
      });
    });
    server = created;
    apiRoot = `http://127.0.0.1:${(created.address() as AddressInfo).port}`;
    return { apiRoot };
  }

  async function stop(): Promise<void> {
    const closing = server;
    if (!closing) return;
    server = undefined;
    apiRoot = undefined;
    finishPoll([]);
    await new Promise<void>((resolve) => {
      closing.close(() => resolve());
      // Keep-alive sockets from grammY's agent would otherwise hold the server open.
      closing.closeIdleConnections();
      // Give the answers just written a tick to flush before cutting whatever remains.
      setImmediate(() => closing.closeAllConnections());
    });
  }

  function sent(chatId?: number): RecordedCall[] {
    return calls.filter(
      (c) =>
        SENT_METHODS.has(c.method) &&
        c.failed === undefined &&
        c.result !== undefined &&
        (chatId === undefined || chatIdOf(c.params) === chatId),
    );
  }

  async function waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value !== undefined && value !== null && value !== false) return value;
      if (performance.now() >= deadline) {
        throw new Error(
          `waitFor: condition not met within ${timeoutMs} ms; recent calls:\n${describeCalls(calls.slice(-10))}`,
        );
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 10).unref());
    }
  }

  async function waitForSent(chatId: number, count: number, timeoutMs = 5000): Promise<RecordedCall[]> {
    try {
      return await waitFor(() => {
        const list = sent(chatId);
        return list.length >= count && list;
      }, timeoutMs);
    } catch {
      const got = sent(chatId);
      throw new Error(
        `waitForSent: expected ${count} message(s) to chat ${chatId} within ${timeoutMs} ms, got ${got.length}:\n${describeCalls(got)}\nrecent calls:\n${describeCalls(calls.slice(-10))}`,
      );
    }
  }

  async function exchange(update: NewUpdate, chatId: number, count: number, timeoutMs = 10_000) {
    const before = sent(chatId).length;
    pushUpdate(update);
    return (await waitForSent(chatId, before + count, timeoutMs)).slice(before);
  }

  return {
    token,
    botInfo,
    calls,
    start,
    stop,
    sent,
    waitFor,
    waitForSent,
    exchange,
    pushUpdate,
    redeliver,
    pendingUpdates: () => queue.length,
    failNext(n, failure, filter = {}) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`failNext: n must be a positive integer, got ${n}`);
      failureRules.push({ remaining: n, failure, filter });
    },
    blockChat: (chatId) => void blockedChats.add(chatId),
    unblockChat: (chatId) => void blockedChats.delete(chatId),
    addFile,
  };
}

// ---- request decoding ---------------------------------------------------------

function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).bytes);
}

function chatIdOf(params: Params): number | undefined {
  const raw = params.chat_id;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : undefined;
}

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot) : '';
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function describeCalls(list: RecordedCall[]): string {
  if (list.length === 0) return '  (none)';
  return list
    .map((c) => {
      const what = c.params.text ?? c.params.caption ?? c.params.data ?? '';
      const status = c.failed !== undefined ? ` failed=${c.failed}` : '';
      return `  ${c.method} chat=${String(c.params.chat_id ?? '-')}${status} ${JSON.stringify(what)}`;
    })
    .join('\n');
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Decodes query string and body into one params object the way Telegram reads them. */
async function readParams(req: http.IncomingMessage, url: URL): Promise<Params> {
  const params: Params = {};
  for (const [key, value] of url.searchParams) params[key] = coerceFormValue(key, value);

  const body = await readBody(req);
  const contentType = req.headers['content-type'] ?? '';
  if (body.length === 0) return params;

  if (contentType.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    const boundaryValue = boundary?.[1] ?? boundary?.[2];
    if (!boundaryValue) throw new Error('multipart body without boundary');
    const { fields, uploads } = parseMultipart(body, boundaryValue);
    for (const [key, value] of Object.entries(fields)) params[key] = coerceFormValue(key, value);
    return attachUploads(params, uploads);
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params[key] = coerceFormValue(key, value);
    return params;
  }
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('JSON body must be an object');
  for (const [key, value] of Object.entries(parsed)) {
    params[key] = JSON_FIELDS.has(key) && typeof value === 'string' ? tryJson(value) : value;
  }
  return params;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function coerceFormValue(key: string, value: string): unknown {
  if (STRING_FIELDS.has(key) || value.startsWith('attach://')) return value;
  const parsed = tryJson(value);
  // Strings that are not JSON (e.g. "@channel", "HTML") stay as sent.
  return typeof parsed === 'string' ? value : parsed;
}

/** Replaces `attach://<name>` references with the uploaded files; unreferenced uploads become params under their part name. */
function attachUploads(params: Params, uploads: Map<string, UploadedFile>): Params {
  const used = new Set<string>();
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string' && value.startsWith('attach://')) {
      const name = value.slice('attach://'.length);
      const file = uploads.get(name);
      if (!file) return value;
      used.add(name);
      return file;
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value === 'object' && value !== null && !isUploadedFile(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    }
    return value;
  };
  const resolved = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, resolve(v)]));
  for (const [name, file] of uploads) if (!used.has(name)) resolved[name] = file;
  return resolved;
}

/**
 * Enough of RFC 7578 for the bodies grammY and common HTTP clients produce.
 * grammY writes `filename=` unquoted and last on the line, so an unquoted
 * filename runs to the end of the header line.
 */
function parseMultipart(
  body: Buffer,
  boundary: string,
): { fields: Record<string, string>; uploads: Map<string, UploadedFile> } {
  const fields: Record<string, string> = {};
  const uploads = new Map<string, UploadedFile>();
  const opening = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);

  let pos = body.indexOf(opening);
  if (pos === -1) throw new Error('multipart boundary not found');
  pos += opening.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // "--" closes the body
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd === -1) throw new Error('multipart part without header terminator');
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const contentStart = headerEnd + 4;
    const contentEnd = body.indexOf(delimiter, contentStart);
    if (contentEnd === -1) throw new Error('multipart part is not terminated');
    const content = body.subarray(contentStart, contentEnd);
    pos = contentEnd + delimiter.length;

    let disposition = '';
    let contentType: string | undefined;
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-disposition') disposition = value;
      if (name === 'content-type') contentType = value;
    }
    const fieldName =
      /;\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? /;\s*name=([^;]+)/i.exec(disposition)?.[1]?.trim();
    if (fieldName === undefined) continue;
    const fileName = multipartFileName(disposition);
    if (fileName === undefined) {
      fields[fieldName] = content.toString('utf8');
    } else {
      const bytes = Buffer.from(content);
      uploads.set(fieldName, {
        fileName,
        size: bytes.length,
        bytes,
        ...(contentType !== undefined && { contentType }),
      });
    }
  }
  return { fields, uploads };
}

function multipartFileName(disposition: string): string | undefined {
  const extended = /;\s*filename\*=(?:UTF-8|utf-8)''([^;]+)/.exec(disposition)?.[1];
  if (extended !== undefined) return decodeURIComponent(extended.trim());
  const quoted = /;\s*filename="((?:[^"\\]|\\.)*)"/i.exec(disposition)?.[1];
  if (quoted !== undefined) return quoted.replace(/\\(.)/g, '$1');
  return /;\s*filename=(?!")(.*)$/i.exec(disposition)?.[1]?.trim();
}

// ---- Telegram HTML ------------------------------------------------------------

const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
]);

/**
 * Checks text sent with parse_mode HTML and returns it as the user would see it.
 * Telegram rejects a message whose markup does not parse, which is what happens
 * when user input containing "<" is pasted into an HTML template unescaped.
 */
function parseHtml(source: string): string {
  const byteOffset = (index: number) => Buffer.byteLength(source.slice(0, index), 'utf8');
  const open: string[] = [];
  let out = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '<') {
      const end = source.indexOf('>', i);
      const tag = end === -1 ? undefined : /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>$/.exec(source.slice(i, end + 1));
      if (!tag)
        throw badRequest(
          `can't parse entities: Unsupported start tag "${source.slice(i + 1, i + 2).trim()}" at byte offset ${byteOffset(i)}`,
        );
      const name = (tag[2] as string).toLowerCase();
      if (!HTML_TAGS.has(name))
        throw badRequest(`can't parse entities: Unsupported start tag "${name}" at byte offset ${byteOffset(i)}`);
      if (tag[1] === '/') {
        const expected = open.pop();
        if (expected === undefined)
          throw badRequest(`can't parse entities: Unexpected end tag at byte offset ${byteOffset(i)}`);
        if (expected !== name)
          throw badRequest(`can't parse entities: Can't find end tag corresponding to start tag "${expected}"`);
      } else {
        open.push(name);
      }
      i = (end as number) + 1;
      continue;
    }
    if (ch === '&') {
      const entity = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(source.slice(i, i + 12));
      if (entity) {
        out += decodeEntity(entity[1] as string);
        i += entity[0].length;
        continue;
      }
    }
    out += ch;
    i += 1;
  }
  const unclosed = open.pop();
  if (unclosed !== undefined)
    throw badRequest(`can't parse entities: Can't find end tag corresponding to start tag "${unclosed}"`);
  return out;
}

function decodeEntity(name: string): string {
  switch (name) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    default:
      return String.fromCodePoint(name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
  }
}
