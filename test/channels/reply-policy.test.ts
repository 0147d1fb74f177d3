import type { InboundContent, InboundMessage } from '../../src/conversation/types';
import type { ChannelName, RenderedMessage } from '../../src/core/messages';
import { createLogger } from '../../src/logger';
import type { ChannelSender } from '../../src/outbox/channel-sender';
import { createOutbox, type Outbox } from '../../src/outbox/outbox';
import { createOutboxModel } from '../../src/outbox/outbox-model';
import { replyKey } from '../../src/channels/reply-policy';
import { captureLogs, createTestApp, type TestApp } from '../support/test-app';

/** Where each channel's citizen writes from (a web chat id must look like one). */
const CHATS: Record<ChannelName, string> = { telegram: '424242', whatsapp: '919812345678@c.us', web: 'citizen-7' };

let n = 0;
function msg(t: TestApp, channel: ChannelName, content: InboundContent, updateKey = `rp${++n}`): InboundMessage {
  return { channel, chatId: CHATS[channel], updateKey, receivedAt: t.clock.now(), content };
}
const START: InboundContent = { kind: 'command', command: 'new', args: '' };

/** What the outbox holds for one chat, oldest first. */
async function recorded(t: TestApp, channel: ChannelName) {
  const models = await createOutboxModel(t.db.conn);
  return models.Message.find({ channel, chatId: CHATS[channel] }).sort({ seq: 1 }).lean();
}

/** A sender standing in for a platform: what it was given, under which keys; `fail` makes it refuse. */
function recordingSender(channel: ChannelName) {
  const got: Array<{ text: string; key: string | undefined }> = [];
  const state = { fail: false };
  const sender: ChannelSender = {
    channel,
    send: async (_chatId: string, m: RenderedMessage, opts?: { key?: string }) => {
      if (state.fail) throw new Error('platform away');
      got.push({ text: m.text, key: opts?.key });
      return {};
    },
    classify: () => ({ retry: true }),
  };
  return { sender, got, state };
}

