import type { Bot } from 'grammy';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffOptions } from '../../outbox/backoff';
import { safeError } from '../../logger';
import type { TelegramWebhook } from './telegram-webhook';

/** How long start-up waits between getMe attempts: 2 s, doubling, at most 5 minutes. */
export const DEFAULT_TELEGRAM_START_BACKOFF: BackoffOptions = { baseMs: 2000, maxMs: 5 * 60_000 };

export interface TelegramRunnerDeps {
  bot: Bot;
  logger: Logger;
  /** Receive by this webhook instead of long polling (TELEGRAM_WEBHOOK_URL). */
  webhook?: TelegramWebhook;
  backoff?: BackoffOptions;
  random?: () => number;
}

/**
 * Starts the Telegram channel without holding up the rest of the service:
 * `start()` returns at once; `getMe` is tried in the background with
 * back-off until Telegram answers, then polling begins. Meanwhile the web
 * channel, WhatsApp and the jobs run, and `status()` says `down`, which
 * `/healthz` reports.
 * @example const runner = createTelegramRunner({ bot, logger }); runner.start(); runner.status() // 'down' until polling
 */
export function createTelegramRunner(deps: TelegramRunnerDeps) {
  const { bot, logger } = deps;
  const backoff = deps.backoff ?? DEFAULT_TELEGRAM_START_BACKOFF;
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;
  let polling: Promise<void> | undefined;
  let webhookUp = false;

  /** Wait `ms`, or less when stopping. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done, { once: true });
    });

  async function run(): Promise<void> {
    for (let attempt = 1; !stopping.signal.aborted; attempt++) {
      try {
        await bot.init();
        // Registering the webhook is part of starting: Telegram refusing it is retried like getMe.
        await deps.webhook?.start();
        break;
      } catch (err) {
        const waitMs = backoffDelay(attempt, backoff, deps.random ?? Math.random);
        logger.error(
          { event: 'telegram_start_failed', attempt, retryInMs: waitMs, err: safeError(err) },
          'Telegram did not answer getMe; retrying in the background',
        );
        await pause(waitMs);
      }
    }
    if (stopping.signal.aborted) return;
    if (deps.webhook) {
      webhookUp = true;
      logger.info(
        { event: 'telegram_started', bot: bot.botInfo.username, mode: 'webhook' },
        'Telegram bot receiving by webhook',
      );
      return;
    }
    logger.info({ event: 'telegram_started', bot: bot.botInfo.username }, 'Telegram bot polling');
    polling = bot.start({ drop_pending_updates: false, onStart: () => undefined }).catch((err: unknown) => {
      logger.error({ event: 'telegram_polling_stopped', err: safeError(err) }, 'Telegram polling stopped');
    });
  }

  return {
    /** Begin (in the background); never throws. */
    start(): void {
      loop ??= run();
    },
    /** `up` while polling (or once the webhook is registered), `down` before (or after it stopped). */
    status(): 'up' | 'down' {
      return (deps.webhook ? webhookUp : bot.isRunning()) ? 'up' : 'down';
    },
    /** Stop retrying and polling; waits for both. */
    async stop(): Promise<void> {
      stopping.abort();
      await loop;
      if (bot.isRunning()) await bot.stop();
      await polling;
      webhookUp = false;
      await deps.webhook?.stop();
    },
  };
}

export type TelegramRunner = ReturnType<typeof createTelegramRunner>;
