import type { QueryFilter } from 'mongoose';
import type { StaffRole } from '../domain/roles';
import type { Ticket as TicketShape } from '../domain/ticket';
import { OPEN_STATUSES } from '../domain/ticket-lifecycle';
import type { Models, TicketDoc } from '../storage/models';
import { isOverdue, overdueFilter } from '../reports/overdue';
import type { OpenWorkView } from '../storage/open-work-store';
import { matchesFilter, oldestFirst } from '../domain/open-work';
import { daysFrom, periodRange } from '../reports/report-periods';
import type { Breakdown as Figures, TicketFigures } from '../reports/ticket-figures';
import { TIME_ZONE } from '../i18n/format';
import { addDays, dayRange, zonedDay } from '../core/zoned-time';
import { ticketsByCreation, type HistoryModels } from '../storage/history-models';
import { MAX_ID_READS } from '../storage/ticket-count-store';
import {
  DETAIL_FIELDS,
  overdueRow,
  projectionOf,
  ROW_FIELDS,
  staffIdsOf,
  ticketDetail,
  ticketRow,
  type OverdueRow,
  type TicketDetail,
  type TicketRow,
} from './dashboard-view';
import { createLatestWalk, newestFirst } from './latest-walk';

/** What the page filters by: a department, and days of creation (`to` exclusive). */
export interface DashboardFilter {
  department?: string;
  from?: Date;
  to?: Date;
  /** The same days as district days (YYYY-MM-DD, both included), for the counters. */
  fromDay?: string;
  toDay?: string;
}

/** Counts of the tickets created in one period. */
export interface Breakdown {
  from: string;
  to: string;
  total: number;
  byStatus: Record<string, number>;
  byCategory: Record<string, number>;
  byDepartment: Record<string, number>;
  byChannel: Record<string, number>;
}

/** The numbers at the top of the page. */
export interface Summary {
  now: string;
  today: Breakdown;
  week: Breakdown;
  /** The chosen days, when the filter names any. */
  range?: Breakdown;
  /** Open tickets, and those of them past a deadline (department and date filter applied). */
  open: number;
  overdue: number;
}

/** Fields a CSV row needs: the list fields and the deadlines, never the history. */
export const EXPORT_FIELDS = [...DETAIL_FIELDS.filter((f) => f !== 'history' && f !== 'attachments')] as const;
export type ExportSource = Pick<TicketDoc, (typeof EXPORT_FIELDS)[number]>;

/** Tickets matching a filter; a department code and days of creation. */
export function ticketMatch(f: DashboardFilter): QueryFilter<TicketDoc> {
  const match: QueryFilter<TicketDoc> = {};
  if (f.department) match.department = f.department;
  if (f.from || f.to) match.createdAt = { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lt: f.to } : {}) };
  return match;
}

/** Open and past a deadline at `now`: the reporting module's one overdue filter. */
export function overdueMatch(now: Date): QueryFilter<TicketDoc> {
  return overdueFilter(now) as QueryFilter<TicketDoc>;
}

/** The counters' figures in the page's shape. */
function toBreakdown(f: Figures, from: Date, to: Date): Breakdown {
  const rec = (m: Map<string, number>) => Object.fromEntries(m);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    total: f.total,
    byStatus: rec(f.status),
    byCategory: rec(f.category),
    byDepartment: rec(f.department),
    byChannel: rec(f.intake),
  };
}

/** How long the list's total keeps the counters' sum over past days before renewing it (see filedTotal). */
const PAST_TOTALS_TTL_MS = 60_000;
/** Sums kept at most (one per filter's days). */
const MAX_KEPT_TOTALS = 50;

/** The first day the chosen-days counts start from when only a "to" date is given. */
const EARLIEST_DAY = '2000-01-01';

/**
 * The dashboard's reads. Counts of tickets filed come from the ticket
 * counters (src/reports/ticket-figures.ts, the same figures as `/stats`);
 * open and overdue are counted over the live tickets, which hold all open
 * work, over the history connection (each such read decodes every live
 * ticket on FerretDB: seconds at a district's size, which must not hold up
 * the citizens' commands on the main connection); the archive is read only by the lists, a ticket's page and the CSV.
 */
