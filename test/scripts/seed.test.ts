import { loadCatalog } from '../../src/domain/catalog-loader';
import { INTAKE_CHANNELS, TICKET_STATUSES } from '../../src/domain/ticket';
import { createOutboxModel } from '../../src/outbox/outbox-model';
import { createStaffStore } from '../../src/storage/staff-store';
import type { TicketDoc } from '../../src/storage/models';
import { createTicketStore } from '../../src/storage/ticket-store';
import { WORK_MARKED } from '../../src/storage/ticket-work';
import { CATEGORY_WEIGHTS } from '../../scripts/lib/seed-data';
import { RealDataError, seedDatabase } from '../../scripts/lib/seed-database';
import { createTestApp, FIXED_START, type TestApp } from '../support/test-app';
import { runScript } from './run-script';

const N = 1_200;

describe('seeding demo data (scripts/seed.ts)', () => {
  let t: TestApp;
  let deps: Parameters<typeof seedDatabase>[0];
  beforeAll(async () => {
    t = await createTestApp();
    deps = {
      conn: t.db.conn,
      models: t.app.models,
      outbox: await createOutboxModel(t.db.conn),
      staff: createStaffStore(t.app.models),
      catalog: loadCatalog(t.config.flowsDirAbs),
      district: t.config.DISTRICT_CODE,
    };
  });
  afterAll(() => t.close());

  test('fills tickets in realistic proportions, every status and line, with histories the state machine allows', async () => {
    const res = await seedDatabase(deps, { tickets: N, citizens: 300, days: 90, force: false, end: FIXED_START });
    expect(res).toMatchObject({
      tickets: N,
      citizens: 300,
      notifications: 5 * N,
      firstRef: 'ALR-000001',
      lastRef: 'ALR-001200',
    });

    const live = await t.app.models.Ticket.find({}).lean<TicketDoc[]>().exec();
    const archived = await t.app.models.TicketArchive.find({}).lean<TicketDoc[]>().exec();
    const tickets = [...live, ...archived];
    expect(tickets).toHaveLength(N);
    // Keyed by reference; closed longer than the reopening window means archived, as the clean-up job leaves them.
    expect(tickets.every((x) => x._id === x.ref)).toBe(true);
    const weekAgo = FIXED_START.getTime() - 7 * 86_400_000;
    expect(archived.length).toBeGreaterThan(N / 2);
    expect(archived.every((x) => x.status === 'closed' && x.closedAt!.getTime() < weekAgo)).toBe(true);
    expect(live.every((x) => x.status !== 'closed' || x.closedAt!.getTime() >= weekAgo)).toBe(true);
    // Seeded tickets owe no work: the database is marked so, and the first start reads no live tickets for it.
    expect(live.filter((x) => x.routePending || x.owed?.length || x.owedCounts?.length)).toEqual([]);
    expect(await t.app.models.Counter.findOne({ _id: WORK_MARKED }).lean()).not.toBeNull();
    // Every ticket is listed for its citizen through an owner entry.
    expect(await t.app.models.TicketOwner.countDocuments({})).toBe(N);
    const sample = live.find((x) => !x.citizenId.startsWith('phone:'))!;
    const citizenTickets = createTicketStore(t.app.models, 'ALR');
    expect((await citizenTickets.recentForCitizen(sample.citizenId, 50)).map((x) => x.ref)).toContain(sample.ref);
    expect(new Set(tickets.map((x) => x.ref)).size).toBe(N);
    const share = (pred: (x: TicketDoc) => boolean) => tickets.filter(pred).length / N;
    const totalWeight = Object.values(CATEGORY_WEIGHTS).reduce((a, b) => a + b, 0);
    for (const [category, weight] of Object.entries(CATEGORY_WEIGHTS)) {
      expect(Math.abs(share((x) => x.category === category) - weight / totalWeight)).toBeLessThan(0.05);
    }
    // Every status, every intake line, both languages, escalations, ratings and reopenings occur.
    expect(new Set(tickets.map((x) => x.status))).toEqual(new Set(TICKET_STATUSES));
    expect(new Set(tickets.map((x) => x.intake))).toEqual(new Set(INTAKE_CHANNELS));
    expect(new Set(tickets.map((x) => x.language))).toEqual(new Set(['hi', 'en']));
    expect(new Set(tickets.map((x) => x.block)).size).toBe(6);
    expect(share((x) => x.level > 1)).toBeGreaterThan(0.02);
    expect(share((x) => x.reopenCount > 0)).toBeGreaterThan(0.01);
    expect(share((x) => (x.feedback?.rating ?? 0) > 0)).toBeGreaterThan(0.3);
    // Spread over the days asked for, never in the future; old tickets are mostly closed.
    const days = (x: TicketDoc) => (FIXED_START.getTime() - x.createdAt.getTime()) / 86_400_000;
    expect(Math.max(...tickets.map(days))).toBeLessThanOrEqual(90);
    expect(Math.min(...tickets.map(days))).toBeGreaterThanOrEqual(0);
    expect(tickets.every((x) => x.updatedAt.getTime() <= FIXED_START.getTime())).toBe(true);
    const old = tickets.filter((x) => days(x) > 30);
    expect(old.filter((x) => x.status === 'closed').length / old.length).toBeGreaterThan(0.9);
    // Histories: time-ordered, starting with the creation, ending in the ticket's status.
    for (const x of tickets) {
      expect(x.history[0]?.action).toBe('created');
      const times = x.history.map((h) => h.at.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const lastMove = [...x.history].reverse().find((h) => h.to);
      expect(lastMove?.to).toBe(x.status);
    }
    // Officers exist for the tickets' departments; new tickets continue after the seeded references.
    expect(await t.app.models.Staff.countDocuments({ role: 'officer' })).toBe(15);
    // Every citizen has a profile; only chats active within the idle period keep a conversation.
    expect(await t.app.models.ChatProfile.countDocuments({})).toBe(300);
    expect(
      await t.app.models.Conversation.countDocuments({
        updatedAt: { $lt: new Date(FIXED_START.getTime() - 72 * 3_600_000) },
      }),
    ).toBe(0);
    expect((await t.app.models.Counter.findOne({ _id: 'ticket:ALR' }).lean())?.seq).toBe(N);
  });

  test('adds to its own demo data, but refuses a database with real tickets unless forced', async () => {
    // A second seed on its own data continues the numbering.
    const more = await seedDatabase(deps, { tickets: 10, citizens: 5, days: 1, force: false, end: FIXED_START });
    expect(more.firstRef).toBe('ALR-001201');

    // A ticket filed by the product makes the database "real".
    await t.app.models.Counter.updateOne({ _id: 'ticket:ALR' }, { $inc: { seq: 1 } });
    await expect(
      seedDatabase(deps, { tickets: 10, citizens: 5, days: 1, force: false, end: FIXED_START }),
    ).rejects.toThrow(RealDataError);
    expect((await t.app.models.Ticket.countDocuments({})) + (await t.app.models.TicketArchive.countDocuments({}))).toBe(
      N + 10,
    );

    const forced = await seedDatabase(deps, { tickets: 10, citizens: 5, days: 1, force: true, end: FIXED_START });
    expect(forced.firstRef).toBe('ALR-001212');
  });

  test('the command line refuses bad counts in one line', async () => {
    const run = await runScript('scripts/seed.ts', ['--tickets', 'many'], '');
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('--tickets must be a whole number of at least 0, got "many"');
  });
});
