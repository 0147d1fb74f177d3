import mongoose from 'mongoose';
import { ConcurrentUpdateError } from '../../src/errors';
import type { ConversationState } from '../../src/core/conversation-state';
import type { HistoryEntry } from '../../src/domain/ticket';
import { createConversationStore, type ConversationStore } from '../../src/storage/conversation-store';
import { createDocumentLock, DOCUMENT_LOCKS_COLLECTION } from '../../src/storage/document-lock';
import { createModels, type Models } from '../../src/storage/models';
import { createTicketStore, type TicketStore } from '../../src/storage/ticket-store';
import { newTicket } from '../support/new-ticket';
import { openTestDb, type TestDb } from '../support/test-db';

const NOW = new Date('2026-11-28T04:30:00.000Z');
const KEY = 'telegram:77';
const ROUNDS = 25;
const state = (language: 'hi' | 'en'): ConversationState =>
  ({ language, quota: { day: '', count: 0 } }) as ConversationState;
const entry = (action: string): HistoryEntry => ({ at: NOW, by: { kind: 'system', id: 'test' }, action });

/** One "process": its own connection to the shared database, its own stores and lock owner. */
interface Instance {
  conn: mongoose.Connection;
  models: Models;
  conversations: ConversationStore;
  tickets: TicketStore;
}

// Two instances on one FerretDB (a supported set-up) must agree on every conditional change: on
// FerretDB a conditional update is a read and a separate write, so each is read, checked and
// written by `_id` under a lock document that both processes take by a uniquely keyed insert.
describe('document locks shared by two processes on one database', () => {
  let db: TestDb;
  let one: Instance;
  let two: Instance;

  const instance = async (conn: mongoose.Connection): Promise<Instance> => {
    const models = await createModels(conn);
    return {
      conn,
      models,
      conversations: createConversationStore(models),
      tickets: createTicketStore(models, 'ALR'),
    };
  };
  const locksLeft = () => db.conn.collection(DOCUMENT_LOCKS_COLLECTION).countDocuments();

  beforeAll(async () => {
    db = await openTestDb();
    one = await instance(db.conn);
    const other = mongoose.createConnection(process.env.TEST_MONGODB_URI ?? '', { dbName: db.dbName });
    await other.asPromise();
    two = await instance(other);
  });
  afterAll(async () => {
    await two.conn.close();
    await db.close();
  });

  test('racing saves of one conversation from the same read: exactly one wins, every time', async () => {
    await one.conversations.save({
      key: KEY,
      previous: null,
      citizenId: 'c',
      state: state('hi'),
      updateKey: 'u0',
      now: NOW,
    });
    for (let round = 1; round <= ROUNDS; round++) {
      const [a, b] = [await one.conversations.load(KEY), await two.conversations.load(KEY)];
      const results = await Promise.allSettled(
        [one, two, one, two].map((p, i) =>
          p.conversations.save({
            key: KEY,
            previous: i % 2 === 0 ? a : b,
            citizenId: 'c',
            state: state(i % 2 === 0 ? 'hi' : 'en'),
            updateKey: `r${round}-${i}`,
            now: NOW,
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.every((r) => r.status === 'fulfilled' || r.reason instanceof ConcurrentUpdateError)).toBe(true);
    }
    const final = await one.conversations.load(KEY);
    expect(final?.version).toBe(ROUNDS + 1);
    expect(final?.seen).toHaveLength(ROUNDS + 1);
    expect(await locksLeft()).toBe(0);
  });

  test("an officer's patch racing a citizen's save from another process: the save fails or the patch comes after it, never lost", async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const read = await one.conversations.load(KEY);
      const ref = `ALR-${String(round).padStart(6, '0')}`;
      const [saved, patched] = await Promise.allSettled([
        one.conversations.save({
          key: KEY,
          previous: read,
          citizenId: 'c',
          state: state('hi'),
          updateKey: `p${round}`,
          now: NOW,
        }),
        two.conversations.patchState(KEY, { awaitingAnswer: { ref } } as Partial<ConversationState>),
      ]);
      expect(patched).toEqual({ status: 'fulfilled', value: true });
      if (saved.status === 'rejected') expect(saved.reason).toBeInstanceOf(ConcurrentUpdateError);
      expect((await one.conversations.load(KEY))?.state).toMatchObject({ awaitingAnswer: { ref } });
    }
  });

  test('racing transitions of one ticket from two processes: exactly one wins, every time', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const { ticket } = await one.tickets.create(newTicket(round, NOW, { idempotencyKey: `race${round}` }));
      const results = await Promise.all(
        [one, two, one, two].map((p, i) =>
          p.tickets.transition(ticket.ref, 'new', {
            status: 'assigned',
            set: { assignedTo: `O${i}` },
            entry: entry(`assign${i}`),
          }),
        ),
      );
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      const stored = await one.tickets.findByRef(ticket.ref);
      expect(stored?.history.filter((h) => h.action.startsWith('assign'))).toHaveLength(1);
    }
    expect(await locksLeft()).toBe(0);
  });

  test('a lock whose holder died is taken over; a live one is waited for, for a bounded time', async () => {
    const locks = db.conn.collection<{ _id: string; owner: string; expiresAt: Date }>(DOCUMENT_LOCKS_COLLECTION);
    await locks.insertOne({ _id: `conversation:${KEY}`, owner: 'crashed:1', expiresAt: new Date(Date.now() - 1_000) });
    const read = await two.conversations.load(KEY);
    await two.conversations.save({
      key: KEY,
      previous: read,
      citizenId: 'c',
      state: state('en'),
      updateKey: 'after-crash',
      now: NOW,
    });
    expect((await one.conversations.load(KEY))?.seen.at(-1)).toBe('after-crash');
    expect(await locksLeft()).toBe(0);

    // Held by a live process: waited for, then given up with the error a caller retries on.
    await locks.insertOne({ _id: 'probe:x', owner: 'alive:2', expiresAt: new Date(Date.now() + 60_000) });
    const lock = createDocumentLock(db.conn, { scope: 'probe', maxWaitMs: 50 });
    let ran = false;
    await expect(lock.run('x', async () => (ran = true))).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect(ran).toBe(false);
    // Released by its holder: taken at once.
    await locks.deleteOne({ _id: 'probe:x' });
    await expect(lock.run('x', async () => 'done')).resolves.toBe('done');
    expect(await locksLeft()).toBe(0);
  });

  test('work of one document runs one at a time across both processes, with no lost update', async () => {
    const counters = db.conn.collection<{ _id: string; n: number }>('lock_probe');
    await counters.insertOne({ _id: 'k', n: 0 });
    const locks = [createDocumentLock(one.conn, { scope: 'probe' }), createDocumentLock(two.conn, { scope: 'probe' })];
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        locks[i % 2]!.run('k', async () => {
          most = Math.max(most, (inside += 1));
          const doc = await counters.findOne({ _id: 'k' });
          await counters.updateOne({ _id: 'k' }, { $set: { n: (doc?.n ?? 0) + 1 } });
          inside -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    expect((await counters.findOne({ _id: 'k' }))?.n).toBe(30);
  });
});
