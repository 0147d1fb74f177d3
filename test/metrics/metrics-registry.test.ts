import { createAppMetrics, instrumentHandler } from '../../src/metrics/app-metrics';
import { createMetricsRegistry } from '../../src/metrics/metrics-registry';
import type { InboundMessage } from '../../src/conversation/types';

describe('metrics registry', () => {
  it('renders counters and gauges with HELP, TYPE and escaped labels', async () => {
    const r = createMetricsRegistry();
    const c = r.counter({ name: 'x_total', help: 'Things\nwith a back\\slash', labelNames: ['kind'] });
    c.inc({ kind: 'a"b\\c\nd' });
    c.inc({ kind: 'a"b\\c\nd' }, 2);
    c.inc({ kind: 'plain' });
    const g = r.gauge({ name: 'depth', help: 'Depth.' });
    g.set(4.5);
    expect(await r.render()).toBe(
      [
        '# HELP x_total Things\\nwith a back\\\\slash',
        '# TYPE x_total counter',
        'x_total{kind="a\\"b\\\\c\\nd"} 3',
        'x_total{kind="plain"} 1',
        '# HELP depth Depth.',
        '# TYPE depth gauge',
        'depth 4.5',
        '',
      ].join('\n'),
    );
  });

  it('shows an unlabelled counter at 0 before it is used', async () => {
    const r = createMetricsRegistry();
    r.counter({ name: 'starts_total', help: 'Starts.' });
    expect(await r.render()).toContain('\nstarts_total 0\n');
  });

  it('reads a gauge from its collector at scrape time, and leaves out a failing one', async () => {
    const errors: string[] = [];
    const r = createMetricsRegistry({ onCollectError: (name) => errors.push(name) });
    let depth = 1;
    r.gauge({ name: 'outbox_depth', help: 'Depth.' }).collectWith(async () => depth);
    r.gauge({ name: 'per_channel', help: 'By channel.', labelNames: ['channel'] }).collectWith(() => [
      { labels: { channel: 'web' }, value: 2 },
      { labels: { channel: 'telegram' }, value: 3 },
    ]);
    r.gauge({ name: 'broken', help: 'Broken.' }).collectWith(() => {
      throw new Error('db down');
    });
    depth = 9;
    const text = await r.render();
    expect(text).toContain('\noutbox_depth 9\n');
    expect(text).toContain('per_channel{channel="web"} 2\nper_channel{channel="telegram"} 3\n');
    expect(text).not.toContain('broken');
    expect(errors).toEqual(['broken']);
  });

  it('refuses misuse: bad names, duplicates, wrong labels, counters going down', () => {
    const r = createMetricsRegistry();
    expect(() => r.counter({ name: 'bad-name', help: 'x' })).toThrow();
    expect(() => r.counter({ name: 'ok_total', help: 'x', labelNames: ['__reserved'] })).toThrow();
    const c = r.counter({ name: 'ok_total', help: 'x', labelNames: ['channel'] });
    expect(() => r.gauge({ name: 'ok_total', help: 'x' })).toThrow();
    expect(() => c.inc()).toThrow();
    expect(() => c.inc({ channel: 'web', extra: 'x' })).toThrow();
    expect(() => c.inc({ channel: 'web' }, -1)).toThrow();
    expect(() => c.inc({ channel: 'web' }, Number.NaN)).toThrow();
    expect(c.get({ channel: 'web' })).toBe(0);
  });
});

describe('app metrics', () => {
  it('counts every handled update by channel and outcome through the wrapped handler', async () => {
    const metrics = createAppMetrics();
    let duplicate = false;
    const handler = instrumentHandler(async () => ({ messages: [], duplicate, language: 'hi' }), metrics);
    const msg = (channel: InboundMessage['channel']): InboundMessage => ({
      channel,
      chatId: '1',
      updateKey: 'u',
      receivedAt: new Date(0),
      content: { kind: 'text', text: 'x' },
    });
    await handler(msg('web'));
    await handler(msg('telegram'));
    duplicate = true;
    await handler(msg('web'));
    expect(metrics.updatesHandled.get({ channel: 'web', outcome: 'handled' })).toBe(1);
    expect(metrics.updatesHandled.get({ channel: 'telegram', outcome: 'handled' })).toBe(1);
    expect(metrics.updatesHandled.get({ channel: 'web', outcome: 'duplicate' })).toBe(1);
    expect(await metrics.registry.render()).toMatch(/^process_start_time_seconds \d+$/m);
  });
});
