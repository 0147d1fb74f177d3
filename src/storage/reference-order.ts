import type { Model } from 'mongoose';
import { formatReference } from '../domain/ticket';
import type { CounterDoc } from './models';

/**
 * How far ticket references (ALR-000001, …, the tickets' `_id`) follow the
 * order of creation, kept on the reference counter itself (`counters`,
 * `ticket:<district>`), so the newest tickets can be found by walking
 * references downward by `_id` (src/dashboard/latest-walk.ts) instead of
 * sorting every ticket by date (on FerretDB: a read of the whole history).
 *
 * References are allocated in creation order only roughly: a filing reads the
 * clock before it takes its number, so two at once may take them the other
 * way round, and `npm run seed` onto a database that already has tickets
 * gives old dates to new numbers. So each allocation records the newest
 * creation time allocated so far (`newestAt`) and the largest lag behind it
 * (`slackMs`): then for any references r < p, created(r) ≤ created(p) + slackMs.
 * `ordered` says the record covers every reference: set when the counter is
 * made by the first filing or by a seed into an empty database, and by a
 * rebuild over every ticket (`npm run rebuild-counts`); a counter from before
 * this record has none, and readers fall back to reading the tickets.
 */
export interface ReferenceOrder {
  /** The last reference number handed out (0: none). */
  seq: number;
  /** Whether `slackMs` holds for every reference up to `seq`. */
  ordered: boolean;
  slackMs: number;
}

/** The reference counter's `_id` for a district. */
export const referenceCounterId = (district: string): string => `ticket:${district}`;

/** The number in a reference (`ALR-000017` → 17); undefined for anything else. */
export function referenceNumber(ref: string): number | undefined {
  const m = /-(\d+)$/.exec(ref);
  return m ? Number(m[1]) : undefined;
}

/**
 * Take the next reference for a ticket created at `createdAt`, recording how
 * far it lags behind the newest one handed out before it (one counter update
 * by `_id`; a second one only when the lag is a new largest).
 * @example const ref = await allocateReference(models.Counter, 'ALR', now) // 'ALR-000018'
 */
export async function allocateReference(
  Counter: Model<CounterDoc>,
  district: string,
  createdAt: Date,
): Promise<string> {
  const _id = referenceCounterId(district);
  const before = await Counter.findOneAndUpdate(
    { _id },
    { $inc: { seq: 1 }, $max: { newestAt: createdAt }, $setOnInsert: { ordered: true, slackMs: 0 } },
    { upsert: true, returnDocument: 'before' },
  )
    .lean<CounterDoc>()
    .exec();
  const lag = before?.newestAt ? before.newestAt.getTime() - createdAt.getTime() : 0;
  // Recorded before the ticket is stored: a crash in between leaves a number without a ticket, never a ticket unaccounted for.
  if (lag > (before?.slackMs ?? 0)) await Counter.updateOne({ _id }, { $max: { slackMs: lag } }).exec();
  return formatReference(district, (before?.seq ?? 0) + 1);
}

/** The counter's order record (see {@link ReferenceOrder}); one read by `_id`. */
export async function readReferenceOrder(Counter: Model<CounterDoc>, district: string): Promise<ReferenceOrder> {
  const doc = await Counter.findOne({ _id: referenceCounterId(district) })
    .lean<CounterDoc>()
    .exec();
  return { seq: doc?.seq ?? 0, ordered: doc ? doc.ordered === true : true, slackMs: doc?.slackMs ?? 0 };
}

/** Creation times of tickets in reference order, summed up: what a run of them adds to the order record. */
export interface LoadedOrder {
  oldest: Date;
  newest: Date;
  /** The largest lag of one of them behind an earlier one of them. */
  slackMs: number;
}

/**
 * Fold one ticket (taken in reference order) into a {@link LoadedOrder}.
 * @example let o; for (const t of byRef) o = foldOrder(o, t.createdAt);
 */
export function foldOrder(order: LoadedOrder | undefined, createdAt: Date): LoadedOrder {
  if (!order) return { oldest: createdAt, newest: createdAt, slackMs: 0 };
  const lag = order.newest.getTime() - createdAt.getTime();
  return {
    oldest: createdAt < order.oldest ? createdAt : order.oldest,
    newest: createdAt > order.newest ? createdAt : order.newest,
    slackMs: Math.max(order.slackMs, lag),
  };
}

/**
 * Move the counter to at least `seq` after tickets up to it were loaded in
 * bulk (`npm run seed`) and record their order: a counter that was new (or
 * `fresh`, a rebuild that saw every ticket) becomes ordered with their slack;
 * an ordered one takes their lag behind its own newest too; one without a
 * record stays without.
 */
export async function recordLoadedOrder(
  Counter: Model<CounterDoc>,
  district: string,
  seq: number,
  loaded: LoadedOrder | undefined,
  opts: { fresh?: boolean } = {},
): Promise<void> {
  const _id = referenceCounterId(district);
  const current = await Counter.findOne({ _id }).lean<CounterDoc>().exec();
  const set: Record<string, unknown> = {};
  const max: Record<string, unknown> = { seq };
  if (loaded) max.newestAt = loaded.newest;
  if (!current || opts.fresh) {
    set.ordered = true;
    max.slackMs = loaded?.slackMs ?? 0;
  } else if (current.ordered && loaded) {
    const behind = current.newestAt ? current.newestAt.getTime() - loaded.oldest.getTime() : 0;
    max.slackMs = Math.max(loaded.slackMs, behind);
  }
  // $max throughout: numbers handed out meanwhile (a rebuild while filing goes on) are never undone.
  await Counter.updateOne({ _id }, { $max: max, ...(Object.keys(set).length ? { $set: set } : {}) }, { upsert: true });
}
