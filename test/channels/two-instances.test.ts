import mongoose from 'mongoose';
import { createApp, type App } from '../../src/app';
import { createLogger } from '../../src/logger';
import { createFakeTelegramApi, type FakeTelegramApi, type RecordedCall } from '../support/fake-telegram-api';
import { RATION_COMPLAINT, type NewUpdate } from '../support/telegram-updates';
import { captureLogs, createTestApp, FAST_OUTBOX, type TestApp } from '../support/test-app';

const TOKEN = '123456789:TWO-instances-token-abcdefghijklmno';
const SECRET = 'two-instances-secret-0123456789abc';
const HOOK = '/tg/hook';
const CITIZENS = Array.from({ length: 12 }, (_, i) => 610_000 + i);

const textOf = (call: RecordedCall | undefined) => String(call?.params.text ?? '');

describe('two instances on one database, Telegram by webhook', () => {
  let api: FakeTelegramApi;
  let a: TestApp;
  let b: { app: App; conn: mongoose.Connection };
  let urls: string[];
  let updateId = 1;

  async function post(instance: number, update: NewUpdate): Promise<void> {
    const res = await fetch(`${urls[instance]}${HOOK}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET },
      body: JSON.stringify({ ...update, update_id: updateId++ }),
    });
    expect(res.status).toBe(200);
  }

  beforeEach(async () => {
    api = createFakeTelegramApi({ token: TOKEN });
    const { apiRoot } = await api.start();
    const env = {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      TELEGRAM_WEBHOOK_URL: `https://bot.example.org${HOOK}`,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    };
    a = await createTestApp(env);
    // The second instance: the same configuration and database, its own connection and process state.
    const conn = mongoose.createConnection(process.env.TEST_MONGODB_URI ?? '', { dbName: a.db.dbName });
    await conn.asPromise();
    const logs = captureLogs();
    b = {
      conn,
      app: await createApp({
        config: a.config,
        logger: createLogger({ level: 'info', pretty: false, destination: logs.stream }),
        clock: a.clock,
        conn,
        outboxOptions: FAST_OUTBOX,
      }),
    };
    await a.app.start();
    await b.app.start();
    urls = [a.app.http.url() as string, b.app.http.url() as string];
    await api.waitFor(() => api.calls.filter((c) => c.method === 'setWebhook').length >= 2, 10_000);
  });

  afterEach(async () => {
    await b.app.stop();
    await b.conn.close();
    await a.close();
    await api.stop();
  });

  test('citizens whose updates alternate between the instances, back to back, file once each with replies in order', async () => {
    const steps = RATION_COMPLAINT;
    await Promise.all(
      CITIZENS.map(async (chat, n) => {
        for (let i = 0; i < steps.length; i += 2) {
          // Two updates of one chat back to back, one to each instance: the second is recorded
          // while the first is still being handled by the other instance.
          const pair = steps.slice(i, i + 2);
          for (const [k, step] of pair.entries()) await post((n + i + k) % 2, step(chat));
          await api.waitForSent(chat, i + pair.length, 20_000);
        }
      }),
    );
    const prompts = [
      'intake.category.prompt',
      'intake.block.prompt',
      'intake.locality.prompt',
      'intake.description.prompt',
      'intake.phone.prompt',
      'intake.summary.prompt',
    ];
    for (const chat of CITIZENS) {
      const sent = api.sent(chat).map(textOf);
      expect(sent).toHaveLength(steps.length);
      prompts.forEach((key, i) => expect(sent[i]).toContain(a.translator.t('hi', key).slice(0, 12)));
      expect(sent[6]).toMatch(/ALR-\d{6}/);
    }
    const tickets = await a.app.models.Ticket.find({}, { ref: 1, chatId: 1 }).lean();
    expect(tickets).toHaveLength(CITIZENS.length);
    expect(new Set(tickets.map((t) => t.chatId)).size).toBe(CITIZENS.length);
    expect(new Set(tickets.map((t) => t.ref)).size).toBe(CITIZENS.length);
    // Each drain lets go of its chat after its last reply: nothing is left recorded or held.
    await a.app.outbox.drain(10_000);
    for (let i = 0; i < 400 && (await a.db.conn.collection('inbox_chat_leases').countDocuments()) > 0; i += 1)
      await new Promise((r) => setTimeout(r, 50));
    expect(await a.db.conn.collection('inbox_chat_leases').countDocuments()).toBe(0);
    expect(await a.db.conn.collection('inbound_inbox').countDocuments()).toBe(0);
  }, 120_000);
});
