import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { createFakeTelegramApi, type FakeTelegramApi } from '../../support/fake-telegram-api';
import { dropPrivateDb, privateDbUri, startService, stopService as kill } from '../../support/service-process';
import { callbackQuery, command, textMessage } from '../../support/telegram-updates';

const TOKEN = '987654321:RESTART-token-abcdefghijklmnopqrstuv';
const CITIZEN = 515151;

describe('the service process', () => {
  let api: FakeTelegramApi;
  let child: ChildProcess | undefined;
  const dbName = `restart_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    api = createFakeTelegramApi({ token: TOKEN });
    await api.start();
  });

  afterAll(async () => {
    if (child) await kill(child, 'SIGKILL');
    await api.stop();
    await dropPrivateDb(dbName);
  });

  test('killed mid-flow and started again, the citizen finishes where they were', async () => {
    const { apiRoot } = await api.start();
    const env = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot, MONGODB_URI: privateDbUri(dbName) };
    child = await startService(env);

    api.pushUpdate(command(CITIZEN, '/new'));
    api.pushUpdate(callbackQuery(CITIZEN, 'category|stranded'));
    api.pushUpdate(callbackQuery(CITIZEN, 'block|bhabra'));
    await api.waitForSent(CITIZEN, 3, 15_000);

    // No chance to clean up: as if the machine lost power.
    await kill(child, 'SIGKILL');
    api.pushUpdate(textMessage(CITIZEN, 'Bhabra ward 2'));

    child = await startService(env);
    // Replies go through the outbox: the one being sent when the power went may go again
    // (at least once), so the questions are looked for by content, not by position.
    const texts = () => api.sent(CITIZEN).map((c) => String(c.params.text));
    const question = (n: number) => api.waitFor(() => texts().find((t) => t.includes(`${n}/6`)), 15_000);
    // The answer given while the service was down is taken as the locality:
    // the next question is the description (step 4 of 6).
    await question(4);
    expect(texts().filter((t) => t.includes('3/6')).length).toBeLessThanOrEqual(2);

    api.pushUpdate(textMessage(CITIZEN, 'Fever in three houses, need a check-up'));
    api.pushUpdate(textMessage(CITIZEN, 'skip'));
    await question(6);
    api.pushUpdate(callbackQuery(CITIZEN, 'summary|submit'));
    await api.waitFor(() => texts().find((t) => t.includes('ALR-000001')), 15_000);

    // A clean stop on SIGTERM.
    expect(await kill(child, 'SIGTERM')).toBe(0);
    child = undefined;

    const conn = await mongoose.createConnection(privateDbUri(dbName)).asPromise();
    const tickets = await conn.collection('tickets').find().toArray();
    await conn.close();
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ category: 'stranded', block: 'bhabra', locality: 'Bhabra ward 2' });
  });
});
