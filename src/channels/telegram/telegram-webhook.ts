import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import { HttpError, readBody, sendJson } from '../../http/http-io';
import { createChatQueue } from '../chat-queue';
import type { InboundInbox, InboxItem } from '../inbound-inbox';
import { safeError } from '../../logger';

/** Telegram's webhook updates are small; anything larger is not one. */
const MAX_UPDATE_BYTES = 1024 * 1024;
const LEFTOVER_BATCH = 500;

export interface TelegramWebhookDeps {
  bot: Bot;
  /** The public HTTPS address Telegram posts to (TELEGRAM_WEBHOOK_URL). */
  url: string;
  /** Telegram repeats it in `X-Telegram-Bot-Api-Secret-Token` (TELEGRAM_WEBHOOK_SECRET). */
  secret: string;
  inbox: InboundInbox;
  clock: Clock;
  logger: Logger;
}

/** Telegram in webhook mode: the route, and registering it with Telegram. */
export interface TelegramWebhook {
  /** The path of {@link TelegramWebhookDeps.url} on our HTTP server. */
  readonly path: string;
  route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** Register the webhook with Telegram (the bot must be initialised) and handle updates left from before. */
  start(): Promise<void>;
  /** Stop taking new work and let updates being handled finish. The webhook stays registered for other instances. */
  stop(): Promise<void>;
}

/**
 * Receive Telegram updates by webhook instead of long polling, so several
 * instances behind a load balancer can share them. A request without the
 * secret token is refused (401) and stores nothing; an accepted update is
 * recorded before the 200 answer, then handled by the same grammY bot in
 * arrival order per chat. Telegram's redelivery of an update (same
 * `update_id`) records nothing new, and the handler's own de-duplication
 * covers a redelivery after the record was cleared.
 * @example const hook = createTelegramWebhook({ bot, url, secret, inbox, clock, logger }); routes[hook.path] = hook.route; await bot.init(); await hook.start();
 */
export function createTelegramWebhook(deps: TelegramWebhookDeps): TelegramWebhook {
  const log = deps.logger;
  const expected = Buffer.from(deps.secret);
  const queue = createChatQueue((err) => log.error({ event: 'telegram_update_error', err: safeError(err) }, 'telegram handler failed'));
  let running = false;

  function work(item: InboxItem): void {
    queue.run(item.chatKey, async () => {
      await deps.bot.handleUpdate(JSON.parse(item.json) as Update);
      await deps.inbox.done(item._id);
    });
  }

  return {
    path: new URL(deps.url).pathname,
    async route(req, res) {
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'use POST');
      const given = Buffer.from(String(req.headers['x-telegram-bot-api-secret-token'] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        log.warn({ event: 'telegram_webhook_refused' }, 'webhook request without the right secret token refused');
        throw new HttpError(401, 'unauthorized', 'secret token required');
      }
      let update: Update;
      try {
        update = JSON.parse((await readBody(req, MAX_UPDATE_BYTES)).toString('utf8')) as Update;
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(400, 'bad_json', 'body is not valid JSON');
      }
      if (!update || typeof update !== 'object' || !Number.isSafeInteger(update.update_id)) throw new HttpError(400, 'bad_update', 'not a Telegram update');
      const [fresh] = await deps.inbox.add([{ _id: `telegram:${update.update_id}`, chatKey: chatKeyOf(update), json: JSON.stringify(update), receivedAt: deps.clock.now() }]);
      // Answered once recorded: Telegram waits for nothing else, and retries only what it did not hear 200 for.
      sendJson(res, 200, {});
      if (fresh && running) work(fresh);
    },
    async start() {
      await deps.bot.api.setWebhook(deps.url, { secret_token: deps.secret, drop_pending_updates: false });
      running = true;
      const leftovers = await deps.inbox.pending('telegram:', LEFTOVER_BATCH);
      if (leftovers.length) log.info({ event: 'telegram_webhook_resume', count: leftovers.length }, 'handling updates left from before');
      for (const item of leftovers) work(item);
      log.info({ event: 'telegram_webhook_set', path: new URL(deps.url).pathname }, 'Telegram webhook registered');
    },
    async stop() {
      running = false;
      await queue.idle();
    },
  };
}

/** The chat an update belongs to, so one person's updates stay in order; updates without one share a key. */
function chatKeyOf(update: Update): string {
  const chat = update.message?.chat.id ?? update.edited_message?.chat.id ?? update.callback_query?.message?.chat.id ?? update.callback_query?.from.id ?? update.my_chat_member?.chat.id;
  return chat !== undefined ? `telegram:${chat}` : 'telegram:other';
}