describe('one reply policy for every channel', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  test.each<ChannelName>(['telegram', 'whatsapp', 'web'])(
    'a %s reply goes out with the channel sender under keys named by its update, at once or through the outbox',
    async (channel) => {
      const platform = recordingSender(channel);
      t.app.outbox.registerSender(platform.sender);
      const now = msg(t, channel, START);
      const sent = await t.app.replies.direct(now);
      expect(sent.messages.length).toBeGreaterThan(0);
      expect(platform.got).toEqual(sent.messages.map((m, i) => ({ text: m.text, key: replyKey(now, i) })));
      expect(await recorded(t, channel)).toHaveLength(0);

      platform.got.length = 0;
      const paced = msg(t, channel, { kind: 'command', command: 'help', args: '' });
      const queued = await t.app.replies.outbox(paced);
      expect((await recorded(t, channel)).map((r) => r.dedupeKey)).toEqual(
        queued.messages.map((_, i) => replyKey(paced, i)),
      );
      t.app.outbox.start();
      expect(await t.app.outbox.drain(10_000)).toBe(true);
      expect(platform.got).toEqual(queued.messages.map((m, i) => ({ text: m.text, key: replyKey(paced, i) })));
    },
  );

  test('a reply the platform refuses at once is left to the outbox, which sends it later', async () => {
    const platform = recordingSender('telegram');
    t.app.outbox.registerSender(platform.sender);
    platform.state.fail = true;
    const m = msg(t, 'telegram', START);
    const res = await t.app.handler(m);
    expect((await recorded(t, 'telegram')).map((r) => r.dedupeKey)).toEqual(res.messages.map((_, i) => replyKey(m, i)));
    platform.state.fail = false;
    t.app.outbox.start();
    expect(await t.app.outbox.drain(10_000)).toBe(true);
    expect(platform.got.map((g) => g.text)).toEqual(res.messages.map((r) => r.text));
  });

  test('a crash after the step is saved, before the reply went, still delivers the reply when the update comes again', async () => {
    const platform = recordingSender('telegram');
    t.app.outbox.registerSender(platform.sender);
    await t.app.handler(msg(t, 'telegram', START));
    const answer = msg(t, 'telegram', { kind: 'button', scope: 'category', value: 'ration' });
    // The process "dies" right after the conversation step was saved: neither the send nor the outbox write happens.
    platform.state.fail = true;
    const enqueue = t.app.outbox.enqueue;
    t.app.outbox.enqueue = () => Promise.reject(new Error('power lost'));
    await expect(t.app.handler(answer)).rejects.toThrow('power lost');
    t.app.outbox.enqueue = enqueue;
    platform.state.fail = false;
    const saved = await t.app.models.Conversation.findById(`telegram:${CHATS.telegram}`).lean();
    expect(saved?.state.flow?.step).toBe('block');
    const ofAnswer = async () =>
      (await recorded(t, 'telegram')).filter((r) => r.dedupeKey.includes(`:${answer.updateKey}:`));
    expect(await ofAnswer()).toHaveLength(0);

    // Telegram (or the webhook inbox) delivers the unconfirmed update again after the restart.
    const again = await t.app.handler({ ...answer });
    expect(again.duplicate).toBe(true);
    const rows = await ofAnswer();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]?.message.text).toContain('2/6');
    t.app.outbox.start();
    expect(await t.app.outbox.drain(10_000)).toBe(true);
    expect(platform.got.some((g) => g.text.includes('2/6'))).toBe(true);

    // A third delivery hands out nothing more, and the step did not advance again.
    const third = await t.app.handler({ ...answer });
    expect(third.messages).toHaveLength(0);
    expect(await ofAnswer()).toHaveLength(rows.length);
    const after = await t.app.models.Conversation.findById(`telegram:${CHATS.telegram}`).lean();
    expect(after?.state.flow?.step).toBe('block');
  });

  test('an apology is not recorded under the update: the same update handled later still gets its real reply', async () => {
    const m = msg(t, 'web', START);
    const load = t.app.models.Conversation.findOne.bind(t.app.models.Conversation);
    t.app.models.Conversation.findOne = (() => {
      throw new Error('database away');
    }) as never;
    const sorry = await t.app.handler(m);
    t.app.models.Conversation.findOne = load;
    expect(sorry.replyKeys[0]).not.toBe(replyKey(m, 0));
    const real = await t.app.handler({ ...m });
    expect(real.duplicate).toBe(false);
    expect(real.replyKeys[0]).toBe(replyKey(m, 0));
    const shown = await t.app.web.messages(CHATS.web, 0);
    expect(shown.map((v) => v.message?.text)).toEqual([...sorry.messages, ...real.messages].map((r) => r.text));
  });
});

describe('the outbox hold while a message is handled', () => {
  let t: TestApp;
  let outbox: Outbox;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    await outbox.stop();
    await t.close();
  });

  test('the replies go before a notice the handling queued for the same chat', async () => {
    const sent: string[] = [];
    const sender: ChannelSender = {
      channel: 'web',
      send: async (_chatId: string, m: RenderedMessage) => {
        sent.push(m.text);
        return {};
      },
      classify: () => ({ retry: false, reason: 'rejected' }),
    };
    outbox = createOutbox({
      models: await createOutboxModel(t.db.conn),
      logger: createLogger({ level: 'silent', pretty: false, destination: captureLogs().stream }),
      senders: [sender],
      pollIntervalMs: 20,
    });
    outbox.start();
    const hold = outbox.holdChat('web', 'citizen-8');
    // As the filing does: its notice for the citizen is recorded first, while the message is being handled.
    await outbox.enqueue([{ channel: 'web', chatId: 'citizen-8', message: { text: 'assigned to an officer' } }]);
    await outbox.enqueue(
      [{ channel: 'web', chatId: 'citizen-8', message: { text: 'registered, reference ALR-1' }, dedupeKey: 'r1' }],
      { hold },
    );
    hold.release();
    expect(await outbox.drain(10_000)).toBe(true);
    expect(sent).toEqual(['registered, reference ALR-1', 'assigned to an officer']);
  });
});
