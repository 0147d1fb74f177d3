import { createKeyedLock } from '../../src/storage/keyed-lock';
import { createModels, type Models } from '../../src/storage/models';
import { loadDelta } from '../../src/storage/officer-loads';
import { createTicketStore, type TicketStore } from '../../src/storage/ticket-store';
import type { HistoryEntry } from '../../src/domain/ticket';
import { newTicket } from '../support/new-ticket';
import { openTestDb, type TestDb } from '../support/test-db';

const NOW = new Date('2026-11-28T04:30:00.000Z');
const entry = (action: string): HistoryEntry => ({ at: NOW, by: { kind: 'system', id: 'test' }, action });

describe('loadDelta', () => {
  test('moves a count only when the officer holding the ticket open changes', () => {
    const open = { status: 'assigned' as const, assignedTo: 'A', department: 'FOOD' };
    expect(loadDelta(open, { ...open, status: 'acknowledged' })).toEqual([]);
    expect(loadDelta({ status: 'new', department: 'FOOD' }, open)).toEqual([
      { officerId: 'A', department: 'FOOD', by: 1 },
    ]);
    expect(loadDelta(open, { ...open, status: 'resolved' })).toEqual([{ officerId: 'A', department: 'FOOD', by: -1 }]);
    expect(loadDelta({ ...open, status: 'resolved' }, { ...open, status: 'reopened' })).toEqual([
      { officerId: 'A', department: 'FOOD', by: 1 },
    ]);
    expect(loadDelta(open, { status: 'assigned', assignedTo: 'B', department: 'WATER' })).toEqual([
      { officerId: 'A', department: 'FOOD', by: -1 },
      { officerId: 'B', department: 'WATER', by: 1 },
    ]);
  });
});

describe('createKeyedLock', () => {
  test('runs work of one key one at a time, in order, and goes on after a failure', async () => {
    const locks = createKeyedLock();
    const order: string[] = [];
    const slow = (name: string, ms: number) => async () => {
      order.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`${name}-`);
      return name;
    };
    const failing = locks.run('k', async () => {
      order.push('f');
      throw new Error('boom');
    });
    const results = await Promise.allSettled([
      failing,
      locks.run('k', slow('a', 20)),
      locks.run('k', slow('b', 1)),
      locks.run('other', slow('c', 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    // a and b never overlap; c (another key) does not wait for them.
    expect(order.filter((x) => x !== 'c+' && x !== 'c-')).toEqual(['f', 'a+', 'a-', 'b+', 'b-']);
    expect(order.indexOf('c-')).toBeLessThan(order.indexOf('a-'));
  });
});

describe('the officer load documents', () => {
  let db: TestDb;
  let models: Models;
  let tickets: TicketStore;
  let n = 0;

  const file = async () => {
    n += 1;
    const { ticket } = await tickets.create(newTicket(n, NOW, { routePending: true }));
    return ticket.ref;
  };

  beforeAll(async () => {
    db = await openTestDb();
    models = await createModels(db.conn);
    tickets = createTicketStore(models, 'ALR');
  });
  afterAll(() => db.close());

  test('follow assignments, resolutions and transfers, and a recount mends a lost count', async () => {
    const [a, b, c] = [await file(), await file(), await file()];
    await tickets.transition(a, 'new', {
      status: 'assigned',
      set: { assignedTo: 'OA' },
      unset: ['routePending'],
      entry: entry('assign'),
    });
    await tickets.transition(b, 'new', {
      status: 'assigned',
      set: { assignedTo: 'OA' },
      unset: ['routePending'],
      entry: entry('assign'),
    });
    await tickets.transition(c, 'new', {
      status: 'assigned',
      set: { assignedTo: 'OB' },
      unset: ['routePending'],
      entry: entry('assign'),
    });
    expect(Object.fromEntries(await tickets.openCountsByOfficer('FOOD'))).toEqual({ OA: 2, OB: 1 });
    await tickets.transition(a, 'assigned', { status: 'resolved', entry: entry('resolve') });
    await tickets.transition(b, 'assigned', {
      status: 'assigned',
      set: { department: 'WATER', assignedTo: 'OW' },
      entry: entry('transfer'),
    });
    expect(Object.fromEntries(await tickets.openCountsByOfficer('FOOD'))).toEqual({ OA: 0, OB: 1 });
    expect(Object.fromEntries(await tickets.openCountsByOfficer('WATER'))).toEqual({ OW: 1 });
    // A crash between a change and its count: the clean-up's recount sets it right.
    await db.conn.collection('officer_loads').updateOne({ _id: 'OB@FOOD' as never }, { $set: { open: 7 } });
    expect(await tickets.recountOfficerLoads()).toBe(1);
    expect(Object.fromEntries(await tickets.openCountsByOfficer('FOOD'))).toEqual({ OA: 0, OB: 1 });
    expect(await tickets.recountOfficerLoads()).toBe(0);
  });

  test('of two changes from the same status at once exactly one wins', async () => {
    const ref = await file();
    const results = await Promise.all(
      ['OX', 'OY', 'OZ'].map((officer) =>
        tickets.transition(ref, 'new', {
          status: 'assigned',
          set: { assignedTo: officer },
          unset: ['routePending'],
          entry: entry('assign'),
        }),
      ),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    const stored = await tickets.findByRef(ref);
    expect(stored?.history.map((h) => h.action)).toEqual(['create', 'assign']);
    const counts = await tickets.openCountsByOfficer('FOOD');
    expect(['OX', 'OY', 'OZ'].map((o) => counts.get(o) ?? 0).reduce((x, y) => x + y, 0)).toBe(1);
  });
});
