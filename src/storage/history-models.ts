import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection, Model, QueryFilter } from 'mongoose';
import { sortDocuments } from './external-sort';
import type { Models, TicketDoc } from './models';

/** A model reduced to its reads: what the history connection may do. */
export type ReadOnlyModel<T> = Pick<Model<T>, 'find' | 'findOne' | 'countDocuments' | 'aggregate'>;

/**
 * The live and archived tickets as read over the history connection (see
 * connectHistoryDatabase): searches and exports over every ticket ever filed.
 * The type has no writes, so nothing can update a ticket over a second
 * connection (on FerretDB that would race the main connection's updates).
 */
export interface HistoryModels {
  Ticket: ReadOnlyModel<TicketDoc>;
  TicketArchive: ReadOnlyModel<TicketDoc>;
}

/** Documents fetched per round trip while streaming the history: small enough to hold, large enough to be few. */
export const HISTORY_BATCH_SIZE = 500;

/**
 * Bind the ticket collections to the history connection, with the schemas and
 * collection names of the main models (no indexes are built: the connection
 * is opened with autoIndex and autoCreate off).
 * @example
 * const history = createHistoryModels(await connectHistoryDatabase(uri), models);
 */
export function createHistoryModels(conn: Connection, models: Pick<Models, 'Ticket' | 'TicketArchive'>): HistoryModels {
  const bind = (m: Model<TicketDoc>) => conn.model<TicketDoc>(m.modelName, m.schema, m.collection.collectionName);
  return { Ticket: bind(models.Ticket), TicketArchive: bind(models.TicketArchive) };
}

/** Tickets an export holds in memory while sorting them; more go to temporary files (see sortDocuments). */
export const HISTORY_SORT_CHUNK = 5_000;
/** After each batch the history reader rests this many times as long as the batch took. */
const REST_RATIO = 2;
const MAX_REST_MS = 5_000;

// One read over the whole history at a time in this process; the next waits its turn.
let historyTurn: Promise<void> = Promise.resolve();

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  const before = historyTurn;
  let done = () => undefined as void;
  historyTurn = new Promise<void>((resolve) => (done = resolve));
  try {
    await before.catch(() => undefined);
    return await work();
  } finally {
    done();
  }
}

/**
 * A cursor's documents with a rest after each batch, REST_RATIO times as long
 * as the batch took (the server's part and ours), so a scan of every ticket
 * takes at most about a third of the database server's and this process's
 * time, however long it then lasts.
 */
async function* paced<T>(docs: AsyncIterable<T>, batch: number): AsyncGenerator<T> {
  let n = 0;
  let since = performance.now();
  for await (const d of docs) {
    yield d;
    n += 1;
    if (n % batch !== 0) continue;
    await sleep(Math.min((performance.now() - since) * REST_RATIO, MAX_REST_MS));
    since = performance.now();
  }
}

/**
 * Tickets matching `filter`, live and archived together, oldest first (ties
 * by reference). Each collection is read unsorted, in batches of
 * {@link HISTORY_BATCH_SIZE} with a rest after each (see `paced`), and sorted
 * here, {@link HISTORY_SORT_CHUNK} at a time in memory and the rest in
 * temporary files: a sorted read makes FerretDB 1.24 read, decode and sort
 * the whole collection at once before its first batch, on the CPU the
 * citizens' commands need. One such read runs at a time in a process; the
 * first ticket comes once all are read. A ticket found in both collections
 * (an archive run stopped between copy and delete) comes once, as its live
 * copy.
 */
export async function* ticketsByCreation<T extends { createdAt: Date; ref: string }>(
  models: HistoryModels,
  filter: QueryFilter<TicketDoc>,
  projection?: Record<string, 0 | 1>,
  opts: { sortChunk?: number } = {},
): AsyncGenerator<T> {
  // `s`: 0 live, 1 archived, so a live copy sorts before its archived twin.
  async function* readAll(): AsyncGenerator<{ s: 0 | 1; d: T }> {
    for (const [s, m] of [
      [0, models.Ticket],
      [1, models.TicketArchive],
    ] as const) {
      const cursor = m.find(filter, projection).batchSize(HISTORY_BATCH_SIZE).lean<T[]>().cursor();
      try {
        for await (const d of paced(cursor as AsyncIterable<T>, HISTORY_BATCH_SIZE)) yield { s, d };
      } finally {
        await cursor.close();
      }
    }
  }
  const runs = await inTurn(() =>
    sortDocuments(
      readAll(),
      (a, b) => a.d.createdAt.getTime() - b.d.createdAt.getTime() || compare(a.d.ref, b.d.ref) || a.s - b.s,
      { chunkSize: opts.sortChunk ?? HISTORY_SORT_CHUNK },
    ),
  );
  try {
    let last: string | undefined;
    for await (const { d } of runs) {
      if (d.ref === last) continue;
      last = d.ref;
      yield d;
    }
  } finally {
    await runs.dispose();
  }
}

/** Byte order, as the database sorts strings (references are ASCII). */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
