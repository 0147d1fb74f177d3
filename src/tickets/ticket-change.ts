import type { Ticket } from '../domain/ticket';
import type { TicketChange } from '../storage/ticket-store';

/**
 * The ticket as it will be once `change` is written. The notices a change
 * owes are rendered from this before the write, so that they can be written
 * in the same document update as the change itself.
 */
export function afterChange(ticket: Ticket, change: Omit<TicketChange, 'owed'>): Ticket {
  const entries = Array.isArray(change.entry) ? change.entry : [change.entry];
  const next: Ticket = {
    ...ticket,
    ...(change.set ?? {}),
    status: change.status,
    history: [...ticket.history, ...entries],
    updatedAt: entries.at(-1)?.at ?? ticket.updatedAt,
  };
  for (const key of change.unset ?? []) delete next[key];
  return next;
}
