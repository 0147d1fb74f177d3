import type { InboundContent, InboundMessage } from '../../src/conversation/types';
import { createTestApp, type TestApp } from '../support/test-app';

let n = 0;
/** A whole complaint up to its summary, one message each. */
const TO_SUMMARY: InboundContent[] = [
  { kind: 'command', command: 'new', args: '' },
  { kind: 'button', scope: 'category', value: 'other' },
  { kind: 'button', scope: 'block', value: 'jobat' },
  { kind: 'text', text: 'Ambari' },
  { kind: 'text', text: 'Street light broken for a month' },
  { kind: 'button', scope: 'phone', value: 'skip' },
];
function msg(t: TestApp, content: InboundContent, updateKey = `u${++n}`): InboundMessage {
  return { channel: 'telegram', chatId: '777', updateKey, receivedAt: t.clock.now(), content };
}

describe('the inbound handler', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  test('the same delivery arriving twice at once is handled once', async () => {
    await t.app.handler(msg(t, { kind: 'command', command: 'new', args: '' }));
    const same = msg(t, { kind: 'button', scope: 'category', value: 'ration' });
    const [a, b] = await Promise.all([t.app.handler(same), t.app.handler({ ...same })]);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    const doc = await t.app.models.Conversation.findById('telegram:777').lean();
    expect(doc?.state.flow?.step).toBe('block');
    expect(doc?.seen.filter((k) => k === same.updateKey)).toHaveLength(1);
  });

  test('two different messages racing for one chat are both applied, one after the other', async () => {
    await t.app.handler(msg(t, { kind: 'command', command: 'new', args: '' }));
    await Promise.all([
      t.app.handler(msg(t, { kind: 'command', command: 'language', args: 'en' })),
      t.app.handler(msg(t, { kind: 'button', scope: 'category', value: 'health' })),
    ]);
    const doc = await t.app.models.Conversation.findById('telegram:777').lean();
    expect(doc?.state.language).toBe('en');
    expect(doc?.state.flow?.answers.category).toBe('health');
    expect(doc?.version).toBe(3);
  });

  test('a reference already taken is skipped, never duplicated', async () => {
    await t.app.models.Ticket.collection.insertOne({
      ref: 'ALR-000001',
      idempotencyKey: 'restored-from-backup',
    } as never);
    for (const c of TO_SUMMARY) {
      await t.app.handler(msg(t, c));
    }
    const res = await t.app.handler(msg(t, { kind: 'button', scope: 'summary', value: 'submit' }));
    expect(res.messages[0]?.text).toContain('ALR-000002');
  });

  test('an unexpected failure is logged once and the citizen hears a polite apology in their language', async () => {
    await t.app.handler(msg(t, { kind: 'command', command: 'language', args: 'en' }));
    const before = t.logs().length;
    {
      for (const c of TO_SUMMARY) {
        await t.app.handler(msg(t, c));
      }
      // A real server-side failure at submit: the counter holds a value $inc refuses.
      await t.app.models.Counter.collection.insertOne({ _id: 'ticket:ALR', seq: 'corrupt' } as never);
      const res = await t.app.handler(msg(t, { kind: 'button', scope: 'summary', value: 'submit' }));
      expect(res.messages.map((m) => m.text)).toEqual([t.translator.t('en', 'error.generic')]);
      const errors = t
        .logs()
        .slice(before)
        .filter((l) => JSON.parse(l).level >= 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('"event":"update_failed"');
      expect(errors[0]).not.toContain('Street light');
    }
    {
      // Nothing was lost: once the database is back, pressing submit again files the ticket.
      await t.app.models.Counter.collection.deleteOne({ _id: 'ticket:ALR' } as never);
      const retry = await t.app.handler(msg(t, { kind: 'button', scope: 'summary', value: 'submit' }));
      expect(retry.messages[0]?.text).toContain('ALR-000001');
    }
    expect(await t.app.models.Ticket.countDocuments()).toBe(1);
  });

  test('two submits of one form at once (different update ids, as the web channel or two processes allow) file one ticket and count once', async () => {
    for (const content of TO_SUMMARY) await t.app.handler(msg(t, content));
    const submit: InboundContent = { kind: 'button', scope: 'summary', value: 'submit' };
    const replies = await Promise.all([t.app.handler(msg(t, submit)), t.app.handler(msg(t, submit))]);
    const tickets = await t.app.models.Ticket.find({ chatId: '777' }).lean();
    expect(tickets).toHaveLength(1);
    // Whoever answered with a reference named the one ticket.
    const refs = replies.flatMap((r) => r.messages.map((m) => /ALR-\d{6}/.exec(m.text)?.[0])).filter(Boolean);
    expect(new Set(refs)).toEqual(new Set([tickets[0]?.ref]));
    const doc = await t.app.models.Conversation.findById('telegram:777').lean();
    expect(doc?.state.quota.count).toBe(1);
  });
});
