import type { Bot } from 'grammy';
import type { Channel, ChannelDefinition } from '../channel';
import { createInboundInbox } from '../inbound-inbox';
import { createTelegramBot } from './telegram-bot';
import { createTelegramRunner } from './telegram-runner';
import { createTelegramSender } from './telegram-sender';
import { createTelegramWebhook } from './telegram-webhook';

/** The Telegram bot as a registered channel. */
export interface TelegramEntry extends Channel {
  readonly bot: Bot;
}

/**
 * Telegram, when TELEGRAM_BOT_TOKEN is set: long polling, or the webhook when
 * TELEGRAM_WEBHOOK_URL and its secret are set. Start-up never waits for
 * Telegram (see createTelegramRunner).
 */
export const telegramDefinition: ChannelDefinition<TelegramEntry> = {
  id: 'telegram',
  carries: 'telegram',
  replies: 'direct',
  async create(ctx) {
    const { config } = ctx;
    if (!config.TELEGRAM_BOT_TOKEN) {
      ctx.logger.info(
        { event: 'telegram_disabled' },
        'TELEGRAM_BOT_TOKEN is not set: Telegram is off. Set TELEGRAM_BOT_TOKEN (from @BotFather) in .env to connect the bot.',
      );
      return undefined;
    }
    const logger = ctx.logger.child({ channel: 'telegram' });
    const bot = createTelegramBot({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      handler: ctx.handler,
      clock: ctx.clock,
      logger,
      ...(ctx.tuning?.telegramBotInfo ? { botInfo: ctx.tuning.telegramBotInfo } : {}),
    });
    const webhook =
      config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET
        ? await createTelegramWebhook({
            bot,
            conn: ctx.conn,
            url: config.TELEGRAM_WEBHOOK_URL,
            secret: config.TELEGRAM_WEBHOOK_SECRET,
            inbox: await createInboundInbox(ctx.conn),
            settleReplies: (key, updateKey) => ctx.conversations.settleReplies(key, updateKey),
            clock: ctx.clock,
            logger,
          })
        : undefined;
    const runner = createTelegramRunner({
      bot,
      logger,
      ...(webhook ? { webhook } : {}),
      ...(ctx.tuning?.telegramStartBackoff ? { backoff: ctx.tuning.telegramStartBackoff } : {}),
    });
    return {
      name: 'telegram',
      bot,
      // Photos and voice notes from WhatsApp or the simulator reach Telegram officers as uploads.
      sender: createTelegramSender({ api: bot.api, resolveFile: ctx.files }),
      ...(webhook ? { routes: { [webhook.path]: webhook.route } } : {}),
      health: () => runner.status(),
      // In the background: a Telegram that does not answer must not hold up the other channels or the jobs.
      start: async () => runner.start(),
      stop: () => runner.stop(),
    };
  },
};
