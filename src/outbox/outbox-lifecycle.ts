import type { Logger } from 'pino';
import { safeError } from '../logger';
import type { Outbox } from './outbox';

/** How long a stopping service gives the notices already due to go out. */
export const OUTBOX_DRAIN_MS = 5_000;

/**
 * The outbox as a part of the service's start and stop (src/lifecycle.ts):
 * started first, so whatever start-up queues goes out; stopped last, after a
 * short drain of what is already due (skipped, with a warning, when the
 * database is already gone).
 * @example createLifecycle({ start: [outboxLifecycle(outbox, logger), …], stop: [ …, outboxLifecycle(outbox, logger)] })
 */
export function outboxLifecycle(outbox: Pick<Outbox, 'start' | 'drain' | 'stop'>, logger: Logger) {
  return {
    name: 'outbox',
    start: () => outbox.start(),
    async stop() {
      await outbox
        .drain(OUTBOX_DRAIN_MS)
        .catch((err: unknown) =>
          logger.warn({ event: 'outbox_drain_failed', err: safeError(err) }, 'could not drain the outbox'),
        );
      await outbox.stop();
    },
  };
}
