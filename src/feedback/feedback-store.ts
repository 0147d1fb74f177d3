import type { Ticket } from '../domain/ticket';
import type { Models, TicketDoc } from '../storage/models';
import type { HistoryModels } from '../storage/history-models';

/** Ratings of one department, for /stats. */
export interface DepartmentRatings {
  department: string;
  /** Tickets rated. */
  count: number;
  /** Mean rating, 1–5, rounded to one decimal. */
  average: number;
  /** How many said their problem was solved. */
  satisfied: number;
  /** Tickets per rating; index 0 is one star. */
  distribution: [number, number, number, number, number];
}

/** The ticket queries feedback needs. */
export interface FeedbackStore {
  /** Tickets still resolved (no answer to the feedback question) since at least `resolvedBefore`, oldest first. */
  unansweredResolved(resolvedBefore: Date, limit: number): Promise<Ticket[]>;
  /** Each department's ratings (the latest rating of each ticket), optionally only those given since `since`. */
  ratingsByDepartment(since?: Date): Promise<DepartmentRatings[]>;
}

/** The store over the Ticket model; the aggregation uses only `$match` and `$group` with `$sum` (FerretDB). */
export function createFeedbackStore(
  models: Pick<Models, 'Ticket' | 'TicketArchive'>,
  /** Reads that look at every live ticket go here (the history connection), not to the citizens' one. */
  history: HistoryModels = models,
): FeedbackStore {
  const { Ticket, TicketArchive } = history;
  return {
    async unansweredResolved(resolvedBefore, limit) {
      return Ticket.find({ status: 'resolved', resolvedAt: { $lte: resolvedBefore } })
        .sort({ resolvedAt: 1 })
        .limit(limit)
        .lean<TicketDoc[]>()
        .exec();
    },
    async ratingsByDepartment(since) {
      const match: Record<string, unknown> = { feedback: { $exists: true } };
      if (since) match[`feedback.at`] = { $gte: since };
      // Rated tickets may be live or archived.
      const rows = (
        await Promise.all(
          [Ticket, TicketArchive].map((m) =>
            m
              .aggregate<{ _id: { department: string; rating: number; satisfied: boolean }; n: number }>([
                { $match: match },
                {
                  $group: {
                    _id: { department: '$department', rating: '$feedback.rating', satisfied: '$feedback.satisfied' },
                    n: { $sum: 1 },
                  },
                },
              ])
              .exec(),
          ),
        )
      ).flat();
      const byDept = new Map<string, DepartmentRatings & { total: number }>();
      for (const { _id, n } of rows) {
        const d = byDept.get(_id.department) ?? {
          department: _id.department,
          count: 0,
          average: 0,
          satisfied: 0,
          distribution: [0, 0, 0, 0, 0],
          total: 0,
        };
        d.count += n;
        d.total += n * _id.rating;
        if (_id.satisfied) d.satisfied += n;
        const star = _id.rating - 1;
        if (star >= 0 && star < 5) d.distribution[star] = (d.distribution[star] ?? 0) + n;
        byDept.set(_id.department, d);
      }
      return [...byDept.values()]
        .map(({ total, ...d }) => ({ ...d, average: d.count ? Math.round((total / d.count) * 10) / 10 : 0 }))
        .sort((a, b) => a.department.localeCompare(b.department));
    },
  };
}
