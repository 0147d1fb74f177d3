import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HandleResult } from '../conversation/inbound-handler';
import type { InboundMessage } from '../conversation/types';

/** The Content-Type of {@link AppMetrics.render}'s output. */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Seconds: a step is usually tens of milliseconds; under load or on a large embedded database, seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds from recording a notice to the platform accepting it: pacing and retries make this longer. */
const DELIVERY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

/** The service's own metrics, created once in the composition root and passed to whoever counts. */
export interface AppMetrics {
  registry: Registry;
  /** Incoming messages by channel and outcome (`handled` or `duplicate`). */
  updatesHandled: Counter<'channel' | 'outcome'>;
  /** How long the shared handler took per incoming message, by channel. */
  handlingSeconds: Histogram<'channel'>;
  /** New tickets by the channel they came by. */
  ticketsCreated: Counter<'channel'>;
  /** Notifications recorded but not yet delivered, counted at scrape time. */
  outboxDepth: { collectWith(count: () => Promise<number>): void };
  /** From recording a notification to the platform accepting it, by channel. */
  outboxDeliverySeconds: Histogram<'channel'>;
  /** Scheduled job runs by job name and outcome (`ok`, `failed`, `skipped`). */
  jobRuns: Counter<'job' | 'outcome'>;
  /** The whole registry in the Prometheus text format. */
  render(): Promise<string>;
}

/**
 * Register the application's metrics on a registry of its own (prom-client),
 * with the process metrics an operator expects: CPU, resident memory, heap,
 * event-loop lag, garbage collection, open handles, start time.
 * @example const metrics = createAppMetrics(); metrics.jobRuns.inc({ job: 'sla-sweep', outcome: 'ok' })
 */
export function createAppMetrics(opts: { onCollectError?: (name: string, err: unknown) => void } = {}): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let countOutbox: (() => Promise<number>) | undefined;
  const depthName = 'jan_sahayak_outbox_depth';
  new Gauge({
    name: depthName,
    help: 'Outbound notifications recorded and not yet delivered.',
    registers: [registry],
    async collect() {
      if (!countOutbox) return;
      try {
        this.set(await countOutbox());
      } catch (err) {
        // A database that does not answer must not fail every other metric of the scrape; NaN says "unknown", not "empty".
        opts.onCollectError?.(depthName, err);
        this.set(Number.NaN);
      }
    },
  });
  return {
    registry,
    updatesHandled: new Counter({
      name: 'jan_sahayak_updates_handled_total',
      help: 'Incoming chat messages handled, by channel and outcome (handled, duplicate).',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    handlingSeconds: new Histogram({
      name: 'jan_sahayak_update_handling_seconds',
      help: 'Time the shared handler took for one incoming message, by channel.',
      labelNames: ['channel'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    ticketsCreated: new Counter({
      name: 'jan_sahayak_tickets_created_total',
      help: 'Tickets created, by the channel they came by.',
      labelNames: ['channel'],
      registers: [registry],
    }),
    outboxDepth: {
      collectWith(count) {
        countOutbox = count;
      },
    },
    outboxDeliverySeconds: new Histogram({
      name: 'jan_sahayak_outbox_delivery_seconds',
      help: 'Time from recording a notification to the platform accepting it, by channel.',
      labelNames: ['channel'],
      buckets: DELIVERY_BUCKETS,
      registers: [registry],
    }),
    jobRuns: new Counter({
      name: 'jan_sahayak_job_runs_total',
      help: 'Scheduled job runs, by job and outcome (ok, failed, skipped).',
      labelNames: ['job', 'outcome'],
      registers: [registry],
    }),
    render: () => registry.metrics(),
  };
}

/**
 * Wrap the shared inbound handler so every channel's messages are counted
 * and timed in one place, without the channels knowing about metrics.
 * @example const handler = instrumentHandler(createInboundHandler(deps), metrics)
 */
export function instrumentHandler<R extends HandleResult>(
  handler: (msg: InboundMessage) => Promise<R>,
  metrics: Pick<AppMetrics, 'updatesHandled' | 'handlingSeconds'>,
): (msg: InboundMessage) => Promise<R> {
  // Generic in the result: a wrapped replying handler stays one.
  return async (msg) => {
    const stop = metrics.handlingSeconds.startTimer({ channel: msg.channel });
    const result = await handler(msg);
    stop();
    metrics.updatesHandled.inc({ channel: msg.channel, outcome: result.duplicate ? 'duplicate' : 'handled' });
    return result;
  };
}

/** The current value of one series of a counter or gauge (for tests and reports). */
export async function metricValue(
  metric: Counter<string> | Gauge<string>,
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metric.get();
  const want = Object.entries(labels);
  const found = values.find(
    (v) => want.every(([k, x]) => v.labels[k] === x) && Object.keys(v.labels).length === want.length,
  );
  return found?.value ?? 0;
}
