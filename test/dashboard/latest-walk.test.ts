import { createDashboardQueries, type DashboardFilter } from '../../src/dashboard/dashboard-queries';
import { filterOf } from '../../src/dashboard/dashboard-routes';
import { createLatestWalk, newestFirst } from '../../src/dashboard/latest-walk';
import { rebuildTicketCounts } from '../../src/reports/count-rebuild';
import { createTicketFigures } from '../../src/reports/ticket-figures';
import { archiveClosedTickets } from '../../src/storage/ticket-archive';
import { recordLoadedOrder, referenceCounterId } from '../../src/storage/reference-order';
import { createSupervisorKit, type SupervisorKit } from '../supervisor/supervisor-kit';

jest.setTimeout(300_000);

const DAY_MS = 86_400_000;
const ZONE = 'Asia/Kolkata';
const CATEGORIES = [
  { category: 'ration', department: 'FOOD' },
  { category: 'health', department: 'HEALTH' },
  { category: 'travel', department: 'POLICE' },
  { category: 'ration', department: 'FOOD' },
  { category: 'other', department: 'CONTROL' },
];

/** Commands sent to the ticket collections that are not a lookup by exactly `{_id: <string>}` (on FerretDB: a read of the whole collection). */
interface Scan {
  name: string;
  collection: string;
}

