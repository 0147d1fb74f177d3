import type { Logger } from 'pino';
import { safeError } from '../../logger';
import { MessageMedia } from 'whatsapp-web.js';
import type { Clock } from '../../clock';
import type { RenderedMessage } from '../../core/messages';
import { AppError } from '../../errors';
import type { ChannelSender, SendFailure } from '../../outbox/channel-sender';
import { WHATSAPP_FILE_ID_RE, type WhatsAppFileStore } from './whatsapp-file-store';
import type { WhatsAppMenuStore } from './whatsapp-menu-store';
import { renderForWhatsApp } from './whatsapp-render';
import type { WhatsAppClientLike, WhatsAppSentLike } from './whatsapp-types';

/** What {@link createWhatsAppSender} needs. */
export interface WhatsAppSenderDeps {
  /** The connected client, or undefined while WhatsApp is down (messages then wait in the outbox). */
  client: () => WhatsAppClientLike | undefined;
  menus: WhatsAppMenuStore;
  files: WhatsAppFileStore;
  clock: Clock;
  logger: Logger;
  /** How long a message waits while WhatsApp is down before it is tried again (default {@link WHATSAPP_DOWN_RETRY_MS}). */
  downRetryMs?: number;
  /** A send failed because the browser or page went away: the channel checks the connection at once. */
  onBrowserGone?: () => void;
}

/** How long a message waits when WhatsApp is down, without counting as a failed attempt. */
export const WHATSAPP_DOWN_RETRY_MS = 15_000;

/** WhatsApp is not connected (starting, logged out, reconnecting): try later. */
export class WhatsAppUnavailableError extends AppError {
  /** How long to wait before trying again. */
  readonly retryAfterMs: number;
  constructor(retryAfterMs = WHATSAPP_DOWN_RETRY_MS) {
    super('CHANNEL_SEND_FAILED', 'WhatsApp is not connected');
    this.name = 'WhatsAppUnavailableError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** The chat id cannot be a WhatsApp person, or WhatsApp Web found no such chat: never deliverable. */
export class WhatsAppChatNotFoundError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CHANNEL_SEND_FAILED', message, options);
    this.name = 'WhatsAppChatNotFoundError';
  }
}

const PRIVATE_CHAT = /^[0-9]{5,20}@(c\.us|lid)$/;
const PHONE_CHAT = /^[0-9]{5,20}@c\.us$/;
/**
 * What puppeteer throws when the browser or page went away (a closed target
 * or protocol session). A page-side bug ("cannot read properties of null"
 * after a WhatsApp Web update) is not among them: retrying it as "browser
 * gone" without counting the attempt would block a chat for ever.
 */
const BROWSER_GONE =
  /session closed|target closed|execution context was destroyed|detached frame|browser has disconnected|connection closed/i;
/** What WhatsApp Web says of an id that is no account. */
const NO_SUCH_ACCOUNT = /invalid wid|wid error|not a valid wid/i;
/** WhatsApp Web could not map a phone number to the person's linked id (#3919); the number exists (getNumberId said so). */
const NO_LID = /no lid for user/i;

/**
 * Delivers outbox messages to WhatsApp chats as numbered-menu text (see
 * {@link renderForWhatsApp}), documents as files, and a citizen's WhatsApp
 * photo or voice note as media; remembers each message's menu so that a
 * typed number can be read later. Errors are sorted by
 * {@link classifyWhatsAppError}.
 * @example outbox.registerSender(createWhatsAppSender({ client: () => channelClient, menus, files, clock, logger }))
 */