export function createDashboardQueries(deps: {
  models: Models;
  figures: Pick<TicketFigures, 'breakdown'>;
  timeZone?: string;
  /** Reads over every ticket (the CSV) go here; default: the main models. */
  history?: HistoryModels;
  /** The open-work read model: open and overdue are read from it (by `_id` only); without it, or before it is built, from the tickets. */
  openWork?: OpenWorkView;
  /** The district's reference code (DISTRICT_CODE): with it the newest tickets are found by reference (latest-walk.ts). */
  districtCode?: string;
}) {
  const { Ticket, TicketArchive, Staff, Department } = deps.models;
  const timeZone = deps.timeZone ?? TIME_ZONE;
  const history = deps.history ?? deps.models;
  const walk = deps.districtCode
    ? createLatestWalk({ Ticket, TicketArchive, Counter: deps.models.Counter, district: deps.districtCode })
    : undefined;
  const pastTotals = new Map<string, { at: number; sums: Promise<Figures> }>();

  /**
   * Tickets filed on the days `firstDay` … `lastDay` (one department's when
   * given), for the list's total. Days before today over more than a couple
   * of months are one read of every day's counters (a second or more at a
   * district's year on FerretDB), so their sums (every department's) are kept
   * for PAST_TOTALS_TTL_MS and then renewed in the background while the kept
   * ones answer: filings land on today, which is always read afresh; what the
   * kept sums can miss for that long is an older ticket moved to another
   * department (or tickets imported onto past days).
   */
  async function filedTotal(firstDay: string, lastDay: string, dept: string | undefined, now: Date): Promise<number> {
    const today = zonedDay(now, timeZone);
    const fresh = (first: string, last: string) =>
      first > last ? Promise.resolve(0) : deps.figures.breakdown(first, last, dept).then((b) => b.total);
    const lastPast = lastDay < today ? lastDay : addDays(today, -1);
    if (firstDay > lastPast || daysFrom(firstDay, lastPast).length <= MAX_ID_READS) return fresh(firstDay, lastDay);
    const key = `${firstDay}|${lastPast}`;
    let kept = pastTotals.get(key);
    if (!kept) {
      if (pastTotals.size >= MAX_KEPT_TOTALS) pastTotals.clear();
      kept = { at: now.getTime(), sums: deps.figures.breakdown(firstDay, lastPast) };
      pastTotals.set(key, kept);
      kept.sums.catch(() => pastTotals.delete(key));
    } else if (now.getTime() - kept.at > PAST_TOTALS_TTL_MS) {
      const renewed = { at: now.getTime(), sums: deps.figures.breakdown(firstDay, lastPast) };
      kept.at = now.getTime();
      renewed.sums.then(() => pastTotals.set(key, renewed)).catch(() => undefined);
    }
    const [past, recent] = await Promise.all([kept.sums, fresh(addDays(lastPast, 1), lastDay)]);
    return (dept ? (past.department.get(dept) ?? 0) : past.total) + recent;
  }

  return {
    /** Today's and this week's counts (department filter only), the chosen days' counts, open and overdue. */
    async summary(filter: DashboardFilter, now: Date): Promise<Summary> {
      const today = periodRange('today', now, timeZone);
      const week = periodRange('week', now, timeZone);
      const dept = filter.department;
      const match = ticketMatch(filter);
      // `now` ends the current periods, so a ticket stamped a moment later (a fixed test clock) still counts.
      const end = new Date(now.getTime() + 1);
      const current = await deps.openWork?.current();
      const open = current?.filter((t) => matchesFilter(t, filter));
      const out: Summary = {
        now: now.toISOString(),
        today: toBreakdown(await deps.figures.breakdown(today.firstDay, today.lastDay, dept), today.start, end),
        week: toBreakdown(await deps.figures.breakdown(week.firstDay, week.lastDay, dept), week.start, end),
        open: open
          ? open.length
          : await history.Ticket.countDocuments({ ...match, status: { $in: [...OPEN_STATUSES] } }),
        overdue: open
          ? open.filter((t) => isOverdue(t, now)).length
          : await history.Ticket.countDocuments({ ...match, ...overdueMatch(now) }),
      };
      if (filter.fromDay || filter.toDay) {
        const first = filter.fromDay ?? EARLIEST_DAY;
        const last = filter.toDay ?? today.lastDay;
        out.range = toBreakdown(
          await deps.figures.breakdown(first, last, dept),
          filter.from ?? new Date(0),
          filter.to ?? end,
        );
      }
      return out;
    },

    /** Overdue tickets, oldest first, with age and lateness. */
    async overdue(filter: DashboardFilter, now: Date, limit: number): Promise<{ total: number; items: OverdueRow[] }> {
      const current = await deps.openWork?.current();
      if (current) {
        // Filtered and sorted in the read model; only the listed tickets are read, each by `_id`.
        const list = current.filter((t) => matchesFilter(t, filter) && isOverdue(t, now)).sort(oldestFirst);
        const items: OverdueRow[] = [];
        for (const { ref } of list.slice(0, limit)) {
          const d = await history.Ticket.findOne(
            { _id: ref },
            projectionOf([...ROW_FIELDS, 'ackDueAt', 'resolveDueAt', 'acknowledgedAt']),
          ).lean<Pick<TicketShape, (typeof ROW_FIELDS)[number] | 'ackDueAt' | 'resolveDueAt' | 'acknowledgedAt'>>();
          // Changed since its entry was written (relayed within a minute) and no longer overdue: left off.
          if (d && isOverdue(d, now)) items.push(overdueRow(d, now));
        }
        return { total: list.length, items };
      }
      const q = { ...ticketMatch(filter), ...overdueMatch(now) };
      const docs = await history.Ticket.find(
        q,
        projectionOf([...ROW_FIELDS, 'ackDueAt', 'resolveDueAt', 'acknowledgedAt']),
      )
        .sort({ createdAt: 1, ref: 1 })
        .limit(limit)
        .lean<Array<Pick<TicketShape, (typeof ROW_FIELDS)[number] | 'ackDueAt' | 'resolveDueAt' | 'acknowledgedAt'>>>();
      const total = docs.length < limit ? docs.length : await history.Ticket.countDocuments(q);
      return { total, items: docs.map((d) => overdueRow(d, now)) };
    },

    /**
     * The newest tickets, live and archived, a page at a time (page 1 first).
     * Found by reference, a read by `_id` each (createLatestWalk), the total
     * from the ticket counters; when the walk cannot answer (see there), read
     * from the live tickets alone when the ticket counters show that every
     * ticket filed from the page's oldest day on is live (an archived ticket
     * was closed more than the reopening window ago, so the newest pages
     * nearly always are); otherwise, and for deep pages, the archive is merged
     * in over the history connection, which FerretDB answers by reading the
     * whole archive.
     */
    async latest(
      filter: DashboardFilter,
      page: number,
      size: number,
      now: Date,
    ): Promise<{ total: number; page: number; size: number; items: TicketRow[] }> {
      const q = ticketMatch(filter);
      const upTo = page * size;
      const dept = filter.department;
      const firstDay = filter.fromDay ?? EARLIEST_DAY;
      const lastDay = filter.toDay ?? zonedDay(now, timeZone);
      // The counters count whole days: a filter by other times (no day given) needs every match found.
      const byDays = (!filter.from || filter.fromDay) && (!filter.to || filter.toDay);
      const walked = walk ? await walk(filter, upTo) : undefined;
      if (walked && (walked.complete || byDays)) {
        const total = walked.complete ? walked.rows.length : await filedTotal(firstDay, lastDay, dept, now);
        return { total, page, size, items: walked.rows.slice((page - 1) * size).map((d) => ticketRow(d)) };
      }
      const live = await history.Ticket.find(q, projectionOf(ROW_FIELDS))
        .sort({ createdAt: -1, ref: -1 })
        .limit(upTo)
        .lean<Array<Pick<TicketShape, (typeof ROW_FIELDS)[number]>>>();
      // The oldest day this page can reach: an archived ticket of that day or later could belong on it.
      const oldest = live.length === upTo ? zonedDay(live.at(-1)!.createdAt, timeZone) : firstDay;
      const fromDay = oldest > firstDay ? oldest : firstDay;
      const [filed, liveSince] = await Promise.all([
        deps.figures.breakdown(fromDay, lastDay, dept),
        history.Ticket.countDocuments({
          ...q,
          createdAt: { $gte: dayRange(fromDay, timeZone).start, ...(filter.to ? { $lt: filter.to } : {}) },
        }),
      ]);
      if (filed.total === liveSince) {
        const total =
          fromDay === firstDay ? filed.total : (await deps.figures.breakdown(firstDay, lastDay, dept)).total;
        return { total, page, size, items: live.slice((page - 1) * size).map((d) => ticketRow(d)) };
      }
      const [all, archived] = await Promise.all(
        [history.Ticket, history.TicketArchive].map((m) =>
          m
            .find(q, projectionOf(ROW_FIELDS))
            .sort({ createdAt: -1, ref: -1 })
            .limit(upTo)
            .lean<Array<Pick<TicketShape, (typeof ROW_FIELDS)[number]>>>(),
        ),
      );
      const docs = [...all!, ...archived!].sort(newestFirst).slice((page - 1) * size, upTo);
      const counted = all!.length + archived!.length;
      const total =
        all!.length < upTo && archived!.length < upTo
          ? counted
          : (await history.Ticket.countDocuments(q)) + (await history.TicketArchive.countDocuments(q));
      return { total, page, size, items: docs.map((d) => ticketRow(d)) };
    },

    /** One ticket with its history, staff shown by name; undefined when there is no such ticket. */
    async ticket(ref: string, now: Date): Promise<TicketDetail | undefined> {
      const doc =
        (await Ticket.findOne({ _id: ref }, projectionOf(DETAIL_FIELDS)).lean<
          Pick<TicketShape, (typeof DETAIL_FIELDS)[number]>
        >()) ??
        (await TicketArchive.findOne({ _id: ref }, projectionOf(DETAIL_FIELDS)).lean<
          Pick<TicketShape, (typeof DETAIL_FIELDS)[number]>
        >());
      if (!doc) return undefined;
      const names = await this.staffNames(staffIdsOf(doc));
      return ticketDetail(doc, now, (OPEN_STATUSES as readonly string[]).includes(doc.status), names);
    },

    /** Names of staff members by id (unknown ids are left out). */
    async staffNames(ids?: readonly string[]): Promise<Map<string, string>> {
      if (ids && ids.length === 0) return new Map();
      const docs = await Staff.find(ids ? { _id: { $in: [...ids] } } : {}, { _id: 1, name: 1 }).lean();
      return new Map(docs.map((d) => [d._id, d.name]));
    },

    /** The filtered tickets for export, live and archived, oldest first, streamed in batches over the history connection. */
    exportCursor(filter: DashboardFilter): AsyncIterable<ExportSource> {
      return ticketsByCreation<ExportSource>(history, ticketMatch(filter), projectionOf(EXPORT_FIELDS));
    },

    /** Departments with their names in both languages, by code. */
    async departments(): Promise<Array<{ code: string; name: { hi: string; en: string } }>> {
      const docs = await Department.find({}, { _id: 0, code: 1, name: 1 }).sort({ code: 1 }).lean();
      return docs.map((d) => ({ code: d.code, name: { hi: d.name.hi, en: d.name.en } }));
    },

    /** The role of an active staff member (one read by `_id`); undefined when revoked or unknown. */
    async activeRole(staffId: string): Promise<StaffRole | undefined> {
      const doc = await Staff.findOne({ _id: staffId, active: true }, { role: 1 }).lean();
      return doc?.role;
    },

    /** The stored name of a staff member, if any. */
    async staffName(staffId: string): Promise<string | undefined> {
      return (await Staff.findOne({ _id: staffId }, { name: 1 }).lean())?.name;
    },
  };
}

export type DashboardQueries = ReturnType<typeof createDashboardQueries>;
