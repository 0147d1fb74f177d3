import { Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import { safeError } from '../../logger';
import type { ReplyingHandler } from '../reply-policy';
import { telegramUpdateToInbound } from './telegram-inbound';

export interface TelegramBotDeps {
  token: string;
  apiRoot: string;
  handler: ReplyingHandler;
  clock: Clock;
  logger: Logger;
  /** Known bot identity; skips getMe (tests). */
  botInfo?: UserFromGetMe;
}

/**
 * The Telegram channel's inbound side: grammY receives updates and the shared
 * handler decides; its replies go out through the outbox like every message
 * (`createTelegramSender`, with Telegram's keyboards).
 * @example const bot = createTelegramBot(deps); await bot.init(); void bot.start()
 */
export function createTelegramBot(deps: TelegramBotDeps): Bot {
  const bot = new Bot(deps.token, {
    client: { apiRoot: deps.apiRoot },
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
  });

  bot.on('callback_query', async (ctx, next) => {
    // Stop the button's spinner first; a failure here must not lose the press.
    await ctx
      .answerCallbackQuery()
      .catch((err: unknown) =>
        deps.logger.warn({ event: 'answer_callback_failed', err: safeError(err) }, 'answerCallbackQuery failed'),
      );
    await next();
  });

  bot.use(async (ctx) => {
    const inbound = telegramUpdateToInbound(ctx.update, deps.clock.now());
    if (!inbound) return;
    // The handler records the replies in the outbox, which sends them with the Telegram sender.
    await deps.handler(inbound);
  });

  bot.catch((err) => {
    deps.logger.error(
      { event: 'telegram_update_error', update: err.ctx.update.update_id, err: safeError(err.error) },
      'telegram handler failed',
    );
  });
  return bot;
}
