import type { Ticket } from '../domain/ticket';
import { OPEN_STATUSES } from '../domain/ticket-lifecycle';

/**
 * A ticket is overdue while it is open and past a deadline: not acknowledged
 * by its acknowledgement deadline, or not resolved by its resolution deadline.
 * The one definition for /overdue, the reports, the hand-over and the dashboard.
 */
export function isOverdue(
  t: Pick<Ticket, 'status' | 'ackDueAt' | 'resolveDueAt' | 'acknowledgedAt'>,
  now: Date,
): boolean {
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
