import { createConversationStore, type ConversationStore } from '../../src/storage/conversation-store';
import { ConcurrentUpdateError } from '../../src/errors';
import { createModels, type Models } from '../../src/storage/models';
import type { ConversationState } from '../../src/core/conversation-state';
import { openTestDb, type TestDb } from '../support/test-db';

const NOW = new Date('2026-11-28T04:30:00.000Z');
const KEY = 'telegram:42';
const state = (language: 'hi' | 'en'): ConversationState =>
  ({ language, quota: { day: '', count: 0 } }) as ConversationState;

// The save is conditional on the version read before the step: on MongoDB one command, on FerretDB a read
// and a write by _id under a per-chat lock. Either way a stale save must fail and nothing be lost.
describe('conversation store: conditional save', () => {
  let db: TestDb;
  let models: Models;
  let store: ConversationStore;

  beforeEach(async () => {
    db = await openTestDb();
    models = await createModels(db.conn);
    store = createConversationStore(models);
    await store.save({ key: KEY, previous: null, citizenId: 'c1', state: state('hi'), updateKey: 'u1', now: NOW });
  });
  afterEach(() => db.close());

  test('a save from a stale read fails and leaves the newer save in place', async () => {
    const read = await store.load(KEY);
    await store.save({ key: KEY, previous: read, citizenId: 'c1', state: state('en'), updateKey: 'u2', now: NOW });
    await expect(
      store.save({ key: KEY, previous: read, citizenId: 'c1', state: state('hi'), updateKey: 'u3', now: NOW }),
    ).rejects.toBeInstanceOf(ConcurrentUpdateError);
    const now = await store.load(KEY);
    expect(now?.state.language).toBe('en');
    expect(now?.seen).toEqual(['u1', 'u2']);
  });

  test('an officer patch between a read and its save makes the save fail, and the patch stays', async () => {
    const read = await store.load(KEY);
    expect(await store.patchState(KEY, { awaitingAnswer: { ref: 'ALR-000001' } } as Partial<ConversationState>)).toBe(
      true,
    );
    await expect(
      store.save({ key: KEY, previous: read, citizenId: 'c1', state: state('hi'), updateKey: 'u2', now: NOW }),
    ).rejects.toBeInstanceOf(ConcurrentUpdateError);
    const again = await store.load(KEY);
    expect((again?.state as { awaitingAnswer?: unknown }).awaitingAnswer).toEqual({ ref: 'ALR-000001' });
  });

  test('two saves from the same read at once: exactly one wins', async () => {
    const read = await store.load(KEY);
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((u) =>
        store.save({ key: KEY, previous: read, citizenId: 'c1', state: state('en'), updateKey: u, now: NOW }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await store.load(KEY))?.seen).toHaveLength(2);
  });

  test('replies are settled only for the update that saved them', async () => {
    const read = await store.load(KEY);
    await store.save({
      key: KEY,
      previous: read,
      citizenId: 'c1',
      state: state('hi'),
      updateKey: 'u2',
      now: NOW,
      replies: [],
    });
    await store.settleReplies(KEY, 'u1');
    expect((await store.load(KEY))?.lastReplies?.settled).toBeUndefined();
    await store.settleReplies(KEY, 'u2');
    expect((await store.load(KEY))?.lastReplies?.settled).toBe(true);
  });
});