describe("the dashboard's latest tickets found by reference", () => {
  let kit: SupervisorKit;
  let now: Date;
  const scans: Scan[] = [];
  // The app settles owed counts by `_id` (relayNoted); the kit's tickets are settled as they are filed.
  const queries = () =>
    createDashboardQueries({
      models: kit.models,
      figures: createTicketFigures({ counts: kit.ticketCounts, timeZone: ZONE }),
      timeZone: ZONE,
      districtCode: 'ALR',
    });

  /** The straightforward answer: every ticket, live and archived, filtered and sorted. */
  async function straightforward(filter: DashboardFilter, page: number, size: number) {
    const all = [
      ...(await kit.models.Ticket.find({}, { ref: 1, createdAt: 1, department: 1 }).lean()),
      ...(await kit.models.TicketArchive.find({}, { ref: 1, createdAt: 1, department: 1 }).lean()),
    ]
      .filter(
        (t) =>
          (!filter.department || t.department === filter.department) &&
          (!filter.from || t.createdAt >= filter.from) &&
          (!filter.to || t.createdAt < filter.to),
      )
      .sort(newestFirst);
    return { total: all.length, refs: all.slice((page - 1) * size, page * size).map((t) => t.ref) };
  }

  /** The dashboard's answer, and the scans of the ticket collections it made. */
  async function latest(filter: DashboardFilter, page: number, size: number) {
    scans.length = 0;
    const res = await queries().latest(filter, page, size, now);
    return { total: res.total, refs: res.items.map((i) => i.ref), scans: [...scans] };
  }

  const filters = (): Array<[string, DashboardFilter]> => [
    ['no filter', {}],
    ['a department', filterOf(new URL('http://x/?dept=FOOD'), ZONE)],
    ['a rare department', filterOf(new URL('http://x/?dept=CONTROL'), ZONE)],
    ['from a day', filterOf(new URL('http://x/?from=2026-11-01'), ZONE)],
    ['to a day', filterOf(new URL('http://x/?to=2026-10-20'), ZONE)],
    ['days long ago', filterOf(new URL('http://x/?from=2026-10-05&to=2026-10-12'), ZONE)],
    ['days and a department', filterOf(new URL('http://x/?dept=HEALTH&from=2026-10-10&to=2026-11-20'), ZONE)],
    ['days without tickets', filterOf(new URL('http://x/?from=2025-01-01&to=2025-01-31'), ZONE)],
  ];
  const pages: Array<[number, number]> = [
    [2, 1],
    [1, 20],
    [2, 20],
    [3, 7],
    [1, 100],
    [4, 100],
  ];

  /** Every filter and page: the same refs, order and total as the straightforward query. */
  async function expectSameAsStraightforward(): Promise<Scan[]> {
    const seen: Scan[] = [];
    for (const [, filter] of filters()) {
      for (const [page, size] of pages) {
        const got = await latest(filter, page, size);
        seen.push(...got.scans);
        expect({ total: got.total, refs: got.refs }).toEqual(await straightforward(filter, page, size));
      }
    }
    return seen;
  }

  beforeAll(async () => {
    kit = await createSupervisorKit();
    now = kit.clock.now();
    kit.models.Ticket.db
      .getClient()
      .on('commandStarted', (ev: { commandName: string; command: Record<string, unknown> }) => {
        const collection = String(ev.command[ev.commandName] ?? '');
        if (collection !== 'tickets' && collection !== 'tickets_archive') return;
        const filter = (ev.command.filter ?? ev.command.query) as Record<string, unknown> | undefined;
        const byId =
          ev.commandName === 'find' && !!filter && Object.keys(filter).length === 1 && typeof filter._id === 'string';
        if (!byId) scans.push({ name: ev.commandName, collection });
      });
    // 300 tickets over 60 days in the order they were filed, several to a minute now and then (equal times:
    // the reference breaks the tie), the older ones closed; now and then a filing that failed leaves a number unused.
    const start = now.getTime() - 60 * DAY_MS;
    for (let i = 0; i < 300; i++) {
      const createdAt = new Date(
        start + (Math.floor(i / 3) * (60 * DAY_MS)) / 100 + (i % 3 === 2 ? 0 : i % 3) * 60_000,
      );
      const old = createdAt.getTime() < now.getTime() - 20 * DAY_MS;
      await kit.seedTicket({
        ...CATEGORIES[i % CATEGORIES.length]!,
        createdAt,
        ...(old && i % 4 !== 0 ? { status: 'closed', closedAt: new Date(createdAt.getTime() + DAY_MS) } : {}),
      });
      if (i % 37 === 5) await kit.models.Counter.updateOne({ _id: referenceCounterId('ALR') }, { $inc: { seq: 2 } });
    }
    // The clean-up job's archiving: tickets closed longer than the reopening window ago.
    expect(await archiveClosedTickets(kit.models, new Date(now.getTime() - 7 * DAY_MS), 1_000)).toBeGreaterThan(100);
  });
  afterAll(() => kit.close());

  test('every filter and page as the straightforward query, read by _id alone', async () => {
    expect(await kit.models.TicketArchive.countDocuments()).toBeGreaterThan(100);
    expect(await expectSameAsStraightforward()).toEqual([]);
  });

  test('page one without a filter and with a department: reads by _id only, a few more than the page holds', async () => {
    const reads: string[] = [];
    const client = kit.models.Ticket.db.getClient();
    const count = (ev: { commandName: string; command: Record<string, unknown> }) => {
      const c = String(ev.command[ev.commandName] ?? '');
      if (c === 'tickets' || c === 'tickets_archive') reads.push(c);
    };
    client.on('commandStarted', count);
    try {
      for (const filter of [{}, { department: 'FOOD' }]) {
        reads.length = 0;
        const got = await latest(filter, 1, 20);
        expect(got.scans).toEqual([]);
        expect(got.refs).toEqual((await straightforward(filter, 1, 20)).refs);
        // Every number from the newest down to the page's last, live first: FOOD is two tickets in five.
        expect(reads.length).toBeLessThan(filter.department ? 3 * 20 : 30);
      }
    } finally {
      client.off('commandStarted', count);
    }
  });

  test('tickets filed out of order (a clock read before a slower filing took its number) are still in their place', async () => {
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000);
    // Numbers taken in this order, times not: the newest has the lowest of the three numbers.
    const newest = await kit.seedTicket({
      category: 'ration',
      department: 'FOOD',
      createdAt: new Date(now.getTime() - 60_000),
    });
    const oldest = await kit.seedTicket({ category: 'health', department: 'HEALTH', createdAt: at(3) });
    const middle = await kit.seedTicket({ category: 'health', department: 'HEALTH', createdAt: at(2) });
    expect([newest.ref < oldest.ref, oldest.ref < middle.ref]).toEqual([true, true]);
    const counter = await kit.models.Counter.findOne({ _id: referenceCounterId('ALR') }).lean();
    expect(counter).toMatchObject({ ordered: true, slackMs: 3 * 3_600_000 - 60_000 });
    // One a page: the walk meets the middle one first and must look past the oldest to find the newest.
    expect((await latest({}, 1, 1)).refs).toEqual([newest.ref]);
    expect((await latest({}, 2, 1)).refs).toEqual([middle.ref]);
    expect((await latest({ department: 'HEALTH' }, 1, 1)).refs).toEqual([middle.ref]);
    expect((await latest({}, 1, 3)).refs).toEqual([newest.ref, middle.ref, oldest.ref]);
    expect(await expectSameAsStraightforward()).toEqual([]);
  });

  test('a ticket above the counter (a counter behind the data) or a counter without an order record: the tickets are read instead', async () => {
    const id = referenceCounterId('ALR');
    const before = await kit.models.Counter.findOne({ _id: id }).lean();
    await kit.models.Counter.updateOne({ _id: id }, { $set: { seq: before!.seq - 1 } });
    expect((await latest({}, 1, 20)).scans.length).toBeGreaterThan(0);
    expect(await expectSameAsStraightforward()).not.toEqual([]);

    // A database from before the record: the walk stays off until a rebuild over every ticket records the order.
    await kit.models.Counter.updateOne({ _id: id }, { $set: { seq: before!.seq }, $unset: { ordered: '' } });
    expect((await latest({}, 1, 20)).scans.length).toBeGreaterThan(0);
    await rebuildTicketCounts({
      models: kit.models,
      counts: kit.ticketCounts,
      timeZone: ZONE,
      order: { Counter: kit.models.Counter, district: 'ALR' },
    });
    const rebuilt = await kit.models.Counter.findOne({ _id: id }).lean();
    expect(rebuilt).toMatchObject({ seq: before!.seq, ordered: true, slackMs: before!.slackMs });
    expect(await expectSameAsStraightforward()).toEqual([]);
  });

  test("the total's sums over past days are kept a minute, renewed while the kept ones answer, today always read afresh", async () => {
    const q = queries();
    const at = (ms: number) => new Date(now.getTime() + ms);
    const total = async (ms: number, department?: string) =>
      (await q.latest(department ? { department } : {}, 1, 5, at(ms))).total;
    const all = await total(0);
    const food = await total(0, 'FOOD');
    expect([all, food]).toEqual([
      (await straightforward({}, 1, 5)).total,
      (await straightforward({ department: 'FOOD' }, 1, 5)).total,
    ]);
    // Filed today: counted at once.
    await kit.seedTicket({ category: 'ration', department: 'FOOD', createdAt: at(-60_000) });
    expect([await total(1_000), await total(1_000, 'FOOD')]).toEqual([all + 1, food + 1]);
    // A past day's counters change (an older ticket moved to FOOD): the kept sums miss it for a minute.
    const day = '2026-10-15';
    await kit.ticketCounts.apply('test:moved', { [day]: { 'department.FOOD': 1, 'dept.FOOD.n': 1 } }, now);
    expect(await total(2_000, 'FOOD')).toBe(food + 1);
    // A minute on: the kept sums answer once more while the renewal runs, then the renewed ones.
    let renewed = await total(61_000, 'FOOD');
    for (let i = 0; i < 50 && renewed === food + 1; i++) renewed = await total(61_000, 'FOOD');
    expect(renewed).toBe(food + 2);
    expect(await total(61_000)).toBe(all + 1);
  });

  test('a walk that would take too many reads gives the question back', async () => {
    const walk = createLatestWalk({
      Ticket: kit.models.Ticket,
      TicketArchive: kit.models.TicketArchive,
      Counter: kit.models.Counter,
      district: 'ALR',
      maxReads: 50,
    });
    expect((await walk({}, 20))?.rows).toHaveLength(20);
    expect(await walk({}, 100)).toBeUndefined();
    expect(await walk({ department: 'CONTROL' }, 20)).toBeUndefined();
  });

  test('a seed onto a database that already holds tickets records how far its old dates lag', async () => {
    const id = referenceCounterId('ALR');
    const before = await kit.models.Counter.findOne({ _id: id }).lean();
    const oldest = new Date(now.getTime() - 365 * DAY_MS);
    await recordLoadedOrder(kit.models.Counter, 'ALR', before!.seq + 10, { oldest, newest: now, slackMs: 0 });
    const after = await kit.models.Counter.findOne({ _id: id }).lean();
    expect(after).toMatchObject({ seq: before!.seq + 10, ordered: true });
    expect(after!.slackMs).toBeGreaterThanOrEqual(before!.newestAt!.getTime() - oldest.getTime());
  });
});
