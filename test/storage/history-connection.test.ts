import { parse } from 'csv-parse/sync';
import type { CommandStartedEvent } from 'mongodb';
import type { Connection } from 'mongoose';
import { loadCatalog } from '../../src/domain/catalog-loader';
import { createOutboxModel } from '../../src/outbox/outbox-model';
import { createStaffStore } from '../../src/storage/staff-store';
import { createHistoryModels, HISTORY_BATCH_SIZE, ticketsByCreation } from '../../src/storage/history-models';
import type { TicketDoc } from '../../src/storage/models';
import { seedDatabase } from '../../scripts/lib/seed-database';
import { fileComplaint, joinStaff, startDashboardKit, type DashboardKit } from '../dashboard/dashboard-kit';

jest.setTimeout(300_000);

/** More than two batches of the history cursor, live and archived together. */
const SEEDED = 1_500;
/** Commands that only read (and end a read). */
const READS = new Set([
  'find',
  'getMore',
  'killCursors',
  'count',
  'aggregate',
  'buildInfo',
  'hello',
  'isMaster',
  'ismaster',
  'ping',
  'endSessions',
]);

/** Every command a connection starts, with the collection it names. */
function recordCommands(conn: Connection) {
  const seen: Array<{ name: string; collection: string; filter?: unknown }> = [];
  const client = conn.getClient();
  const listener = (e: CommandStartedEvent) => {
    const target = e.command[e.commandName];
    seen.push({
      name: e.commandName,
      collection: typeof target === 'string' ? target : String(e.command.collection ?? ''),
      ...(e.commandName === 'find' ? { filter: e.command.filter } : {}),
      ...(e.commandName === 'findAndModify' ? { filter: e.command.query } : {}),
      ...(e.commandName === 'update' ? { filter: (e.command.updates as Array<{ q: unknown }>)[0]?.q } : {}),
    });
  };
  client.on('commandStarted', listener);
  return {
    seen,
    clear: () => seen.splice(0),
    stop: () => client.off('commandStarted', listener),
  };
}

