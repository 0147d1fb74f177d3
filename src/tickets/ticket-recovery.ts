import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Ticket } from '../domain/ticket';
import { safeError } from '../logger';
import type { StoredTicket } from '../storage/ticket-store';
import { ROUTE_WORK, type TicketWork, type TicketWorkDoc } from '../storage/ticket-work';
import type { CountRelay } from './count-relay';
import type { NoticeRelay } from './notice-relay';
import type { TicketIntake } from './ticket-intake';

/** Tickets younger than this are left to the routing already under way (scheduled runs only). */
export const ROUTING_GRACE_MS = 60_000;

/**
 * A marker whose change is not (or no longer) seen on its ticket is dropped
 * only once it is this old: younger, its change may still be on its way (the
 * marker is written just before the ticket). Not shortened at start-up, when
 * another instance's change may be under way.
 */
export const MARKER_GRACE_MS = 60_000;

/** Most markers one pass reads; the next pass takes the rest. */
const DEFAULT_BATCH = 200;

/** What one recovery pass did. */
export interface RecoveryResult {
  routed: string[];
  notices: number;
  failed: string[];
}

export interface RecoveryPassDeps {
  /** The work markers: one per change that may leave work owed (src/storage/ticket-work.ts). */
  work: Pick<TicketWork, 'pending' | 'remove' | 'allMarked' | 'markAllMarked'>;
  /** A live ticket by reference (`_id`), with what it owes; null when it is not live. */
  findLive: (ref: string) => Promise<StoredTicket | null>;
  /** Routing of one filed ticket (TicketService.route); the ticket as it is after. */
  route: (ticket: Ticket) => Promise<Ticket>;
  relay: Pick<NoticeRelay, 'relayOwed' | 'relayAll'>;
  /** Owed ticket counts into the counters. */
  counts?: Pick<CountRelay, 'relayOwed' | 'relayAll'>;
  /** The sweep of the live tickets for a database from before the markers (see {@link createRecoveryPass}). */
  legacy: {
    intake: Pick<TicketIntake, 'routePending'>;
    /** Whether any live ticket waits for the pass (one read of the live tickets). */
    anyWork: () => Promise<boolean>;
  };
  clock: Clock;
  logger: Logger;
  batchSize?: number;
}

/**
 * One recovery pass: every ticket filed but not routed is routed (or put on
 * the overseers' unassigned list), every notice a written change still owes
 * goes to the outbox, and every count it owes into the ticket counters. Run
 * at start-up (no grace: nothing of this process is under way yet) and on a
 * schedule.
 *
 * Its cost follows the owed work, not the live tickets: it reads the work
 * markers (each change owing work writes one first, see ticket-work.ts) and
 * each named ticket by `_id`; with nothing owed it is one read of a near-empty
 * collection. A marker goes once its change's work is done; one whose change
 * never reached the ticket (a crash in between) goes once it is older than
 * {@link MARKER_GRACE_MS}. A database written before the markers existed is
 * swept once by reading the live tickets ({@link RecoveryPass.sweepOnce}),
 * then marked so in `counters`.
 */
