import { AppError } from '../errors';
import type { Actor, HistoryEntry, Ticket, TicketStatus } from './ticket';

/**
 * What can happen to a ticket after it is resolved: the part of the state
 * machine that `applyAction` (open tickets only) does not cover.
 * - `close`: the citizen is satisfied (resolved → closed);
 * - `close_no_feedback`: no answer within the feedback window (resolved → closed);
 * - `feedback`: a late rating of a ticket already closed without one (closed → closed);
 * - `reopen`: the problem is not solved (resolved or closed → reopened).
 */
export type ClosureAction =
  | { type: 'close'; rating?: number }
  | { type: 'close_no_feedback' }
  | { type: 'feedback'; rating: number }
  | { type: 'reopen'; rating?: number; text?: string };

/** The statuses each closure action starts from. */
export const CLOSURE_TRANSITIONS: Readonly<
  Record<ClosureAction['type'], { from: readonly TicketStatus[]; to: TicketStatus }>
> = {
  close: { from: ['resolved'], to: 'closed' },
  close_no_feedback: { from: ['resolved'], to: 'closed' },
  feedback: { from: ['closed'], to: 'closed' },
  reopen: { from: ['resolved', 'closed'], to: 'reopened' },
};

/** A closure action on a ticket in a status it does not start from. */
export class InvalidClosureError extends AppError {
  constructor(
    readonly from: TicketStatus,
    readonly action: ClosureAction['type'],
  ) {
    super('INVALID_TRANSITION', `cannot ${action} a ticket that is ${from}`);
    this.name = 'InvalidClosureError';
  }
}

/** Whether a rating is one of the five stars. */
export function isRating(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 5;
}

/**
 * The next status and the history line for a closure action. Pure; the
 * caller writes both in one conditional update. A rating appears in the
 * history line as `n/5`, language-neutral.
 */
export function applyClosure(
  from: TicketStatus,
  action: ClosureAction,
  by: Actor,
  at: Date,
): { to: TicketStatus; entry: HistoryEntry } {
  const rule = CLOSURE_TRANSITIONS[action.type];
  if (!rule.from.includes(from)) throw new InvalidClosureError(from, action.type);
  const entry: HistoryEntry = { at, by, action: action.type, from, to: rule.to };
  const rating = 'rating' in action ? action.rating : undefined;
  const words = [rating !== undefined ? `${rating}/5` : '', action.type === 'reopen' ? (action.text ?? '') : '']
    .filter(Boolean)
    .join(' · ');
  if (words) entry.text = words;
  return { to: rule.to, entry };
}

/**
 * Whether the citizen may still reopen: any time while resolved, and within
 * `windowMs` of the closure once closed.
 */
export function reopenAllowed(
  ticket: Pick<Ticket, 'status'> & Partial<Pick<Ticket, 'closedAt'>>,
  now: Date,
  windowMs: number,
): boolean {
  if (ticket.status === 'resolved') return true;
  if (ticket.status !== 'closed' || !ticket.closedAt) return false;
  return now.getTime() <= ticket.closedAt.getTime() + windowMs;
}

/**
 * Whether the latest resolution already has the citizen's answer: a
 * satisfied closure or a late rating after the last `resolve` line. Decided
 * by the order of the history, which is only ever appended to, not by
 * timestamps (which can tie).
 */
export function feedbackGiven(ticket: Pick<Ticket, 'history'>): boolean {
  for (let i = ticket.history.length - 1; i >= 0; i--) {
    const action = ticket.history[i]?.action;
    if (action === 'close' || action === 'feedback') return true;
    if (action === 'resolve') return false;
  }
  return false;
}
