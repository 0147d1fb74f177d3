/**
 * Demo data at a district's scale, in the database `npm start` uses.
 *
 *   npm run seed -- --tickets 200000 --citizens 100000 [--days 365] [--notifications N] [--force]
 *
 * Fills MONGODB_URI's database, or else the embedded server under DATA_DIR,
 * with officers, operators and supervisors, tickets in every status across the
 * five categories, the district's blocks and every intake line (histories with
 * acknowledgements, questions, escalations, ratings and reopenings, in Hindi
 * and English), the citizens' conversations and phone links, and delivered
 * notifications (five per ticket unless --notifications says otherwise),
 * spread over the last D days. Refuses a database that holds tickets it did
 * not seed unless --force. Progress goes to stderr, the summary to stdout.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createOutboxModel } from '../src/outbox/outbox-model';
import { loadCatalog } from '../src/domain/catalog-loader';
import { loadShiftPlan } from '../src/shifts/shift-plan';
import { createStaffStore } from '../src/storage/staff-store';
import { runMain, UsageError } from './lib/cli';
import { openLocalApp } from './lib/local-app';
import { RealDataError, seedDatabase } from './lib/seed-database';

/** Parse a count option: a whole number, at least `min`. */
export function countOption(name: string, v: string | undefined, fallback: number, min = 0): number {
  if (v === undefined) return fallback;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${v}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      tickets: { type: 'string' },
      citizens: { type: 'string' },
      days: { type: 'string' },
      notifications: { type: 'string' },
      seed: { type: 'string' },
      force: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'warn' },
    },
  });
  const tickets = countOption('tickets', values.tickets, 1_000);
  const citizens = countOption('citizens', values.citizens, Math.max(1, Math.ceil(tickets / 2)), 1);
  const days = countOption('days', values.days, 365, 1);
  const notifications = countOption('notifications', values.notifications, tickets * 5);
  const seed = countOption('seed', values.seed, 20_200_401);
  const logger = pino({ level: values['log-level'] }, pino.destination(2));
  const local = await openLocalApp({ logger, configuredDatabase: true });
  try {
    const started = performance.now();
    let lastPrint = 0;
    const result = await seedDatabase(
      {
        conn: local.conn,
        models: local.app.models,
        outbox: await createOutboxModel(local.conn),
        staff: createStaffStore(local.app.models),
        catalog: loadCatalog(local.config.flowsDirAbs),
        district: local.config.DISTRICT_CODE,
        timeZone: loadShiftPlan(local.config.flowsDirAbs).timeZone,
      },
      {
        tickets,
        citizens,
        notifications,
        days,
        seed,
        force: values.force,
        end: new Date(),
        onProgress: (p) => {
          if (performance.now() - lastPrint < 2_000) return;
          lastPrint = performance.now();
          process.stderr.write(
            `  ${p.tickets}/${tickets} tickets, ${p.notifications} notifications, ${p.citizens}/${citizens} citizens, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
          );
        },
      },
    );
    const secs = (performance.now() - started) / 1000;
    process.stdout.write(
      `Seeded ${local.server === 'external' ? `database ${local.dbName}` : `the embedded ${local.server} under ${local.config.dataDirAbs}`}: ` +
        `${result.tickets} tickets (${result.firstRef} … ${result.lastRef}), ${result.citizens} citizens, ${result.notifications} delivered notifications in ${secs.toFixed(1)} s\n`,
    );
  } catch (err) {
    if (err instanceof RealDataError) throw new UsageError(err.message);
    throw err;
  } finally {
    await local.close();
  }
}

runMain(main);
