import { Schema, type Model } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import { isFerretDb } from '../db/connect';
import { createDocumentLock } from './document-lock';
import { addCounts, type CountDelta } from '../domain/ticket-counts';

/**
 * One district day of ticket counters (collection `ticket_counts`), keyed by
 * the day itself (`2026-11-28`), so a report reads a handful of documents by
 * `_id` however many tickets there are. `c` holds the counters as nested
 * objects (`c.status.new`, `c.dept.FOOD.n`; see `ticketCounts` in
 * src/domain/ticket-counts.ts for every path); `m` the keys of the changes
 * applied recently, which make applying a change twice count it once.
 */
export interface TicketCountDoc {
  _id: string;
  c?: Record<string, unknown>;
  m?: Record<string, Date>;
}

export const ticketCountSchema = new Schema<TicketCountDoc>(
  { _id: { type: String, required: true } },
  { versionKey: false, strict: false },
);

/** Counters of one day, flat: path → number (`status.new` → 3). */
export type DayCounts = Map<string, number>;

/** Reading by `_id` one day at a time up to this many days; longer spans read the (small) collection once. */
export const MAX_ID_READS = 62;

/** Marker in `counters`: the ticket counters were built for this database. */
export const COUNTS_BUILT = 'schema:ticket-counts';

/** The ticket counters: applying changes exactly once, and reading days. */
export interface TicketCountStore {
  /** Add a change's delta, once per `key` (a repeat after a crash changes nothing). */
  apply(key: string, delta: CountDelta, at: Date): Promise<void>;
  /** Add without the once-only marker: bulk loading (the seed) only. */
  addBulk(delta: CountDelta): Promise<void>;
  /** The counters of the given days (a day without counters is absent). */
  days(days: readonly string[]): Promise<Map<string, DayCounts>>;
  /** Replace every day's counters by `totals` (a rebuild); days not in it are removed. */
  replaceAll(totals: CountDelta): Promise<void>;
  /** Whether the counters were built (or kept since the database was new). */
  isBuilt(): Promise<boolean>;
  markBuilt(): Promise<void>;
  /**
   * Forget once-only markers set before `before` whose change no ticket still
   * owes (`stillOwed` answers that); returns how many went.
   */
  pruneMarkers(before: Date, stillOwed: (key: string) => Promise<boolean>): Promise<number>;
}

/** `{ 'status.new': 1 }` → `{ 'c.status.new': 1 }`. */
const prefixed = (paths: Record<string, number>) =>
  Object.fromEntries(Object.entries(paths).map(([p, n]) => [`c.${p}`, n]));

/** A marker's field name: the key without `.`/`$`. */
const markerField = (key: string) => `m.${key.replace(/[.$\0]/g, '_')}`;

function flatten(obj: Record<string, unknown>, prefix: string, out: DayCounts): DayCounts {
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number') out.set(path, v);
    else if (v && typeof v === 'object') flatten(v as Record<string, unknown>, path, out);
  }
  return out;
}

function nest(paths: Record<string, number>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, n] of Object.entries(paths)) {
    const parts = path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1) as string] = n;
  }
  return root;
}

/**
 * The store over `ticket_counts`. `apply` is one conditional update per day
 * touched: `$inc` the counters and set the change's marker, only where the
 * marker is not yet set. That condition makes it idempotent on MongoDB (a
 * single-document update is atomic) and on FerretDB with its one connection
 * per process; nothing relies on a server quirk.
 */