export function createWhatsAppSender(deps: WhatsAppSenderDeps): ChannelSender {
  const log = deps.logger;
  /**
   * Phone-number chats each client's page has confirmed with getNumberId
   * (which also teaches the page the linked id). Only real answers are kept,
   * and only for the life of that client.
   */
  const confirmed = new WeakMap<WhatsAppClientLike, Map<string, string>>();

  /** The media a rendered message refers to, if it is a WhatsApp file we can reach. Never logged. */
  async function mediaOf(client: WhatsAppClientLike, fileId: string): Promise<MessageMedia | undefined> {
    if (!WHATSAPP_FILE_ID_RE.test(fileId)) return undefined;
    const file = await deps.files.withBytes(fileId, (messageId) => fetchMedia(client, messageId));
    if (!file?.bytes || !file.mimeType) return undefined;
    return new MessageMedia(file.mimeType, file.bytes.toString('base64'), file.fileName ?? null);
  }

  /**
   * Where a message for `chatId` goes. A phone-number chat is first looked up
   * with getNumberId: a caller who never wrote (a phone-call ticket) has no
   * chat yet, and WhatsApp Web refuses it with "No LID for user" until the
   * number has been looked up. Nothing found: no WhatsApp account, for good.
   */
  async function targetOf(client: WhatsAppClientLike, chatId: string): Promise<string> {
    if (!PHONE_CHAT.test(chatId)) return chatId;
    const known = confirmed.get(client)?.get(chatId);
    if (known) return known;
    const wid = await client.getNumberId(chatId);
    if (!wid?._serialized) throw new WhatsAppChatNotFoundError('this number has no WhatsApp account');
    const map = confirmed.get(client) ?? new Map<string, string>();
    map.set(chatId, wid._serialized);
    confirmed.set(client, map);
    return wid._serialized;
  }

  async function deliver(
    client: WhatsAppClientLike,
    chatId: string,
    message: RenderedMessage,
    text: string,
  ): Promise<WhatsAppSentLike | undefined> {
    if (message.document) {
      const doc = new MessageMedia(
        message.document.mimeType,
        message.document.bytes.toString('base64'),
        message.document.fileName,
      );
      return client.sendMessage(chatId, doc, { caption: text, sendMediaAsDocument: true });
    }
    if (message.media) {
      const media = await mediaOf(client, message.media.fileId).catch((err: unknown) => {
        log.warn(
          { event: 'whatsapp_media_unavailable', error: safeError(err) },
          'could not load media to forward; sending the text alone',
        );
        return undefined;
      });
      if (media && message.media.kind === 'photo') return client.sendMessage(chatId, media, { caption: text });
      const sent = await client.sendMessage(chatId, text);
      // A voice note shows no caption, so the words go first. Its own failure
      // is only logged: resending would repeat the words already delivered.
      if (media && sent) {
        await client.sendMessage(chatId, media, { sendAudioAsVoice: true }).catch((err: unknown) => {
          log.warn({ event: 'whatsapp_voice_forward_failed', error: safeError(err) }, 'voice note not forwarded');
        });
      }
      return sent;
    }
    return client.sendMessage(chatId, text);
  }

  return {
    channel: 'whatsapp',
    async send(chatId, message, opts) {
      if (!PRIVATE_CHAT.test(chatId)) throw new WhatsAppChatNotFoundError('not a WhatsApp person chat id');
      const client = deps.client();
      if (!client) throw new WhatsAppUnavailableError(deps.downRetryMs);
      const { text, menu } = renderForWhatsApp(message);
      let sent: WhatsAppSentLike | undefined;
      try {
        sent = await abortable(
          targetOf(client, chatId).then((target) => deliver(client, target, message, text)),
          opts?.signal,
        );
      } catch (err) {
        if (isBrowserGone(err)) deps.onBrowserGone?.();
        throw err;
      }
      if (!sent) throw new WhatsAppChatNotFoundError('WhatsApp Web found no such chat');
      // The message's own id: the serialized one holds the chat id (a phone
      // number) and changes with the chat's id form, so quoting it later from
      // the person's other form would not find what was recorded.
      const messageId = ownMessageId(sent.id);
      // A message without choices ends the previous menu, except a forwarded
      // photo or file: those follow an officer's card, whose numbers still hold.
      if (menu.length || !(message.media || message.document)) {
        // The message is out; a failure to remember its menu must not make
        // the outbox send it again. The person can still answer in words.
        await deps.menus.remember(chatId, messageId, menu, deps.clock.now()).catch((err: unknown) => {
          log.warn({ event: 'whatsapp_menu_not_saved', error: safeError(err) }, 'menu of a sent message not saved');
        });
      }
      return { messageId };
    },
    classify: classifyWhatsAppError,
  };
}

/**
 * WhatsApp's failures, sorted: while WhatsApp is down messages wait and
 * retry without using up attempts; a chat id that is no WhatsApp account
 * (getNumberId found nothing, or WhatsApp Web calls it an invalid id) fails
 * for good and shows in /failed. Everything else retries with back-off and
 * counts, so it ends after the outbox's attempts: a browser that went away
 * under a send (the channel notices and goes down, and messages then wait
 * uncounted), "No LID for user" for a number that exists, a time-out, and
 * any unknown error, such as a page-side bug after a WhatsApp Web update.
 */
export function classifyWhatsAppError(err: unknown): SendFailure {
  if (err instanceof WhatsAppUnavailableError) return { retry: true, afterMs: err.retryAfterMs, code: 'whatsapp_down' };
  if (err instanceof WhatsAppChatNotFoundError)
    return { retry: false, reason: 'chat_not_found', code: 'whatsapp_no_chat', detail: err.message };
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const name = err instanceof Error ? err.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') return { retry: true, code: 'whatsapp_timeout' };
  if (NO_SUCH_ACCOUNT.test(message))
    return { retry: false, reason: 'chat_not_found', code: 'whatsapp_no_chat', detail: message.slice(0, 200) };
  if (NO_LID.test(message)) return { retry: true, code: 'whatsapp_no_lid' };
  if (isBrowserGone(err)) return { retry: true, code: 'whatsapp_browser' };
  return { retry: true, code: 'whatsapp_error' };
}

/** Puppeteer's errors for a closed browser, page or protocol session, by class name or by words. */
export function isBrowserGone(err: unknown): boolean {
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const name = err instanceof Error ? err.name : '';
  return name === 'TargetCloseError' || BROWSER_GONE.test(message);
}

/**
 * A message's own id (`3EB0…`), without the chat part of the serialized id
 * (`true_<chat>_3EB0…`), which changes with the chat's id form (`@lid` or
 * `@c.us`) while the message stays the same.
 */
export function ownMessageId(id: { _serialized: string; id?: string }): string {
  if (id.id) return id.id;
  const parts = id._serialized.split('_');
  return parts[2] ?? id._serialized;
}

/** A message's media, asked of WhatsApp Web again (it may have been fetching or re-uploading at first). */
export async function fetchMedia(client: WhatsAppClientLike, messageId: string): Promise<MessageMedia | undefined> {
  const original = await client.getMessageById(messageId);
  return (await original?.downloadMedia()) ?? undefined;
}

/** Reject when `signal` aborts; the outbox then retries (at least once, perhaps twice). */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : Object.assign(new Error('send aborted'), { name: 'AbortError' });
}
