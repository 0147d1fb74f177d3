import type { Logger } from 'pino';
import { fromStoredCounts } from '../domain/ticket-counts';
import { safeError } from '../logger';
import type { TicketCountStore } from '../storage/ticket-count-store';
import type { TicketStore } from '../storage/ticket-store';

/** Most tickets one run looks at; the next run takes the rest. */
const DEFAULT_BATCH = 500;

export interface CountRelayDeps {
  tickets: Pick<TicketStore, 'owingCounts' | 'settleCounts'>;
  counts: Pick<TicketCountStore, 'apply'>;
  /** When a count was applied (its marker's age, for pruning). */
  now: () => Date;
  logger: Logger;
  batchSize?: number;
}

/**
 * Moves the counts that ticket changes owe (written with each change as
 * `owedCounts`, see `countedChange` in src/storage/ticket-store.ts) into the
 * ticket counters, then takes them off the ticket. Applying is once per
 * change key (a marker in the day's counter document), taking off is exactly
 * the batch as read, so a repeat after a crash at any point counts each
 * change once. It runs off the citizens' and officers' path: in the recovery
 * pass (start-up and every minute) and before the figures are read, so
 * reports are current while a message never waits for a counter update
 * (which FerretDB would make read the whole counters collection).
 */
export function createCountRelay(deps: CountRelayDeps) {
  const batch = deps.batchSize ?? DEFAULT_BATCH;
  let running: Promise<{ tickets: number; changes: number; failed: string[] }> | undefined;

  async function run(): Promise<{ tickets: number; changes: number; failed: string[] }> {
    const owing = await deps.tickets.owingCounts(batch);
    let changes = 0;
    const failed: string[] = [];
    for (const { ref, owedCounts } of owing) {
      try {
        for (const owed of owedCounts) {
          await deps.counts.apply(owed.key, fromStoredCounts(owed.delta), deps.now());
          await deps.tickets.settleCounts(ref, owed);
          changes++;
        }
      } catch (err) {
        failed.push(ref);
        deps.logger.error(
          { event: 'counts_relay_failed', ref, error: safeError(err) },
          'could not apply owed counts; the next run retries',
        );
      }
    }
    return { tickets: owing.length, changes, failed };
  }

  return {
    /** Apply every owed count (one run at a time in this process; a second caller shares it). */
    relayAll(): Promise<{ tickets: number; changes: number; failed: string[] }> {
      running ??= run().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}

export type CountRelay = ReturnType<typeof createCountRelay>;
