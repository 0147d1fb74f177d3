/**
 * A tiny metrics registry rendered in the Prometheus text exposition format
 * (version 0.0.4). Counters and gauges are all this service needs, so a
 * library (prom-client) would bring more than it gives.
 */

/** Label values of one series, by label name. */
export type Labels = Readonly<Record<string, string>>;

/** A value that only goes up (updates handled, tickets created, job runs). */
export interface Counter {
  /** Add `by` (default 1, must not be negative) to the series with these labels. */
  inc(labels?: Labels, by?: number): void;
  /** The current value of one series; 0 when never incremented. */
  get(labels?: Labels): number;
}

/** One gauge sample, as a collector returns it. */
export interface GaugeSample {
  labels?: Labels;
  value: number;
}

/** A value that goes up and down (outbox depth). */
export interface Gauge {
  set(value: number, labels?: Labels): void;
  get(labels?: Labels): number;
  /**
   * Compute the value at scrape time instead (e.g. count documents). Replaces
   * any earlier collector; samples set with {@link Gauge.set} are then ignored.
   */
  collectWith(collect: () => Promise<number | GaugeSample[]> | number | GaugeSample[]): void;
}

export interface MetricOptions {
  /** Prometheus name: `[a-zA-Z_:][a-zA-Z0-9_:]*`; counters should end in `_total`. */
  name: string;
  help: string;
  /** Every series must carry exactly these labels. */
  labelNames?: readonly string[];
}

/** Counters and gauges registered by name, rendered on demand. */
export interface MetricsRegistry {
  counter(opts: MetricOptions): Counter;
  gauge(opts: MetricOptions): Gauge;
  /**
   * The whole registry in text format. A gauge whose collector fails is left
   * out of this scrape (and reported to `onCollectError`) rather than failing
   * every other metric with it.
   */
  render(): Promise<string>;
}

/** The Content-Type of {@link MetricsRegistry.render}'s output. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Metric {
  type: 'counter' | 'gauge';
  opts: MetricOptions;
  samples(): Promise<Array<{ labels: Labels; value: number }>>;
}

/**
 * Create an empty registry.
 * @example
 * const registry = createMetricsRegistry();
 * const handled = registry.counter({ name: 'app_updates_handled_total', help: 'Updates handled', labelNames: ['channel'] });
 * handled.inc({ channel: 'web' });
 * const text = await registry.render();
 */
export function createMetricsRegistry(opts: { onCollectError?: (name: string, err: unknown) => void } = {}): MetricsRegistry {
  const metrics = new Map<string, Metric>();

  function register(type: Metric['type'], o: MetricOptions, samples: Metric['samples']): void {
    if (!NAME_RE.test(o.name)) throw new Error(`invalid metric name ${o.name}`);
    for (const l of o.labelNames ?? []) if (!LABEL_RE.test(l) || l.startsWith('__')) throw new Error(`invalid label name ${l} on ${o.name}`);
    if (metrics.has(o.name)) throw new Error(`metric ${o.name} is already registered`);
    metrics.set(o.name, { type, opts: o, samples });
  }

  return {
    counter(o) {
      const values = new Map<string, { labels: Labels; value: number }>();
      register('counter', o, async () => {
        // A counter without labels exists from the start, at 0, so a
        // dashboard can tell "nothing happened" from "not scraped".
        if (values.size === 0 && !o.labelNames?.length) return [{ labels: {}, value: 0 }];
        return [...values.values()];
      });
      return {
        inc(labels = {}, by = 1) {
          if (!(by >= 0) || !Number.isFinite(by)) throw new Error(`counter ${o.name} can only go up by a finite amount`);
          const key = seriesKey(o, labels);
          const series = values.get(key);
          if (series) series.value += by;
          else values.set(key, { labels: { ...labels }, value: by });
        },
        get(labels = {}) {
          return values.get(seriesKey(o, labels))?.value ?? 0;
        },
      };
    },

    gauge(o) {
      const values = new Map<string, { labels: Labels; value: number }>();
      let collector: (() => Promise<number | GaugeSample[]> | number | GaugeSample[]) | undefined;
      register('gauge', o, async () => {
        if (!collector) return [...values.values()];
        const got = await collector();
        const list = typeof got === 'number' ? [{ labels: {}, value: got }] : got;
        return list.map((s) => {
          seriesKey(o, s.labels ?? {});
          return { labels: s.labels ?? {}, value: s.value };
        });
      });
      return {
        set(value, labels = {}) {
          values.set(seriesKey(o, labels), { labels: { ...labels }, value });
        },
        get(labels = {}) {
          return values.get(seriesKey(o, labels))?.value ?? 0;
        },
        collectWith(fn) {
          collector = fn;
        },
      };
    },

    async render() {
      const blocks: string[] = [];
      for (const [name, m] of metrics) {
        let samples: Array<{ labels: Labels; value: number }>;
        try {
          samples = await m.samples();
        } catch (err) {
          opts.onCollectError?.(name, err);
          continue;
        }
        const lines = [`# HELP ${name} ${escapeHelp(m.opts.help)}`, `# TYPE ${name} ${m.type}`];
        for (const s of samples) lines.push(`${name}${formatLabels(m.opts.labelNames ?? [], s.labels)} ${formatValue(s.value)}`);
        blocks.push(lines.join('\n'));
      }
      return blocks.length ? `${blocks.join('\n')}\n` : '';
    },
  };
}

/** A stable key for one series; throws when the labels do not match the declared names. */
function seriesKey(o: MetricOptions, labels: Labels): string {
  const declared = o.labelNames ?? [];
  const given = Object.keys(labels);
  if (given.length !== declared.length || !declared.every((l) => typeof labels[l] === 'string')) {
    throw new Error(`metric ${o.name} takes labels [${declared.join(', ')}], got [${given.join(', ')}]`);
  }
  return JSON.stringify(declared.map((l) => labels[l]));
}

function formatLabels(names: readonly string[], labels: Labels): string {
  if (!names.length) return '';
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n] ?? '')}"`).join(',')}}`;
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
