import type { Logger } from 'pino';
import { createWhatsAppAdminModule } from '../../../src/channels/whatsapp/whatsapp-admin-module';
import { IDENTITY_RETRY_MS } from '../../../src/channels/whatsapp/whatsapp-identity';
import type { WhatsAppChannelDeps } from '../../../src/channels/whatsapp/whatsapp-channel';
import {
  createFakeWhatsAppFactory,
  FakeWhatsAppMessage,
  PAIRING_CODE_INTERVAL_MS,
  QR_REFRESH_MS,
  type FakeStartBehaviour,
  type FakeWhatsAppClient,
  type FakeWhatsAppFactory,
} from '../../support/fake-whatsapp-client';
import { createManualTimers, type ManualTimers } from '../../support/manual-timers';
import type { TestApp } from '../../support/test-app';
import {
  attachWhatsApp,
  createWhatsAppTestApp,
  eventually,
  optionNumber,
  type AttachedWhatsApp,
} from './whatsapp-test-app';

const PN = '919876543210@c.us';
const LID = '204571238765432@lid';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]).toString('base64');

/**
 * The WhatsApp channel against a stand-in as unkind as whatsapp-web.js 1.34.7
 * (see test/support/fake-whatsapp-client.ts). Each test names the defect it
 * guards against.
 */
