import type { Logger } from 'pino';
import {
  addCounts,
  CHANGING_COUNTED_FIELDS,
  dayOfIn,
  fromStoredCounts,
  ticketCounts,
  type CountDelta,
} from '../domain/ticket-counts';
import { safeError } from '../logger';
import type { Models, TicketDoc } from '../storage/models';
import type { TicketCountStore } from '../storage/ticket-count-store';
import { foldOrder, recordLoadedOrder, referenceNumber, type LoadedOrder } from '../storage/reference-order';

/** Fields a rebuild reads of each ticket: the counted ones and the counts still owed. */
const PROJECTION = Object.fromEntries(
  ['ref', 'category', 'intake', 'block', 'createdAt', 'owedCounts', ...CHANGING_COUNTED_FIELDS].map((f) => [f, 1]),
);

/**
 * Count every ticket, live and archived, into fresh counters (the one job
 * that reads the whole history; one pass with a cursor). A change still owed
 * by a ticket is left out of its total, since the count relay adds it when
 * it moves that change on. Changes made while the rebuild runs may be counted
 * as they were when their ticket was read; run it when the bot is quiet, or
 * again. With `order`, the same pass records how far the district's
 * references follow creation order (src/storage/reference-order.ts), which
 * lets the dashboard list the newest tickets by reference.
 */
export async function rebuildTicketCounts(deps: {
  models: Pick<Models, 'Ticket' | 'TicketArchive'>;
  counts: Pick<TicketCountStore, 'replaceAll' | 'markBuilt'>;
  timeZone: string;
  order?: { Counter: Models['Counter']; district: string };
}): Promise<{ tickets: number; days: number }> {
  const dayOf = dayOfIn(deps.timeZone);
  const totals: CountDelta = {};
  let tickets = 0;
  // Reference number and creation time of each of the district's tickets (two numbers a ticket).
  const numbers: number[] = [];
  const times: number[] = [];
  const prefix = deps.order ? `${deps.order.district}-` : undefined;
  for (const model of [deps.models.Ticket, deps.models.TicketArchive]) {
    for await (const doc of model.find({}, PROJECTION).lean<TicketDoc>().cursor()) {
      addCounts(totals, ticketCounts(doc, dayOf));
      for (const owed of doc.owedCounts ?? []) addCounts(totals, fromStoredCounts(owed.delta), -1);
      const n = prefix && doc.ref.startsWith(prefix) ? referenceNumber(doc.ref) : undefined;
      if (n !== undefined) {
        numbers.push(n);
        times.push(doc.createdAt.getTime());
      }
      tickets++;
    }
  }
  await deps.counts.replaceAll(totals);
  await deps.counts.markBuilt();
  if (deps.order) {
    const byNumber = numbers.map((_, i) => i).sort((a, b) => numbers[a]! - numbers[b]!);
    let order: LoadedOrder | undefined;
    for (const i of byNumber) order = foldOrder(order, new Date(times[i]!));
    const last = byNumber.length ? numbers[byNumber.at(-1)!]! : 0;
    await recordLoadedOrder(deps.order.Counter, deps.order.district, last, order, { fresh: true });
  }
  return { tickets, days: Object.keys(totals).length };
}

/**
 * At start-up: a database whose counters were never built (made by a version
 * before them) gets them built once, in the background so start-up stays
 * fast; until then the figures read low. A new database is marked built at once.
 */
export async function ensureTicketCounts(deps: {
  models: Pick<Models, 'Ticket' | 'TicketArchive'>;
  order?: { Counter: Models['Counter']; district: string };
  counts: Pick<TicketCountStore, 'isBuilt' | 'replaceAll' | 'markBuilt'>;
  timeZone: string;
  logger: Logger;
}): Promise<void> {
  try {
    if (await deps.counts.isBuilt()) return;
    const any = async (m: typeof deps.models.Ticket) => (await m.findOne({}, { _id: 1 }).lean().exec()) !== null;
    if (!(await any(deps.models.Ticket)) && !(await any(deps.models.TicketArchive))) {
      await deps.counts.markBuilt();
      return;
    }
    deps.logger.info(
      { event: 'ticket_counts_rebuild_started' },
      'building the ticket counters from the tickets (once)',
    );
    const done = await rebuildTicketCounts(deps);
    deps.logger.info({ event: 'ticket_counts_rebuilt', ...done }, 'ticket counters built');
  } catch (err) {
    deps.logger.error(
      { event: 'ticket_counts_rebuild_failed', error: safeError(err) },
      'could not build the ticket counters; the next start tries again',
    );
  }
}

/**
 * {@link ensureTicketCounts} as a part of the service's start (src/lifecycle.ts):
 * `start` begins the build without waiting for it; `ready` settles once the
 * counters exist (at once before `start`).
 * @example const counts = countsAtStart(deps); createLifecycle({ start: [counts, …], … }); await counts.ready()
 */
export function countsAtStart(deps: Parameters<typeof ensureTicketCounts>[0]) {
  let ready: Promise<void> = Promise.resolve();
  return {
    name: 'ticket counts',
    start(): void {
      ready = ensureTicketCounts({ ...deps, logger: deps.logger.child({ component: 'counts' }) });
    },
    ready: (): Promise<void> => ready,
  };
}

/**
 * The nightly pruning of the counters' once-only markers: a marker may go once
 * its change is no longer owed by its ticket (no relay can apply it again).
 */
export function createCountMarkerPruner(deps: {
  counts: Pick<TicketCountStore, 'pruneMarkers'>;
  tickets: { findByRef(ref: string): Promise<unknown> };
}) {
  return {
    prune(before: Date): Promise<number> {
      return deps.counts.pruneMarkers(before, async (key) => {
        const ref = key.split(':c:')[0] ?? key;
        const ticket = (await deps.tickets.findByRef(ref)) as { owedCounts?: Array<{ key: string }> } | null;
        return (ticket?.owedCounts ?? []).some((o) => o.key === key);
      });
    },
  };
}
