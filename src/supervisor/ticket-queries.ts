import type { IntakeChannel, Ticket, TicketStatus } from '../domain/ticket';
import { OPEN_STATUSES } from '../domain/ticket-lifecycle';
import type { Models } from '../storage/models';
import { ticketsByCreation, type HistoryModels } from '../storage/history-models';

/**
 * A ticket is overdue while it is open and past a deadline: not acknowledged
 * by its acknowledgement deadline, or not resolved by its resolution deadline.
 */
export function isOverdue(t: Pick<Ticket, 'status' | 'ackDueAt' | 'resolveDueAt' | 'acknowledgedAt'>, now: Date): boolean {
  if (!OPEN_STATUSES.includes(t.status)) return false;
  if (t.resolveDueAt.getTime() < now.getTime()) return true;
  return !t.acknowledgedAt && t.ackDueAt.getTime() < now.getTime();
}

/** The database filter matching exactly the tickets {@link isOverdue} accepts. */
export function overdueFilter(now: Date): Record<string, unknown> {
  return {
    status: { $in: [...OPEN_STATUSES] },
    $or: [{ resolveDueAt: { $lt: now } }, { acknowledgedAt: { $exists: false }, ackDueAt: { $lt: now } }],
  };
}

/** How many tickets fell in each value of each field. */
export interface Breakdown {
  total: number;
  status: Map<string, number>;
  category: Map<string, number>;
  department: Map<string, number>;
  intake: Map<string, number>;
}

/** A ticket's fields that reports and hand-overs count with. */
export type ActivityRow = Pick<Ticket, 'ref' | 'department' | 'intake' | 'status' | 'createdAt' | 'acknowledgedAt' | 'firstAcknowledgedAt' | 'resolvedAt' | 'feedback'>;

/** What a supervisor searches for with /find. */
export type FindQuery = { kind: 'ref'; ref: string } | { kind: 'phone'; digits: string } | { kind: 'text'; text: string };

/** One page of a longer list, and how long the list is. */
export interface Page<T> {
  total: number;
  items: T[];
}

/** Per department: open tickets and, of those, overdue ones. */
export type DepartmentLoad = Map<string, { open: number; overdue: number }>;

