import type { Ticket } from '../domain/ticket';
import { OPEN_STATUSES } from '../domain/ticket-lifecycle';
import type { Models } from '../storage/models';
import { overdueFilter } from '../reports/overdue';
import { ticketsByCreation, type HistoryModels } from '../storage/history-models';

// The one overdue definition lives in the reporting module.
export { isOverdue, overdueFilter } from '../reports/overdue';

/** A ticket's fields that reports and hand-overs count with. */
export type ActivityRow = Pick<
  Ticket,
  | 'ref'
  | 'department'
  | 'intake'
  | 'status'
  | 'createdAt'
  | 'acknowledgedAt'
  | 'firstAcknowledgedAt'
  | 'resolvedAt'
  | 'feedback'
>;

/** What a supervisor searches for with /find. */
export type FindQuery =
  { kind: 'ref'; ref: string } | { kind: 'phone'; digits: string } | { kind: 'text'; text: string };

/** One page of a longer list, and how long the list is. */
export interface Page<T> {
  total: number;
  items: T[];
}

/** Per department: open tickets and, of those, overdue ones. */
export type DepartmentLoad = Map<string, { open: number; overdue: number }>;

/** The read-only questions supervisors, reports and hand-overs ask of the tickets. */
export interface TicketQueries {
  /** Open and overdue tickets per department at `now` (two aggregations). */
  departmentLoad(now: Date): Promise<DepartmentLoad>;
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
 * activity read only the live collection (over `history` as well, so a
 * read of every live ticket never holds up the citizens' commands): a ticket is archived only once it
 * has been closed longer than its reopening window (7 days), so the live
 * collection holds every ticket touched in the last week. Searches and
 * exports over any dates read the archive too, over `history` (the history
 * connection's models, so a long search never queues in front of citizens;
 * the main models when there is no such connection).
 */
export function createTicketQueries(
  models: Pick<Models, 'Ticket' | 'TicketArchive'>,
  history: HistoryModels = models,
): TicketQueries {
  // Open work is read over the history connection too: on FerretDB every such read decodes each live ticket
  // (seconds at a district's size), and on the main connection, which FerretDB gets one of, every citizen would wait.
  const T = history.Ticket;
  const open = { status: { $in: [...OPEN_STATUSES] } };
  const byCreated = (dir: 1 | -1) => (a: Ticket, b: Ticket) =>
    dir * (a.createdAt.getTime() - b.createdAt.getTime()) || dir * a.ref.localeCompare(b.ref);

  async function page(
    filter: Record<string, unknown>,
    sort: Record<string, 1 | -1>,
    skip: number,
    limit: number,
  ): Promise<Page<Ticket>> {
    const [total, items] = await Promise.all([
      T.countDocuments(filter).exec(),
      T.find(filter).sort(sort).skip(skip).limit(limit).lean<Ticket[]>().exec(),
    ]);
    return { total, items };
  }

  /** A page over live and archived tickets together, by creation time. */
  async function pageBoth(
    filter: Record<string, unknown>,
    dir: 1 | -1,
    skip: number,
    limit: number,
  ): Promise<Page<Ticket>> {
    const [live, archived] = await Promise.all(
      [history.Ticket, history.TicketArchive].map(async (m) => ({
        total: await m.countDocuments(filter).exec(),
        items: await m
          .find(filter)
          .sort({ createdAt: dir, ref: dir })
          .limit(skip + limit)
          .lean<Ticket[]>()
          .exec(),
      })),
    );
    const items = [...live!.items, ...archived!.items].sort(byCreated(dir)).slice(skip, skip + limit);
    return { total: live!.total + archived!.total, items };
  }

  return {
    async departmentLoad(now) {
      const byDept = (match: Record<string, unknown>) =>
        T.aggregate<{ _id: string; n: number }>([
          { $match: match },
          { $group: { _id: '$department', n: { $sum: 1 } } },
        ]).exec();
      const [openRows, overdueRows] = await Promise.all([byDept(open), byDept(overdueFilter(now))]);
      const load: DepartmentLoad = new Map();
      for (const r of openRows) load.set(r._id, { open: r.n, overdue: 0 });
      for (const r of overdueRows) load.set(r._id, { open: load.get(r._id)?.open ?? r.n, overdue: r.n });
      return load;
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
      const [live, archived] = await Promise.all([
        history.Ticket.countDocuments(filter).exec(),
        history.TicketArchive.countDocuments(filter).exec(),
      ]);
      return live + archived;
    },
  };
}
