import { createAppMetrics, instrumentHandler, metricValue } from '../../src/metrics/app-metrics';
import type { InboundMessage } from '../../src/conversation/types';

describe('app metrics', () => {
  it('counts and times every handled update by channel and outcome through the wrapped handler', async () => {
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
    expect(await metricValue(metrics.updatesHandled, { channel: 'web', outcome: 'handled' })).toBe(1);
    expect(await metricValue(metrics.updatesHandled, { channel: 'telegram', outcome: 'handled' })).toBe(1);
    expect(await metricValue(metrics.updatesHandled, { channel: 'web', outcome: 'duplicate' })).toBe(1);
    const text = await metrics.render();
    expect(text).toMatch(/^jan_sahayak_update_handling_seconds_count\{channel="web"\} 2$/m);
    expect(text).toMatch(/^process_start_time_seconds \d+$/m);
  });

  it('reads the outbox depth at scrape time, and reports it unknown when counting fails instead of failing the scrape', async () => {
    const errors: string[] = [];
    const metrics = createAppMetrics({ onCollectError: (name) => errors.push(name) });
    let depth: number | Error = 3;
    metrics.outboxDepth.collectWith(async () => {
      if (depth instanceof Error) throw depth;
      return depth;
    });
    expect(await metrics.render()).toMatch(/^jan_sahayak_outbox_depth 3$/m);
    depth = new Error('db down');
    const text = await metrics.render();
    expect(text).toMatch(/^jan_sahayak_outbox_depth nan$/im);
    expect(text).toContain('jan_sahayak_updates_handled_total');
    expect(errors).toEqual(['jan_sahayak_outbox_depth']);
  });
});
