import type { Logger } from 'pino';
import { createApp } from '../../../src/app';
import {
  createWhatsAppChannel,
  type WhatsAppChannel,
  type WhatsAppChannelDeps,
  type WhatsAppDownReason,
} from '../../../src/channels/whatsapp/whatsapp-channel';
import { createFixedClock } from '../../../src/clock';
import { loadConfig } from '../../../src/config';
import { createTranslator } from '../../../src/i18n/create-i18n';
import { createLogger } from '../../../src/logger';
import {
  createFakeWhatsAppFactory,
  type FakeWhatsAppClient,
  type FakeWhatsAppFactory,
} from '../../support/fake-whatsapp-client';
import { captureLogs, FAST_OUTBOX, FIXED_START, NO_FLOOD_LIMIT, REPO_ROOT, type TestApp } from '../../support/test-app';
import { openTestDb } from '../../support/test-db';

/** WhatsApp's real pacing (3 s per chat plus up to 2 s) would make a whole intake take a minute. */
export const FAST_WHATSAPP = { perChatIntervalMs: 20, perSecond: 200, jitterMs: 0 };

/**
 * `createTestApp()` with the outbox's WhatsApp pacing made fast as well, and
 * the logger handed out so the WhatsApp channel logs into the same capture.
 */
export async function createWhatsAppTestApp(env: Record<string, string> = {}): Promise<TestApp & { logger: Logger }> {
  const config = loadConfig({ NODE_ENV: 'test', HTTP_PORT: '0', ...NO_FLOOD_LIMIT, ...env }, REPO_ROOT);
  const db = await openTestDb();
  const clock = createFixedClock(FIXED_START);
  const logs = captureLogs();
  const logger = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
  const outboxOptions = { ...FAST_OUTBOX, pacing: { ...FAST_OUTBOX.pacing, whatsapp: FAST_WHATSAPP } };
  const app = await createApp({ config, logger, clock, conn: db.conn, outboxOptions });
  return {
    app,
    config,
    clock,
    db,
    logger,
    logs: logs.lines,
    translator: createTranslator(config.localesDirAbs),
    async close() {
      await app.stop();
      await db.close();
    },
  };
}

/** The WhatsApp channel on a test app, over stand-in clients, with what it reported. */
export interface AttachedWhatsApp {
  channel: WhatsAppChannel;
  factory: FakeWhatsAppFactory;
  downs: WhatsAppDownReason[];
  ups: number;
  /** The client in use now. */
  client(): FakeWhatsAppClient;
}

/**
 * Build the WhatsApp channel the way the application wires it (the shared
 * handler, replies and notifications through the app's outbox), start it
 * and, unless told otherwise, wait until it is up.
 */
export async function attachWhatsApp(
  t: TestApp & { logger: Logger },
  opts: { wait?: boolean; factory?: FakeWhatsAppFactory; deps?: Partial<WhatsAppChannelDeps> } = {},
): Promise<AttachedWhatsApp> {
  const factory = opts.factory ?? createFakeWhatsAppFactory();
  const attached: AttachedWhatsApp = {
    channel: undefined as unknown as WhatsAppChannel,
    factory,
    downs: [],
    ups: 0,
    client: () => factory.clients[factory.clients.length - 1] as FakeWhatsAppClient,
  };
  attached.channel = await createWhatsAppChannel({
    createClient: factory.create,
    handler: t.app.replies.outbox,
    conn: t.db.conn,
    clock: t.clock,
    logger: t.logger.child({ channel: 'whatsapp' }),
    reconnect: { initialMs: 5, maxMs: 40 },
    watchdogMs: 0,
    downRetryMs: 50,
    mediaRetryMs: [5, 5],
    timeouts: { destroyMs: 1_000 },
    // As the application wires it: a person's id form that already has a conversation is kept.
    knownChat: async (chatId) => (await t.app.models.Conversation.findById(`whatsapp:${chatId}`).lean()) !== null,
    onDown: (reason) => attached.downs.push(reason),
    onUp: () => {
      attached.ups += 1;
    },
    ...opts.deps,
  });
  t.app.outbox.registerSender(attached.channel.sender);
  attached.channel.start();
  if (opts.wait !== false) await eventually(() => attached.channel.status() === 'up');
  return attached;
}

/** Resolves once `check` holds, looking again every few milliseconds; rejects after `timeoutMs` (a guard, not a timing check). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The number in front of the option labelled `label` in a numbered WhatsApp menu. */
export function optionNumber(body: string, label: string): string {
  const line = body.split('\n').find((l) => new RegExp(`^\\d+\\. ${escapeRe(label)}$`).test(l));
  if (!line) throw new Error(`no option «${label}» in:\n${body}`);
  return line.split('.')[0] as string;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