export function createTicketCountStore(models: {
  TicketCount: Model<TicketCountDoc>;
  Counter: Model<{ _id: string; seq: number }>;
}): TicketCountStore {
  const coll = models.TicketCount.collection;
  // On FerretDB a filter other than `{_id}` reads the whole collection, so there the marker is
  // checked on the document read by `_id` and the write is by `_id` alone, both under the day's
  // lock, shared by every process on the database (createDocumentLock). MongoDB keeps the atomic
  // conditional update.
  const byIdOnly = isFerretDb(models.TicketCount.db).catch(() => false);
  const locks = createDocumentLock(models.TicketCount.db, { scope: 'ticket_count' });
  return {
    async apply(key, delta, at) {
      const marker = markerField(key);
      for (const [day, paths] of Object.entries(delta)) {
        if (Object.keys(paths).length === 0) continue;
        if (await byIdOnly) {
          await locks.run(day, async () => {
            const doc = await models.TicketCount.findOne({ _id: day }, { [marker]: 1 })
              .lean<TicketCountDoc>()
              .exec();
            if (doc?.m && Object.keys(doc.m).length > 0) return;
            await coll.updateOne({ _id: day } as never, { $inc: prefixed(paths), $set: { [marker]: at } } as never, {
              upsert: true,
            });
          });
          continue;
        }
        try {
          await coll.updateOne(
            { _id: day, [marker]: { $exists: false } } as never,
            { $inc: prefixed(paths), $set: { [marker]: at } } as never,
            { upsert: true },
          );
        } catch (err) {
          // The day exists with this marker: the upsert's insert met the day's `_id`. Already counted.
          if (!isDuplicateKey(err)) throw err;
        }
      }
    },
    async addBulk(delta) {
      for (const [day, paths] of Object.entries(delta)) {
        if (Object.keys(paths).length)
          await coll.updateOne({ _id: day } as never, { $inc: prefixed(paths) } as never, { upsert: true });
      }
    },
    async days(days) {
      const out = new Map<string, DayCounts>();
      if (days.length === 0) return out;
      let docs: TicketCountDoc[];
      if (days.length <= MAX_ID_READS) {
        docs = [];
        for (const day of days) {
          const doc = await models.TicketCount.findOne({ _id: day }, { c: 1 }).lean<TicketCountDoc>().exec();
          if (doc) docs.push(doc);
        }
      } else {
        const sorted = [...days].sort();
        docs = await models.TicketCount.find({ _id: { $gte: sorted[0], $lte: sorted.at(-1) } }, { c: 1 })
          .lean<TicketCountDoc[]>()
          .exec();
      }
      const wanted = new Set(days);
      for (const doc of docs) if (wanted.has(doc._id)) out.set(doc._id, flatten(doc.c ?? {}, '', new Map()));
      return out;
    },
    async replaceAll(totals) {
      const days = Object.keys(totals);
      // Markers go too: a change still owed when the tickets were read was left out of the totals, so it must count again.
      for (const day of days)
        await coll.replaceOne({ _id: day } as never, { c: nest(totals[day] ?? {}) }, { upsert: true });
      await coll.deleteMany({ _id: { $nin: days } } as never);
    },
    async isBuilt() {
      return (await models.Counter.findOne({ _id: COUNTS_BUILT }).lean().exec()) !== null;
    },
    async markBuilt() {
      await models.Counter.updateOne({ _id: COUNTS_BUILT }, { $set: { seq: 1 } }, { upsert: true }).exec();
    },
    async pruneMarkers(before, stillOwed) {
      let pruned = 0;
      const docs = await models.TicketCount.find({}, { m: 1 }).lean<TicketCountDoc[]>().exec();
      for (const doc of docs) {
        const old: string[] = [];
        for (const [field, at] of Object.entries(doc.m ?? {})) {
          if (at.getTime() < before.getTime() && !(await stillOwed(field))) old.push(`m.${field}`);
        }
        if (old.length) {
          await coll.updateOne(
            { _id: doc._id } as never,
            { $unset: Object.fromEntries(old.map((f) => [f, ''])) } as never,
          );
          pruned += old.length;
        }
      }
      return pruned;
    },
  };
}

/** Sum days of counters into one (path → total). */
export function sumDays(days: Iterable<DayCounts>): DayCounts {
  const out: DayCounts = new Map();
  for (const d of days) for (const [p, n] of d) out.set(p, (out.get(p) ?? 0) + n);
  return out;
}

/** Sum deltas per day (a rebuild's running total). */
export function addInto(totals: CountDelta, delta: CountDelta, sign = 1): CountDelta {
  return addCounts(totals, delta, sign);
}
