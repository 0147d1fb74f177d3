import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Ticket } from '../domain/ticket';
import { safeError } from '../logger';
import type { TicketStore } from '../storage/ticket-store';
import type { NewComplaint, TicketFiler } from './ticket-filer';

/** Most unrouted tickets one recovery run routes; the next run takes the rest. */
const DEFAULT_BATCH = 200;

export interface TicketIntakeDeps {
  file: TicketFiler;
  /** Routing (department, officer, card, citizen's notice) of a filed ticket; see TicketService.route. */
  route: (ticket: Ticket) => Promise<Ticket>;
  tickets: Pick<TicketStore, 'unrouted'>;
  clock: Clock;
  logger: Logger;
  /** Runs once per newly created ticket (metrics). */
  onCreated?: (ticket: Ticket) => void;
  batchSize?: number;
}

/**
 * A complaint becomes a routed ticket: filed (once per idempotency key),
 * then routed. A ticket is filed as "route pending" and routing clears that
 * in the same write that assigns it and records its notices; so when routing
 * fails or the process dies in between, the ticket is not lost to the queue:
 * a repeated filing routes it, and so does {@link TicketIntake.routePending},
 * run by the recovery pass.
 */
export function createTicketIntake(deps: TicketIntakeDeps) {
  const batch = deps.batchSize ?? DEFAULT_BATCH;

  async function route(ticket: Ticket): Promise<Ticket> {
    try {
      return await deps.route(ticket);
    } catch (err) {
      // The ticket is safely filed; the citizen gets their reference, and the recovery pass routes it.
      deps.logger.warn(
        { event: 'routing_deferred', ref: ticket.ref, error: safeError(err) },
        'routing failed; the recovery pass will route the ticket',
      );
      return ticket;
    }
  }

  return {
    /** File a complaint and route it; a repeated filing (same idempotency key) returns the first ticket, routed. */
    async file(c: NewComplaint): Promise<{ ticket: Ticket; created: boolean }> {
      const { ticket, created } = await deps.file(c);
      if (created) deps.onCreated?.(ticket);
      return { ticket: ticket.routePending ? await route(ticket) : ticket, created };
    },

    /**
     * Route tickets filed at least `graceMs` ago and still unrouted (a crash or
     * a failure after filing). The grace keeps a routing in progress elsewhere
     * from being done twice.
     */
    async routePending(graceMs: number): Promise<{ routed: string[]; failed: string[] }> {
      const due = await deps.tickets.unrouted(new Date(deps.clock.now().getTime() - graceMs), batch);
      const routed: string[] = [];
      const failed: string[] = [];
      for (const ticket of due) {
        try {
          const after = await deps.route(ticket);
          if (!after.routePending) routed.push(ticket.ref);
        } catch (err) {
          failed.push(ticket.ref);
          deps.logger.error(
            { event: 'routing_failed', ref: ticket.ref, error: safeError(err) },
            'could not route a ticket',
          );
        }
      }
      if (routed.length > 0)
        deps.logger.info({ event: 'tickets_recovered', routed: routed.length }, 'unrouted tickets routed');
      return { routed, failed };
    },
  };
}

export type TicketIntake = ReturnType<typeof createTicketIntake>;
