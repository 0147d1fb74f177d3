import { newStaff } from '../support/new-staff';
import type { InboundContent, InboundMessage } from '../../src/conversation/types';
import { loadCatalog } from '../../src/domain/catalog-loader';
import { createOutboxModel } from '../../src/outbox/outbox-model';
import { FEEDBACK_SCOPE } from '../../src/feedback/feedback-question';
import { createMessageRefStore } from '../../src/storage/message-ref-store';
import { TICKET_SCOPE } from '../../src/tickets/ticket-messages';
import { createStaffStore } from '../../src/storage/staff-store';
import { createEscalationStore } from '../../src/escalation/escalation-store';
import { createConversationStore, type ConversationStore } from '../../src/storage/conversation-store';
import { seedDatabase } from '../../scripts/lib/seed-database';
import { filterOf } from '../../src/dashboard/dashboard-routes';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Connection } from 'mongoose';
import { createApp, type App } from '../../src/app';
import { createFixedClock } from '../../src/clock';
import { loadConfig, type Config } from '../../src/config';
import { connectDatabase, isFerretDb } from '../../src/db/connect';
import { createLogger } from '../../src/logger';
import { FAST_OUTBOX, FIXED_START, REPO_ROOT } from '../support/test-app';

/**
 * Collections bounded by live work (open tickets, chats active in the last
 * CONVERSATION_IDLE_HOURS, notices not yet delivered) or by the size of the
 * staff, never by the district's history. On FerretDB every command but a
 * lookup by exactly `{_id: <string>}` reads a whole collection, so on the
 * paths a citizen or officer waits for, any other collection may only be
 * inserted into or reached by `_id` alone: a new collection is history until
 * it is named here.
 */
const LIVE = new Set([
  'conversations',
  'tickets',
  'outbox',
  'staff',
  'departments',
  'counters',
  'officer_loads',
  // Open work: a fixed number of documents (open-work-store.ts).
  'open_work',
  // Locks of changes under way (FerretDB), removed when each is done.
  'document_locks',
  // Markers of changes whose work may be owed, removed by the recovery pass when it is done.
  'ticket_work',
]);

interface Seen {
  name: string;
  collection: string;
  filter: unknown;
}

/** The collection and filter of a command, as the driver sends it. */
function describeCommand(name: string, command: Record<string, unknown>): Seen {
  const collection = String(command[name] ?? '');
  const first = (list: unknown, key: string) =>
    Array.isArray(list) ? (list[0] as Record<string, unknown> | undefined)?.[key] : undefined;
  const filter =
    name === 'find'
      ? command.filter
      : name === 'findAndModify'
        ? command.query
        : name === 'update'
          ? first(command.updates, 'q')
          : name === 'delete'
            ? first(command.deletes, 'q')
            : (command.pipeline ?? command.query);
  return { name, collection, filter };
}

/**
 * Whether a filter is exactly `{_id: <string>}`: the one filter FerretDB on
 * SQLite pushes down (through the project's index on it, see
 * scripts/ferretdb/id-index.go); a number, an operator or a second key makes
 * it read the whole collection.
 */
function isIdLookup(filter: unknown): boolean {
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) return false;
  const keys = Object.keys(filter);
  return keys.length === 1 && keys[0] === '_id' && typeof (filter as { _id?: unknown })._id === 'string';
}

/** Commands that cost the same however big their collection: an insert, or a find, update or delete by `_id` alone. */
const ID_COMMANDS = new Set(['find', 'update', 'findAndModify', 'delete']);
const flat = (c: Seen) => c.name === 'insert' || (ID_COMMANDS.has(c.name) && isIdLookup(c.filter));
/** The commands of a step that would read a collection growing with history. */
const violations = (commands: Seen[]) => commands.filter((c) => !LIVE.has(c.collection) && !flat(c));

