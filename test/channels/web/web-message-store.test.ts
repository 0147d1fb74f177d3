import { createWebMessageStore, type WebMessageStore } from '../../../src/channels/web/web-message-store';
import { openTestDb, type TestDb } from '../../support/test-db';

const NOW = new Date('2026-11-28T04:30:00.000Z');

let db: TestDb;
let store: WebMessageStore;

beforeAll(async () => {
  db = await openTestDb();
  store = await createWebMessageStore(db.conn);
});

afterAll(async () => {
  await db.close();
});

describe('web message store', () => {
  it('numbers concurrent appends to one chat 1, 2, 3… without gaps and keeps each batch in order', async () => {
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 3 }, (_, i) => ({
        key: `reply:c${b}:${i}`,
        direction: 'out' as const,
        message: { text: `${b}.${i}` },
      })),
    );
    await Promise.all(batches.map((drafts) => store.append('chat-a', drafts, NOW)));
    const all = await store.list('chat-a', 0);
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    for (let b = 0; b < batches.length; b++) {
      const texts = all.filter((m) => m.message?.text.startsWith(`${b}.`)).map((m) => m.message?.text);
      expect(texts).toEqual([`${b}.0`, `${b}.1`, `${b}.2`]);
    }
  });

  it('skips drafts whose key the chat already holds, and only in that chat', async () => {
    const draft = { key: 'in:abcdefgh1', direction: 'in' as const, input: { kind: 'text' as const, text: 'नमस्ते' } };
    expect(await store.append('chat-b', [draft], NOW)).toHaveLength(1);
    expect(await store.append('chat-b', [draft, draft], NOW)).toEqual([]);
    expect(await store.append('chat-c', [draft], NOW)).toHaveLength(1);
    expect((await store.list('chat-b', 0)).map((m) => m.input?.text)).toEqual(['नमस्ते']);
  });

  it('wakes a waiter on the next append to its chat only', async () => {
    const mine = store.nextAppend('chat-d');
    const other = store.nextAppend('chat-e');
    let otherWoke = false;
    void other.promise.then(() => {
      otherWoke = true;
    });
    await store.append('chat-d', [{ key: 'out:1', direction: 'out', message: { text: 'x' } }], NOW);
    await mine.promise;
    expect(otherWoke).toBe(false);
    mine.cancel();
    other.cancel();
  });

  it('lists after a sequence number and deletes messages older than a date', async () => {
    await store.append(
      'chat-f',
      [1, 2, 3].map((n) => ({ key: `out:f${n}`, direction: 'out' as const, message: { text: String(n) } })),
      NOW,
    );
    expect((await store.list('chat-f', 2)).map((m) => m.message?.text)).toEqual(['3']);
    expect(await store.list('chat-f', 3)).toEqual([]);
    const later = new Date(NOW.getTime() + 1000);
    expect(await store.deleteOlderThan(later)).toBeGreaterThanOrEqual(3);
    expect(await store.list('chat-f', 0)).toEqual([]);
  });
});
