import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sortDocuments } from '../../src/storage/external-sort';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

const byAtThenRef = (a: { at: Date; ref: string }, b: { at: Date; ref: string }) =>
  a.at.getTime() - b.at.getTime() || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);

describe('sorting more documents than are held in memory', () => {
  test('spilled runs and the chunk kept in memory merge into one order, dates and nested values intact, files removed after', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sort-test-'));
    // 23 documents, 5 to a chunk: four runs on disk and three kept in memory; equal times tie by ref.
    const docs = Array.from({ length: 23 }, (_, i) => ({
      ref: `ALR-${String(1000 - i).padStart(6, '0')}`,
      at: new Date(Date.UTC(2026, 0, 1) + ((i * 7) % 11) * 60_000),
      history: [{ action: 'created', text: `शिकायत ${i}` }],
      rating: i % 2 ? i : undefined,
    }));
    const runs = await sortDocuments(from(docs), byAtThenRef, { chunkSize: 5, dir });
    expect(runs.count).toBe(23);
    expect(readdirSync(dir)).toHaveLength(1);
    const out: typeof docs = [];
    for await (const d of runs) out.push(d);
    const expected = [...docs].sort(byAtThenRef);
    expect(out.map((d) => d.ref)).toEqual(expected.map((d) => d.ref));
    expect(out[0]!.at).toBeInstanceOf(Date);
    expect(out.map((d) => ({ ...d, rating: d.rating ?? undefined }))).toEqual(expected);
    await runs.dispose();
    expect(readdirSync(dir)).toEqual([]);
  });

  test('fewer documents than a chunk never touch the disk', async () => {
    const dir = path.join(os.tmpdir(), `sort-test-none-${process.pid}`);
    const runs = await sortDocuments(from([{ n: 3 }, { n: 1 }, { n: 2 }]), (a, b) => a.n - b.n, { chunkSize: 10, dir });
    const out: number[] = [];
    for await (const d of runs) out.push(d.n);
    expect(out).toEqual([1, 2, 3]);
    expect(existsSync(dir)).toBe(false);
    await runs.dispose();
  });
});
