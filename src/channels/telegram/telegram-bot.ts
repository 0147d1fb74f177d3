import { Bot, InputFile, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import { safeError } from '../../logger';
import type { InboundHandler } from '../../conversation/inbound-handler';
import type { RenderedMessage } from '../../core/messages';
import { telegramUpdateToInbound } from './telegram-inbound';
import { telegramMarkup } from './telegram-render';

export interface TelegramBotDeps {
  token: string;
  apiRoot: string;
  handler: InboundHandler;
  clock: Clock;
  logger: Logger;
  /** Known bot identity; skips getMe (tests). */
  botInfo?: UserFromGetMe;
}

/**
 * The Telegram channel: grammY receives updates, the shared handler decides,
 * and the replies go back with Telegram's keyboards.
 * @example const bot = createTelegramBot(deps); await bot.init(); void bot.start()
 */
export function createTelegramBot(deps: TelegramBotDeps): Bot {
  const bot = new Bot(deps.token, {
    client: { apiRoot: deps.apiRoot },
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
  });

  bot.on('callback_query', async (ctx, next) => {
    // Stop the button's spinner first; a failure here must not lose the press.
    await ctx.answerCallbackQuery().catch((err: unknown) => deps.logger.warn({ event: 'answer_callback_failed', err: safeError(err) }, 'answerCallbackQuery failed'));
    await next();
  });

  bot.use(async (ctx) => {
    const inbound = telegramUpdateToInbound(ctx.update, deps.clock.now());
    if (!inbound) return;
    const result = await deps.handler(inbound);
    await sendAll(ctx, inbound.chatId, result.messages);
  });

  bot.catch((err) => {
    deps.logger.error({ event: 'telegram_update_error', update: err.ctx.update.update_id, err: safeError(err.error) }, 'telegram handler failed');
  });
  return bot;
}

/** Send rendered messages to one chat in order. */
export async function sendAll(ctx: Pick<Context, 'api'>, chatId: string, messages: readonly RenderedMessage[]): Promise<void> {
  for (const m of messages) {
    if (m.document) {
      await ctx.api.sendDocument(chatId, new InputFile(m.document.bytes, m.document.fileName), { caption: m.text });
    } else {
      await ctx.api.sendMessage(chatId, m.text, telegramMarkup(m));
    }
  }
}

