import { GrammyError, HttpError, InputFile, type Api } from 'grammy';
import { telegramMarkup } from './telegram-render';
import type { RenderedMessage } from '../../core/messages';
import type { ChannelSender, SendFailure } from '../../outbox/channel-sender';

/** Telegram refuses captions longer than this. */
const TELEGRAM_CAPTION_LIMIT = 1024;

/** What {@link createTelegramSender} needs. */
export interface TelegramSenderDeps {
  /**
   * grammY's API client (`bot.api` or `new Api(token, { apiRoot })`). Sends are
   * aborted by the outbox's timeout; keep grammY's own `timeoutSeconds` no
   * shorter than that so the outbox, not grammY, decides.
   */
  api: Api;
  /**
   * Bytes of a file stored by another channel (a WhatsApp or simulator photo),
   * which Telegram cannot know by id; null when the id is Telegram's own.
   */
  resolveFile?: (fileId: string) => Promise<{ bytes: Buffer; fileName: string } | null>;
}

/**
 * Delivers outbox messages through the Telegram Bot API with Telegram's own
 * keyboards, and sorts Telegram's refusals into "try later" and "give up".
 * @example outbox.registerSender(createTelegramSender({ api: bot.api }))
 */
export function createTelegramSender(deps: TelegramSenderDeps): ChannelSender {
  const { api } = deps;
  return {
    channel: 'telegram',
    async send(chatId: string, message: RenderedMessage, opts?: { signal?: AbortSignal }) {
      // grammY types its signal with the abort-controller polyfill; Node's own AbortSignal is what it receives at run time.
      const signal = opts?.signal as Parameters<Api['sendMessage']>[3];
      if (message.document) {
        const file = new InputFile(message.document.bytes, message.document.fileName);
        const { reply_markup } = telegramMarkup(message);
        const sent = await api.sendDocument(
          chatId,
          file,
          { caption: message.text, ...(reply_markup && { reply_markup }) },
          signal,
        );
        return { messageId: String(sent.message_id) };
      }
      if (message.media) {
        // Telegram file ids are valid across chats of the same bot: forward by id, the words as caption.
        const { reply_markup } = telegramMarkup(message);
        const opts = { caption: message.text.slice(0, TELEGRAM_CAPTION_LIMIT), ...(reply_markup && { reply_markup }) };
        const stored = deps.resolveFile ? await deps.resolveFile(message.media.fileId) : null;
        const file = stored ? new InputFile(stored.bytes, stored.fileName) : message.media.fileId;
        const sent =
          message.media.kind === 'photo'
            ? await api.sendPhoto(chatId, file, opts, signal)
            : await api.sendVoice(chatId, file, opts, signal);
        return { messageId: String(sent.message_id) };
      }
      const sent = await api.sendMessage(chatId, message.text, telegramMarkup(message), signal);
      return { messageId: String(sent.message_id) };
    },
    classify: classifyTelegramError,
  };
}

/**
 * Telegram's answers, sorted: 429 waits exactly `retry_after`; 5xx, network
 * failures and anything unknown retry with back-off; a chat that blocked or
 * removed the bot (403) and a request Telegram will never accept (400, such as
 * "chat not found" or a text too long) fail for good. 401/404 mean our token or
 * API root is wrong, which an operator can fix, so those retry too.
 */
export function classifyTelegramError(err: unknown): SendFailure {
  if (err instanceof GrammyError) {
    const code = `telegram_${err.error_code}`;
    if (err.error_code === 429) {
      const seconds = err.parameters?.retry_after;
      return typeof seconds === 'number' && seconds >= 0
        ? { retry: true, afterMs: seconds * 1000, code }
        : { retry: true, code };
    }
    if (err.error_code === 403) {
      return {
        retry: false,
        reason: /blocked/i.test(err.description) ? 'blocked' : 'forbidden',
        code,
        detail: err.description,
      };
    }
    if (err.error_code === 400) {
      return {
        retry: false,
        reason: /chat not found/i.test(err.description) ? 'chat_not_found' : 'rejected',
        code,
        detail: err.description,
      };
    }
    return { retry: true, code };
  }
  if (err instanceof HttpError) return { retry: true, code: 'network' };
  return { retry: true, code: err instanceof Error ? err.name : 'unknown' };
}