describe('WhatsApp as the real library behaves', () => {
  let t: TestApp & { logger: Logger };
  let wa: AttachedWhatsApp | undefined;
  const hi = (key: string, params?: Record<string, unknown>) => t.translator.t('hi', key, params);

  beforeEach(async () => {
    t = await createWhatsAppTestApp();
    await t.app.start();
  });

  afterEach(async () => {
    await wa?.channel.stop();
    wa = undefined;
    await t.close();
  });

  /** The channel on manual timers: nothing times out until the test moves the clock. */
  async function onManualTimers(
    fallback: FakeStartBehaviour,
    deps: Partial<WhatsAppChannelDeps> = {},
  ): Promise<{ timers: ManualTimers; factory: FakeWhatsAppFactory }> {
    const timers = createManualTimers(t.clock);
    const factory = createFakeWhatsAppFactory(fallback, { timers });
    wa = await attachWhatsApp(t, {
      wait: false,
      factory,
      deps: { timers, reconnect: { initialMs: 1_000, maxMs: 1_000, random: () => 0 }, timeouts: {}, ...deps },
    });
    return { timers, factory };
  }

  /** Walk to the description step, the step that takes photos (media are fetched only where a step takes them). */
  async function toDescription(client: FakeWhatsAppClient): Promise<void> {
    const [category] = await say(client, PN, '/new', PN, 1);
    const [block] = await say(client, PN, optionNumber(category?.body ?? '', hi('category.ration')), PN, 1);
    await say(client, PN, optionNumber(block?.body ?? '', hi('block.jobat')), PN, 1);
    await say(client, PN, 'वार्ड 5, बस स्टैंड के पास', PN, 1);
  }

  async function say(
    client: FakeWhatsAppClient,
    from: string,
    body: string,
    to: string,
    count: number,
    extra: object = {},
  ) {
    const before = client.sent(to).length;
    client.receive({ from, body, ...extra });
    const all = await client.waitForSent(to, before + count);
    await t.app.outbox.drain(10_000);
    return all.slice(before);
  }

  test('one person writing from @c.us and then from @lid stays one conversation; a typed number reads the menu sent before the switch', async () => {
    wa = await attachWhatsApp(t);
    const client = wa.client();
    client.world.person(PN, LID);
    const [category] = await say(client, PN, '/new', PN, 1);
    expect(category?.body).toContain(hi('intake.category.prompt'));
    // WhatsApp switches the person to their linked id mid-conversation.
    const [block] = await say(client, LID, optionNumber(category?.body ?? '', hi('category.ration')), PN, 1);
    expect(block?.body).toContain(hi('intake.block.prompt'));
    expect(client.sent(LID)).toHaveLength(0);
    // Quoting the block question as WhatsApp shows it in the @lid chat still reads its menu.
    const [locality] = await say(client, LID, optionNumber(block?.body ?? '', hi('block.jobat')), PN, 1, {
      quoted: block?.inChat(LID),
    });
    expect(locality?.body).toContain(hi('intake.locality.prompt'));
    const conversations = await t.app.models.Conversation.find({ _id: { $regex: '^whatsapp:' } }).lean();
    expect(conversations.map((c) => c._id)).toEqual([`whatsapp:${PN}`]);
    // The mapping is stored, so a restart keeps it.
    const ids = await t.db.conn.collection('whatsapp_ids').find({}).toArray();
    expect(ids.map((d) => [d._id, d.person]).sort()).toEqual([
      [LID, PN],
      [PN, PN],
    ]);
  });

  test('an officer linked from a @lid chat keeps their staff role when WhatsApp names them by number', async () => {
    wa = await attachWhatsApp(t);
    const client = wa.client();
    client.world.person(PN, LID);
    // Linked before ids were mapped: the conversation (and role) is under the linked id.
    await say(client, '919800000001@c.us', '/start', '919800000001@c.us', 2);
    const doc = await t.app.models.Conversation.findById('whatsapp:919800000001@c.us').lean();
    await t.app.models.Conversation.create({ ...doc, _id: `whatsapp:${LID}`, staff: { id: 'st-1', role: 'admin' } });
    await t.app.models.Staff.create({
      _id: 'st-1',
      identityKey: `whatsapp:${LID}`,
      channel: 'whatsapp',
      chatId: LID,
      role: 'admin',
      name: 'Admin',
      language: 'hi',
      active: true,
      joinedAt: t.clock.now(),
      invitedBy: 'seed',
    });
    const [reply] = await say(client, PN, '/whatsapp', LID, 1);
    // Answered as an administrator (this test app has no WhatsApp of its own, hence "off"), not as an unknown citizen.
    expect(reply?.body).toBe(hi('whatsapp.admin.status.off'));
  });

  test('a phone lookup that failed is asked again later; only real answers are kept', async () => {
    const linked: string[] = [];
    wa = await attachWhatsApp(t, { deps: { linkCitizen: async (_chat, phone) => void linked.push(phone) } });
    const client = wa.client();
    client.world.person(PN, LID);
    client.world.lidLookupFailures = 1;
    await say(client, LID, '/start', LID, 2);
    expect(linked).toEqual([]);
    // Within the retry wait the failed lookup is not repeated…
    await say(client, LID, '/help', LID, 1);
    expect(linked).toEqual([]);
    // …after it, WhatsApp is asked again and the number is learnt.
    t.clock.advance(IDENTITY_RETRY_MS + 1);
    await say(client, LID, '/help', LID, 1);
    expect(linked).toEqual(['+919876543210']);
  });

  test('a notice to a caller who never wrote is sent after getNumberId (no "No LID for user"); a number without WhatsApp is given up and shown in /failed', async () => {
    wa = await attachWhatsApp(t);
    const client = wa.client();
    client.world.person(PN, LID);
    client.world.notOnWhatsApp.add('911111111111@c.us');
    await t.app.outbox.enqueue([
      { channel: 'whatsapp', chatId: PN, message: { text: 'आपकी शिकायत दर्ज हुई' }, dedupeKey: 'n:ALR-000001:a' },
      {
        channel: 'whatsapp',
        chatId: '911111111111@c.us',
        message: { text: 'आपकी शिकायत दर्ज हुई' },
        dedupeKey: 'n:ALR-000002:a',
      },
    ]);
    const [sent] = await client.waitForSent(PN, 1);
    expect(sent?.body).toBe('आपकी शिकायत दर्ज हुई');
    expect(client.numberLookups).toContain(PN);
    await eventually(async () => (await t.app.outbox.failedRecent()).length === 1);
    const [failed] = await t.app.outbox.failedRecent();
    expect(failed).toMatchObject({ chatId: '911111111111@c.us', reason: 'chat_not_found' });
  });

  test('a number typed under an old message whose menu is not known is asked again, not read against the latest menu', async () => {
    wa = await attachWhatsApp(t);
    const client = wa.client();
    const [category] = await say(client, PN, '/new', PN, 1);
    expect(category?.body).toContain(hi('intake.category.prompt'));
    // Quoting a message of ours whose menu is not known (purged, or saved under another key) and typing a number.
    const old = new FakeWhatsAppMessage({ from: 'me@c.us', to: PN, fromMe: true, body: 'पुराना संदेश' });
    const replies = await say(client, PN, optionNumber(category?.body ?? '', hi('category.ration')), PN, 1, {
      quoted: old,
    });
    expect(replies[0]?.body).toContain(hi('error.stale_button'));
    const state = (await t.app.models.Conversation.findById(`whatsapp:${PN}`).lean())?.state;
    expect(state?.flow?.step).toBe('category');
  });

  test('a photo still downloading at first is stored after a retry; an album announcement gets no answer', async () => {
    wa = await attachWhatsApp(t);
    const client = wa.client();
    await toDescription(client);
    const before = client.sent(PN).length;
    const [album] = client.receiveAlbum(PN, [{ mimetype: 'image/jpeg', data: JPEG }]);
    expect(album?.type).toBe('album');
    // The photo is answered; the album bookkeeping message is not called "unsupported".
    await client.waitForSent(PN, before + 1);
    await t.app.outbox.drain(10_000);
    expect(
      client
        .sent(PN)
        .map((m) => m.body)
        .join('\n'),
    ).not.toContain(hi('error.unsupported_media'));

    const photo = client.receive({
      from: PN,
      body: 'नाली टूटी है',
      media: { mimetype: 'image/jpeg', data: JPEG },
      mediaPendingTries: 1,
    });
    await eventually(
      async () =>
        (await t.db.conn.collection('whatsapp_files').countDocuments({ messageId: photo.id._serialized })) === 1,
    );
    const stored = await t.db.conn.collection('whatsapp_files').findOne({ messageId: photo.id._serialized });
    expect(stored?.bytes).toBeDefined();
    expect(photo.downloads).toBe(2);
  });

  test('a photo sent where the step wants a choice is answered but never downloaded or stored', async () => {
    wa = await attachWhatsApp(t);
    const client = wa.client();
    await say(client, PN, '/new', PN, 1);
    const before = client.sent(PN).length;
    const photo = client.receive({ from: PN, media: { mimetype: 'image/jpeg', data: JPEG } });
    await client.waitForSent(PN, before + 1);
    expect(photo.downloads).toBe(0);
    expect(await t.db.conn.collection('whatsapp_files').countDocuments({ messageId: photo.id._serialized })).toBe(0);
  });

  test('a photo WhatsApp never handed over at intake is fetched when an officer needs it', async () => {
    wa = await attachWhatsApp(t, { deps: { mediaRetryMs: [] } });
    const client = wa.client();
    await toDescription(client);
    const photo = client.receive({ from: PN, media: { mimetype: 'image/jpeg', data: JPEG }, mediaPendingTries: 1 });
    await eventually(
      async () =>
        (await t.db.conn.collection('whatsapp_files').countDocuments({ messageId: photo.id._serialized })) === 1,
    );
    const doc = await t.db.conn.collection('whatsapp_files').findOne({ messageId: photo.id._serialized });
    expect(doc?.bytes).toBeUndefined();
    const file = await wa.channel.file(String(doc?._id));
    expect(file?.bytes?.toString('base64')).toBe(JPEG);
    // Stored for next time.
    expect((await t.db.conn.collection('whatsapp_files').findOne({ _id: doc?._id }))?.bytes).toBeDefined();
  });

  test('messages that arrived while the client was down are answered at ready, once', async () => {
    const factory = createFakeWhatsAppFactory('manual');
    wa = await attachWhatsApp(t, { wait: false, factory });
    const client = await factory.waitForClient(1);
    client.receiveUnseen({ from: PN, body: '/start' });
    client.ready();
    // Ready twice (the library re-emits it after re-injecting): still answered once.
    client.ready();
    await client.waitForSent(PN, 2);
    await t.app.outbox.drain(10_000);
    expect(client.sent(PN)).toHaveLength(2);
    expect(t.logs().some((l) => l.includes('"event":"whatsapp_caught_up"'))).toBe(true);
  });

  test('logged in but never ready: the client is recreated after the time limit and administrators are told', async () => {
    const { timers, factory } = await onManualTimers('authenticated', { timeouts: { readyMs: 60_000 } });
    factory.behaviours.push('authenticated');
    const first = await factory.waitForClient(1);
    await timers.advance(59_000);
    expect(factory.clients).toHaveLength(1);
    await timers.advance(2_000);
    await eventually(() => first.destroyed && wa?.downs.length === 1);
    expect(wa?.downs).toEqual(['stalled']);
    await timers.advance(1_000);
    const second = await factory.waitForClient(2);
    second.ready();
    expect(wa?.channel.status()).toBe('up');
    // A late ready from the replaced client changes nothing.
    first.emit('ready');
    await eventually(() => wa?.ups === 1);
    expect(factory.clients).toHaveLength(2);
  });

  test('a QR code that stops refreshing, and a pairing code that never comes, end in a new client', async () => {
    const { timers, factory } = await onManualTimers('qr', { timeouts: { qrMs: 60_000, startMs: 90_000 } });
    factory.world.qrRefreshes = 3;
    factory.behaviours.push('manual');
    const first = await factory.waitForClient(1);
    // Refreshing QR codes keep the client.
    await timers.advance(QR_REFRESH_MS * 2 + 1);
    expect(factory.clients).toHaveLength(1);
    // Then the QR goes dead.
    await timers.advance(60_000 + 1_000);
    await eventually(() => first.destroyed && wa?.downs.length === 2);
    expect(wa?.downs).toEqual(['login_required', 'stalled']);
    await timers.advance(1_000);
    // The next client shows nothing at all (no QR, no code): it is replaced too.
    await factory.waitForClient(2);
    await timers.advance(90_000 + 1_000);
    await timers.advance(1_000);
    await factory.waitForClient(3);
  });

  test('a pairing code every 180 s: administrators get the first; the current one is there on request', async () => {
    const codes: string[] = [];
    const { timers, factory } = await onManualTimers('pairing', { onPairingCode: (code) => void codes.push(code) });
    const client = await factory.waitForClient(1);
    await eventually(() => client.codes.length === 1);
    await timers.advance(PAIRING_CODE_INTERVAL_MS * 3);
    expect(client.codes).toHaveLength(4);
    expect(codes).toEqual([client.codes[0]]);
    expect(wa?.channel.pairingCode()).toBe(client.codes[3]);
    expect(factory.clients).toHaveLength(1);

    const module = createWhatsAppAdminModule({ channel: () => wa?.channel });
    const state = { language: 'hi' } as never;
    const asked = await module.handle({
      identity: { id: 'a', role: 'admin' },
      state,
      msg: {} as never,
      name: 'whatsapp',
      args: [],
      argText: '',
    });
    expect(asked.replies.map((r) => r.text)).toEqual([
      { key: 'whatsapp.admin.status.down' },
      { key: 'whatsapp.alert.pairing_code', params: { code: client.codes[3] } },
    ]);
    const officer = await module.handle({
      identity: { id: 'o', role: 'officer', department: 'FOOD' },
      state,
      msg: {} as never,
      name: 'whatsapp',
      args: [],
      argText: '',
    });
    expect(officer.replies.map((r) => r.text)).toEqual([{ key: 'staff.forbidden' }]);
  });

  test('UNPAIRED is a logout; TOS_BLOCK is reported once and not retried', async () => {
    const { timers, factory } = await onManualTimers('ready');
    const first = await factory.waitForClient(1);
    await eventually(() => wa?.channel.status() === 'up');
    first.changeState('UNPAIRED');
    await eventually(() => wa?.downs.length === 1);
    expect(wa?.downs).toEqual(['logged_out']);
    await timers.advance(1_000);
    const second = await factory.waitForClient(2);
    await eventually(() => wa?.channel.status() === 'up');
    second.changeState('TOS_BLOCK');
    await eventually(() => wa?.downs.length === 2);
    expect(wa?.downs).toEqual(['logged_out', 'banned']);
    await timers.advance(10 * 60_000);
    expect(factory.clients).toHaveLength(2);
    expect(wa?.channel.status()).toBe('down');
  });

  test('a browser that never closes does not stop the reconnect', async () => {
    const { timers, factory } = await onManualTimers('ready', { timeouts: { destroyMs: 30_000 } });
    const first = await factory.waitForClient(1);
    await eventually(() => wa?.channel.status() === 'up');
    first.destroyHangs = true;
    first.disconnect('NAVIGATION');
    await timers.advance(29_000);
    expect(factory.clients).toHaveLength(1);
    await timers.advance(2_000);
    await factory.waitForClient(2);
    expect(t.logs().some((l) => l.includes('"event":"whatsapp_destroy_failed"'))).toBe(true);
  });
});
