import type { InboundMessage } from '../../src/conversation/types';
import { createTestApp, type TestApp } from '../support/test-app';
import { webChats } from '../support/web-chats';

const ADMIN = '7001';

describe('the per-chat flood limit in front of every channel', () => {
  let t: TestApp;
  let update = 0;
  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_PER_MINUTE: '20',
      RATE_LIMIT_BURST: '5',
      RATE_LIMIT_STAFF_PER_MINUTE: '120',
      ADMIN_TELEGRAM_IDS: ADMIN,
    });
  });
  afterAll(() => t.close());

  const tg = (chatId: string, text: string): InboundMessage => ({
    channel: 'telegram',
    chatId,
    updateKey: `u${++update}`,
    receivedAt: t.clock.now(),
    content: text.startsWith('/') ? { kind: 'command', command: text.slice(1), args: '' } : { kind: 'text', text },
  });
  const texts = async (msg: InboundMessage) => (await t.app.handler(msg)).messages.map((m) => m.text);
  const slowDown = (lang: 'hi' | 'en' = 'hi') => t.translator.t(lang, 'limits.slow_down');

  test('a burst is answered, the flood beyond it gets one polite notice and then silence; other chats are unaffected', async () => {
    const flooder = '5001';
    const answered: string[][] = [];
    for (let i = 0; i < 12; i++) answered.push(await texts(tg(flooder, '/help')));
    // Five answered in full, the sixth told once, the rest dropped without a word.
    expect(answered.slice(0, 5).every((r) => r.length > 0 && !r.includes(slowDown()))).toBe(true);
    expect(answered[5]).toEqual([slowDown()]);
    expect(answered.slice(6)).toEqual(Array.from({ length: 6 }, () => []));
    // Another citizen at the same instant is answered as usual.
    const other = await texts(tg('5002', '/start'));
    expect(other.length).toBeGreaterThan(0);
    expect(other).not.toContain(slowDown());
    // The dropped messages never reached the database: the flooder's chat recorded only the five.
    const conv = await t.app.models.Conversation.findById(`telegram:${flooder}`).lean().exec();
    expect(conv?.seen).toHaveLength(5);
  });

  test('the allowance refills with time (20 a minute: one every 3 s); one notice per flood, a new flood after a quiet spell gets a new one', async () => {
    const chat = '5003';
    for (let i = 0; i < 6; i++) await texts(tg(chat, '/help'));
    expect(await texts(tg(chat, '/help'))).toEqual([]);
    t.clock.advance(3_000);
    const again = await texts(tg(chat, '/help'));
    expect(again.length).toBeGreaterThan(0);
    expect(again).not.toContain(slowDown());
    // Still the same flood: no second notice.
    expect(await texts(tg(chat, '/help'))).toEqual([]);
    // Quiet for long enough to fill the allowance (5 × 3 s): the next flood is told again.
    t.clock.advance(15_000);
    for (let i = 0; i < 5; i++) expect((await texts(tg(chat, '/help'))).length).toBeGreaterThan(0);
    expect(await texts(tg(chat, '/help'))).toEqual([slowDown()]);
  });

  test('the notice speaks the language the chat last chose', async () => {
    const chat = '5004';
    await t.app.handler({ ...tg(chat, ''), content: { kind: 'button', scope: 'lang', value: 'en' } });
    for (let i = 0; i < 4; i++) await texts(tg(chat, '/help'));
    expect(await texts(tg(chat, '/help'))).toEqual([slowDown('en')]);
  });

  test('staff have a larger allowance (120 a minute: a burst of 30)', async () => {
    const results: string[][] = [];
    for (let i = 0; i < 31; i++) results.push(await texts(tg(ADMIN, '/help')));
    expect(results.slice(0, 30).every((r) => r.length > 0 && !r.includes(slowDown()))).toBe(true);
    expect(results[30]).toEqual([slowDown()]);
  });

  test('an officer this process has not seen yet gets the staff allowance from the first message (commands queued over a restart are not a flood)', async () => {
    const officer = '5009';
    await t.app.models.Staff.create({
      _id: 'OFF5009',
      identityKey: `telegram:${officer}`,
      channel: 'telegram',
      chatId: officer,
      role: 'officer',
      department: 'FOOD',
      name: 'Officer',
      language: 'hi',
      active: true,
      joinedAt: t.clock.now(),
      invitedBy: 'test',
    });
    const results: string[][] = [];
    for (let i = 0; i < 25; i++) results.push(await texts(tg(officer, '/help')));
    expect(results.every((r) => r.length > 0 && !r.includes(slowDown()))).toBe(true);
  });

  test('the web channel passes the same limit', async () => {
    const chats = webChats(t.app);
    const replies: string[][] = [];
    for (let i = 0; i < 7; i++) replies.push(await chats.send('flood-web', '/help'));
    expect(replies[5]).toEqual([slowDown()]);
    expect(replies[6]).toEqual([]);
  });
});