describe('the hot path with a few thousand tickets of history', () => {
  // The app on a connection with command monitoring (the test helper's connection has none).
  let t: { app: App; config: Config; clock: ReturnType<typeof createFixedClock>; db: { conn: Connection } };
  const seen: Seen[] = [];
  let recording = false;
  let updates = 0;
  let conversations: ConversationStore;
  const CITIZEN = '700001';
  const OFFICER = '700101';

  const send = async (chatId: string, content: InboundContent, extra: Partial<InboundMessage> = {}) => {
    const msg: InboundMessage = {
      channel: 'telegram',
      chatId,
      updateKey: `hp${(updates += 1)}`,
      receivedAt: t.clock.now(),
      content,
      ...extra,
    };
    return (await t.app.handler(msg)).messages.map((m) => m.text);
  };
  /** The commands one message sends. */
  const measure = async (chatId: string, content: InboundContent, extra: Partial<InboundMessage> = {}) => {
    seen.length = 0;
    recording = true;
    const texts = await send(chatId, content, extra);
    recording = false;
    return { texts, commands: [...seen] };
  };

  beforeAll(async () => {
    const conn = await connectDatabase(process.env.TEST_MONGODB_URI ?? '', {
      dbName: `hot_${randomBytes(5).toString('hex')}`,
    });
    const config = loadConfig({ NODE_ENV: 'test', HTTP_PORT: '0', JOBS_ENABLED: 'false' }, REPO_ROOT);
    const clock = createFixedClock(FIXED_START);
    const app = await createApp({
      config,
      logger: createLogger({ level: 'silent', pretty: false }),
      clock,
      conn,
      outboxOptions: FAST_OUTBOX,
    });
    t = { app, config, clock, db: { conn } };
    // Settles replies as the channels' store does (made now: its start-up commands are done long before any step).
    conversations = createConversationStore(app.models);
    await seedDatabase(
      {
        conn: t.db.conn,
        models: t.app.models,
        outbox: await createOutboxModel(t.db.conn),
        staff: createStaffStore(t.app.models),
        catalog: loadCatalog(t.config.flowsDirAbs),
        district: t.config.DISTRICT_CODE,
      },
      { tickets: 3_000, citizens: 1_500, notifications: 6_000, days: 365, force: false, end: t.clock.now() },
    );
    // An officer of the food department, linked as an invite links them, with no open tickets: routing picks them.
    const staff = createStaffStore(t.app.models);
    const officer = await staff.upsertStaff({
      channel: 'telegram',
      chatId: OFFICER,
      role: 'officer',
      department: 'FOOD',
      name: 'Officer',
      language: 'hi',
      invitedBy: 'test',
      now: t.clock.now(),
    });
    await send(OFFICER, { kind: 'command', command: 'help', args: '' });
    await staff.syncConversationRole(officer.identityKey, { id: officer._id, role: 'officer', department: 'FOOD' });
    t.db.conn.getClient().on('commandStarted', (ev: { commandName: string; command: Record<string, unknown> }) => {
      if (recording) seen.push(describeCommand(ev.commandName, ev.command));
    });
  }, 300_000);
  afterAll(async () => {
    await t.app.stop();
    await t.db.conn.dropDatabase();
    await t.db.conn.close();
  });

  test('the collections the hot path may search hold live work only, a small part of the history', async () => {
    const { models } = t.app;
    const outbox = await createOutboxModel(t.db.conn);
    // Seeded: 3,000 tickets over a year, 1,500 citizens, 6,000 delivered notices.
    const live = {
      tickets: await models.Ticket.countDocuments(),
      conversations: await models.Conversation.countDocuments(),
      outbox: await outbox.Message.countDocuments(),
    };
    const all = {
      tickets: live.tickets + (await models.TicketArchive.countDocuments()),
      chats: await models.ChatProfile.countDocuments(),
    };
    expect(all).toEqual({ tickets: 3_000, chats: 1_501 });
    expect(live.tickets).toBeLessThan(all.tickets * 0.1);
    expect(live.conversations).toBeLessThan(all.chats * 0.05);
    expect(live.outbox).toBe(0);
  });

  test('a citizen files and asks for status, an officer acts: history is only inserted into or read by _id', async () => {
    const steps: Array<{ step: string; commands: Seen[] }> = [];
    const step = async (name: string, chatId: string, content: InboundContent, extra: Partial<InboundMessage> = {}) => {
      const r = await measure(chatId, content, extra);
      steps.push({ step: name, commands: r.commands });
      if (process.env.HOT_PATH_DUMP)
        writeFileSync(
          process.env.HOT_PATH_DUMP,
          JSON.stringify(
            steps.map((x) => ({ ...x, texts: x === steps.at(-1) ? r.texts : undefined })),
            null,
            1,
          ),
        );
      return r.texts;
    };
    await step('start', CITIZEN, { kind: 'command', command: 'start', args: '' });
    await step('category', CITIZEN, { kind: 'button', scope: 'category', value: 'ration' });
    await step('block', CITIZEN, { kind: 'button', scope: 'block', value: 'jobat' });
    await step('locality', CITIZEN, { kind: 'text', text: 'वार्ड 5' });
    await step('description', CITIZEN, { kind: 'text', text: 'राशन की दुकान दस दिन से बंद है' });
    await step('phone', CITIZEN, { kind: 'button', scope: 'phone', value: 'skip' });
    const receipt = (await step('submit', CITIZEN, { kind: 'button', scope: 'summary', value: 'submit' })).join('\n');
    const ref = /ALR-\d{6}/.exec(receipt)?.[0];
    expect(ref).toBe('ALR-003001');
    expect((await step('status', CITIZEN, { kind: 'command', command: 'status', args: '' })).join('\n')).toContain(ref);
    // A ticket of long ago, archived: found by reference.
    const archived = await t.app.models.TicketArchive.findOne({}, { ref: 1 }).lean();
    expect(archived).not.toBeNull();
    expect(
      (await step('status REF', CITIZEN, { kind: 'command', command: 'status', args: archived!.ref })).join('\n'),
    ).toContain(archived!.ref);
    expect(
      (await step('ack button', OFFICER, { kind: 'button', scope: TICKET_SCOPE, value: `ack:${ref}` })).join('\n'),
    ).toContain(ref);
    await step('update button', OFFICER, { kind: 'button', scope: TICKET_SCOPE, value: `update:${ref}` });
    await step('update text', OFFICER, { kind: 'text', text: 'दुकानदार से बात हो गई है' });
    // A reply to the ticket's card (its platform id recorded when the outbox sent it).
    await createMessageRefStore(t.app.models.MessageRef).record({
      channel: 'telegram',
      chatId: OFFICER,
      messageId: '9001',
      ref: ref!,
      at: t.clock.now(),
    });
    await step('reply-to update', OFFICER, { kind: 'text', text: 'कल दुकान खुलेगी' }, { replyToId: '9001' });
    await step('ask', OFFICER, { kind: 'command', command: 'ask', args: `${ref} दुकान का नाम क्या है?` });
    await step('citizen answer', CITIZEN, { kind: 'text', text: 'शर्मा राशन भंडार' });
    await step('resolve', OFFICER, { kind: 'command', command: 'resolve', args: `${ref} दुकान खुलवा दी गई` });
    t.clock.advance(120_000); // past the citizen's flood allowance (the clock stood still for all the steps above)
    await step('rating', CITIZEN, { kind: 'button', scope: FEEDBACK_SCOPE, value: `${ref}:5` });
    const after = await t.app.models.Ticket.findOne({ _id: ref }).lean();
    expect(after?.status).toBe('closed');
    expect(after?.history.map((h) => h.action)).toEqual(
      expect.arrayContaining(['acknowledge', 'update', 'ask', 'citizen_reply', 'resolve']),
    );

    // Every step was measured, and none touched a history collection but by insert or _id lookup.
    expect(steps.every((s) => s.commands.length > 0)).toBe(true);
    expect(steps.map((s) => ({ step: s.step, violations: violations(s.commands) }))).toEqual(
      steps.map((s) => ({ step: s.step, violations: [] })),
    );
    const ferret = await isFerretDb(t.db.conn);
    // A conversational step is one read and one conditional write of the conversation: on MongoDB one
    // atomic update on `{_id, version}`; on FerretDB, where that filter reads the whole collection and
    // is not atomic across processes, the version is read and the state written by `_id` alone under
    // the conversation's lock (an insert and a delete of one small lock document).
    const lock = [
      ['insert', 'document_locks', false],
      ['find', 'conversations', true],
      ['update', 'conversations', true],
      ['delete', 'document_locks', false],
    ];
    for (const s of steps.filter((x) => ['category', 'block', 'locality', 'description', 'phone'].includes(x.step))) {
      expect(s.commands.map((c) => [c.name, c.collection, isIdLookup(c.filter)])).toEqual([
        ['find', 'conversations', true],
        ...(ferret ? lock : [['update', 'conversations', false]]),
      ]);
    }
    // The replies of a step are settled once sent (by the channel, after the step).
    seen.length = 0;
    recording = true;
    await conversations.settleReplies(`telegram:${CITIZEN}`, `hp${updates}`);
    recording = false;
    steps.push({ step: 'settle replies', commands: [...seen] });
    expect(seen.map((c) => [c.name, c.collection, isIdLookup(c.filter)])).toEqual(
      ferret ? lock : [['update', 'conversations', false]],
    );
    // On FerretDB the conversations are reached by _id alone, and a lock is released by its `_id` and owner only.
    if (ferret) {
      expect(
        steps.flatMap((s) =>
          s.commands.filter((c) => c.collection === 'conversations' && !flat(c)).map((c) => ({ step: s.step, ...c })),
        ),
      ).toEqual([]);
      const released = steps.flatMap((s) => s.commands.filter((c) => c.collection === 'document_locks' && !flat(c)));
      expect(released.length).toBeGreaterThan(0);
      expect(
        released.every(
          (c) =>
            c.name === 'delete' &&
            Object.keys(c.filter as object)
              .sort()
              .join() === '_id,owner',
        ),
      ).toBe(true);
    }
    // On FerretDB even the live tickets are reached by _id alone (a conditional change is read, checked and written by _id).
    if (await isFerretDb(t.db.conn)) {
      expect(
        steps.flatMap((s) =>
          s.commands.filter((c) => c.collection === 'tickets' && !flat(c)).map((c) => ({ step: s.step, ...c })),
        ),
      ).toEqual([]);
    }
    // Tickets themselves are read by reference on /status, never searched.
    for (const s of steps.filter((x) => x.step.startsWith('status'))) {
      expect(
        s.commands.filter((c) => c.collection === 'tickets' && !(c.name === 'find' && isIdLookup(c.filter))),
      ).toEqual([]);
    }
  });

  test("a supervisor's /stats reads the counters, and the counts changes still owe by _id: never a search of the tickets", async () => {
    const staff = createStaffStore(t.app.models);
    const SUPERVISOR = '700201';
    const supervisor = await staff.upsertStaff(
      newStaff(SUPERVISOR, 'supervisor', t.clock.now(), { name: 'Supervisor', language: 'hi' }),
    );
    await send(SUPERVISOR, { kind: 'command', command: 'help', args: '' });
    await staff.syncConversationRole(supervisor.identityKey, { id: supervisor._id, role: 'supervisor' });
    // The steps of the test before (when run with it) owe counts for ALR-003001: applied first, by its _id.
    const before = await measure(SUPERVISOR, { kind: 'command', command: 'stats', args: '' });
    expect(violations(before.commands)).toEqual([]);
    expect(before.commands.filter((c) => c.collection === 'tickets' && !flat(c))).toEqual([]);
    t.clock.advance(60_000);
    const stats = await measure(SUPERVISOR, { kind: 'command', command: 'stats', args: '' });
    expect(stats.texts.join('\n')).not.toBe('');
    expect(violations(stats.commands)).toEqual([]);
    expect(stats.commands.filter((c) => c.collection === 'tickets' && !flat(c))).toEqual([]);
  });

  test("a supervisor's /pending, /overdue, /report, the hand-over and the dashboard's open work read the open-work documents and tickets by _id only", async () => {
    const { Ticket } = t.app.models;
    const staff = createStaffStore(t.app.models);
    const SUPERVISOR = '700202';
    const supervisor = await staff.upsertStaff(
      newStaff(SUPERVISOR, 'supervisor', t.clock.now(), { name: 'Supervisor', language: 'en' }),
    );
    await send(SUPERVISOR, { kind: 'command', command: 'help', args: '' });
    await staff.syncConversationRole(supervisor.identityKey, { id: supervisor._id, role: 'supervisor' });
    // A change of this process still owed (an officer's acknowledgement), applied before the reads, by _id.
    const open = await Ticket.find({ status: { $in: ['new', 'assigned', 'reopened'] }, department: 'FOOD' }, { ref: 1 })
      .sort({ createdAt: 1 })
      .lean();
    expect(open.length).toBeGreaterThan(0);
    await send(OFFICER, { kind: 'button', scope: TICKET_SCOPE, value: `ack:${open[0]!.ref}` });
    const now = t.clock.now();
    const live = await Ticket.find({}).lean();
    const isOpen = (s: string) => !['resolved', 'closed'].includes(s);
    const overdue = live.filter(
      (x) =>
        isOpen(x.status) &&
        (x.resolveDueAt.getTime() < now.getTime() || (!x.acknowledgedAt && x.ackDueAt.getTime() < now.getTime())),
    );
    expect(overdue.length).toBeGreaterThan(0);

    const reads: Array<{ what: string; commands: Seen[] }> = [];
    const record = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
      seen.length = 0;
      recording = true;
      try {
        return await work();
      } finally {
        recording = false;
        reads.push({ what, commands: [...seen] });
      }
    };
    const pending = await record('/pending', () => send(SUPERVISOR, { kind: 'command', command: 'pending', args: '' }));
    expect(pending.join('\n')).toContain(String(live.filter((x) => isOpen(x.status)).length));
    await record('/overdue', () => send(SUPERVISOR, { kind: 'command', command: 'overdue', args: '' }));
    await record('/report', () => send(SUPERVISOR, { kind: 'command', command: 'report', args: '' }));
    await record('hand-over', () => t.app.shifts.sendHandover(now));
    const summary = await record('dashboard summary', () => t.app.dashboard.queries.summary({}, now));
    expect({ open: summary.open, overdue: summary.overdue }).toEqual({
      open: live.filter((x) => isOpen(x.status)).length,
      overdue: overdue.length,
    });
    const list = await record('dashboard overdue', () => t.app.dashboard.queries.overdue({}, now, 50));
    expect(list.total).toBe(overdue.length);
    const food = await record('dashboard summary FOOD', () =>
      t.app.dashboard.queries.summary({ department: 'FOOD' }, now),
    );
    expect(food.open).toBe(live.filter((x) => isOpen(x.status) && x.department === 'FOOD').length);

    // Each read reached the open-work documents, and the tickets (and everything else of the history) by _id alone.
    for (const r of reads)
      expect({ what: r.what, read: r.commands.some((c) => c.collection === 'open_work') }).toEqual({
        what: r.what,
        read: true,
      });
    // (The hand-over also reads the roster and the counsellor sessions: small, and not the tickets' concern here.)
    const ticketish = new Set(['tickets', 'tickets_archive', 'open_work']);
    expect(
      reads.flatMap((r) =>
        r.commands.filter((c) => ticketish.has(c.collection) && !flat(c)).map((c) => ({ what: r.what, ...c })),
      ),
    ).toEqual([]);
  });

  test('the recovery pass (at start-up and every minute) reads the work markers and each ticket they name by _id, never a search of the tickets', async () => {
    // Whatever the steps above left owed is done, and the database's one sweep from before the markers too.
    await t.app.recover({ graceMs: 0 });
    // A marker whose change never reached its ticket goes once it is old enough to be sure.
    t.clock.advance(120_000);
    await t.app.recover({ graceMs: 0 });
    seen.length = 0;
    recording = true;
    const quiet = await t.app.recover({ graceMs: 0 });
    recording = false;
    expect(quiet).toEqual({ routed: [], notices: 0, failed: [] });
    // Nothing owed: one read of the (empty) markers (the sweep is known done); the tickets untouched.
    expect(seen.map((c) => [c.name, c.collection])).toEqual([['find', 'ticket_work']]);

    // A citizen files (work owed: routing, notices, counts): the pass reaches the ticket by _id alone.
    await send('700002', { kind: 'command', command: 'start', args: '' });
    for (const [scope, value] of [
      ['category', 'ration'],
      ['block', 'jobat'],
    ] as const)
      await send('700002', { kind: 'button', scope, value });
    await send('700002', { kind: 'text', text: 'वार्ड 7' });
    await send('700002', { kind: 'text', text: 'राशन की दुकान बंद है' });
    await send('700002', { kind: 'button', scope: 'phone', value: 'skip' });
    await send('700002', { kind: 'button', scope: 'summary', value: 'submit' });
    t.clock.advance(120_000);
    seen.length = 0;
    recording = true;
    await t.app.recover({ graceMs: 0 });
    recording = false;
    expect(seen.filter((c) => c.collection === 'tickets' && !flat(c))).toEqual([]);
    expect(seen.filter((c) => c.collection === 'tickets').length).toBeGreaterThan(0);
    expect(violations(seen)).toEqual([]);
    // And every marker is gone once its work is done.
    expect(await t.app.models.TicketWork.countDocuments()).toBe(0);
  });

  test("an escalation (a supervisor's /escalate, each ticket the SLA sweep raises) changes the ticket by _id on FerretDB", async () => {
    const open = await t.app.models.Ticket.findOne({ status: 'assigned', level: 1 }, { ref: 1 }).lean();
    expect(open).not.toBeNull();
    seen.length = 0;
    recording = true;
    const result = await t.app.escalation.escalate(open!.ref, {
      by: { kind: 'staff', id: 'test', role: 'supervisor' },
      reason: { text: 'परीक्षण' },
    });
    recording = false;
    expect(result.ok).toBe(true);
    expect((await t.app.models.Ticket.findOne({ _id: open!.ref }).lean())?.level).toBe(2);
    expect(violations(seen)).toEqual([]);
    // The raise was a conditional filter, which FerretDB answers by reading every live ticket; now by `_id` under the lock.
    if (await isFerretDb(t.db.conn)) expect(seen.filter((c) => c.collection === 'tickets' && !flat(c))).toEqual([]);

    // The reminders' mark, once per officer reminded, likewise (it was an updateMany over references).
    const unreminded = await t.app.models.Ticket.find(
      { status: 'assigned', level: 1, ackReminderSentAt: null },
      { ref: 1 },
    )
      .limit(2)
      .lean();
    expect(unreminded).toHaveLength(2);
    const store = createEscalationStore(t.app.models);
    seen.length = 0;
    recording = true;
    expect(await store.markReminded([...unreminded.map((x) => x.ref), unreminded[0]!.ref], t.clock.now())).toBe(2);
    recording = false;
    if (await isFerretDb(t.db.conn)) expect(seen.filter((c) => c.collection === 'tickets' && !flat(c))).toEqual([]);
  });

  test("the dashboard's latest tickets: found by reference, every page as the whole history orders it", async () => {
    const { Ticket, TicketArchive } = t.app.models;
    const queries = t.app.dashboard.queries;
    const now = t.clock.now();
    // What every page must show: live and archived tickets together, newest first.
    const everyTicket = [
      ...(await Ticket.find({}, { ref: 1, createdAt: 1, department: 1 }).lean()),
      ...(await TicketArchive.find({}, { ref: 1, createdAt: 1, department: 1 }).lean()),
    ].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.ref.localeCompare(a.ref));
    const expected = (rows: typeof everyTicket, page: number, size: number) =>
      rows.slice((page - 1) * size, page * size).map((r) => r.ref);
    const food = everyTicket.filter((r) => r.department === 'FOOD');
    const page = async (filter: Parameters<typeof queries.latest>[0], n: number, size: number) => {
      seen.length = 0;
      recording = true;
      const res = await queries.latest(filter, n, size, now);
      recording = false;
      const tickets = seen.filter((c) => c.collection === 'tickets' || c.collection === 'tickets_archive');
      return {
        refs: res.items.map((i) => i.ref),
        total: res.total,
        // Reads of the ticket collections other than by `_id` alone: on FerretDB each decodes the whole collection.
        scans: tickets.filter((c) => !flat(c)),
        reads: tickets.length,
      };
    };

    // Page one (what the page shows on every refresh): newest first, by `_id` alone, about one read a row.
    const first = await page({}, 1, 25);
    expect(first).toMatchObject({ refs: expected(everyTicket, 1, 25), total: everyTicket.length, scans: [] });
    expect(first.reads).toBeLessThan(40);
    const firstFood = await page({ department: 'FOOD' }, 1, 25);
    expect(firstFood).toMatchObject({ refs: expected(food, 1, 25), total: food.length, scans: [] });
    // Deeper, where archived tickets belong on the page: they are there, in their place.
    const archived = new Set((await TicketArchive.find({}, { ref: 1 }).lean()).map((r) => r.ref));
    const deep = await page({}, 12, 25);
    expect(deep).toMatchObject({ refs: expected(everyTicket, 12, 25), total: everyTicket.length, scans: [] });
    expect(deep.refs.some((r) => archived.has(r))).toBe(true);
    // Chosen days long ago, nearly all archived, as the page asks for them (whole days): by `_id` too.
    const days = filterOf(new URL('http://x/?from=2026-09-01&to=2026-09-10'));
    const inDays = everyTicket.filter((r) => r.createdAt >= days.from! && r.createdAt < days.to!);
    const chosen = await page(days, 1, 20);
    expect(chosen).toMatchObject({ refs: inDays.slice(0, 20).map((r) => r.ref), total: inDays.length, scans: [] });
    expect(inDays.some((r) => archived.has(r.ref))).toBe(true);
    // Times that are not whole days (no counter holds their total): every match is found, however it is read.
    const from = new Date(now.getTime() - 60 * 86_400_000);
    const to = new Date(now.getTime() - 50 * 86_400_000);
    const inTimes = everyTicket.filter((r) => r.createdAt >= from && r.createdAt < to);
    const old = await queries.latest({ from, to }, 1, 200, now);
    expect(old.items.map((i) => i.ref)).toEqual(inTimes.map((r) => r.ref));
    expect(old.total).toBe(inTimes.length);
  }, 300_000);

  test('the check itself catches a scan of the history', () => {
    expect(violations([{ name: 'find', collection: 'tickets_archive', filter: { citizenId: 'x' } }])).toHaveLength(1);
    expect(violations([{ name: 'aggregate', collection: 'outbox_archive', filter: [] }])).toHaveLength(1);
    expect(violations([{ name: 'find', collection: 'citizens', filter: { citizenIds: 'c' } }])).toHaveLength(1);
    expect(violations([{ name: 'find', collection: 'ticket_owners', filter: { _id: 7 } }])).toHaveLength(1);
    expect(violations([{ name: 'find', collection: 'ticket_owners', filter: { _id: { $in: ['c#1'] } } }])).toHaveLength(
      1,
    );
    expect(violations([{ name: 'update', collection: 'message_refs', filter: { _id: 'x', ref: 'y' } }])).toHaveLength(
      1,
    );
    expect(violations([{ name: 'count', collection: 'a_new_collection', filter: undefined }])).toHaveLength(1);
    expect(
      violations([
        { name: 'find', collection: 'ticket_owners', filter: { _id: 'c#1' } },
        { name: 'update', collection: 'chat_profiles', filter: { _id: 'telegram:1' } },
        { name: 'insert', collection: 'tickets_archive', filter: undefined },
        { name: 'aggregate', collection: 'tickets', filter: [] },
      ]),
    ).toEqual([]);
  });
});
