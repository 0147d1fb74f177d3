import type { InboundContent, InboundMessage, PendingMedia } from '../../src/conversation/types';
import { createTestApp, type TestApp } from '../support/test-app';

const MB = 1024 * 1024;

describe('media are fetched only when the step takes them, within a size limit and a daily quota', () => {
  let t: TestApp;
  let update = 0;
  beforeAll(async () => {
    t = await createTestApp({ MEDIA_MAX_MB: '1', MEDIA_PER_DAY: '2' });
  });
  afterAll(() => t.close());

  const msg = (chatId: string, content: InboundContent, media?: PendingMedia): InboundMessage => ({
    channel: 'whatsapp',
    chatId,
    updateKey: `m${++update}`,
    receivedAt: t.clock.now(),
    content,
    ...(media ? { media } : {}),
  });
  const say = async (chatId: string, content: InboundContent, media?: PendingMedia) =>
    (await t.app.handler(msg(chatId, content, media))).messages.map((m) => m.text);
  /** A deferred download that records whether it ran. */
  const download = (result: { fileId: string } | { tooBig: true }, size?: number) => {
    const calls: number[] = [];
    const media: PendingMedia = {
      ...(size !== undefined ? { size } : {}),
      fetch: async (max) => (calls.push(max), result),
    };
    return { media, calls };
  };
  const photo = (): InboundContent => ({ kind: 'photo', fileId: `pending:${update + 1}` });
  const attachments = async (chatId: string) =>
    (
      (await t.app.models.Conversation.findById(`whatsapp:${chatId}`).lean().exec())?.state.flow?.answers.attachments ??
      []
    ).map((a) => a.fileId);
  async function toDescription(chatId: string): Promise<void> {
    await say(chatId, { kind: 'command', command: 'start', args: '' });
    await say(chatId, { kind: 'button', scope: 'category', value: 'ration' });
    await say(chatId, { kind: 'button', scope: 'block', value: 'jobat' });
    await say(chatId, { kind: 'text', text: 'वार्ड 5, बस स्टैंड के पास' });
  }

  test('a photo where the step wants a choice is answered as before and never downloaded', async () => {
    const chat = '919800000001@c.us';
    await say(chat, { kind: 'command', command: 'start', args: '' });
    const d = download({ fileId: 'waf_000000000000000000000001' });
    const replies = await say(chat, photo(), d.media);
    expect(d.calls).toEqual([]);
    expect(replies.join('\n')).not.toContain(t.translator.t('hi', 'limits.media_too_big', { mb: 1 }));
  });

  test('taken at the description: downloaded once (with the limit), the stored id replaces the placeholder', async () => {
    const chat = '919800000002@c.us';
    await toDescription(chat);
    const d = download({ fileId: 'waf_000000000000000000000002' });
    await say(chat, photo(), d.media);
    expect(d.calls).toEqual([1 * MB]);
    expect(await attachments(chat)).toEqual(['waf_000000000000000000000002']);
  });

  test('over the size limit, declared or found on download: refused politely, nothing stored, the step stays', async () => {
    const chat = '919800000003@c.us';
    await toDescription(chat);
    const tooBig = t.translator.t('hi', 'limits.media_too_big', { mb: 1 });
    const declared = download({ fileId: 'waf_000000000000000000000003' }, 2 * MB);
    expect(await say(chat, photo(), declared.media)).toEqual([tooBig]);
    expect(declared.calls).toEqual([]);
    const found = download({ tooBig: true });
    expect(await say(chat, photo(), found.media)).toEqual([tooBig]);
    expect(await attachments(chat)).toEqual([]);
    // A small one is still taken afterwards.
    await say(chat, photo(), download({ fileId: 'waf_000000000000000000000004' }).media);
    expect(await attachments(chat)).toEqual(['waf_000000000000000000000004']);
  });

  test('beyond the daily quota: refused politely without downloading', async () => {
    const chat = '919800000004@c.us';
    await toDescription(chat);
    await say(chat, photo(), download({ fileId: 'waf_000000000000000000000005' }).media);
    // Two photos (a voice note would answer the description and move on).
    await say(chat, photo(), download({ fileId: 'waf_000000000000000000000006' }).media);
    const third = download({ fileId: 'waf_000000000000000000000007' });
    expect(await say(chat, photo(), third.media)).toEqual([t.translator.t('hi', 'limits.media_quota', { max: 2 })]);
    expect(third.calls).toEqual([]);
    expect(await attachments(chat)).toEqual(['waf_000000000000000000000005', 'waf_000000000000000000000006']);
    // The next district day the quota is fresh.
    t.clock.advance(24 * 3_600_000);
    await say(chat, photo(), download({ fileId: 'waf_000000000000000000000008' }).media);
    expect(await attachments(chat)).toContain('waf_000000000000000000000008');
  });
});
