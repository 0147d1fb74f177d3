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
    const afterRestart = await api.waitForSent(CITIZEN, 4, 15_000);
    // The answer given while the service was down is taken as the locality:
    // the next question is the description (step 4 of 6).
    expect(String(afterRestart[3]?.params.text)).toMatch(/4\/6/);

    api.pushUpdate(textMessage(CITIZEN, 'Fever in three houses, need a check-up'));
    api.pushUpdate(textMessage(CITIZEN, 'skip'));
    await api.waitForSent(CITIZEN, 6, 15_000);
    api.pushUpdate(callbackQuery(CITIZEN, 'summary|submit'));
    const sent = await api.waitForSent(CITIZEN, 7, 15_000);
    expect(String(sent[6]?.params.text)).toContain('ALR-000001');

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
