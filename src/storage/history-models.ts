import type { Connection, Model, QueryFilter } from 'mongoose';
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

/**
 * Tickets matching `filter`, live and archived together, oldest first (ties
 * by reference), fetched in batches of {@link HISTORY_BATCH_SIZE}, so an
 * export of every ticket holds one batch per collection at a time. A ticket
 * found in both collections (an archive run stopped between copy and delete)
 * comes once, as its live copy.
 */
export async function* ticketsByCreation<T extends { createdAt: Date; ref: string }>(
  models: HistoryModels,
  filter: QueryFilter<TicketDoc>,
  projection?: Record<string, 0 | 1>,
): AsyncGenerator<T> {
  const open = (m: ReadOnlyModel<TicketDoc>) =>
    m.find(filter, projection).sort({ createdAt: 1, ref: 1 }).batchSize(HISTORY_BATCH_SIZE).lean<T[]>().cursor();
  const live = open(models.Ticket);
  const archived = open(models.TicketArchive);
  try {
    let x: T | null = await live.next();
    let y: T | null = await archived.next();
    let last: string | undefined;
    while (x || y) {
      const takeLive = !y || (!!x && (x.createdAt.getTime() - y.createdAt.getTime() || compare(x.ref, y.ref)) <= 0);
      const doc = (takeLive ? x : y) as T;
      if (takeLive) x = await live.next();
      else y = await archived.next();
      if (doc.ref === last) continue;
      last = doc.ref;
      yield doc;
    }
  } finally {
    // A reader that stops early (a row limit, a closed download) frees both server cursors.
    await Promise.all([live.close(), archived.close()]);
  }
}

/** Byte order, as the database sorts strings (references are ASCII). */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
