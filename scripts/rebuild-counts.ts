/**
 * Rebuild the ticket counters (`ticket_counts`) from the tickets, live and
 * archived, in the configured database (`MONGODB_URI`, or the embedded server
 * under `DATA_DIR`): for an operator who restored tickets from a backup or
 * suspects the figures. Reads every ticket once; best run while the bot is
 * stopped (changes made during the run may be counted as they were). Also
 * records how far references follow creation order (the dashboard's newest
 * tickets are then read by reference; src/storage/reference-order.ts).
 *
 *   npm run rebuild-counts
 */
import pino from 'pino';
import { performance } from 'node:perf_hooks';
import { rebuildTicketCounts } from '../src/reports/count-rebuild';
import { loadShiftPlan } from '../src/shifts/shift-plan';
import { createTicketCountStore } from '../src/storage/ticket-count-store';
import { runMain } from './lib/cli';
import { openLocalApp } from './lib/local-app';

async function main(): Promise<void> {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const local = await openLocalApp({ logger, configuredDatabase: true });
  try {
    const started = performance.now();
    const done = await rebuildTicketCounts({
      models: local.app.models,
      counts: createTicketCountStore(local.app.models),
      timeZone: loadShiftPlan(local.config.flowsDirAbs).timeZone,
      order: { Counter: local.app.models.Counter, district: local.config.DISTRICT_CODE },
    });
    process.stdout.write(
      `Ticket counters rebuilt from ${done.tickets} tickets (${done.days} days) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await local.close();
  }
}

runMain(main);
