import type { InboundHandler } from '../conversation/inbound-handler';
import { createMetricsRegistry, type Counter, type Gauge, type MetricsRegistry } from './metrics-registry';

/** The service's own metrics, created once in the composition root and passed to whoever counts. */
export interface AppMetrics {
  registry: MetricsRegistry;
  /** Incoming messages by channel and outcome (`handled` or `duplicate`). */
  updatesHandled: Counter;
  /** New tickets by the channel they came by. */
  ticketsCreated: Counter;
  /** Notifications recorded but not yet delivered; the outbox sets a collector. */
  outboxDepth: Gauge;
  /** Scheduled job runs by job name and outcome (`ok`, `failed`, `skipped`). */
  jobRuns: Counter;
}

/**
 * Register the application's metrics, plus the two process metrics every
 * Prometheus dashboard expects (start time and resident memory).
 * @example const metrics = createAppMetrics(); metrics.jobRuns.inc({ job: 'sla-sweep', outcome: 'ok' })
 */
export function createAppMetrics(opts: { onCollectError?: (name: string, err: unknown) => void } = {}): AppMetrics {
  const registry = createMetricsRegistry(opts);
  const startTime = registry.gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since the Unix epoch, in seconds.' });
  startTime.set(Math.round(Date.now() / 1000 - process.uptime()));
  registry
    .gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.' })
    .collectWith(() => process.memoryUsage.rss());
  return {
    registry,
    updatesHandled: registry.counter({
      name: 'jan_sahayak_updates_handled_total',
      help: 'Incoming chat messages handled, by channel and outcome (handled, duplicate).',
      labelNames: ['channel', 'outcome'],
    }),
    ticketsCreated: registry.counter({
      name: 'jan_sahayak_tickets_created_total',
      help: 'Tickets created, by the channel they came by.',
      labelNames: ['channel'],
    }),
    outboxDepth: registry.gauge({
      name: 'jan_sahayak_outbox_depth',
      help: 'Outbound notifications recorded and not yet delivered.',
    }),
    jobRuns: registry.counter({
      name: 'jan_sahayak_job_runs_total',
      help: 'Scheduled job runs, by job and outcome (ok, failed, skipped).',
      labelNames: ['job', 'outcome'],
    }),
  };
}

/**
 * Wrap the shared inbound handler so every channel's messages are counted in
 * one place, without the channels knowing about metrics.
 * @example const handler = instrumentHandler(createInboundHandler(deps), metrics)
 */
export function instrumentHandler(handler: InboundHandler, metrics: Pick<AppMetrics, 'updatesHandled'>): InboundHandler {
  return async (msg) => {
    const result = await handler(msg);
    metrics.updatesHandled.inc({ channel: msg.channel, outcome: result.duplicate ? 'duplicate' : 'handled' });
    return result;
  };
}
