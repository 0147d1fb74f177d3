import type { Model } from 'mongoose';
import { formatReference, type Ticket } from '../domain/ticket';
import type { CounterDoc, TicketDoc } from '../storage/models';
import { readReferenceOrder } from '../storage/reference-order';
import { projectionOf, ROW_FIELDS } from './dashboard-view';

/** A row of the list as read. */
export type LatestRow = Pick<Ticket, (typeof ROW_FIELDS)[number]>;

/** Reads by `_id` one walk may spend before it gives the question back (about 2–10 s on FerretDB under load). */
export const MAX_WALK_READS = 2_000;

/** What the walk filters by (the dashboard's filter). */
export interface WalkFilter {
  department?: string;
  from?: Date;
  to?: Date;
}

/** Newest first, the reference breaking ties: the list's order. */
export const newestFirst = (a: { createdAt: Date; ref: string }, b: { createdAt: Date; ref: string }): number =>
  b.createdAt.getTime() - a.createdAt.getTime() || b.ref.localeCompare(a.ref);

/**
 * The newest tickets found by reference instead of by date: references are
 * the tickets' `_id` and are handed out in (nearly) creation order, so the
 * newest tickets are the highest numbers. The walk reads the reference
 * counter, then each number downward by `_id` (live, then the archive; the
 * archive first after an archived ticket, so a ticket found in both, an
 * archiving cut short, may show as its archived copy: the same list fields
 * of a closed ticket), on
 * FerretDB the only reads that do not decode a whole collection. How far
 * creation order may stray from reference order (`slackMs`, kept with the
 * counter, src/storage/reference-order.ts) tells it when no lower number can
 * still belong on the page; a `to` date is found by a binary search over
 * numbers. It answers undefined, and the caller reads the tickets instead,
 * when the counter has no order record (a database from before it), when a
 * ticket lies above the counter (a counter behind the data), or when the
 * answer needs more than `maxReads` reads (a deep page, a rare department).
 */
export function createLatestWalk(deps: {
  Ticket: Model<TicketDoc>;
  TicketArchive: Model<TicketDoc>;
  Counter: Model<CounterDoc>;
  district: string;
  maxReads?: number;
}) {
  const maxReads = deps.maxReads ?? MAX_WALK_READS;
  const projection = projectionOf(ROW_FIELDS);

  /**
   * The first `upTo` tickets matching `filter` in list order, and whether
   * they are all there are (the walk went past every number that could match).
   */
  return async function walk(
    filter: WalkFilter,
    upTo: number,
  ): Promise<{ rows: LatestRow[]; complete: boolean } | undefined> {
    let reads = 0;
    // Where the last ticket was found: past the last fortnight nearly every ticket is archived.
    let archivedLast = false;
    const find = async (model: Model<TicketDoc>, _id: string) => {
      reads++;
      return (await model.findOne({ _id }, projection).lean<LatestRow>().exec()) ?? undefined;
    };
    const read = async (n: number): Promise<LatestRow | undefined> => {
      const _id = formatReference(deps.district, n);
      // The archiving job copies a ticket into the archive before removing it from the live tickets, so
      // live-then-archive never misses one; archive-first reads the archive again after a miss in both.
      let t = archivedLast ? await find(deps.TicketArchive, _id) : undefined;
      let archived = t !== undefined;
      t ??= await find(deps.Ticket, _id);
      if (!t) {
        t = await find(deps.TicketArchive, _id);
        archived = t !== undefined;
      }
      if (t) archivedLast = archived;
      return t;
    };
    const over = () => reads > maxReads;

    const order = await readReferenceOrder(deps.Counter, deps.district);
    if (!order.ordered || (await read(order.seq + 1))) return undefined;
    const slack = order.slackMs;
    const from = filter.from?.getTime();
    const to = filter.to?.getTime();

    // Below a ticket created at `to + slack` or later, every higher number was created at `to` or later.
    let top = order.seq;
    if (to !== undefined) {
      let lo = 0;
      let hi = order.seq + 1;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        let n = mid;
        let t: LatestRow | undefined;
        // A number without a ticket (a filing that failed): the nearest ticket below it stands for it.
        while (n > lo && !(t = await read(n))) {
          n--;
          if (over()) return undefined;
        }
        if (t && t.createdAt.getTime() >= to + slack) hi = n;
        else lo = mid;
        if (over()) return undefined;
      }
      top = hi - 1;
    }

    const rows: LatestRow[] = [];
    let matched = 0;
    for (let n = top; n >= 1; n--) {
      if (over()) return undefined;
      const t = await read(n);
      if (!t) continue;
      const at = t.createdAt.getTime();
      // Every lower number was created at most `slack` after this one.
      if (from !== undefined && at + slack < from) break;
      if (rows.length === upTo && at + slack <= rows[upTo - 1]!.createdAt.getTime()) {
        return { rows, complete: false };
      }
      if (filter.department && t.department !== filter.department) continue;
      if ((from !== undefined && at < from) || (to !== undefined && at >= to)) continue;
      matched++;
      rows.push(t);
      rows.sort(newestFirst);
      if (rows.length > upTo) rows.pop();
    }
    return { rows, complete: matched === rows.length };
  };
}

export type LatestWalk = ReturnType<typeof createLatestWalk>;
