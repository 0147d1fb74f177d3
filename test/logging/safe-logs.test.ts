import fs from 'node:fs';
import path from 'node:path';
import { createFixedClock } from '../../src/clock';
import { AppError } from '../../src/errors';
import { createScheduler } from '../../src/jobs/scheduler';
import { createLogger, safeError, safeErrorText } from '../../src/logger';
import { captureLogs } from '../support/test-app';
import { openTestDb } from '../support/test-db';

const PHONE = '919876543210';
const TEXT = 'राशन नहीं मिला';
/** An error whose message quotes what must never reach a log or a record (a duplicate key error does so). */
const leaky = () =>
  Object.assign(new Error(`E11000 duplicate key { _id: "whatsapp:${PHONE}@c.us" } text: ${TEXT}`), { code: 11000 });

describe('logs and stored job errors carry no phone numbers or message texts', () => {
  test('the one helper keeps type and code, drops the message', () => {
    expect(safeError(leaky())).toMatchObject({ type: 'Error', code: 11000 });
    expect(JSON.stringify(safeError(leaky()))).not.toMatch(new RegExp(`${PHONE}|${TEXT}`));
    expect(safeErrorText(leaky())).toBe('Error (11000)');
    // grammY's refused call keeps its method and code, not its description.
    const api = Object.assign(new Error(`Call to 'sendMessage' failed! (400: Bad Request: chat ${PHONE} not found)`), {
      name: 'GrammyError',
      method: 'sendMessage',
      error_code: 400,
    });
    expect(safeError(api)).toMatchObject({ type: 'GrammyError', code: 400, method: 'sendMessage' });
    expect(JSON.stringify(safeError(api))).not.toContain(PHONE);
    // Our own errors keep their message, with any number in it masked.
    const own = new AppError('CHANNEL_SEND_FAILED', `not a chat: ${PHONE}@c.us`);
    expect(safeError(own)).toMatchObject({ code: 'CHANNEL_SEND_FAILED', message: 'not a chat: ••••••••••@c.us' });
  });

  test('an error logged raw under err or error is reduced all the same', () => {
    const logs = captureLogs();
    const log = createLogger({ level: 'info', pretty: false, destination: logs.stream });
    log.error({ event: 'x', err: leaky() }, 'failed');
    log.warn({ event: 'y', error: leaky() }, 'failed');
    const all = logs.lines().join('\n');
    expect(all).toContain('"event":"x"');
    expect(all).not.toMatch(new RegExp(`${PHONE}|${TEXT}`));
  });

  test('a failing job: neither its log lines nor its run-key record quote the message', async () => {
    const db = await openTestDb();
    try {
      const logs = captureLogs();
      const scheduler = await createScheduler({
        conn: db.conn,
        clock: createFixedClock(new Date('2026-11-28T04:30:00.000Z')),
        logger: createLogger({ level: 'debug', pretty: false, destination: logs.stream }),
        jobs: [{ name: 'leaky', cron: '* * * * *', run: () => Promise.reject(leaky()) }],
      });
      expect(await scheduler.runNow('leaky', new Date('2026-11-28T04:30:00.000Z'))).toBe('failed');
      const [run] = await scheduler.runKeys.recent('leaky', 1);
      expect(run?.error).toBe('Error (11000)');
      expect(JSON.stringify(run)).not.toMatch(new RegExp(`${PHONE}|${TEXT}`));
      expect(logs.lines().join('\n')).not.toMatch(new RegExp(`${PHONE}|${TEXT}`));
      await scheduler.stop();
    } finally {
      await db.close();
    }
  });

  test('every error a logger call passes goes through safeError', () => {
    const root = path.resolve(__dirname, '../../src');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) {
          fs.readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              const at = line.search(/\{\s*event:/);
              if (at < 0) return;
              // In the logged object: `{ event: 'x', err }` or `err: something` that is not safeError(…).
              const fields = line.slice(at);
              if (/[{,]\s*(err|error)\s*[,}]/.test(fields) || /\b(err|error):\s*(?!safeError\()[A-Za-z]/.test(fields))
                offenders.push(`${path.relative(root, p)}:${i + 1}`);
            });
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
