import {
  createFakeGraphApi,
  choose,
  cloudTextOf,
  cloudWebhook,
  postWebhook,
  type FakeGraphApi,
  type SentCloudMessage,
} from '../../support/fake-graph-api';
import {
  createFakeTelegramApi,
  type FakeTelegramApi,
  type RecordedCall,
  textOf,
} from '../../support/fake-telegram-api';
import { command } from '../../support/telegram-updates';
import { createTestApp, type TestApp } from '../../support/test-app';

const TOKEN = '123456789:CLOUD-e2e-token-abcdefghijklmnopqrstuvw';
const PHONE_NUMBER_ID = '106540352242922';
const ACCESS_TOKEN = 'EAAG-test-access-token-0123456789';
const APP_SECRET = 'cloud-app-secret-0123456789';
const VERIFY_TOKEN = 'verify-token-0123456789abcdef';
const ADMIN = 9001;
const TG_OFFICER = 9101;
const CITIZEN = '919876543210';
const CITIZEN_CHAT = `${CITIZEN}@c.us`;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);

describe('WhatsApp Business Cloud API channel', () => {
  let tg: FakeTelegramApi;
  let graph: FakeGraphApi;
  let t: TestApp;
  let appUrl: string;
  const wh = cloudWebhook(PHONE_NUMBER_ID);
  const hi = (key: string, params?: Record<string, unknown>) => t.translator.t('hi', key, params);

  /** The citizen sends one message part; wait for `count` more messages to them. */
  async function say(part: Record<string, unknown>, count: number, id?: string): Promise<SentCloudMessage[]> {
    const before = graph.sentTo(CITIZEN).length;
    const { payload } = wh.message(CITIZEN, part, id);
    expect(await postWebhook(appUrl, payload, APP_SECRET)).toBe(200);
    const all = await graph.waitForSent(CITIZEN, before + count);
    await t.app.outbox.drain(10_000);
    return all.slice(before);
  }
  const text = (body: string) => ({ type: 'text', text: { body } });

  async function tgCommand(chat: number, cmd: string, args: string, count: number): Promise<RecordedCall[]> {
    return tg.exchange(command(chat, cmd, args), chat, count);
  }

  async function officerJoins(): Promise<void> {
    await tgCommand(ADMIN, '/invite', 'officer FOOD', 1);
    const invite = await t.app.models.Invite.findOne({ role: 'officer' }).sort({ createdAt: -1 }).lean();
    await tgCommand(TG_OFFICER, '/start', String(invite?._id), 2);
  }

  /** Walk the intake to the summary with a photo; returns the summary message. */
  async function fileUpToSummary(): Promise<SentCloudMessage | undefined> {
    const [category] = await say(text('/new'), 1);
    expect(cloudTextOf(category)).toContain(hi('intake.category.prompt'));
    expect(category?.type).toBe('interactive');
    const [block] = await say(choose(category, hi('category.ration')), 1);
    expect(cloudTextOf(block)).toContain(hi('intake.block.prompt'));
    await say(choose(block, hi('block.jobat')), 1);
    await say(text('वार्ड 5'), 1);
    graph.addMedia('771', JPEG, 'image/jpeg');
    const [phone] = await say(
      { type: 'image', image: { id: '771', mime_type: 'image/jpeg', caption: 'राशन की दुकान दस दिन से बंद है' } },
      1,
    );
    expect(cloudTextOf(phone)).toContain(hi('intake.phone.prompt'));
    const [summary] = await say(choose(phone, hi('intake.phone.share')), 1);
    expect(cloudTextOf(summary)).toContain('+919876543210');
    return summary;
  }

  beforeEach(async () => {
    tg = createFakeTelegramApi({ token: TOKEN });
    const { apiRoot } = await tg.start();
    graph = createFakeGraphApi({ phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN });
    const graphRoot = await graph.start();
    t = await createTestApp({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      ADMIN_TELEGRAM_IDS: String(ADMIN),
      WHATSAPP_CLOUD_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_CLOUD_ACCESS_TOKEN: ACCESS_TOKEN,
      WHATSAPP_CLOUD_APP_SECRET: APP_SECRET,
      WHATSAPP_CLOUD_VERIFY_TOKEN: VERIFY_TOKEN,
      WHATSAPP_CLOUD_API_ROOT: graphRoot.apiRoot,
    });
    await t.app.start();
    appUrl = t.app.http.url() as string;
  });

  afterEach(async () => {
    await t.close();
    await tg.stop();
    await graph.stop();
  });

  test('a citizen files through signed webhooks with buttons and a photo; an officer on Telegram resolves it; a late notice goes as a template', async () => {
    await officerJoins();
    const summary = await fileUpToSummary();
    const submit = wh.message(CITIZEN, choose(summary, hi('intake.summary.submit')));
    expect(await postWebhook(appUrl, submit.payload, APP_SECRET)).toBe(200);
    // The platform redelivers the same webhook: nothing is filed twice.
    expect(await postWebhook(appUrl, submit.payload, APP_SECRET)).toBe(200);
    const done = await graph.waitForSent(CITIZEN, graph.sentTo(CITIZEN).length + 1);
    const ref = /(ALR-\d{6})/.exec(cloudTextOf(done.at(-1)))?.[1] as string;
    expect(ref).toBeDefined();
    await t.app.outbox.drain(10_000);
    expect(await t.app.models.Ticket.countDocuments({ chatId: CITIZEN_CHAT })).toBe(1);
    const ticket = await t.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket).toMatchObject({
      channel: 'whatsapp',
      chatId: CITIZEN_CHAT,
      category: 'ration',
      phone: '+919876543210',
    });
    expect(ticket?.attachments[0]?.fileId).toBe('wac:771');

    // The officer's card arrives on Telegram with the citizen's photo, fetched from the Graph API.
    const card = await tg.waitFor(() => tg.sent(TG_OFFICER).find((c) => textOf(c).includes(ref)), 10_000);
    expect(textOf(card)).toContain('राशन की दुकान दस दिन से बंद है');
    await tg.waitFor(() => tg.sent(TG_OFFICER).find((c) => c.method === 'sendPhoto'), 10_000);

    // Inside the 24-hour window the acknowledgement is free text.
    await tgCommand(TG_OFFICER, '/ack', ref, 1);
    const ackMsg = await waitUntil(() =>
      graph.sentTo(CITIZEN).find((m) => cloudTextOf(m).includes(hi('notify.acknowledged', { ref }))),
    );
    expect(ackMsg.type).not.toBe('template');

    // A day and more later the citizen has not written: the update goes as the approved template.
    t.clock.advance(25 * 60 * 60 * 1000);
    await tgCommand(TG_OFFICER, '/update', `${ref} कल दुकान खुलेगी`, 1);
    const late = await waitUntil(() => graph.sentTo(CITIZEN).find((m) => cloudTextOf(m).includes('कल दुकान खुलेगी')));
    expect(late.type).toBe('template');
    expect(late.body).toMatchObject({ template: { name: 'jan_sahayak_update', language: { code: 'hi' } } });
    expect(cloudTextOf(late)).not.toContain('\n');
    await t.app.outbox.drain(10_000);
    const record = await t.app.models.Ticket.db.collection('outbox').findOne({ platformMessageId: late.id });
    expect(record).toMatchObject({ status: 'sent', via: 'template' });

    // The citizen writes again: the window is open and the resolution is free text with the rating buttons.
    await say(text('कब तक?'), 1);
    await tgCommand(TG_OFFICER, '/resolve', `${ref} दुकान खुलवा दी गई`, 1);
    const resolved = await waitUntil(() =>
      graph.sentTo(CITIZEN).find((m) => cloudTextOf(m).includes('दुकान खुलवा दी गई')),
    );
    expect(resolved.type).not.toBe('template');

    // Delivery reports update the outbox record.
    const statuses = wh.statuses([
      { id: resolved.id, status: 'delivered', timestamp: '1764300100', recipient_id: CITIZEN },
    ]);
    expect(await postWebhook(appUrl, statuses, APP_SECRET)).toBe(200);
    await waitUntil(
      async () =>
        (await t.db.conn.collection('outbox').findOne({ platformMessageId: resolved.id }))?.deliveryStatus ===
        'delivered',
    );

    const logs = t.logs().join('\n');
    expect(logs).not.toContain('9876543210');
    expect(logs).not.toContain('राशन की दुकान');
    expect(logs).not.toContain(ACCESS_TOKEN);
  });

  test('an officer on the Cloud channel joins by invite, acknowledges with the card’s list and updates by replying to the card', async () => {
    const OFFICER = '919812345678';
    const officerSays = async (part: Record<string, unknown>, count: number): Promise<SentCloudMessage[]> => {
      const before = graph.sentTo(OFFICER).length;
      expect(await postWebhook(appUrl, wh.message(OFFICER, part).payload, APP_SECRET)).toBe(200);
      const all = await graph.waitForSent(OFFICER, before + count);
      await t.app.outbox.drain(10_000);
      return all.slice(before);
    };
    await tgCommand(ADMIN, '/invite', 'officer FOOD', 1);
    const invite = await t.app.models.Invite.findOne({ role: 'officer' }).sort({ createdAt: -1 }).lean();
    await officerSays(text(`/start ${String(invite?._id)}`), 2);

    const summary = await fileUpToSummary();
    await say(choose(summary, hi('intake.summary.submit')), 1);
    const ticket = await t.app.models.Ticket.findOne({ chatId: CITIZEN_CHAT }).lean();
    const ref = ticket?.ref as string;
    const card = await waitUntil(() => graph.sentTo(OFFICER).find((m) => cloudTextOf(m).includes(ref)));
    await t.app.outbox.drain(10_000);

    const [ack] = await officerSays(choose(card, hi('staff.button.ack')), 1);
    expect(cloudTextOf(ack)).toContain(hi('staff.done.acknowledge', { ref }));
    await waitUntil(() =>
      graph.sentTo(CITIZEN).find((m) => cloudTextOf(m).includes(hi('notify.acknowledged', { ref }))),
    );

    // Words in reply to the card (WhatsApp's context names the card's message id) are a progress update.
    const [updated] = await officerSays(
      { ...text('कल निरीक्षण होगा'), context: { from: '15550000000', id: card.id } },
      1,
    );
    expect(cloudTextOf(updated)).toContain(hi('staff.done.update', { ref }).slice(0, 20));
    await waitUntil(() => graph.sentTo(CITIZEN).find((m) => cloudTextOf(m).includes('कल निरीक्षण होगा')));
    expect((await t.app.models.Ticket.findOne({ ref }).lean())?.history.map((h) => h.action)).toEqual(
      expect.arrayContaining(['acknowledge', 'update']),
    );
  });

  test('the nightly clean-up forgets customer-service windows that have closed', async () => {
    await say(text('/help'), 1);
    expect(await t.db.conn.collection('whatsapp_cloud_windows').countDocuments()).toBe(1);
    t.clock.advance(25 * 60 * 60 * 1000);
    expect(await t.app.scheduler.runNow('cleanup', t.clock.now())).toBe('ran');
    expect(await t.db.conn.collection('whatsapp_cloud_windows').countDocuments()).toBe(0);
  });

  test('unsigned, forged and foreign webhooks are refused and store nothing; the verification handshake needs the token', async () => {
    const { payload } = wh.message(CITIZEN, text('/new'));
    expect(await postWebhook(appUrl, payload, APP_SECRET, { signature: null })).toBe(401);
    expect(await postWebhook(appUrl, payload, 'some-other-secret-000')).toBe(403);
    expect(await postWebhook(appUrl, payload, APP_SECRET, { signature: 'sha256=' + '0'.repeat(64) })).toBe(403);
    // Signed, but for another business number: accepted and ignored.
    const foreign = cloudWebhook('999999999').message(CITIZEN, text('/new')).payload;
    expect(await postWebhook(appUrl, foreign, APP_SECRET)).toBe(200);
    await t.app.outbox.drain(2_000);
    expect(await t.db.conn.collection('inbound_inbox').countDocuments()).toBe(0);
    expect(await t.app.models.Conversation.countDocuments({ _id: { $regex: '^whatsapp:' } })).toBe(0);
    expect(graph.sent).toHaveLength(0);

    const verify = (token: string) =>
      fetch(`${appUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`);
    const ok = await verify(VERIFY_TOKEN);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await verify('wrong-token-0123456789')).status).toBe(403);
  });

  test('a server error is retried; an undeliverable number and a failed delivery report show in /failed', async () => {
    graph.failSends({ status: 500, code: 131000, message: 'Something went wrong' });
    const [greeting] = await say(text('/new'), 1);
    expect(cloudTextOf(greeting)).toContain(hi('intake.category.prompt'));

    // A phone-call ticket's notice to a number that is not on WhatsApp fails for good.
    graph.failSends({ status: 400, code: 131026, message: 'Message undeliverable' });
    await t.app.outbox.enqueue([
      { channel: 'whatsapp', chatId: '919000000001@c.us', message: { text: 'सूचना' }, dedupeKey: 'test:undeliverable' },
    ]);
    await waitUntil(async () =>
      (await t.app.outbox.failedRecent(10)).some(
        (f) => f.dedupeKey === 'test:undeliverable' && f.reason === 'chat_not_found',
      ),
    );

    // The platform accepted a message, then reported it failed.
    const [sent] = await say(text('/cancel'), 1);
    const report = wh.statuses([
      {
        id: sent?.id,
        status: 'failed',
        timestamp: '1764300200',
        recipient_id: CITIZEN,
        errors: [{ code: 131049, title: 'not delivered' }],
      },
    ]);
    expect(await postWebhook(appUrl, report, APP_SECRET)).toBe(200);
    await waitUntil(async () => (await t.app.outbox.failedRecent(10)).some((f) => f.reason === 'undeliverable'));
  });
});

async function waitUntil<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
