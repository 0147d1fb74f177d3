import type { Logger } from 'pino';
import { OPEN_WORK_FIELDS, type OpenWorkSource } from '../domain/open-work';
import { safeError } from '../logger';
import type { ReadOnlyModel } from '../storage/history-models';
import type { TicketDoc } from '../storage/models';
import type { OpenWorkStore } from '../storage/open-work-store';

const DAY_MS = 24 * 3_600_000;
const PROJECTION = Object.fromEntries(OPEN_WORK_FIELDS.map((f) => [f, 1]));

/** What building or checking the open-work read model needs. */
export interface OpenWorkBuildDeps {
  /** The live tickets (over the history connection where there is one: the stream reads every live ticket). */
  tickets: ReadOnlyModel<TicketDoc>;
  store: Pick<OpenWorkStore, 'reconcile' | 'isBuilt' | 'markBuilt'>;
}

/**
 * Make the open-work read model agree with the live tickets (one streamed
 * read of them, then a read and at most two writes per shard; see
 * OpenWorkStore.reconcile) and mark it built. Tombstones older than a day
 * go. Safe while the bot runs: every write is conditional on the entry's
 * version, so a change relayed meanwhile is never undone.
 */
export async function reconcileOpenWork(
  deps: OpenWorkBuildDeps,
  now: Date,
): Promise<{ tickets: number; fixed: number; pruned: number }> {
  const live = deps.tickets.find({}, PROJECTION).lean<OpenWorkSource>().cursor() as AsyncIterable<OpenWorkSource>;
  const lookup = (ref: string) => deps.tickets.findOne({ _id: ref }, PROJECTION).lean<OpenWorkSource>().exec();
  const done = await deps.store.reconcile(live, lookup, now, new Date(now.getTime() - DAY_MS));
  await deps.store.markBuilt();
  return done;
}

/**
 * At start-up: a database whose read model was never built (made by a
 * version before it) gets it built once, in the background so start-up
 * stays fast; until then the queries read the tickets. A new database is
 * marked built at once. (`npm run seed` builds it with the data it loads.)
 * @example createLifecycle({ start: [openWorkAtStart({ tickets, store, logger, now }), …] })
 */
export function openWorkAtStart(deps: OpenWorkBuildDeps & { logger: Logger; now: () => Date }) {
  let ready: Promise<void> = Promise.resolve();
  async function ensure(): Promise<void> {
    try {
      if (await deps.store.isBuilt()) return;
      if ((await deps.tickets.findOne({}, { _id: 1 }).lean().exec()) === null) {
        await deps.store.markBuilt();
        return;
      }
      deps.logger.info(
        { event: 'open_work_build_started' },
        'building the open-work read model from the live tickets (once)',
      );
      const done = await reconcileOpenWork(deps, deps.now());
      deps.logger.info({ event: 'open_work_built', ...done }, 'open-work read model built');
    } catch (err) {
      deps.logger.error(
        { event: 'open_work_build_failed', error: safeError(err) },
        'could not build the open-work read model; the next start tries again',
      );
    }
  }
  return {
    name: 'open work',
    start(): void {
      ready = ensure();
    },
    ready: (): Promise<void> => ready,
  };
}
