import type { Logger } from 'pino';
import { safeError } from '../logger';
import type { Notifier, OwedNotices } from '../core/outbound';
import type { TicketStore } from '../storage/ticket-store';

/** Most tickets one relay run looks at; the next run takes the rest. */
const DEFAULT_BATCH = 200;

export interface NoticeRelayDeps {
  tickets: Pick<TicketStore, 'owing' | 'settleOwed'>;
  notifier: Notifier;
  logger: Logger;
  batchSize?: number;
}

/**
 * Moves the notices a ticket change owes (written with the change, see
 * {@link OwedNotices}) into the outbox, then takes them off the ticket. Both
 * steps are idempotent (the outbox skips a dedupe key it has; the ticket
 * loses only the batch as read), so running it again after a crash at any
 * point sends each notice exactly once.
 *
 * @example
 * const relay = createNoticeRelay({ tickets, notifier: outbox, logger });
 * const updated = await tickets.transition(ref, 'in_progress', { status: 'resolved', entry, owed });
 * if (updated) await relay.afterWrite(updated);
 */
export function createNoticeRelay(deps: NoticeRelayDeps) {
  const batch = deps.batchSize ?? DEFAULT_BATCH;

  async function relay(ref: string, owed: readonly OwedNotices[]): Promise<number> {
    let items = 0;
    for (const notices of owed) {
      await deps.notifier.enqueue(notices.items);
      await deps.tickets.settleOwed(ref, notices);
      items += notices.items.length;
    }
    return items;
  }

  return {
    /**
     * Right after a change is written: move its notices on now. Never throws —
     * the change stands, and whatever could not be moved stays recorded on the
     * ticket for the recovery pass.
     */
    async afterWrite(ticket: { ref: string; owed?: OwedNotices[] }): Promise<void> {
      if (!ticket.owed?.length) return;
      try {
        await relay(ticket.ref, ticket.owed);
      } catch (err) {
        deps.logger.warn(
          { event: 'notices_deferred', ref: ticket.ref, error: safeError(err) },
          'notices recorded; the recovery pass will send them',
        );
      }
    },

    /** One ticket's owed notices, as read by `_id` (the recovery pass, led by a work marker), into the outbox; throws on failure. */
    relayOwed: relay,

    /**
     * Every ticket's owed notices into the outbox, found by reading the live
     * tickets (the recovery pass's one sweep of a database from before work
     * markers). One ticket failing does not stop the others.
     */
    async relayAll(): Promise<{ tickets: number; items: number; failed: string[] }> {
      const owing = await deps.tickets.owing(batch);
      let items = 0;
      const failed: string[] = [];
      for (const { ref, owed } of owing) {
        try {
          items += await relay(ref, owed);
        } catch (err) {
          failed.push(ref);
          deps.logger.error(
            { event: 'notices_relay_failed', ref, error: safeError(err) },
            'could not move owed notices to the outbox',
          );
        }
      }
      if (items > 0)
        deps.logger.info(
          { event: 'notices_recovered', tickets: owing.length - failed.length, items },
          'owed notices moved to the outbox',
        );
      return { tickets: owing.length, items, failed };
    },
  };
}

export type NoticeRelay = ReturnType<typeof createNoticeRelay>;
