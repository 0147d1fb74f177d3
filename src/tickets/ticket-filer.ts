import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Attachment, ChannelName } from '../core/messages';
import type { Category } from '../domain/catalog';
import type { Actor, IntakeChannel, Ticket } from '../domain/ticket';
import type { Language } from '../i18n/create-i18n';
import type { TicketStore } from '../storage/ticket-store';

const HOUR_MS = 3_600_000;

/** Everything a new complaint needs, from whichever door it came in by. */
export interface NewComplaint {
  /** Makes a retried filing (a redelivered message) create nothing new. */
  idempotencyKey: string;
  category: Category;
  citizenId: string;
  /** Where the citizen is answered. */
  channel: ChannelName;
  chatId: string;
  language: Language;
  intake: IntakeChannel;
  createdBy: Actor;
  description: string;
  block?: string;
  locality?: string;
  location?: { lat: number; lon: number };
  attachments?: Attachment[];
  phone?: string;
  loggedBy?: string;
  /** How a telephone caller hears back (tickets logged by an operator). */
  replyVia?: Ticket['replyVia'];
  /** A note on the first history line (the telephone line, "from counselling"). */
  note?: string;
}

export interface TicketFilerDeps {
  tickets: TicketStore;
  clock: Clock;
  logger: Logger;
  districtCode: string;
}

/**
 * The one way a ticket comes into being: deadlines from the category, the
 * first history line, and "route pending" until routing (src/tickets/ticket-intake.ts)
 * has assigned it in the same write as its notices.
 */
export function createTicketFiler(deps: TicketFilerDeps) {
  return async function file(c: NewComplaint): Promise<{ ticket: Ticket; created: boolean }> {
    const now = deps.clock.now();
    const { ticket, created } = await deps.tickets.create({
      idempotencyKey: c.idempotencyKey,
      district: deps.districtCode,
      citizenId: c.citizenId,
      channel: c.channel,
      chatId: c.chatId,
      language: c.language,
      category: c.category.id,
      department: c.category.department,
      ...(c.block ? { block: c.block } : {}),
      ...(c.locality ? { locality: c.locality } : {}),
      ...(c.location ? { location: c.location } : {}),
      description: c.description,
      attachments: c.attachments ?? [],
      ...(c.phone ? { phone: c.phone } : {}),
      status: 'new',
      ackDueAt: new Date(now.getTime() + c.category.sla.acknowledgeHours * HOUR_MS),
      resolveDueAt: new Date(now.getTime() + c.category.sla.resolveHours * HOUR_MS),
      createdAt: now,
      updatedAt: now,
      history: [{ at: now, by: c.createdBy, action: 'created', to: 'new', ...(c.note ? { text: c.note } : {}) }],
      intake: c.intake,
      ...(c.loggedBy ? { loggedBy: c.loggedBy } : {}),
      ...(c.replyVia ? { replyVia: c.replyVia } : {}),
      level: 1,
      reopenCount: 0,
      routePending: true,
    });
    deps.logger.info(
      { event: 'ticket_created', ref: ticket.ref, category: ticket.category, intake: ticket.intake, created },
      'ticket created',
    );
    return { ticket, created };
  };
}

export type TicketFiler = ReturnType<typeof createTicketFiler>;
