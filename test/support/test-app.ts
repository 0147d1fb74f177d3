import { Writable } from 'node:stream';
import type { Connection } from 'mongoose';
import { createApp, type App, type AppDeps } from '../../src/app';
import { createFixedClock } from '../../src/clock';
import { loadConfig, type Config } from '../../src/config';
import { connectHistoryDatabase } from '../../src/db/connect';
import { createTranslator } from '../../src/i18n/create-i18n';
import { createLogger } from '../../src/logger';
import { openTestDb, type TestDb } from './test-db';

/** 10:00 in Alirajpur on a fixed day: transcripts and deadlines stay stable. */
export const FIXED_START = new Date('2026-11-28T04:30:00.000Z');
export const REPO_ROOT = `${__dirname}/../..`;

/** A log sink whose lines a test can read back. */
export function captureLogs(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

/** The real application on a private test database, with a fixed clock and captured logs. */
export interface TestApp {
  app: App;
  config: Config;
  clock: ReturnType<typeof createFixedClock>;
  db: TestDb;
  /** The read-only connection for searches and exports over the whole history, as `npm start` opens it. */
  historyConn?: Connection;
  logs: () => string[];
  translator: ReturnType<typeof createTranslator>;
  close(): Promise<void>;
}

/** Outbox pacing for tests: Telegram's real 1 message/s per chat would only make them slow. */
export const FAST_OUTBOX = {
  pacing: {
    telegram: { perChatIntervalMs: 20, perSecond: 200, jitterMs: 0 },
    whatsapp: { perChatIntervalMs: 20, perSecond: 200, jitterMs: 0 },
    web: { perChatIntervalMs: 0, perSecond: 500, jitterMs: 0 },
  },
  pollIntervalMs: 50,
};

/**
 * Tests play whole conversations at one fixed instant, which the per-chat
 * flood limit would cut short; it has tests of its own (inbound-limiter).
 */
export const NO_FLOOD_LIMIT = { RATE_LIMIT_BURST: '1000' };

export async function createTestApp(
  env: Record<string, string> = {},
  extra: Pick<AppDeps, 'telegramStartBackoff' | 'channels'> = {},
): Promise<TestApp> {
  // Port 0: every test app listens on a free port of its own.
  // No scheduled jobs unless a test asks: a cron boundary passing mid-test would act on its tickets.
  const config = loadConfig(
    { NODE_ENV: 'test', HTTP_PORT: '0', JOBS_ENABLED: 'false', ...NO_FLOOD_LIMIT, ...env },
    REPO_ROOT,
  );
  const db = await openTestDb();
  const clock = createFixedClock(FIXED_START);
  const logs = captureLogs();
  const logger = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
  const historyConn = await connectHistoryDatabase(process.env.TEST_MONGODB_URI ?? '', { dbName: db.dbName });
  const app = await createApp({
    config,
    logger,
    clock,
    conn: db.conn,
    historyConn,
    outboxOptions: FAST_OUTBOX,
    dashboardPollSeconds: 1,
    ...extra,
  });
  return {
    app,
    config,
    clock,
    db,
    historyConn,
    logs: logs.lines,
    translator: createTranslator(config.localesDirAbs),
    async close() {
      await app.stop();
      await historyConn.close();
      await db.close();
    },
  };
}
