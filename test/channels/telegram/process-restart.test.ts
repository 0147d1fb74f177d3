import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import mongoose from 'mongoose';
import { createFakeTelegramApi, type FakeTelegramApi } from '../../support/fake-telegram-api';
import { callbackQuery, command, textMessage } from '../../support/telegram-updates';

const TOKEN = '987654321:RESTART-token-abcdefghijklmnopqrstuv';
const CITIZEN = 515151;
const ROOT = path.resolve(__dirname, '../../..');

/** The test server's URI with a database of this test's own. */
function privateDbUri(dbName: string): string {
  const base = process.env.TEST_MONGODB_URI ?? '';
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  return url.toString();
}

/** Start the real service (src/main.ts) and wait until it polls Telegram. */
async function startService(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, HTTP_PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'info', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('"event":"telegram_started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill(signal);
  return exited;
}

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
    const conn = await mongoose.createConnection(privateDbUri(dbName)).asPromise();
    await conn.dropDatabase();
    await conn.close();
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
