import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import { HttpError, readBody, sendJson } from '../../http/http-io';
import type { Connection } from 'mongoose';
import type { InboundInbox } from '../inbound-inbox';
import { createInboxDispatcher } from '../inbox-dispatcher';
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
  /** For the chat leases that keep one person's updates in order across instances. */
  conn: Connection;
  /**
   * Mark the replies an update's handling saved as sent (ConversationStore.settleReplies):
   * used for an update the person has already answered, so a crash between
   * sending its replies and recording that never sends them again.
   */
  settleReplies(conversationKey: string, updateKey: string): Promise<void>;
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
 * arrival order per chat, across instances (see {@link createInboxDispatcher}). Telegram's redelivery of an update (same
 * `update_id`) records nothing new, and the handler's own de-duplication
 * covers a redelivery after the record was cleared.
 * @example const hook = createTelegramWebhook({ bot, url, secret, inbox, clock, logger }); routes[hook.path] = hook.route; await bot.init(); await hook.start();
 */
export async function createTelegramWebhook(deps: TelegramWebhookDeps): Promise<TelegramWebhook> {
  const log = deps.logger;
  const expected = Buffer.from(deps.secret);
  const dispatcher = await createInboxDispatcher({
    conn: deps.conn,
    inbox: deps.inbox,
    logger: log,
    handle: (item) =>
      deps.bot.handleUpdate(JSON.parse(item.json) as Update).catch((err: unknown) => {
        log.error({ event: 'telegram_update_error', err: safeError(err) }, 'telegram handler failed');
      }),
    // The chat key is the conversation's key, and the update's id its update key (telegram-inbound.ts).
    superseded: (item) => deps.settleReplies(item.chatKey, item._id.slice('telegram:'.length)),
  });
  let running = false;

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
      if (!update || typeof update !== 'object' || !Number.isSafeInteger(update.update_id))
        throw new HttpError(400, 'bad_update', 'not a Telegram update');
      const [fresh] = await deps.inbox.add([
        {
          _id: `telegram:${update.update_id}`,
          chatKey: chatKeyOf(update),
          order: update.update_id,
          json: JSON.stringify(update),
          receivedAt: deps.clock.now(),
        },
      ]);
      // Answered once recorded: Telegram waits for nothing else, and retries only what it did not hear 200 for.
      sendJson(res, 200, {});
      if (fresh && running) dispatcher.submit(fresh.chatKey);
    },
    async start() {
      await deps.bot.api.setWebhook(deps.url, { secret_token: deps.secret, drop_pending_updates: false });
      running = true;
      const chats = await dispatcher.resume('telegram:', LEFTOVER_BATCH);
      if (chats) log.info({ event: 'telegram_webhook_resume', chats }, 'handling updates left from before');
      log.info({ event: 'telegram_webhook_set', path: new URL(deps.url).pathname }, 'Telegram webhook registered');
    },
    async stop() {
      running = false;
      await dispatcher.stop();
    },
  };
}

/** The chat an update belongs to, so one person's updates stay in order; updates without one share a key. */
function chatKeyOf(update: Update): string {
  const chat =
    update.message?.chat.id ??
    update.edited_message?.chat.id ??
    update.callback_query?.message?.chat.id ??
    update.callback_query?.from.id ??
    update.my_chat_member?.chat.id;
  return chat !== undefined ? `telegram:${chat}` : 'telegram:other';
}