describe('work over the whole history runs on its own read-only connection', () => {
  let kit: DashboardKit;
  let cookie: string;
  let seeded: Array<{ ref: string; createdAt: Date }>;

  beforeAll(async () => {
    kit = await startDashboardKit();
    const conn = kit.db.conn;
    await seedDatabase(
      {
        conn,
        models: kit.app.models,
        outbox: await createOutboxModel(conn),
        staff: createStaffStore(kit.app.models),
        catalog: loadCatalog(kit.config.flowsDirAbs),
        district: kit.config.DISTRICT_CODE,
      },
      { tickets: SEEDED, citizens: 300, notifications: 0, days: 300, force: false, end: kit.clock.now() },
    );
    const all = [
      ...(await kit.app.models.Ticket.find({}, { ref: 1, createdAt: 1 }).lean<TicketDoc[]>()),
      ...(await kit.app.models.TicketArchive.find({}, { ref: 1, createdAt: 1 }).lean<TicketDoc[]>()),
    ];
    seeded = all
      .map((t) => ({ ref: t.ref, createdAt: t.createdAt }))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.ref < b.ref ? -1 : 1));
    // The fixture is what the test needs: both collections hold tickets.
    expect(seeded).toHaveLength(SEEDED);
    expect(await kit.app.models.TicketArchive.countDocuments({})).toBeGreaterThan(HISTORY_BATCH_SIZE);

    await joinStaff(kit, 'supervisor-h', 'supervisor');
    const link = await kit.link('supervisor-h');
    const token = new URL(link).searchParams.get('token') ?? '';
    const res = await fetch(`${kit.url}/dashboard/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(res.status).toBe(200);
  });

  afterAll(() => kit?.close());

  test('a paused export of every ticket holds the history connection only; citizens and a supervisor are answered meanwhile', async () => {
    const main = recordCommands(kit.db.conn);
    const history = recordCommands(kit.historyConn!);
    try {
      // The export starts and stops after its first row, with both server cursors open.
      const rows = kit.dashboard.queries.exportCursor({})[Symbol.asyncIterator]();
      const first = await rows.next();
      expect(first.done).toBe(false);

      // Meanwhile: two citizens file complaints and ask their status; the supervisor opens a ticket.
      const refs = [
        await fileComplaint(kit, 'citizen-h1', { category: 'ration', description: 'राशन की दुकान दो हफ़्ते से बंद है' }),
        await fileComplaint(kit, 'citizen-h2', { category: 'other', description: 'गाँव का हैंडपंप खराब है' }),
      ];
      expect((await kit.chat.send('citizen-h1', '/status')).join('\n')).toContain(refs[0]);
      expect((await kit.chat.send('supervisor-h', `/ticket ${seeded[0]!.ref}`)).join('\n')).toContain(seeded[0]!.ref);

      // The rest of the export: every seeded ticket once, oldest first.
      const exported: string[] = [first.value!.ref];
      for (let r = await rows.next(); !r.done; r = await rows.next()) exported.push(r.value.ref);
      const seededRefs = new Set(seeded.map((s) => s.ref));
      expect(exported.filter((ref) => seededRefs.has(ref))).toEqual(seeded.map((s) => s.ref));
      expect(new Set(exported).size).toBe(exported.length);

      // The scan went over the history connection, in batches, and read only.
      const scans = history.seen.filter((c) => c.collection === 'tickets' || c.collection === 'tickets_archive');
      expect(
        scans
          .filter((c) => c.name === 'find')
          .map((c) => c.collection)
          .sort(),
      ).toEqual(['tickets', 'tickets_archive']);
      expect(scans.filter((c) => c.name === 'getMore').length).toBeGreaterThanOrEqual(2);
      expect(history.seen.filter((c) => !READS.has(c.name))).toEqual([]);
      // The citizens' work went over the main connection, which never read the archive meanwhile.
      expect(main.seen.some((c) => c.name === 'insert' && c.collection === 'tickets')).toBe(true);
      expect(main.seen.filter((c) => c.collection === 'tickets_archive' && c.name !== 'find')).toEqual([]);
      expect(history.seen.some((c) => c.name === 'insert')).toBe(false);
    } finally {
      main.stop();
      history.stop();
    }
  });

  test("the dashboard's CSV of every ticket, downloaded while citizens file complaints, is complete and they are all answered", async () => {
    const history = recordCommands(kit.historyConn!);
    try {
      const download = (async () => {
        const res = await fetch(`${kit.url}/dashboard/api/export.csv?lang=en`, { headers: { cookie } });
        expect(res.status).toBe(200);
        return res.text();
      })();
      const citizens = Promise.all(
        ['citizen-h3', 'citizen-h4', 'citizen-h5'].map((chat) =>
          fileComplaint(kit, chat, { category: 'travel', description: 'दूसरे ज़िले में जाने का पास चाहिए' }),
        ),
      );
      const [csv, refs] = await Promise.all([download, citizens]);
      expect(refs.every((r) => /^ALR-\d{6}$/.test(r))).toBe(true);
      const records = parse(csv, { bom: true }) as string[][];
      expect(records[0]?.[0]).toBe(kit.translator.t('en', 'dashboard.csv.ref'));
      const exported = records.slice(1).map((r) => r[0]);
      const seededRefs = new Set(seeded.map((s) => s.ref));
      expect(exported.filter((ref) => seededRefs.has(ref ?? ''))).toEqual(seeded.map((s) => s.ref));
      expect(new Set(exported).size).toBe(exported.length);
      expect(history.seen.filter((c) => c.name === 'getMore').length).toBeGreaterThanOrEqual(2);
    } finally {
      history.stop();
    }
  });

  test('sorted in runs of 200 through temporary files, every ticket comes once, oldest first, ties by reference', async () => {
    const history = createHistoryModels(kit.historyConn!, kit.app.models);
    // A live copy left beside its archived one (an archive run stopped between copy and delete) comes once.
    const twin = await kit.app.models.TicketArchive.findOne({}).lean<TicketDoc>();
    await kit.app.models.Ticket.collection.insertOne(twin as never);
    try {
      const out: string[] = [];
      for await (const t of ticketsByCreation<TicketDoc>(history, {}, { ref: 1, createdAt: 1 }, { sortChunk: 200 }))
        out.push(t.ref);
      const seededRefs = new Set(seeded.map((s) => s.ref));
      expect(out.filter((ref) => seededRefs.has(ref))).toEqual(seeded.map((s) => s.ref));
      expect(new Set(out).size).toBe(out.length);
    } finally {
      await kit.app.models.Ticket.deleteOne({ _id: twin!._id });
    }
  });

  test('the chat /export and /find read over the history connection and find archived tickets', async () => {
    const history = recordCommands(kit.historyConn!);
    try {
      const oldest = seeded[0]!;
      const day = (d: Date) => d.toISOString().slice(0, 10);
      const from = day(oldest.createdAt);
      const to = day(kit.clock.now());
      const inRange = seeded.filter((s) => s.createdAt.getTime() >= new Date(`${from}T00:00:00+05:30`).getTime());
      await kit.chat.send('supervisor-h', `/export ${from} ${to}`);
      const outbox = await createOutboxModel(kit.db.conn);
      const queued = (await outbox.Message.find({}).lean()).find((m) => m.message.document?.fileName.endsWith('.csv'));
      const stored = queued?.message.document?.bytes as unknown as Buffer | { buffer: Uint8Array } | undefined;
      expect(stored).toBeDefined();
      const records = parse(Buffer.isBuffer(stored) ? stored : Buffer.from(stored!.buffer), {
        bom: true,
      }) as string[][];
      const exported = records.slice(1).map((r) => r[0]);
      const seededRefs = new Set(inRange.map((s) => s.ref));
      expect(exported.filter((ref) => seededRefs.has(ref ?? ''))).toEqual(inRange.map((s) => s.ref));

      const archived = await kit.app.models.TicketArchive.findOne({}, { ref: 1 }).lean<TicketDoc>();
      expect((await kit.chat.send('supervisor-h', `/find ${archived!.ref}`)).join('\n')).toContain(archived!.ref);
      const reads = history.seen.filter((c) => c.collection === 'tickets_archive').map((c) => c.name);
      expect(reads).toContain('find');
      expect(history.seen.filter((c) => !READS.has(c.name))).toEqual([]);
    } finally {
      history.stop();
    }
  });

  test('/pending, /overdue, the dashboard and the timed sweeps reach tickets on the main connection only by _id', async () => {
    const main = recordCommands(kit.db.conn);
    const history = recordCommands(kit.historyConn!);
    try {
      expect((await kit.chat.send('supervisor-h', '/pending')).join('\n')).not.toBe('');
      await kit.chat.send('supervisor-h', '/overdue');
      const now = kit.clock.now();
      await kit.app.dashboard.queries.summary({}, now);
      await kit.app.dashboard.queries.overdue({}, now, 50);
      expect((await kit.app.dashboard.queries.latest({}, 1, 25, now)).items.length).toBe(25);
      // The SLA sweep, the reminders and the feedback closer look for their candidates among all live tickets.
      const later = new Date(now.getTime() + 30 * 24 * 3_600_000);
      await kit.app.escalation.sweep(later);
      await kit.app.escalation.remindUnacknowledged(later);
      await kit.app.feedback.closeUnanswered(later);
      // On the main connection, which every citizen's command waits for, tickets are only reached by _id.
      const byId = (f: unknown) =>
        !!f && typeof f === 'object' && Object.keys(f).length === 1 && typeof (f as { _id?: unknown })._id === 'string';
      expect(main.seen.filter((c) => c.collection === 'tickets' && !byId(c.filter))).toEqual([]);
      // The candidates' reads went over the history connection instead (those of the lists read open work by _id).
      const scans = history.seen.filter((c) => c.collection === 'tickets' && c.name === 'find' && !byId(c.filter));
      expect(scans.length).toBeGreaterThanOrEqual(3);
      expect(history.seen.filter((c) => !READS.has(c.name))).toEqual([]);
    } finally {
      main.stop();
      history.stop();
    }
  });
});
