/** A part of the running service that has something to do when the service starts. */
export interface Startable {
  /** For reading the list; not logged. */
  name: string;
  start(): unknown;
}

/** A part of the running service that has something to do when the service stops. */
export interface Stoppable {
  name: string;
  stop(): unknown;
}

/** The service's start and stop, each a walk over its list. */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Start and stop in two explicit orders, since they are not mirror images:
 * the HTTP server listens before the channels start (their webhooks need it)
 * and closes before they stop (no new update comes in while they finish).
 * Each step is awaited before the next. A start that fails ends the walk
 * with its error. A stop that fails does not: the parts after it still stop
 * (an HTTP close that throws must not leave the outbox sending), and the
 * first error is thrown at the end. `stop` walks its whole list even after a
 * failed `start`, so each stop must be safe on a part that never started (as
 * the HTTP server's close and the outbox's stop are).
 * @example const life = createLifecycle({ start: [outboxPart, httpPart], stop: [httpPart, outboxPart] }); await life.start()
 */
export function createLifecycle(order: { start: readonly Startable[]; stop: readonly Stoppable[] }): Lifecycle {
  return {
    async start() {
      for (const part of order.start) await part.start();
    },
    async stop() {
      const failures: unknown[] = [];
      for (const part of order.stop) {
        try {
          await part.stop();
        } catch (err) {
          failures.push(err);
        }
      }
      if (failures.length > 0) throw failures[0];
    },
  };
}
