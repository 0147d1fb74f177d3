import type { Ticket } from '../domain/ticket';
import type { Models, TicketDoc } from '../storage/models';
import type { HistoryModels } from '../storage/history-models';

/** The ticket queries feedback needs. */
export interface FeedbackStore {
  /** Tickets still resolved (no answer to the feedback question) since at least `resolvedBefore`, oldest first. */
  unansweredResolved(resolvedBefore: Date, limit: number): Promise<Ticket[]>;
}

/** The store over the Ticket model. */
export function createFeedbackStore(
  models: Pick<Models, 'Ticket' | 'TicketArchive'>,
  /** Reads that look at every live ticket go here (the history connection), not to the citizens' one. */
  history: HistoryModels = models,
): FeedbackStore {
  const { Ticket } = history;
  return {
    async unansweredResolved(resolvedBefore, limit) {
      return Ticket.find({ status: 'resolved', resolvedAt: { $lte: resolvedBefore } })
        .sort({ resolvedAt: 1 })
        .limit(limit)
        .lean<TicketDoc[]>()
        .exec();
    },
  };
}
