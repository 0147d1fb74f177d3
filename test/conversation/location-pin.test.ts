import { LANGUAGES } from '../../src/i18n/create-i18n';
import { createTestApp, type TestApp } from '../support/test-app';

// Found by the 100,000-update fuzz run: such pins were answered with the apology for an internal error.
describe('a location pin that is no place on Earth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  test.each([
    ['NaN latitude', Number.NaN, 75.8],
    ['infinite longitude', 22.7, Number.POSITIVE_INFINITY],
    ['latitude past the pole', 1e308, 75.8],
    ['longitude past the date line', 22.7, 181],
  ])('%s is answered like any unsupported message, not with an apology', async (_, lat, lon) => {
    const chatId = `pin-${lat}-${lon}`;
    // At the block step, which takes a pin.
    await t.app.handler({
      channel: 'telegram',
      chatId,
      updateKey: `${chatId}-a`,
      receivedAt: t.clock.now(),
      content: { kind: 'command', command: 'new', args: '' },
    });
    await t.app.handler({
      channel: 'telegram',
      chatId,
      updateKey: `${chatId}-b`,
      receivedAt: t.clock.now(),
      content: { kind: 'button', scope: 'category', value: 'ration' },
    });
    const res = await t.app.handler({
      channel: 'telegram',
      chatId,
      updateKey: `${chatId}-1`,
      receivedAt: t.clock.now(),
      content: { kind: 'location', lat, lon },
    });
    const apology = new Set(LANGUAGES.map((l) => t.translator.t(l, 'error.generic')));
    expect(res.messages.length).toBeGreaterThan(0);
    expect(res.messages.filter((m) => apology.has(m.text))).toEqual([]);
    // The chat goes on as usual afterwards.
    const next = await t.app.handler({
      channel: 'telegram',
      chatId,
      updateKey: `${chatId}-2`,
      receivedAt: t.clock.now(),
      content: { kind: 'text', text: 'hello' },
    });
    expect(next.messages.filter((m) => apology.has(m.text))).toEqual([]);
  });
});
