import mongoose from 'mongoose';
import { createFixedClock } from '../../src/clock';
import { ConfigError } from '../../src/errors';
import { createRunKeyStore, runKeyOf } from '../../src/jobs/run-key-store';
import { createScheduler, type ScheduledJob, type Scheduler } from '../../src/jobs/scheduler';
import { createLogger } from '../../src/logger';
import { createAppMetrics, metricValue } from '../../src/metrics/app-metrics';
import { captureLogs } from '../support/test-app';
import { openTestDb, type TestDb } from '../support/test-db';

const FIRING = new Date('2026-11-28T04:30:00.000Z');
const MINUTE = 60_000;

/** A second connection to the same database: what a second bot process would hold. */
async function secondConnection(db: TestDb): Promise<mongoose.Connection> {
  const conn = mongoose.createConnection(process.env.TEST_MONGODB_URI as string, {
    dbName: db.dbName,
    serverSelectionTimeoutMS: 10_000,
  });
  await conn.asPromise();
  return conn;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the scheduler', () => {
  let db: TestDb;
  let other: mongoose.Connection;
  const clock = createFixedClock(FIRING);
  const started: Scheduler[] = [];

  beforeEach(async () => {
    db = await openTestDb();
    other = await secondConnection(db);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
    await other.close();
    await db.close();
  });

  /** Two "processes" on one database, each with its own connection and scheduler. */
  async function twoSchedulers(jobsFor: (process: string) => ScheduledJob[]) {
    const logs = captureLogs();
    const logger = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
    const a = await createScheduler({ conn: db.conn, clock, logger, jobs: jobsFor('a'), owner: 'process-a' });
    const b = await createScheduler({ conn: other, clock, logger, jobs: jobsFor('b'), owner: 'process-b' });
    started.push(a, b);
    return { a, b, logs: logs.lines };
  }

  test('two schedulers on one database run each firing of a job exactly once', async () => {
    const runs: Array<{ process: string; firing: string }> = [];
    const { a, b } = await twoSchedulers((process) => [
      {
        name: 'sla-sweep',
        cron: '*/5 * * * *',
        async run({ firingTime }) {
          runs.push({ process, firing: firingTime.toISOString() });
          return { ok: true };
        },
      },
    ]);
    const firings = [0, 5, 10, 15, 20].map((m) => new Date(FIRING.getTime() + m * MINUTE));
    const outcomes = await Promise.all(firings.flatMap((f) => [a.runNow('sla-sweep', f), b.runNow('sla-sweep', f)]));
    for (let i = 0; i < firings.length; i++)
      expect([outcomes[2 * i], outcomes[2 * i + 1]].sort()).toEqual(['ran', 'skipped']);
    expect(runs.map((r) => r.firing).sort()).toEqual(firings.map((f) => f.toISOString()));

    // A late repeat of a firing (a restarted process, a retried timer) does nothing.
    expect(await b.runNow('sla-sweep', firings[0]!)).toBe('skipped');
    expect(runs).toHaveLength(firings.length);
    const keys = await a.runKeys.recent('sla-sweep', 10);
    expect(keys.map((k) => k._id).sort()).toEqual(firings.map((f) => runKeyOf('sla-sweep', f)).sort());
    expect(keys.every((k) => k.outcome === 'ok' && (k.owner === 'process-a' || k.owner === 'process-b'))).toBe(true);
  });

  test('with real node-cron timers, two schedulers firing every second still run each firing once', async () => {
    const runs = new Map<string, string[]>();
    const { a, b, logs } = await twoSchedulers((process) => [
      {
        name: 'tick',
        cron: '* * * * * *',
        async run({ firingTime }) {
          const key = firingTime.toISOString();
          runs.set(key, [...(runs.get(key) ?? []), process]);
        },
      },
    ]);
    a.start();
    b.start();
    expect(a.nextRuns().tick).toBeInstanceOf(Date);
    // Wait for a few firings to be finished; how long that takes does not matter.
    await waitUntil(
      async () => (await a.runKeys.recent('tick', 10)).filter((k) => k.outcome === 'ok').length >= 3,
      20_000,
    );
    await Promise.all([a.stop(), b.stop()]);
    expect(a.nextRuns().tick).toBeNull();
    const finished = (await a.runKeys.recent('tick', 100)).filter((k) => k.outcome === 'ok');
    expect(finished.length).toBeGreaterThanOrEqual(3);
    for (const key of finished) expect(runs.get(key.firingTime.toISOString())).toHaveLength(1);
    // Firings fall on whole seconds: both processes name a firing the same way.
    for (const key of finished) expect(key.firingTime.getMilliseconds()).toBe(0);
    for (const processes of runs.values()) expect(processes).toHaveLength(1);
    // Both processes did try: the loser of each claim logged a skip.
    expect(logs().filter((l) => l.includes('"event":"job_skipped"')).length).toBeGreaterThanOrEqual(1);
  });

  test('a job that throws is logged and recorded as failed; the other jobs run on', async () => {
    const metrics = createAppMetrics();
    const logs = captureLogs();
    const logger = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
    let fine = 0;
    const scheduler = await createScheduler({
      conn: db.conn,
      clock,
      logger,
      metrics,
      jobs: [
        {
          name: 'broken',
          cron: '* * * * *',
          run: async () => {
            throw new Error('database said no');
          },
        },
        { name: 'fine', cron: '* * * * *', run: async () => ({ done: ++fine }) },
      ],
    });
    started.push(scheduler);
    expect(await scheduler.runNow('broken', FIRING)).toBe('failed');
    expect(await scheduler.runNow('fine', FIRING)).toBe('ran');
    expect(fine).toBe(1);
    const [failed] = await scheduler.runKeys.recent('broken', 1);
    // Only the error's type: a message may quote a citizen's text or a chat id.
    expect(failed).toMatchObject({ outcome: 'failed', error: 'Error' });
    const failure = logs
      .lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.event === 'job_failed');
    expect(failure).toMatchObject({ job: 'broken', firing: FIRING.toISOString(), level: 50 });
    expect(await metricValue(metrics.jobRuns, { job: 'broken', outcome: 'failed' })).toBe(1);
    expect(await metricValue(metrics.jobRuns, { job: 'fine', outcome: 'ok' })).toBe(1);
    // The failed firing is not retried by a repeat; the next firing runs.
    expect(await scheduler.runNow('broken', FIRING)).toBe('skipped');
    expect(await metricValue(metrics.jobRuns, { job: 'broken', outcome: 'skipped' })).toBe(1);
    await expect(scheduler.runNow('nonexistent', FIRING)).rejects.toThrow(RangeError);
  });

  test('a bad cron expression or a repeated name stops start-up with the job named', async () => {
    const logger = createLogger({ level: 'silent', pretty: false });
    const run = async () => undefined;
    await expect(
      createScheduler({ conn: db.conn, clock, logger, jobs: [{ name: 'sla-sweep', cron: 'every five minutes', run }] }),
    ).rejects.toThrow(ConfigError);
    await expect(
      createScheduler({ conn: db.conn, clock, logger, jobs: [{ name: 'sla-sweep', cron: '61 * * * *', run }] }),
    ).rejects.toThrow(/sla-sweep/);
    await expect(
      createScheduler({
        conn: db.conn,
        clock,
        logger,
        jobs: [
          { name: 'x', cron: '* * * * *', run },
          { name: 'x', cron: '* * * * *', run },
        ],
      }),
    ).rejects.toThrow(/used twice/);
  });

  test('old run-keys are purged (there are no TTL indexes)', async () => {
    const keys = await createRunKeyStore(db.conn);
    const old = new Date(FIRING.getTime() - 8 * 24 * 60 * MINUTE);
    expect(await keys.claim('cleanup', old, 'p', old)).toBe(true);
    expect(await keys.claim('cleanup', FIRING, 'p', FIRING)).toBe(true);
    expect(await keys.purge(new Date(FIRING.getTime() - 7 * 24 * 60 * MINUTE))).toBe(1);
    expect((await keys.recent('cleanup', 10)).map((k) => k.firingTime)).toEqual([FIRING]);
  });
});