/** The read-only questions supervisors, reports and hand-overs ask of the tickets. */
export interface TicketQueries {
  /** Tickets created in [start, end), counted by status, category, department and intake channel (one aggregation). */
  createdBreakdown(start: Date, end: Date): Promise<Breakdown>;
  /** Open and overdue tickets per department at `now` (two aggregations). */
  departmentLoad(now: Date): Promise<DepartmentLoad>;
  /** Tickets created, acknowledged, resolved or rated in [start, end), with only the fields counted (one query). */
  activity(start: Date, end: Date): Promise<ActivityRow[]>;
  /** Open tickets, oldest first, of one department or all. */
  pending(department: string | undefined, skip: number, limit: number): Promise<Page<Ticket>>;
  /** Overdue tickets at `now`, oldest first. */
  overdue(now: Date, skip: number, limit: number): Promise<Page<Ticket>>;
  /** Tickets matching a reference, a phone number or words, newest first. */
  find(query: FindQuery, skip: number, limit: number): Promise<Page<Ticket>>;
  /** Tickets created in [start, end), oldest first, at most `limit`. */
  createdBetween(start: Date, end: Date, limit: number): Promise<Ticket[]>;
  countCreated(start: Date, end: Date): Promise<number>;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function findFilter(q: FindQuery): Record<string, unknown> {
  switch (q.kind) {
    case 'ref':
      return { ref: q.ref };
    case 'phone':
      // Numbers are stored in E.164 (+91…); the last ten digits identify an Indian mobile.
      return { phone: { $regex: q.digits.length >= 10 ? `${q.digits.slice(-10)}$` : q.digits } };
    case 'text': {
      const re = { $regex: escapeRegex(q.text), $options: 'i' };
      return { $or: [{ description: re }, { locality: re }, { ref: re }] };
    }
  }
}

/**
 * Queries over the tickets. Open work (pending, overdue, load) and recent
 * activity read only the live collection: a ticket is archived only once it
 * has been closed longer than its reopening window (7 days), so the live
 * collection holds every ticket touched in the last week. Searches and
 * exports over any dates read the archive too, over `history` (the history
 * connection's models, so a long search never queues in front of citizens;
 * the main models when there is no such connection).
 */
export function createTicketQueries(models: Pick<Models, 'Ticket' | 'TicketArchive'>, history: HistoryModels = models): TicketQueries {
  const { Ticket: T, TicketArchive: A } = models;
  const open = { status: { $in: [...OPEN_STATUSES] } };
  const byCreated = (dir: 1 | -1) => (a: Ticket, b: Ticket) => dir * (a.createdAt.getTime() - b.createdAt.getTime()) || dir * a.ref.localeCompare(b.ref);

  async function page(filter: Record<string, unknown>, sort: Record<string, 1 | -1>, skip: number, limit: number): Promise<Page<Ticket>> {
    const [total, items] = await Promise.all([
      T.countDocuments(filter).exec(),
      T.find(filter).sort(sort).skip(skip).limit(limit).lean<Ticket[]>().exec(),
    ]);
    return { total, items };
  }

  /** A page over live and archived tickets together, by creation time. */
  async function pageBoth(filter: Record<string, unknown>, dir: 1 | -1, skip: number, limit: number): Promise<Page<Ticket>> {
    const [live, archived] = await Promise.all(
      [history.Ticket, history.TicketArchive].map(async (m) => ({
        total: await m.countDocuments(filter).exec(),
        items: await m.find(filter).sort({ createdAt: dir, ref: dir }).limit(skip + limit).lean<Ticket[]>().exec(),
      })),
    );
    const items = [...live!.items, ...archived!.items].sort(byCreated(dir)).slice(skip, skip + limit);
    return { total: live!.total + archived!.total, items };
  }

  return {
    async createdBreakdown(start, end) {
      const rows = (
        await Promise.all(
          [T, A].map((m) =>
            m
              .aggregate<{ _id: { status?: TicketStatus; category?: string; department?: string; intake?: IntakeChannel }; n: number }>([
                { $match: { createdAt: { $gte: start, $lt: end } } },
                { $group: { _id: { status: '$status', category: '$category', department: '$department', intake: '$intake' }, n: { $sum: 1 } } },
              ])
              .exec(),
          ),
        )
      ).flat();
      const b: Breakdown = { total: 0, status: new Map(), category: new Map(), department: new Map(), intake: new Map() };
      const add = (m: Map<string, number>, k: string | undefined, n: number) => m.set(k ?? '', (m.get(k ?? '') ?? 0) + n);
      for (const r of rows) {
        b.total += r.n;
        add(b.status, r._id.status, r.n);
        add(b.category, r._id.category, r.n);
        add(b.department, r._id.department, r.n);
        add(b.intake, r._id.intake, r.n);
      }
      return b;
    },

    async departmentLoad(now) {
      const byDept = (match: Record<string, unknown>) =>
        T.aggregate<{ _id: string; n: number }>([{ $match: match }, { $group: { _id: '$department', n: { $sum: 1 } } }]).exec();
      const [openRows, overdueRows] = await Promise.all([byDept(open), byDept(overdueFilter(now))]);
      const load: DepartmentLoad = new Map();
      for (const r of openRows) load.set(r._id, { open: r.n, overdue: 0 });
      for (const r of overdueRows) load.set(r._id, { open: load.get(r._id)?.open ?? r.n, overdue: r.n });
      return load;
    },

    async activity(start, end) {
      const inRange = { $gte: start, $lt: end };
      return T.find(
        { $or: [{ createdAt: inRange }, { acknowledgedAt: inRange }, { firstAcknowledgedAt: inRange }, { resolvedAt: inRange }, { 'feedback.at': inRange }] },
        { _id: 0, ref: 1, department: 1, intake: 1, status: 1, createdAt: 1, acknowledgedAt: 1, firstAcknowledgedAt: 1, resolvedAt: 1, feedback: 1 },
      )
        .lean<ActivityRow[]>()
        .exec();
    },

    pending(department, skip, limit) {
      return page({ ...open, ...(department ? { department } : {}) }, { createdAt: 1 }, skip, limit);
    },

    overdue(now, skip, limit) {
      return page(overdueFilter(now), { createdAt: 1 }, skip, limit);
    },

    find(query, skip, limit) {
      return pageBoth(findFilter(query), -1, skip, limit);
    },

    async createdBetween(start, end, limit) {
      // Streamed, and stopped at the limit: never more than `limit` tickets in memory.
      const out: Ticket[] = [];
      if (limit < 1) return out;
      for await (const tk of ticketsByCreation<Ticket>(history, { createdAt: { $gte: start, $lt: end } })) {
        out.push(tk);
        if (out.length >= limit) break;
      }
      return out;
    },

    async countCreated(start, end) {
      const filter = { createdAt: { $gte: start, $lt: end } };
      const [live, archived] = await Promise.all([history.Ticket.countDocuments(filter).exec(), history.TicketArchive.countDocuments(filter).exec()]);
      return live + archived;
    },
  };
}
