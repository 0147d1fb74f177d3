import type { Logger } from 'pino';
import { safeError } from '../logger';
import type { CountRelay } from './count-relay';
import type { NoticeRelay } from './notice-relay';
import type { TicketIntake } from './ticket-intake';

/** Tickets younger than this are left to the routing already under way (scheduled runs only). */
export const ROUTING_GRACE_MS = 60_000;

export interface RecoveryPassDeps {
  intake: Pick<TicketIntake, 'routePending'>;
  relay: Pick<NoticeRelay, 'relayAll'>;
  /** Owed ticket counts into the counters. */
  counts?: Pick<CountRelay, 'relayAll'>;
  /**
   * Whether any ticket may wait for the pass; when it answers no, the three
   * reads of the live tickets are left out (each reads every live ticket on
   * FerretDB: seconds at a district's size, every minute).
   */
  anyWork?: () => Promise<boolean>;
  logger: Logger;
}

/**
 * One recovery pass: every ticket filed but not routed is routed (or put on
 * the overseers' unassigned list), every notice a written change still
 * owes goes to the outbox, and every count it owes into the ticket counters. Run at start-up (no grace: nothing of this process
 * is under way yet) and on a schedule.
 */
export function createRecoveryPass(deps: RecoveryPassDeps) {
  return async function recover(
    opts: { graceMs?: number } = {},
  ): Promise<{ routed: string[]; notices: number; failed: string[] }> {
    if (deps.anyWork && !(await deps.anyWork())) return { routed: [], notices: 0, failed: [] };
    const routing = await deps.intake.routePending(opts.graceMs ?? ROUTING_GRACE_MS);
    const relayed = await deps.relay.relayAll();
    const counted = (await deps.counts?.relayAll()) ?? { failed: [] };
    const failed = [...routing.failed, ...relayed.failed, ...counted.failed];
    if (failed.length > 0)
      deps.logger.warn(
        { event: 'recovery_incomplete', failed: failed.length },
        'recovery pass left work for the next one',
      );
    return { routed: routing.routed, notices: relayed.items, failed };
  };
}

export type RecoveryPass = ReturnType<typeof createRecoveryPass>;

/**
 * The start-up recovery pass, as a part of the service's start
 * (src/lifecycle.ts): whatever a crash left half-done (a ticket not routed,
 * notices not in the outbox) is finished before new work comes in. A failure
 * is logged, not thrown: the scheduled pass retries.
 * @example createLifecycle({ start: [outboxPart, recoveryAtStart(recover, logger), …], stop: […] })
 */
export function recoveryAtStart(recover: RecoveryPass, logger: Logger) {
  return {
    name: 'recovery',
    async start() {
      await recover({ graceMs: 0 }).catch((err: unknown) =>
        logger.error(
          { event: 'recovery_failed', error: safeError(err) },
          'start-up recovery failed; the scheduled pass retries',
        ),
      );
    },
  };
}
