import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { UserFromGetMe } from 'grammy/types';
import type { Bot } from 'grammy';
import type { Clock } from './clock';
import type { Config } from './config';
import { createTelegramBot } from './channels/telegram/telegram-bot';
import { createEffectRunner } from './conversation/effect-runner';
import { loadFlow } from './conversation/flow-definition';
import { createInboundHandler, type InboundHandler } from './conversation/inbound-handler';
import { loadCatalog } from './domain/catalog-loader';
import { createTranslator } from './i18n/create-i18n';
import { createConversationStore } from './storage/conversation-store';
import { createModels, type Models } from './storage/models';
import { createTicketStore } from './storage/ticket-store';

/** What {@link createApp} needs besides configuration. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  conn: Connection;
  /** Known Telegram bot identity, to skip getMe (tests). */
  telegramBotInfo?: UserFromGetMe;
}

/** The wired application: the shared message handler and the running channels. */
export interface App {
  handler: InboundHandler;
  models: Models;
  telegram?: Bot;
  /** Start receiving from the configured channels. */
  start(): Promise<void>;
  /** Stop receiving; in-flight messages finish first. */
  stop(): Promise<void>;
}

/**
 * Wire flows, translations, storage and channels. Loading and validating the
 * flow files happens here, so a broken flow stops start-up with its name.
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, logger, clock, conn } = deps;
  const translator = createTranslator(config.localesDirAbs);
  const catalog = loadCatalog(config.flowsDirAbs);
  const flow = loadFlow(config.flowsDirAbs, 'citizen-intake');
  const models = await createModels(conn);
  const tickets = createTicketStore(models, config.DISTRICT_CODE);
  const effects = createEffectRunner({ tickets, catalog, clock, logger, districtCode: config.DISTRICT_CODE });
  const handler = createInboundHandler({
    flow,
    catalog,
    translator,
    conversations: createConversationStore(models),
    effects,
    clock,
    logger,
    maxTicketsPerDay: config.MAX_TICKETS_PER_DAY,
  });

  const telegram = config.TELEGRAM_BOT_TOKEN
    ? createTelegramBot({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        handler,
        clock,
        logger: logger.child({ channel: 'telegram' }),
        ...(deps.telegramBotInfo ? { botInfo: deps.telegramBotInfo } : {}),
      })
    : undefined;

  let polling: Promise<void> | undefined;
  return {
    handler,
    models,
    ...(telegram ? { telegram } : {}),
    async start() {
      if (!telegram) {
        logger.warn(
          { event: 'telegram_disabled' },
          'TELEGRAM_BOT_TOKEN is not set: Telegram is off. Set TELEGRAM_BOT_TOKEN (from @BotFather) in .env to connect the bot.',
        );
        return;
      }
      await telegram.init();
      logger.info({ event: 'telegram_started', bot: telegram.botInfo.username }, 'Telegram bot polling');
      polling = telegram.start({ drop_pending_updates: false, onStart: () => undefined }).catch((err: unknown) => {
        logger.error({ event: 'telegram_polling_stopped', err }, 'Telegram polling stopped');
      });
    },
    async stop() {
      if (telegram?.isRunning()) await telegram.stop();
      await polling;
    },
  };
}