export function createRecoveryPass(deps: RecoveryPassDeps) {
  const batch = deps.batchSize ?? DEFAULT_BATCH;
  let swept = false;
  let sweeping: Promise<RecoveryResult> | undefined;

  /** The work markers name, ticket by ticket. */
  async function fromMarkers(graceMs: number): Promise<RecoveryResult> {
    const markers = await deps.work.pending(batch);
    const result: RecoveryResult = { routed: [], notices: 0, failed: [] };
    if (markers.length === 0) return result;
    const now = deps.clock.now().getTime();
    const byRef = new Map<string, TicketWorkDoc[]>();
    for (const m of markers) byRef.set(m.ref, [...(byRef.get(m.ref) ?? []), m]);
    for (const [ref, ofRef] of byRef) {
      try {
        let ticket = await deps.findLive(ref);
        // What the ticket owes as read: a marker naming any of it is done once that work is.
        const seen = new Set<string>([
          ...(ticket?.routePending ? [ROUTE_WORK] : []),
          ...(ticket?.owed ?? []).map((o) => o.key),
          ...(ticket?.owedCounts ?? []).map((o) => o.key),
        ]);
        let stillRouting = false;
        if (ticket?.routePending) {
          if (ticket.createdAt.getTime() <= now - graceMs) {
            const after = await deps.route(ticket);
            if (after.routePending) stillRouting = true;
            else result.routed.push(ref);
            // Routing wrote a change of its own (with its marker) and relayed its notices: what is owed now.
            ticket = await deps.findLive(ref);
          } else stillRouting = true;
        }
        if (ticket?.owed?.length) result.notices += await deps.relay.relayOwed(ref, ticket.owed);
        if (ticket?.owedCounts?.length) await deps.counts?.relayOwed({ ref, owedCounts: ticket.owedCounts, ticket });
        for (const m of ofRef) {
          const named = m.keys.some((k) => seen.has(k));
          const done = named ? !(stillRouting && m.keys.includes(ROUTE_WORK)) : m.at.getTime() <= now - MARKER_GRACE_MS;
          if (done) await deps.work.remove(m._id);
        }
      } catch (err) {
        result.failed.push(ref);
        deps.logger.error(
          { event: 'recovery_ticket_failed', ref, error: safeError(err) },
          'could not finish the work a ticket owes; the next pass retries',
        );
      }
    }
    if (result.routed.length > 0)
      deps.logger.info({ event: 'tickets_recovered', routed: result.routed.length }, 'unrouted tickets routed');
    if (result.notices > 0)
      deps.logger.info({ event: 'notices_recovered', items: result.notices }, 'owed notices moved to the outbox');
    return result;
  }

  /** The live tickets read for owed work, until one sweep finds none left: then never again on this database. */
  async function sweep(graceMs: number): Promise<RecoveryResult> {
    if (swept || (swept = await deps.work.allMarked())) return { routed: [], notices: 0, failed: [] };
    if (!(await deps.legacy.anyWork())) {
      await deps.work.markAllMarked();
      swept = true;
      return { routed: [], notices: 0, failed: [] };
    }
    deps.logger.info({ event: 'recovery_sweep' }, 'reading the live tickets for work owed from before work markers');
    const routing = await deps.legacy.intake.routePending(graceMs);
    const relayed = await deps.relay.relayAll();
    const counted = (await deps.counts?.relayAll()) ?? { failed: [] };
    const failed = [...routing.failed, ...relayed.failed, ...counted.failed];
    // Batches are bounded and young tickets wait out their grace: asked again, and swept again next pass if need be.
    if (failed.length === 0 && !(await deps.legacy.anyWork())) {
      await deps.work.markAllMarked();
      swept = true;
    }
    return { routed: routing.routed, notices: relayed.items, failed };
  }

  /** The sweep, one at a time in this process (start-up's runs in the background while a scheduled pass may start). */
  function sweepOnce(graceMs: number): Promise<RecoveryResult> {
    sweeping ??= sweep(graceMs).finally(() => {
      sweeping = undefined;
    });
    return sweeping;
  }

  function report(result: RecoveryResult): RecoveryResult {
    if (result.failed.length > 0)
      deps.logger.warn(
        { event: 'recovery_incomplete', failed: result.failed.length },
        'recovery pass left work for the next one',
      );
    return result;
  }

  /** The pass: the marked work, then (on a database from before the markers) the sweep of the live tickets. */
  async function recover(opts: { graceMs?: number } = {}): Promise<RecoveryResult> {
    const graceMs = opts.graceMs ?? ROUTING_GRACE_MS;
    const marked = await fromMarkers(graceMs);
    const legacy = await sweepOnce(graceMs);
    return report({
      routed: [...marked.routed, ...legacy.routed],
      notices: marked.notices + legacy.notices,
      failed: [...marked.failed, ...legacy.failed],
    });
  }

  return Object.assign(recover, {
    /** Only the marked work (start-up waits for this; the sweep of an older database follows in the background). */
    marked: async (opts: { graceMs?: number } = {}) => report(await fromMarkers(opts.graceMs ?? ROUTING_GRACE_MS)),
    /** The one sweep of a database from before the markers (nothing once it has been done). */
    sweepOnce: async (opts: { graceMs?: number } = {}) => report(await sweepOnce(opts.graceMs ?? ROUTING_GRACE_MS)),
  });
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
      await recover.marked({ graceMs: 0 }).catch(failedAtStart(logger));
    },
  };
}

/**
 * The one sweep of the live tickets of a database written before the work
 * markers, as the last part of the service's start: begun, not awaited
 * (reading the live tickets takes seconds at a district's size, and start-up
 * must not wait for it); `stop` waits for a sweep under way. Nothing once the
 * database is marked swept.
 * @example createLifecycle({ start: [..., httpPart, recoverySweepAtStart(recover, logger)], stop: [..., sweepPart, outboxPart] })
 */
export function recoverySweepAtStart(recover: RecoveryPass, logger: Logger) {
  let running: Promise<unknown> = Promise.resolve();
  return {
    name: 'recovery sweep',
    start(): void {
      running = recover.sweepOnce({ graceMs: 0 }).catch(failedAtStart(logger));
    },
    stop: (): Promise<unknown> => running,
  };
}

function failedAtStart(logger: Logger) {
  return (err: unknown) =>
    logger.error(
      { event: 'recovery_failed', error: safeError(err) },
      'start-up recovery failed; the scheduled pass retries',
    );
}
