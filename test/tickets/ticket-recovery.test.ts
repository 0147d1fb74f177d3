import type { OwedNotices } from '../../src/core/outbound';
import { createTicketStore } from '../../src/storage/ticket-store';
import { createTicketWork, WORK_MARKED } from '../../src/storage/ticket-work';
import { MARKER_GRACE_MS } from '../../src/tickets/ticket-recovery';
import { newTicket } from '../support/new-ticket';
import { createTestApp, type TestApp } from '../support/test-app';

// The recovery pass reads work markers, not the live tickets (issue #10): a database from before the
// markers is swept once, a marker whose change is still on its way is kept, and one whose change never
// came goes once it is old enough.

/** A notice owed to chat `chatId` under change key `key`. */
const owedTo = (chatId: string, key: string): OwedNotices => ({
  key,
  items: [{ channel: 'telegram', chatId, message: { text: `notice ${key}` }, dedupeKey: `${key}:${chatId}` } as never],
});

describe('the recovery pass and its work markers', () => {
  let t: TestApp;
  const commands: Array<{ name: string; collection: string; filter: unknown }> = [];
  let recording = false;

  beforeEach(async () => {
    t = await createTestApp();
    t.db.conn.getClient().on('commandStarted', (ev: { commandName: string; command: Record<string, unknown> }) => {
      if (!recording) return;
      const c = ev.command;
      commands.push({
        name: ev.commandName,
        collection: String(c[ev.commandName] ?? ''),
        filter: c.filter ?? (c.updates as Array<{ q: unknown }> | undefined)?.[0]?.q ?? c.query ?? c.pipeline,
      });
    });
  });
  afterEach(async () => {
    await t.close();
  });

  const outboxTexts = async (chatId: string) =>
    (await t.db.conn.collection('outbox').find({ chatId }).toArray()).map(
      (d) => (d as unknown as { message: { text: string } }).message.text,
    );

  test('a database from before the markers is swept once: its unrouted, owing tickets are finished, then only markers are read', async () => {
    const now = t.clock.now();
    const raw = t.app.models.Ticket.collection;
    // Written by a version without markers: one ticket never routed, one owing a notice, one owing counts.
    await raw.insertOne({
      ...newTicket(1, now, { routePending: true }),
      _id: 'ALR-000001',
      ref: 'ALR-000001',
    } as never);
    await raw.insertOne({
      ...newTicket(2, now, { status: 'assigned' }),
      _id: 'ALR-000002',
      ref: 'ALR-000002',
      owed: [owedTo('5002', 'ALR-000002:ack:2')],
    } as never);
    await raw.insertOne({
      ...newTicket(3, now, { status: 'assigned' }),
      _id: 'ALR-000003',
      ref: 'ALR-000003',
      owedCounts: [{ key: 'ALR-000003:c:old', delta: [{ d: '2026-11-28', p: 'status.assigned', n: 1 }] }],
    } as never);
    expect(await t.app.models.TicketWork.countDocuments()).toBe(0);

    const first = await t.app.recover({ graceMs: 0 });
    expect(first).toMatchObject({ routed: ['ALR-000001'], failed: [] });
    expect(first.notices).toBeGreaterThan(0);
    expect(await outboxTexts('5002')).toEqual(['notice ALR-000002:ack:2']);
    const after = await t.app.models.Ticket.find({}).lean();
    expect(after.map((x) => [x.ref, x.routePending ?? false, x.owed ?? [], x.owedCounts ?? []])).toEqual([
      ['ALR-000001', false, [], expect.any(Array)],
      ['ALR-000002', false, [], []],
      ['ALR-000003', false, [], []],
    ]);
    // The routing of ALR-000001 was a change of today, with its own marker: the next pass finishes it.
    await t.app.recover({ graceMs: 0 });
    expect((await t.app.models.Ticket.findOne({ _id: 'ALR-000001' }).lean())?.owedCounts ?? []).toEqual([]);
    expect(await t.app.models.Counter.findOne({ _id: WORK_MARKED }).lean()).not.toBeNull();

    // Swept: from now on a pass never searches the tickets, even where one owes work without a marker
    // (the routing's own marker, its work done by the sweep, goes once it is old enough).
    t.clock.advance(MARKER_GRACE_MS + 1_000);
    await t.app.recover({ graceMs: 0 });
    expect(await t.app.models.TicketWork.countDocuments()).toBe(0);
    await raw.updateOne(
      { _id: 'ALR-000002' } as never,
      { $push: { owed: owedTo('5002', 'ALR-000002:late:3') } } as never,
    );
    recording = true;
    await t.app.recover({ graceMs: 0 });
    recording = false;
    expect(commands.filter((c) => c.collection === 'tickets')).toEqual([]);
    expect(await outboxTexts('5002')).toEqual(['notice ALR-000002:ack:2']);
  });

  test('a started service sweeps an older database in the background, after it is up', async () => {
    const raw = t.app.models.Ticket.collection;
    await raw.insertOne({
      ...newTicket(4, t.clock.now(), { status: 'assigned' }),
      _id: 'ALR-000004',
      ref: 'ALR-000004',
      owed: [owedTo('5004', 'ALR-000004:ack:2')],
    } as never);
    await t.app.start();
    // Stopping waits for a sweep under way.
    await t.app.stop();
    expect(await outboxTexts('5004')).toEqual(['notice ALR-000004:ack:2']);
    expect(await t.app.models.Counter.findOne({ _id: WORK_MARKED }).lean()).not.toBeNull();
  });

  test('a marker whose change has not reached the ticket yet is kept; once the change lands, the pass does its work', async () => {
    await t.app.recover({ graceMs: 0 }); // the sweep of the (empty) database: done
    const tickets = createTicketStore(t.app.models, 'ALR');
    const { ticket } = await tickets.create(newTicket(5, t.clock.now(), { status: 'assigned' }));
    await t.app.recover({ graceMs: 0 });
    const work = createTicketWork(t.app.models);
    // A change of another process: its marker is written, its ticket write is still on the way.
    await work.mark(ticket.ref, [`${ticket.ref}:ask:2`], t.clock.now());
    await t.app.recover({ graceMs: 0 });
    expect((await work.pending(10)).map((m) => m.keys)).toEqual([[`${ticket.ref}:ask:2`]]);
    // The write lands and its process dies before relaying: the pass sends the notice, then drops the marker.
    await tickets.appendHistory(
      ticket.ref,
      { at: t.clock.now(), by: { kind: 'system', id: 'test' }, action: 'ask' },
      t.clock.now(),
      undefined,
      owedTo('5005', `${ticket.ref}:ask:2`),
    );
    await t.app.recover({ graceMs: 0 });
    expect(await outboxTexts('5005')).toEqual([`notice ${ticket.ref}:ask:2`]);
    expect((await t.app.models.Ticket.findOne({ _id: ticket.ref }).lean())?.owed ?? []).toEqual([]);
    // Its own marker and the one of the change seen (same key) are both done; none stays behind.
    expect(await work.pending(10)).toEqual([]);
  });

  test('a marker whose change never reached its ticket (a crash in between) goes once it is old enough', async () => {
    await t.app.recover({ graceMs: 0 });
    const work = createTicketWork(t.app.models);
    await work.mark('ALR-000777', ['ALR-000777:route'], t.clock.now());
    await t.app.recover({ graceMs: 0 });
    expect(await work.pending(10)).toHaveLength(1);
    t.clock.advance(MARKER_GRACE_MS + 1_000);
    await t.app.recover({ graceMs: 0 });
    expect(await work.pending(10)).toEqual([]);
  });
});
