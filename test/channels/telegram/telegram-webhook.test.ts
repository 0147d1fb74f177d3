import { createFakeTelegramApi, type FakeTelegramApi, type RecordedCall } from '../../support/fake-telegram-api';
import { callbackQuery, command, textMessage, type NewUpdate } from '../../support/telegram-updates';
import { createTestApp, type TestApp } from '../../support/test-app';

const TOKEN = '123456789:WEBHOOK-token-abcdefghijklmnopqrstuvw';
const SECRET = 'tg-webhook-secret-0123456789abcdef';
const HOOK_PATH = '/telegram/hook-7f3a';
const CITIZEN = 515151;

const textOf = (call: RecordedCall | undefined) => String(call?.params.text ?? '');

describe('Telegram in webhook mode', () => {
  let api: FakeTelegramApi;
  let t: TestApp;
  let appUrl: string;
  let apiRoot: string;
  let nextUpdateId = 7000;
  const hi = (key: string, params?: Record<string, unknown>) => t.translator.t('hi', key, params);

  async function post(update: NewUpdate, secret: string | null = SECRET): Promise<number> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (secret !== null) headers['X-Telegram-Bot-Api-Secret-Token'] = secret;
    const res = await fetch(`${appUrl}${HOOK_PATH}`, { method: 'POST', headers, body: JSON.stringify(update) });
    await res.arrayBuffer();
    return res.status;
  }

  /** Telegram posts an update; wait for `count` more messages to the citizen. */
  async function send(update: NewUpdate, count: number): Promise<RecordedCall[]> {
    const before = api.sent(CITIZEN).length;
    expect(await post({ ...update, update_id: update.update_id ?? ++nextUpdateId })).toBe(200);
    return (await api.waitForSent(CITIZEN, before + count, 10_000)).slice(before);
  }

  /**
   * Handling an update ends with its inbox entry's removal, just after the reply goes out: wait for
   * that rather than race it. Returns how many entries are left (0 unless it timed out).
   */
  async function inboxEmptied(): Promise<number> {
    const inbox = t.db.conn.collection('inbound_inbox');
    for (let i = 0; i < 100 && (await inbox.countDocuments()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    return inbox.countDocuments();
  }

  beforeEach(async () => {
    api = createFakeTelegramApi({ token: TOKEN });
    ({ apiRoot } = await api.start());
    t = await createTestApp({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      TELEGRAM_WEBHOOK_URL: `https://bot.example.org${HOOK_PATH}`,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    });
    await t.app.start();
    appUrl = t.app.http.url() as string;
    // Telegram starts in the background: registering the webhook is its last step.
    await api.waitFor(() => api.calls.find((c) => c.method === 'setWebhook'), 10_000);
  });

  afterEach(async () => {
    await t.close();
    await api.stop();
  });

  test('the webhook is registered with its secret and the bot never polls', async () => {
    const set = api.calls.find((c) => c.method === 'setWebhook');
    expect(set?.params).toMatchObject({ url: `https://bot.example.org${HOOK_PATH}`, secret_token: SECRET });
    await send(command(CITIZEN, '/start'), 1);
    expect(api.calls.some((c) => c.method === 'getUpdates')).toBe(false);
    const health = (await (await fetch(`${appUrl}/healthz`)).json()) as { channels: Record<string, string> };
    expect(health.channels.telegram).toBe('up');
  });

  test('updates that arrive while Telegram refuses the webhook registration are kept and handled once it accepts', async () => {
    await t.close();
    api.failNext(2, { status: 500 }, { method: 'setWebhook' });
    const setsBefore = api.calls.filter((c) => c.method === 'setWebhook').length;
    t = await createTestApp(
      {
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: apiRoot,
        TELEGRAM_WEBHOOK_URL: `https://bot.example.org${HOOK_PATH}`,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      },
      { telegramStartBackoff: { baseMs: 50, maxMs: 100 } },
    );
    await t.app.start();
    appUrl = t.app.http.url() as string;
    expect(await post({ ...command(CITIZEN, '/start'), update_id: 42 })).toBe(200);
    const replies = await api.waitForSent(CITIZEN, 1, 10_000);
    expect(textOf(replies[0])).not.toBe('');
    expect(api.calls.filter((c) => c.method === 'setWebhook').length - setsBefore).toBe(3);
  });

  test('requests without the secret, or with a wrong one, are refused and store nothing', async () => {
    expect(await post({ ...command(CITIZEN, '/new'), update_id: 1 }, null)).toBe(401);
    expect(await post({ ...command(CITIZEN, '/new'), update_id: 2 }, 'wrong-secret-0123456789abcdefghij')).toBe(401);
    expect((await fetch(`${appUrl}${HOOK_PATH}`)).status).toBe(405);
    await t.app.outbox.drain(1_000);
    expect(await t.db.conn.collection('inbound_inbox').countDocuments()).toBe(0);
    expect(await t.app.models.Conversation.countDocuments()).toBe(0);
    expect(api.sent(CITIZEN)).toHaveLength(0);
  });

  test('a citizen completes a complaint; a redelivered update is answered once and files nothing twice', async () => {
    const [category] = await send(command(CITIZEN, '/new'), 1);
    expect(textOf(category)).toContain(hi('intake.category.prompt'));
    await send(callbackQuery(CITIZEN, 'category|ration'), 1);
    await send(callbackQuery(CITIZEN, 'block|jobat'), 1);
    await send(textMessage(CITIZEN, 'वार्ड 5'), 1);
    await send(textMessage(CITIZEN, 'राशन की दुकान दस दिन से बंद है'), 1);
    await send(callbackQuery(CITIZEN, 'phone|skip'), 1);
    const submit = { ...callbackQuery(CITIZEN, 'summary|submit'), update_id: ++nextUpdateId };
    const [done] = await send(submit, 1);
    const ref = /(ALR-\d{6})/.exec(textOf(done))?.[1];
    expect(ref).toBeDefined();

    // Telegram did not hear our 200 and posts the same update again.
    const before = api.sent(CITIZEN).length;
    expect(await post(submit)).toBe(200);
    await send(command(CITIZEN, '/status'), 1);
    expect(api.sent(CITIZEN)).toHaveLength(before + 1);
    expect(await t.app.models.Ticket.countDocuments({ chatId: String(CITIZEN) })).toBe(1);
    expect(await inboxEmptied()).toBe(0);
  });

  test('after a crash between sending a reply and recording it, an update the citizen has since answered is not answered again', async () => {
    const start = { ...command(CITIZEN, '/new'), update_id: ++nextUpdateId };
    await send(start, 1);
    expect(await inboxEmptied()).toBe(0);
    const inbox = t.db.conn.collection('inbound_inbox');
    // The instance that handled it died after the reply went and before it recorded so: the reply is
    // unsettled and the update still in the inbox, and the citizen's answer arrives at another instance.
    const key = `telegram:${CITIZEN}`;
    await t.app.models.Conversation.collection.updateOne({ _id: key } as never, {
      $set: { 'lastReplies.settled': false },
    });
    const answer = { ...callbackQuery(CITIZEN, 'category|ration'), update_id: ++nextUpdateId };
    const recorded = (u: NewUpdate & { update_id: number }) => ({
      _id: `telegram:${u.update_id}`,
      chatKey: key,
      order: u.update_id,
      json: JSON.stringify(u),
      receivedAt: new Date(),
    });
    // The answer is recorded before the leftover, so whoever looks at the chat sees both.
    await inbox.insertOne(recorded(answer) as never);
    await inbox.insertOne(recorded(start) as never);
    const [question, status] = await send(command(CITIZEN, '/status'), 2);
    expect(textOf(question)).toContain('2/6');
    expect(textOf(status)).not.toContain(hi('intake.category.prompt'));
    const texts = api.sent(CITIZEN).map(textOf);
    expect(texts.filter((x) => x.includes(hi('intake.category.prompt')))).toHaveLength(1);
  });
});
