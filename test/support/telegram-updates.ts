/**
 * Builders for incoming Telegram updates, shaped like what the Bot API really
 * delivers to a bot in a private chat. They return updates without an
 * `update_id`; the fake server's `pushUpdate` assigns one, as Telegram does.
 *
 * A user's id doubles as the id of their private chat with the bot, which is
 * how Telegram numbers private chats.
 *
 * @example
 * ```ts
 * api.pushUpdate(textMessage(42, 'मेरी सड़क टूटी है'));
 * api.pushUpdate(command(42, '/start', 'ref-123'));
 * ```
 */
import type { Message, Update, User, UserFromGetMe } from 'grammy/types';

/** An update as a test writes it: `update_id` is optional and usually left to the server. */
export type NewUpdate = Omit<Update, 'update_id'> & { update_id?: number };

/** What the fake server answers to `getMe` unless told otherwise; also the sender of default callback messages. */
export const FAKE_BOT_INFO: UserFromGetMe = {
  id: 7000000001,
  is_bot: true,
  first_name: 'Jan Sahayak',
  username: 'jan_sahayak_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

/** Who sends the message and how it is numbered; every builder accepts these. */
export interface SenderOptions {
  /** Defaults to a Hindi name, since most users of the bot write in Hindi. */
  firstName?: string;
  lastName?: string;
  username?: string;
  /** IETF tag Telegram derives from the user's app language; defaults to `hi`. */
  languageCode?: string;
  /** Fix the message id (for golden transcripts); otherwise a per-process counter is used. */
  messageId?: number;
  /** Unix seconds; defaults to the wall clock. */
  date?: number;
}

/** Options for {@link textMessage}. */
export interface TextMessageOptions extends SenderOptions {
  /** The message being replied to, as the user's app attaches it. */
  replyTo?: Message;
}

/** Options for {@link documentMessage}. */
export interface DocumentMessageOptions extends SenderOptions {
  fileId?: string;
  mimeType?: string;
  fileSize?: number;
  caption?: string;
}

type IncomingMessage = NonNullable<Update['message']>;

// Ids only need to be unique and increasing within one test file; jest gives
// every test file a fresh module registry, so the sequence is reproducible.
let lastMessageId = 0;
let lastCallbackQueryId = 0;
let lastFileNumber = 0;

function nextMessageId(): number {
  lastMessageId += 1;
  return lastMessageId;
}

function user(userId: number, opts: SenderOptions): User {
  return {
    id: userId,
    is_bot: false,
    first_name: opts.firstName ?? 'सीता',
    ...(opts.lastName !== undefined && { last_name: opts.lastName }),
    ...(opts.username !== undefined && { username: opts.username }),
    language_code: opts.languageCode ?? 'hi',
  };
}

function privateChat(userId: number, opts: SenderOptions): IncomingMessage['chat'] {
  return {
    id: userId,
    type: 'private',
    first_name: opts.firstName ?? 'सीता',
    ...(opts.lastName !== undefined && { last_name: opts.lastName }),
    ...(opts.username !== undefined && { username: opts.username }),
  };
}

function base(userId: number, opts: SenderOptions) {
  return {
    message_id: opts.messageId ?? nextMessageId(),
    from: user(userId, opts),
    chat: privateChat(userId, opts),
    date: opts.date ?? Math.floor(Date.now() / 1000),
  };
}

function asUpdate(message: IncomingMessage): NewUpdate {
  return { message };
}

// Telegram's servers, not the client, mark a leading "/word" as a bot_command
// entity; grammY's `bot.command()` matches on that entity, so plain text that
// starts with a command must carry it too.
const LEADING_COMMAND = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?/;

/**
 * A private text message from `userId`.
 *
 * @example
 * ```ts
 * api.pushUpdate(textMessage(42, 'शिकायत दर्ज करें', { languageCode: 'en' }));
 * ```
 */
export function textMessage(userId: number, text: string, opts: TextMessageOptions = {}): NewUpdate {
  const commandMatch = LEADING_COMMAND.exec(text);
  const message = {
    ...base(userId, opts),
    text,
    ...(commandMatch && {
      entities: [{ type: 'bot_command' as const, offset: 0, length: commandMatch[0].length }],
    }),
    ...(opts.replyTo && { reply_to_message: stripReply(opts.replyTo) }),
  };
  return asUpdate(message);
}

// Telegram never nests reply_to_message more than one level deep.
function stripReply(message: Message): NonNullable<Message['reply_to_message']> {
  const { reply_to_message: _nested, ...rest } = message;
  return rest as NonNullable<Message['reply_to_message']>;
}

/**
 * A command such as `/start`, with the `bot_command` entity grammY matches on.
 * `args` becomes the text after the command (deep-link payloads arrive this way).
 */
export function command(userId: number, name: string, args?: string, opts: SenderOptions = {}): NewUpdate {
  const slashed = name.startsWith('/') ? name : `/${name}`;
  const text = args === undefined || args === '' ? slashed : `${slashed} ${args}`;
  return asUpdate({
    ...base(userId, opts),
    text,
    entities: [{ type: 'bot_command', offset: 0, length: slashed.length }],
  });
}

/**
 * A press on an inline keyboard button carrying `data`.
 *
 * Without `message`, the query points at a bot message in the user's chat,
 * because real callback queries from inline keyboards always do and grammY
 * derives `ctx.chat` from it.
 */
export function callbackQuery(userId: number, data: string, message?: Message, opts: SenderOptions = {}): NewUpdate {
  lastCallbackQueryId += 1;
  const from = user(userId, opts);
  const pressedOn: Message = message ?? {
    message_id: opts.messageId ?? nextMessageId(),
    from: {
      id: FAKE_BOT_INFO.id,
      is_bot: true,
      first_name: FAKE_BOT_INFO.first_name,
      username: FAKE_BOT_INFO.username,
    },
    chat: privateChat(userId, opts),
    date: opts.date ?? Math.floor(Date.now() / 1000),
    text: 'कृपया एक विकल्प चुनें',
    reply_markup: { inline_keyboard: [[{ text: data, callback_data: data }]] },
  };
  return {
    callback_query: {
      id: String(4_000_000_000_000 + lastCallbackQueryId),
      from,
      chat_instance: `-${userId}00`,
      data,
      message: pressedOn,
    },
  };
}

/** The user's own phone number, as shared through a `request_contact` keyboard button. */
export function contactMessage(userId: number, phone: string, opts: SenderOptions = {}): NewUpdate {
  const msg = base(userId, opts);
  return asUpdate({
    ...msg,
    contact: {
      phone_number: phone,
      first_name: msg.from.first_name,
      ...(msg.from.last_name !== undefined && { last_name: msg.from.last_name }),
      user_id: userId,
    },
  });
}

/** A location pin shared from the attachment menu. */
export function locationMessage(userId: number, lat: number, lon: number, opts: SenderOptions = {}): NewUpdate {
  return asUpdate({ ...base(userId, opts), location: { latitude: lat, longitude: lon } });
}

/**
 * A photo. Telegram sends several sizes, smallest first; the largest carries
 * `fileId` (register its bytes with `addFile(fileId, …)` if the bot downloads
 * it) and the thumbnail gets `${fileId}-thumb`.
 */
export function photoMessage(userId: number, fileId: string, caption?: string, opts: SenderOptions = {}): NewUpdate {
  return asUpdate({
    ...base(userId, opts),
    photo: [
      { file_id: `${fileId}-thumb`, file_unique_id: `${fileId}-thumb-u`, width: 90, height: 68, file_size: 1_530 },
      { file_id: fileId, file_unique_id: `${fileId}-u`, width: 1280, height: 960, file_size: 112_400 },
    ],
    ...(caption !== undefined && { caption }),
  });
}

/** A voice note recorded in the app (Telegram stores them as Opus in OGG). */
export function voiceMessage(userId: number, fileId: string, duration: number, opts: SenderOptions = {}): NewUpdate {
  return asUpdate({
    ...base(userId, opts),
    voice: {
      file_id: fileId,
      file_unique_id: `${fileId}-u`,
      duration,
      mime_type: 'audio/ogg',
      file_size: Math.max(1, duration) * 4_000,
    },
  });
}

/** A sticker, the usual "unexpected input" a bot must cope with. */
export function stickerMessage(userId: number, opts: SenderOptions = {}): NewUpdate {
  lastFileNumber += 1;
  const fileId = `sticker-${lastFileNumber}`;
  return asUpdate({
    ...base(userId, opts),
    sticker: {
      file_id: fileId,
      file_unique_id: `${fileId}-u`,
      type: 'regular',
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
      emoji: '🙏',
      set_name: 'HindiGreetings',
      file_size: 24_310,
    },
  });
}

/** A file sent as a document; `fileId` defaults to `doc-<n>` (read it from the update or pass one). */
export function documentMessage(userId: number, fileName: string, opts: DocumentMessageOptions = {}): NewUpdate {
  lastFileNumber += 1;
  const fileId = opts.fileId ?? `doc-${lastFileNumber}`;
  return asUpdate({
    ...base(userId, opts),
    document: {
      file_id: fileId,
      file_unique_id: `${fileId}-u`,
      file_name: fileName,
      mime_type: opts.mimeType ?? guessMimeType(fileName),
      file_size: opts.fileSize ?? 20_480,
    },
    ...(opts.caption !== undefined && { caption: opts.caption }),
  });
}

const MIME_TYPES: Record<string, string> = {
  csv: 'text/csv',
  txt: 'text/plain',
  json: 'application/json',
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

/** The MIME type Telegram would report for a file name, by extension. */
export function guessMimeType(fileName: string): string {
  const ext = fileName.includes('.') ? fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase() : '';
  return MIME_TYPES[ext] ?? 'application/octet-stream';
}

/**
 * A whole ration complaint as Telegram updates for one chat, in order: the
 * seven steps from `/new` to submit (no phone number). Each yields one reply.
 */
export const RATION_COMPLAINT: ReadonlyArray<(chat: number) => NewUpdate> = [
  (c) => command(c, '/new'),
  (c) => callbackQuery(c, 'category|ration'),
  (c) => callbackQuery(c, 'block|jobat'),
  (c) => textMessage(c, 'वार्ड 5'),
  (c) => textMessage(c, 'राशन की दुकान दस दिन से बंद है'),
  (c) => callbackQuery(c, 'phone|skip'),
  (c) => callbackQuery(c, 'summary|submit'),
];
