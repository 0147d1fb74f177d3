import { AppError } from '../errors';
import type { Actor, HistoryEntry, TicketStatus } from './ticket';

/** What can happen to a ticket. */
export type TicketAction =
  | { type: 'assign'; department: string; officerId?: string }
  | { type: 'acknowledge' }
  | { type: 'ask'; text: string }
  | { type: 'citizen_reply'; text: string }
  | { type: 'update'; text: string }
  | { type: 'resolve'; text: string }
  | { type: 'transfer'; department: string; text: string; officerId?: string };

/** Statuses in which a ticket is still being worked. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'assigned', 'acknowledged', 'in_progress', 'reopened'];

export function isOpen(status: TicketStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** A transition the rules do not allow, e.g. acting on a resolved ticket. */
export class InvalidTransitionError extends AppError {
  constructor(
    readonly from: TicketStatus,
    readonly action: TicketAction['type'],
  ) {
    super('INVALID_TRANSITION', `cannot ${action} a ticket that is ${from}`);
    this.name = 'InvalidTransitionError';
  }
}

/**
 * The next status and the history line for an action: the ticket's small
 * state machine. Pure; the caller writes both in one conditional update.
 */
export function applyAction(
  from: TicketStatus,
  action: TicketAction,
  by: Actor,
  at: Date,
): { to: TicketStatus; entry: HistoryEntry } {
  if (!isOpen(from)) throw new InvalidTransitionError(from, action.type);
  let to: TicketStatus = from;
  switch (action.type) {
    case 'assign':
      to = action.officerId ? 'assigned' : from === 'reopened' ? 'reopened' : 'new';
      break;
    case 'acknowledge':
      if (from === 'acknowledged' || from === 'in_progress') throw new InvalidTransitionError(from, action.type);
      to = 'acknowledged';
      break;
    case 'ask':
    case 'update':
      to = 'in_progress';
      break;
    case 'citizen_reply':
      break;
    case 'resolve':
      to = 'resolved';
      break;
    case 'transfer':
      to = action.officerId ? 'assigned' : 'new';
      break;
  }
  const entry: HistoryEntry = { at, by, action: action.type, from, to };
  if ('text' in action && action.text) entry.text = action.text;
  if (action.type === 'assign' || action.type === 'transfer') {
    entry.department = action.department;
    if (action.officerId) entry.officerId = action.officerId;
  }
  return { to, entry };
}
