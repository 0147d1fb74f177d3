/**
 * The fuzz run: random updates (every Telegram kind, any Unicode, huge and
 * empty payloads, forged callback data, unknown fields, WhatsApp and web
 * messages) through the real inbound handler and a real database.
 *
 *   npm run fuzz -- [--updates 100000] [--chats 5000] [--shards 150] [--concurrency 20] [--seed N]
 *
 * Prints what happened and exits 1 on a crash, an unhandled rejection, an
 * apology, a citizen left unanswered or a stored document over 64 KiB. The
 * database is MONGODB_URI (a throw-away database) or an embedded server in a
 * temporary folder, as for the benchmark. The chats are split over `--shards`
 * copies of the application, each on its own database of that server: on
 * FerretDB every update reads its whole collection, so one database holding all
 * 5,000 chats made a 100,000-update run take hours. The test suite runs the same
 * with 1,000 updates on one database (test/scripts/fuzz-inbound.test.ts).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { LANGUAGES } from '../src/i18n/create-i18n';
import { runMain, UsageError } from './lib/cli';
import { runFuzz } from './lib/fuzz-updates';
import { openLocalApp } from './lib/local-app';

const MAX_DOCUMENT_BYTES = 64 * 1024;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      updates: { type: 'string', default: '100000' },
      chats: { type: 'string', default: '5000' },
      shards: { type: 'string', default: '150' },
      concurrency: { type: 'string', default: '20' },
      seed: { type: 'string', default: '20261128' },
    },
  });
  const n = (name: string, v: string) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < 1) throw new UsageError(`--${name} must be a positive whole number, got "${v}"`);
    return x;
  };
  const logger = pino({ level: 'fatal' }, pino.destination(2));
  // Many updates per chat at machine speed: the flood limit has its own tests and would only answer "slow down" here.
  const local = await openLocalApp({
    logger,
    scratchPrefix: 'fuzz',
    env: { ...process.env, RATE_LIMIT_BURST: '1000000', JOBS_ENABLED: 'false' },
  });
  try {
    const shards = [{ handler: local.app.handler, conn: local.conn }];
    for (let i = 1; i < n('shards', values.shards); i++) {
      const { app, conn } = await local.openShard(`s${i}`);
      shards.push({ handler: app.handler, conn });
    }
    const count = n('updates', values.updates);
    const started = Date.now();
    const report = await runFuzz({
      shards,
      count,
      chats: n('chats', values.chats),
      concurrency: n('concurrency', values.concurrency),
      seed: n('seed', values.seed),
      collections: ['conversations', 'tickets', 'citizens', 'staff', 'outbox'],
      apology: new Set(LANGUAGES.map((l) => local.translator.t(l, 'error.generic'))),
      now: () => new Date(),
      onProgress: (sent) =>
        process.stderr.write(`fuzz: ${sent} of ${count} updates, ${Math.round((Date.now() - started) / 1000)} s\n`),
    });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    const ok =
      report.thrown === 0 &&
      report.unhandledRejections === 0 &&
      report.apologies === 0 &&
      report.unanswered === 0 &&
      report.largestDocument.bytes < MAX_DOCUMENT_BYTES;
    process.stdout.write(
      `${ok ? 'OK' : 'FAILED'}: ${report.sent} updates (${report.handled} handled) in ${report.seconds} s, ${Math.round(report.sent / Math.max(1, report.seconds))}/s\n`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await local.close();
  }
}

runMain(main);
