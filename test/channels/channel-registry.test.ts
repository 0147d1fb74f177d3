import type { Channel, ChannelContext, ChannelDefinition } from '../../src/channels/channel';
import { CHANNELS } from '../../src/channels/channels';
import { createChannelRegistry } from '../../src/channels/channel-registry';
import type { RenderedMessage } from '../../src/core/messages';
import type { ChannelHealth } from '../../src/http/health';
import { NO_CHANNEL_REASON } from '../../src/outbox/unavailable-sender';
import { createTestApp, type TestApp } from '../support/test-app';

/** A stand-in platform: what it was told to do, and a way to receive a citizen's message. */
function fakePlatform() {
  const log: string[] = [];
  const sent: Array<{ chatId: string; text: string }> = [];
  let health: ChannelHealth = 'down';
  let ctx: ChannelContext | undefined;
  const definition: ChannelDefinition<Channel> = {
    id: 'fake-whatsapp',
    carries: 'whatsapp',
    replies: 'direct',
    async create(c) {
      ctx = c;
      log.push('created');
      return {
        name: 'whatsapp',
        sender: {
          channel: 'whatsapp',
          send: async (chatId: string, m: RenderedMessage) => {
            sent.push({ chatId, text: m.text });
            return { messageId: `m${sent.length}` };
          },
          classify: () => ({ retry: false, reason: 'rejected' }),
        },
        files: {
          owns: (id) => id.startsWith('fake:'),
          get: async (id) => ({ bytes: Buffer.from(id), fileName: 'f.jpg', mimeType: 'image/jpeg' }),
        },
        routes: { '/webhooks/fake': async (_req, res) => void res.writeHead(204).end() },
        health: () => health,
        start: async () => {
          log.push('started');
          health = 'up';
        },
        stop: async () => {
          log.push('stopped');
          health = 'off';
        },
      };
    },
  };
  /** A citizen writes on the platform: the adapter hands it to the shared handler and sends nothing itself. */
  const receive = (chatId: string, updateKey: string) =>
    (ctx as ChannelContext).handler({
      channel: 'whatsapp',
      chatId,
      updateKey,
      receivedAt: new Date(),
      content: { kind: 'command', command: 'new', args: '' },
    });
  return { definition, log, sent, receive, files: () => (ctx as ChannelContext).files };
}

describe('the channel registry', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  test('a channel registered in one line is made, started, health-reported, serves its route, sends, and is stopped', async () => {
    const fake = fakePlatform();
    t = await createTestApp({}, { channels: [...CHANNELS, fake.definition] });
    expect(fake.log).toEqual(['created']);
    await t.app.start();
    expect(fake.log).toEqual(['created', 'started']);

    const health = (await (await fetch(`${t.app.http.url()}/healthz`)).json()) as { channels: Record<string, string> };
    expect(health.channels).toMatchObject({ whatsapp: 'up', web: 'up', telegram: 'off' });
    expect((await fetch(`${t.app.http.url()}/webhooks/fake`, { method: 'POST' })).status).toBe(204);

    // A citizen's message: the reply goes out through the outbox with the channel's own sender.
    const res = await fake.receive('chat-1', 'fake-u1');
    expect(res.replyKeys.length).toBeGreaterThan(0);
    // And a notice from anywhere else takes the same way.
    await t.app.outbox.enqueue([{ channel: 'whatsapp', chatId: 'chat-2', message: { text: 'a notice' } }]);
    expect(await t.app.outbox.drain(10_000)).toBe(true);
    expect(fake.sent.map((s) => s.chatId).sort()).toEqual([...res.messages.map(() => 'chat-1'), 'chat-2']);
    expect(fake.sent.filter((s) => s.chatId === 'chat-1').map((s) => s.text)).toEqual(res.messages.map((m) => m.text));

    // Its files are found by the other channels' senders.
    expect((await fake.files()('fake:42'))?.bytes.toString()).toBe('fake:42');
    expect(await fake.files()('nobody-owns-this')).toBeNull();

    await t.app.stop();
    expect(fake.log).toEqual(['created', 'started', 'stopped']);
  });

  test('with no channel carrying WhatsApp, its messages fail at once instead of waiting', async () => {
    // The test configuration runs neither WhatsApp Web nor the Cloud API.
    t = await createTestApp();
    await t.app.outbox.enqueue([
      { channel: 'whatsapp', chatId: '919800000001@c.us', message: { text: 'x' }, dedupeKey: 'off-1' },
    ]);
    t.app.outbox.start();
    expect(await t.app.outbox.drain(10_000)).toBe(true);
    const [failed] = await t.app.outbox.failedRecent(5);
    expect(failed).toMatchObject({ channel: 'whatsapp', reason: NO_CHANNEL_REASON });
  });

  test('two definitions with one id, or two channels on one route, stop start-up with their names', async () => {
    const fake = fakePlatform();
    t = await createTestApp();
    const ctx = { outbox: t.app.outbox, replies: t.app.replies } as unknown as Parameters<
      typeof createChannelRegistry
    >[1];
    await expect(createChannelRegistry([fake.definition, fake.definition], ctx)).rejects.toThrow(
      'fake-whatsapp is listed twice',
    );
    const again = fakePlatform();
    await expect(createChannelRegistry([fake.definition, { ...again.definition, id: 'fake-2' }], ctx)).rejects.toThrow(
      '/webhooks/fake',
    );
  });
});
