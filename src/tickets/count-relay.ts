import type { Logger } from 'pino';
import { fromStoredCounts } from '../domain/ticket-counts';
import { safeError } from '../logger';
import type { TicketCountStore } from '../storage/ticket-count-store';
import type { OpenWorkStore } from '../storage/open-work-store';
import type { OwedCounts, OwingTicket, StoredTicket, TicketStore } from '../storage/ticket-store';

/** Most tickets one run looks at; the next run takes the rest. */
const DEFAULT_BATCH = 500;

export interface CountRelayDeps {
  tickets: Pick<TicketStore, 'owingCounts' | 'settleCounts'> & Partial<Pick<TicketStore, 'owedCountsOf'>>;
  counts: Pick<TicketCountStore, 'apply'>;
  /** The open-work read model: each ticket's entry is refreshed from the same read before its owed counts are settled. */
  openWork?: Pick<OpenWorkStore, 'put'>;
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
  let runningNoted: Promise<{ tickets: number; changes: number; failed: string[] }> | undefined;

  /** Tickets this process changed whose counts may still be owed (see {@link CountRelay.note}). */
  let noted = new Set<string>();

  async function run(): Promise<{ tickets: number; changes: number; failed: string[] }> {
    return apply(await deps.tickets.owingCounts(batch));
  }

  /** Only the tickets noted here, each read by `_id`: no read of the whole live collection. */
  async function runNoted(): Promise<{ tickets: number; changes: number; failed: string[] }> {
    const owedCountsOf = deps.tickets.owedCountsOf;
    if (!owedCountsOf) return run();
    if (noted.size === 0) return { tickets: 0, changes: 0, failed: [] };
    const refs = [...noted];
    noted = new Set();
    const owing: OwingTicket[] = [];
    try {
      for (const ref of refs) owing.push(await owedCountsOf(ref));
    } catch (err) {
      for (const ref of refs) noted.add(ref);
      throw err;
    }
    const result = await apply(owing.filter((o) => o.owedCounts.length > 0));
    for (const ref of result.failed) noted.add(ref);
    return result;
  }

  async function apply(owing: readonly OwingTicket[]): Promise<{ tickets: number; changes: number; failed: string[] }> {
    let changes = 0;
    const failed: string[] = [];
    for (const { ref, owedCounts, ticket } of owing) {
      try {
        // The entry first: the ticket as read here includes every change whose owed counts are settled below,
        // so a crash in between leaves them owed and the next run writes the entry again (a snapshot: harmless).
        if (deps.openWork && ticket) await deps.openWork.put(ticket, deps.now());
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
      running ??= (async () => {
        // One run at a time: a settling of noted tickets under way finishes first.
        await runningNoted?.catch(() => undefined);
        return run();
      })().finally(() => {
        running = undefined;
      });
      return running;
    },
    /**
     * One ticket's owed counts, as read by `_id` (the recovery pass, led by a
     * work marker), into the counters, as a run would apply them; throws when
     * some stay owed. How many changes were applied.
     */
    async relayOwed(owing: {
      ref: string;
      owedCounts: readonly OwedCounts[];
      /** The ticket as read with its owed counts: what a read model kept by the relay is refreshed from. */
      ticket?: StoredTicket;
    }): Promise<number> {
      const result = await apply([owing]);
      if (result.failed.length > 0) throw new Error(`counts of ${owing.ref} are still owed`);
      return result.changes;
    },
    /** A change in this process has just written counts owed by ticket `ref`. */
    note(ref: string): void {
      noted.add(ref);
    },
    /**
     * Apply the counts owed by the tickets noted in this process, reading each
     * by `_id` (what figures wait for before they are read: a read of the whole
     * live collection costs seconds on FerretDB at a district's size). Counts
     * owed by another instance's changes, or left by a crash, are applied by
     * {@link relayAll} in the recovery pass (at start-up and every minute).
     */
    relayNoted(): Promise<{ tickets: number; changes: number; failed: string[] }> {
      runningNoted ??= (async () => {
        // After a full run under way, which may be applying the same owed counts.
        await running?.catch(() => undefined);
        return runNoted();
      })().finally(() => {
        runningNoted = undefined;
      });
      return runningNoted;
    },
  };
}

export type CountRelay = ReturnType<typeof createCountRelay>;
