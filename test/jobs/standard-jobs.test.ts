import mongoose from 'mongoose';
import { validate } from 'node-cron';
import { createBroadcastJob } from '../../src/jobs/broadcast-job';
import { createScheduler, type Scheduler } from '../../src/jobs/scheduler';
import { createStandardJobs, DEFAULT_JOB_CRONS, JOB_NAMES, type StandardJobsDeps } from '../../src/jobs/standard-jobs';
import { createLogger } from '../../src/logger';
import { captureLogs } from '../support/test-app';
import { CITIZEN_CHAT, createEscalationFixture, type EscalationFixture } from '../escalation/escalation-fixture';

describe('the standard jobs on two schedulers', () => {
  let f: EscalationFixture;
  let other: mongoose.Connection;
  const schedulers: Scheduler[] = [];

  beforeEach(async () => {
    f = await createEscalationFixture();
    other = mongoose.createConnection(process.env.TEST_MONGODB_URI as string, {
      dbName: f.t.db.dbName,
      serverSelectionTimeoutMS: 10_000,
    });
    await other.asPromise();
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
    await other.close();
    await f.close();
  });

  function jobs(extra: Partial<StandardJobsDeps> = {}) {
    return createStandardJobs({
      escalation: f.escalation,
      feedback: f.feedback,
      notifier: f.t.app.outbox,
      cleanup: { models: f.t.app.models, conversationIdleHours: 72 },
      ...extra,
    });
  }

  async function pair(extra: Partial<StandardJobsDeps> = {}) {
    const logs = captureLogs();
    const logger = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
    const a = await createScheduler({ conn: f.t.db.conn, clock: f.t.clock, logger, jobs: jobs(extra), owner: 'a' });
    const b = await createScheduler({ conn: other, clock: f.t.clock, logger, jobs: jobs(extra), owner: 'b' });
    schedulers.push(a, b);
    return { a, b, logs: logs.lines };
  }

  test('every default time is a valid expression; hand-over and report exist only with their builders', () => {
    for (const name of JOB_NAMES) expect(validate(DEFAULT_JOB_CRONS[name])).toBe(true);
    expect(jobs().map((j) => j.name)).toEqual(['sla-sweep', 'ack-reminders', 'close-unanswered-feedback', 'cleanup']);
    const build = async () => [];
    expect(
      jobs({ shiftHandover: { build }, dailyReport: { build }, recovery: async () => undefined }).map((j) => j.name),
    ).toEqual([...JOB_NAMES]);
    expect(jobs({ crons: { 'sla-sweep': '*/2 * * * *' } })[0]?.cron).toBe('*/2 * * * *');
  });

  test('one firing of the SLA sweep on two processes escalates a ticket once and notifies once', async () => {
    await f.addStaff('101', 'officer', 'FOOD');
    await f.addStaff('102', 'officer', 'FOOD');
    const ticket = await f.fileTicket();
    f.t.clock.set(ticket.ackDueAt);
    const { a, b } = await pair();
    const before = (await f.outbox()).length;
    const firing = new Date(Math.ceil(ticket.ackDueAt.getTime() / 300_000) * 300_000);
    const outcomes = await Promise.all([a.runNow('sla-sweep', firing), b.runNow('sla-sweep', firing)]);
    expect(outcomes.sort()).toEqual(['ran', 'skipped']);
    const after = await f.ticket(ticket.ref);
    expect(after.level).toBe(2);
    expect(after.history.filter((h) => h.action === 'escalate')).toHaveLength(1);
    expect((await f.outbox()).length - before).toBe(4);
    expect(
      (await f.textsTo(CITIZEN_CHAT)).filter((x) => x === f.hi('escalation.citizen', { ref: ticket.ref })),
    ).toHaveLength(1);
  });

  test('reminders and unanswered feedback run through their jobs', async () => {
    const officer = await f.addStaff('101', 'officer', 'FOOD');
    const ticket = await f.fileTicket();
    const { a } = await pair();
    f.t.clock.set(new Date(ticket.ackDueAt.getTime() - 12 * 3_600_000));
    expect(await a.runNow('ack-reminders', f.t.clock.now())).toBe('ran');
    expect((await f.ticket(ticket.ref)).ackReminderSentAt).toEqual(f.t.clock.now());

    await f.t.app.tickets.act(f.identity(officer), ticket.ref, { type: 'resolve', text: 'हो गया' });
    f.t.clock.advance(7 * 24 * 3_600_000);
    expect(await a.runNow('close-unanswered-feedback', f.t.clock.now())).toBe('ran');
    expect((await f.ticket(ticket.ref)).status).toBe('closed');
  });

  test('the hand-over and daily-report hooks send what their builders return, once per firing; a failing builder is logged and stops nothing', async () => {
    let calls = 0;
    const { a, b, logs } = await pair({
      dailyReport: {
        build: async ({ firingTime }) => {
          calls += 1;
          return [
            { channel: 'telegram', chatId: '401', message: { text: `रिपोर्ट ${firingTime.toISOString()}` } },
            { channel: 'telegram', chatId: '401', message: { text: 'दूसरा भाग' } },
            { channel: 'telegram', chatId: '301', message: { text: `रिपोर्ट ${firingTime.toISOString()}` } },
          ];
        },
      },
      shiftHandover: {
        run: async () => {
          throw new Error('roster unavailable');
        },
      },
    });
    const nineAm = new Date('2026-11-29T03:30:00.000Z');
    expect(await Promise.all([a.runNow('daily-report', nineAm), b.runNow('daily-report', nineAm)])).toEqual(
      expect.arrayContaining(['ran', 'skipped']),
    );
    expect(calls).toBe(1);
    const sent = (await f.outbox()).filter((d) => d.chatId === '401' || d.chatId === '301');
    expect(sent.map((d) => [d.chatId, d.dedupeKey])).toEqual([
      ['401', `daily-report:${nineAm.toISOString()}:telegram:401:0`],
      ['401', `daily-report:${nineAm.toISOString()}:telegram:401:1`],
      ['301', `daily-report:${nineAm.toISOString()}:telegram:301:0`],
    ]);

    expect(await a.runNow('shift-handover', new Date('2026-11-29T08:30:00.000Z'))).toBe('failed');
    expect(logs().some((l) => l.includes('"event":"job_failed"') && l.includes('shift-handover'))).toBe(true);
    expect(await a.runNow('sla-sweep', new Date('2026-11-29T08:30:00.000Z'))).toBe('ran');
  });

  test('a broadcast repeated for the same firing sends nothing twice (dedupe keys name the firing)', async () => {
    const job = createBroadcastJob({
      name: 'shift-handover',
      cron: '0 6,14,22 * * *',
      notifier: f.t.app.outbox,
      build: async () => [{ channel: 'telegram', chatId: '301', message: { text: 'हैंडओवर' } }],
    });
    const firing = new Date('2026-11-29T08:30:00.000Z');
    const logger = createLogger({ level: 'silent', pretty: false });
    await job.run({ firingTime: firing, now: firing, logger });
    await job.run({ firingTime: firing, now: firing, logger });
    expect(await f.textsTo('301')).toEqual(['हैंडओवर']);
  });

  test('a hook that sends by itself runs on the shift plan’s own change times and zone', async () => {
    const seen: Date[] = [];
    const { a } = await pair({
      shiftHandover: {
        run: async ({ now }) => seen.push(now),
        cron: ['0 6 * * *', '30 14 * * *', '0 22 * * *'],
        timezone: 'Asia/Kolkata',
      },
    });
    const job = jobs({
      shiftHandover: { run: async () => undefined, cron: ['0 6 * * *', '30 14 * * *'], timezone: 'Asia/Kolkata' },
    }).find((j) => j.name === 'shift-handover');
    expect(job).toMatchObject({ cron: ['0 6 * * *', '30 14 * * *'], timezone: 'Asia/Kolkata' });
    expect(await a.runNow('shift-handover', new Date('2026-11-29T09:00:00.000Z'))).toBe('ran');
    expect(seen).toEqual([f.t.clock.now()]);
    a.start();
    // The next change is one of the three, read in Asia/Kolkata.
    const next = a.nextRuns()['shift-handover'];
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Kolkata',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(next as Date);
    expect(['06:00', '14:30', '22:00']).toContain(local);
  });
});
