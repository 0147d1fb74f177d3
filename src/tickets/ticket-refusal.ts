import type { Reply } from '../core/messages';
import type { TicketStatus } from '../domain/ticket';

/** Reasons every staff action on a ticket can be refused for. */
export type TicketRefusal = 'not_found' | 'forbidden' | 'closed' | 'conflict';

/** The polite answer to a refused staff action on ticket `ref`. */
export function ticketRefusalReply(reason: TicketRefusal, ref: string, status?: TicketStatus): Reply {
  switch (reason) {
    case 'not_found':
      return { text: { key: 'staff.ticket_not_found', params: { ref } } };
    case 'forbidden':
      return { text: { key: 'staff.forbidden_ticket', params: { ref } } };
    case 'closed':
      return {
        text: { key: 'staff.ticket_closed', params: { ref, status: { key: `ticket.status.${status ?? 'closed'}` } } },
      };
    case 'conflict':
      return { text: { key: 'staff.conflict', params: { ref } } };
  }
}
