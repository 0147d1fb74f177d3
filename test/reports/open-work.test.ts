import fc from 'fast-check';
import { createDashboardQueries, type DashboardFilter } from '../../src/dashboard/dashboard-queries';
import { createTicketFigures } from '../../src/reports/ticket-figures';
import { reconcileOpenWork } from '../../src/reports/open-work-build';
import { archiveClosedTickets } from '../../src/storage/ticket-archive';
import { createTicketCountStore } from '../../src/storage/ticket-count-store';
import { createOpenWorkStore, createOpenWorkView, type OpenWorkDoc } from '../../src/storage/open-work-store';
import type { StaffDoc } from '../../src/storage/staff-models';
import { createTicketQueries } from '../../src/supervisor/ticket-queries';
import { SLA_SWEEP_ACTOR } from '../../src/escalation/escalation-service';
import { createEscalationFixture, DAY, HOUR, type EscalationFixture } from '../escalation/escalation-fixture';

jest.setTimeout(900_000);

const ZONE = 'Asia/Kolkata';
const byAge = (a: { createdAt: Date; ref: string }, b: { createdAt: Date; ref: string }) =>
  a.createdAt.getTime() - b.createdAt.getTime() || a.ref.localeCompare(b.ref);

describe('open work from the read model agrees with the same questions asked of the tickets', () => {
  let f: EscalationFixture;
  let admin: StaffDoc;

  beforeAll(async () => {
    f = await createEscalationFixture();
    await f.addStaff('7101', 'officer', 'FOOD');
    await f.addStaff('7102', 'officer', 'HEALTH');
    await f.addStaff('7103', 'officer', 'REVENUE');
    admin = await f.addStaff('7109', 'admin');
  });
  afterAll(async () => {
    await f?.close();
  });

  /** The queries twice: over the read model (as the app reads) and over the tickets themselves (no read model). */
  function both() {
    const { models } = f.t.app;
    const store = createOpenWorkStore(models);
    const view = createOpenWorkView(store);
    const figures = createTicketFigures({ counts: createTicketCountStore(models), timeZone: ZONE });
    return {
      store,
      model: {
        queries: createTicketQueries(models, models, view),
        dash: createDashboardQueries({ models, figures, timeZone: ZONE, openWork: view }),
      },
      scan: {
        queries: createTicketQueries(models),
        dash: createDashboardQueries({ models, figures, timeZone: ZONE }),
      },
    };
  }

  async function expectAgreement(): Promise<void> {
    // What this process's changes owe (here: every change, as the recovery pass relays them each minute).
    await f.t.app.recover({ graceMs: 0 });
    const { store, model, scan } = both();
    expect(await store.isBuilt()).toBe(true);
    const now = f.t.clock.now();
    const refs = (p: { items: Array<{ ref: string; createdAt: Date }> }) => [...p.items].sort(byAge).map((t) => t.ref);
    for (const dept of [undefined, 'FOOD', 'HEALTH', 'REVENUE']) {
      const [m, s] = [await model.queries.pending(dept, 0, 10_000), await scan.queries.pending(dept, 0, 10_000)];
      expect({ dept, total: m.total, refs: m.items.map((t) => t.ref) }).toEqual({
        dept,
        total: s.total,
        refs: refs(s),
      });
    }
    // A page in the middle is the same slice of the same order.
    const all = await model.queries.pending(undefined, 0, 10_000);
    const mid = await model.queries.pending(undefined, 2, 3);
    expect(mid.items.map((t) => t.ref)).toEqual(all.items.slice(2, 5).map((t) => t.ref));
    const [mo, so] = [await model.queries.overdue(now, 0, 10_000), await scan.queries.overdue(now, 0, 10_000)];
    expect({ total: mo.total, refs: mo.items.map((t) => t.ref) }).toEqual({ total: so.total, refs: refs(so) });
    expect(await model.queries.departmentLoad(now)).toEqual(await scan.queries.departmentLoad(now));

    const week = new Date(now.getTime() - 7 * DAY);
    const filters: DashboardFilter[] = [
      {},
      { department: 'FOOD' },
      { from: week },
      { to: week },
      { from: week, to: now },
    ];
    for (const filter of filters) {
      const [ms, ss] = [await model.dash.summary(filter, now), await scan.dash.summary(filter, now)];
      expect({ filter, open: ms.open, overdue: ms.overdue }).toEqual({ filter, open: ss.open, overdue: ss.overdue });
      const [ml, sl] = [await model.dash.overdue(filter, now, 500), await scan.dash.overdue(filter, now, 500)];
      expect({ filter, total: ml.total, rows: ml.items }).toEqual({ filter, total: sl.total, rows: sl.items });
    }
    // Nothing for the nightly check to mend: every change reached the read model.
    const checked = await reconcileOpenWork({ tickets: f.t.app.models.Ticket, store }, now);
    expect(checked.fixed).toBe(0);
  }

  const command = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('file' as const),
        category: fc.constantFrom('ration', 'health', 'stranded', 'other'),
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('act' as const),
        pick: fc.nat(),
        action: fc.constantFrom('acknowledge', 'update', 'resolve', 'transfer'),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('rate' as const),
        pick: fc.nat(),
        rating: fc.integer({ min: 1, max: 5 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('reopen' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('escalate' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('close_unanswered' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('archive' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('check' as const) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 60 }) }) },
  );

  test('property: random filings, officer actions, transfers, ratings, reopenings, escalations, sweeps and archiving', async () => {
    const refs: string[] = [];
    const pick = (n: number) => refs[n % Math.max(1, refs.length)];
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 18 }), async (commands) => {
        for (const c of commands) {
          const now = f.t.clock.now();
          const ref = 'pick' in c ? pick(c.pick) : undefined;
          switch (c.kind) {
            case 'file':
              refs.push((await f.fileTicket({ category: c.category, citizenChat: String(81_000 + refs.length) })).ref);
              break;
            case 'act':
              if (!ref) break;
              await f.t.app.tickets.act(
                f.identity(admin),
                ref,
                c.action === 'transfer'
                  ? { type: 'transfer', department: refs.length % 2 ? 'HEALTH' : 'REVENUE', text: 'x' }
                  : c.action === 'acknowledge'
                    ? { type: 'acknowledge' }
                    : { type: c.action, text: 'काम हुआ' },
              );
              break;
            case 'rate':
              if (ref) await f.feedback.recordFeedback(ref, c.rating, c.rating >= 3);
              break;
            case 'reopen':
              if (ref) await f.feedback.reopenTicket(ref, { by: { kind: 'citizen', id: 'c' } });
              break;
            case 'escalate':
              if (ref) await f.escalation.escalate(ref, { by: SLA_SWEEP_ACTOR, reason: { code: 'ack_overdue' } });
              break;
            case 'sweep':
              await f.escalation.sweep(now);
              break;
            case 'close_unanswered':
              await f.feedback.closeUnanswered(now);
              break;
            case 'archive':
              f.t.clock.advance(8 * DAY);
              await f.t.app.recover({ graceMs: 0 });
              await archiveClosedTickets(f.t.app.models, new Date(f.t.clock.now().getTime() - 7 * DAY), 100);
              break;
            case 'check':
              await expectAgreement();
              break;
            case 'wait':
              f.t.clock.advance(c.hours * HOUR);
              break;
          }
        }
        await expectAgreement();
      }),
      { numRuns: 10, seed: 20_261_202 },
    );
    // The property exercised what it claims to: open, overdue, closed and archived tickets, reopenings, transfers.
    const { Ticket, TicketArchive } = f.t.app.models;
    const live = await Ticket.find({}).lean();
    expect(await TicketArchive.countDocuments()).toBeGreaterThan(0);
    expect(live.some((t) => t.reopenCount > 0)).toBe(true);
    expect(live.some((t) => t.history.some((h) => h.action === 'transfer'))).toBe(true);
    expect((await both().model.queries.overdue(f.t.clock.now(), 0, 1)).total).toBeGreaterThan(0);
    expect((await both().model.queries.pending(undefined, 0, 1)).total).toBeGreaterThan(0);
  });

  test('a closed ticket stays closed: an older snapshot written late does not bring it back', async () => {
    const ticket = await f.fileTicket({ category: 'ration', citizenChat: '89001' });
    await f.t.app.recover({ graceMs: 0 });
    const { store, model } = both();
    const open = (await f.t.app.models.Ticket.findOne({ _id: ticket.ref }).lean())!;
    expect((await model.queries.pending(undefined, 0, 10_000)).items.map((t) => t.ref)).toContain(ticket.ref);
    await f.t.app.tickets.act(f.identity(admin), ticket.ref, { type: 'resolve', text: 'हो गया' });
    await f.t.app.recover({ graceMs: 0 });
    expect((await model.queries.pending(undefined, 0, 10_000)).items.map((t) => t.ref)).not.toContain(ticket.ref);
    // A relay that read the ticket while it was open writes now (another instance, slow): nothing changes.
    await store.put(open, f.t.clock.now());
    await store.put(open, f.t.clock.now());
    expect((await model.queries.pending(undefined, 0, 10_000)).items.map((t) => t.ref)).not.toContain(ticket.ref);
    // Its tombstone goes a day later (the nightly check), the ticket still not listed.
    f.t.clock.advance(2 * DAY);
    const checked = await reconcileOpenWork({ tickets: f.t.app.models.Ticket, store }, f.t.clock.now());
    expect(checked.pruned).toBeGreaterThan(0);
    const docs = await f.t.app.models.OpenWork.find({}).lean<OpenWorkDoc[]>();
    expect(docs.some((d) => d.e?.[ticket.ref])).toBe(false);
    expect((await model.queries.pending(undefined, 0, 10_000)).items.map((t) => t.ref)).not.toContain(ticket.ref);
  });

  test('the nightly check mends drift: a lost entry, a wrong one, and one of a ticket gone from the live tickets', async () => {
    for (const chat of ['89101', '89102', '89103']) await f.fileTicket({ category: 'health', citizenChat: chat });
    await f.t.app.recover({ graceMs: 0 });
    const { store, model, scan } = both();
    const now = f.t.clock.now();
    const pending = await model.queries.pending(undefined, 0, 10_000);
    expect(pending.total).toBeGreaterThan(2);
    const [lost, wrong] = pending.items;
    const { OpenWork } = f.t.app.models;
    // Damage the read model directly (as a bug or a hand edit would).
    const shardOf = async (ref: string) => (await OpenWork.find({}).lean<OpenWorkDoc[]>()).find((d) => d.e?.[ref])!._id;
    await OpenWork.collection.updateOne(
      { _id: (await shardOf(lost!.ref)) as never },
      { $unset: { [`e.${lost!.ref}`]: '' } },
    );
    await OpenWork.collection.updateOne(
      { _id: (await shardOf(wrong!.ref)) as never },
      { $set: { [`e.${wrong!.ref}.d`]: 'NOWHERE' } },
    );
    await OpenWork.collection.updateOne(
      { _id: 'open:0' as never },
      { $set: { 'e.ALR-999999': { v: 3, s: 'new', d: 'FOOD', c: now, a: now, r: now } } },
      { upsert: true },
    );
    const damaged = await model.queries.pending(undefined, 0, 10_000);
    expect(damaged.items.map((t) => t.ref)).not.toContain(lost!.ref);
    expect((await model.queries.pending('NOWHERE', 0, 10)).total).toBe(1);
    const checked = await reconcileOpenWork({ tickets: f.t.app.models.Ticket, store }, now);
    expect(checked.fixed).toBe(3);
    expect(await model.queries.pending(undefined, 0, 10_000)).toEqual(pending);
    expect(await model.queries.departmentLoad(now)).toEqual(await scan.queries.departmentLoad(now));
  });
});
