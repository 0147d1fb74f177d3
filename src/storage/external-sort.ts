import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mongo } from 'mongoose';

/** Items read and sorted, ready to be read back in order once; `dispose` removes what was spilled to disk. */
export interface SortedRuns<T> extends AsyncIterable<T> {
  /** How many items there are. */
  readonly count: number;
  dispose(): Promise<void>;
}

/** Bytes read from a spilled run at a time. */
const READ_BLOCK = 1 << 20;

/**
 * Sort more documents than should be held in memory at once: they are taken
 * `chunkSize` at a time, each chunk sorted and written to a temporary file as
 * BSON (types such as dates come back as they went), and the files are
 * merged as they are read back. Fewer than `chunkSize` stay in memory and
 * touch no file. Ties keep no particular order: make `compare` total.
 * @example
 * const runs = await sortDocuments(readAll(), (a, b) => a.n - b.n, { chunkSize: 5000 });
 * try { for await (const d of runs) use(d); } finally { await runs.dispose(); }
 */
export async function sortDocuments<T extends object>(
  items: AsyncIterable<T>,
  compare: (a: T, b: T) => number,
  opts: { chunkSize: number; dir?: string },
): Promise<SortedRuns<T>> {
  const files: string[] = [];
  let folder: string | undefined;
  let chunk: T[] = [];
  let count = 0;
  const dispose = async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
    folder = undefined;
  };
  try {
    for await (const item of items) {
      chunk.push(item);
      count += 1;
      if (chunk.length < opts.chunkSize) continue;
      folder ??= await makeFolder(opts.dir);
      files.push(await spill(chunk.sort(compare), path.join(folder, `run-${files.length}.bson`)));
      chunk = [];
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  const last = chunk.sort(compare);
  return {
    count,
    dispose,
    async *[Symbol.asyncIterator]() {
      const readers = await Promise.all(files.map((f) => openRun<T>(f)));
      try {
        const heads: Array<T | undefined> = await Promise.all(readers.map((r) => r.next()));
        let i = 0;
        for (;;) {
          // The smallest head among the runs and the chunk kept in memory; a few dozen runs at most.
          let best = -1;
          let bestItem: T | undefined = i < last.length ? last[i] : undefined;
          heads.forEach((h, k) => {
            if (h !== undefined && (bestItem === undefined || compare(h, bestItem) < 0)) {
              best = k;
              bestItem = h;
            }
          });
          if (bestItem === undefined) return;
          if (best < 0) i += 1;
          else heads[best] = await (readers[best] as RunReader<T>).next();
          yield bestItem;
        }
      } finally {
        await Promise.all(readers.map((r) => r.close()));
      }
    },
  };
}

async function makeFolder(dir: string | undefined): Promise<string> {
  const folder = path.join(dir ?? os.tmpdir(), `jan-sahayak-sort-${randomBytes(6).toString('hex')}`);
  await mkdir(folder, { recursive: true });
  return folder;
}

async function spill<T extends object>(items: readonly T[], file: string): Promise<string> {
  const fh = await open(file, 'w');
  try {
    // BSON documents carry their own length, so they are simply written one after another.
    const parts: Uint8Array[] = [];
    let size = 0;
    for (const item of items) {
      const bytes = mongo.BSON.serialize(item, { ignoreUndefined: true });
      parts.push(bytes);
      size += bytes.length;
      if (size >= READ_BLOCK) {
        await fh.write(Buffer.concat(parts));
        parts.length = 0;
        size = 0;
      }
    }
    if (parts.length) await fh.write(Buffer.concat(parts));
  } finally {
    await fh.close();
  }
  return file;
}

interface RunReader<T> {
  next(): Promise<T | undefined>;
  close(): Promise<void>;
}

async function openRun<T>(file: string): Promise<RunReader<T>> {
  const fh: FileHandle = await open(file, 'r');
  let buf = Buffer.alloc(0);
  let at = 0;
  let filePos = 0;
  let ended = false;
  /** Make sure `n` bytes from `at` are in `buf`, reading more as needed; false at the end of the file. */
  async function have(n: number): Promise<boolean> {
    while (buf.length - at < n && !ended) {
      const block = Buffer.alloc(Math.max(READ_BLOCK, n));
      const { bytesRead } = await fh.read(block, 0, block.length, filePos);
      if (bytesRead === 0) ended = true;
      filePos += bytesRead;
      buf = Buffer.concat([buf.subarray(at), block.subarray(0, bytesRead)]);
      at = 0;
    }
    return buf.length - at >= n;
  }
  return {
    async next() {
      if (!(await have(4))) return undefined;
      const size = buf.readInt32LE(at);
      if (!(await have(size))) throw new Error(`external sort: ${path.basename(file)} ends inside a document`);
      const doc = mongo.BSON.deserialize(buf.subarray(at, at + size)) as T;
      at += size;
      return doc;
    },
    close: () => fh.close(),
  };
}
