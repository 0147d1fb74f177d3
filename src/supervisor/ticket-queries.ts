import type { Ticket } from '../domain/ticket';
import { OPEN_STATUSES } from '../domain/ticket-lifecycle';
import type { Models } from '../storage/models';
import { isOverdue, overdueFilter } from '../reports/overdue';
import { ticketsByCreation, type HistoryModels } from '../storage/history-models';
import type { OpenWorkView } from '../storage/open-work-store';
import { oldestFirst, type OpenTicket } from '../domain/open-work';

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
  /** Open and overdue tickets per department at `now` (from the open-work read model). */
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
  /** The open-work read model: open work is read from it, by `_id` only; without it (or before it is built) from the tickets. */
  openWork?: OpenWorkView,
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

  /**
   * A page of open work from the read model: `list` filtered and sorted
   * there, then only the page's tickets read, each by `_id`. A ticket that
   * changed since its entry was written (another instance's change, relayed
   * within a minute) and no longer passes `still` is left off the page.
   */
  async function pageOfOpen(
    list: OpenTicket[],
    still: (t: Ticket) => boolean,
    skip: number,
    limit: number,
  ): Promise<Page<Ticket>> {
    list.sort(oldestFirst);
    const items: Ticket[] = [];
    for (const { ref } of list.slice(skip, skip + limit)) {
      const t = await T.findOne({ _id: ref }).lean<Ticket>().exec();
      if (t && still(t)) items.push(t);
    }
    return { total: list.length, items };
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
      const current = await openWork?.current();
      if (current) {
        const load: DepartmentLoad = new Map();
        for (const t of current) {
          const d = load.get(t.department) ?? { open: 0, overdue: 0 };
          d.open++;
          if (isOverdue(t, now)) d.overdue++;
          load.set(t.department, d);
        }
        return load;
      }
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

    async pending(department, skip, limit) {
      const current = await openWork?.current();
      if (current) {
        const list = department ? current.filter((t) => t.department === department) : current;
        const still = (t: Ticket) => OPEN_STATUSES.includes(t.status) && (!department || t.department === department);
        return pageOfOpen(list, still, skip, limit);
      }
      return page({ ...open, ...(department ? { department } : {}) }, { createdAt: 1 }, skip, limit);
    },

    async overdue(now, skip, limit) {
      const current = await openWork?.current();
      if (current) {
        const still = (t: Ticket) => isOverdue(t, now);
        return pageOfOpen(
          current.filter((t) => isOverdue(t, now)),
          still,
          skip,
          limit,
        );
      }
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
