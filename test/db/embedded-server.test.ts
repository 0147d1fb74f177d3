import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose, { Schema } from 'mongoose';
import pino from 'pino';
import { startEmbeddedDb } from '../../src/db/embedded-server';
import { openTestDb, type TestDb } from '../support/test-db';

interface Note {
  key: string;
  body: string;
}

interface Counter {
  _id: string;
  seq: number;
}

const noteSchema = new Schema<Note>({
  key: { type: String, required: true, unique: true },
  body: { type: String, required: true },
});

const counterSchema = new Schema<Counter>(
  { _id: String, seq: { type: Number, required: true } },
  { versionKey: false },
);

describe('the test run database', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await openTestDb();
  });

  afterAll(async () => {
    await db?.close();
  });

  it('speaks a wire protocol the driver accepts', async () => {
    const hello = await db.conn.db!.admin().command({ hello: 1 });
    expect(hello.ok).toBe(1);
    // The mongodb driver 7 refuses servers whose range does not reach wire version 9 (MongoDB 4.4).
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(9);
  });

  it('stores and finds a document', async () => {
    const Note = db.conn.model<Note>('Note', noteSchema);
    await Note.init();
    await Note.create({ key: 'a', body: 'पानी नहीं आ रहा' });

    const found = await Note.findOne({ key: 'a' }).lean();

    expect(found?.body).toBe('पानी नहीं आ रहा');
  });

  it('rejects a duplicate on a unique index', async () => {
    const Note = db.conn.model<Note>('Note', noteSchema);
    await Note.init();
    await Note.create({ key: 'dup', body: 'first' });

    await expect(Note.create({ key: 'dup', body: 'second' })).rejects.toMatchObject({ code: 11000 });
    expect(await Note.countDocuments({ key: 'dup' })).toBe(1);
  });

  // Mongoose 9 deprecates `new: true`; `returnDocument: 'after'` is the same request.
  it('hands out sequential numbers to 50 concurrent $inc upserts', async () => {
    const Counter = db.conn.model<Counter>('Counter', counterSchema);

    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        Counter.findOneAndUpdate(
          { _id: 'ticket' },
          { $inc: { seq: 1 } },
          { upsert: true, returnDocument: 'after' },
        ).lean(),
      ),
    );

    const seqs = results.map((r) => r?.seq).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await Counter.findById('ticket').lean())?.seq).toBe(50);
  });
});

describe('an embedded server of its own', () => {
  let dataDir: string;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jan-sahayak-persist-'));
  });

  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('keeps data across a stop and a start in the same data directory', async () => {
    const first = await startEmbeddedDb({ dataDir, logger });
    try {
      const conn = await mongoose.createConnection(first.uri, { dbName: 'persist' }).asPromise();
      await conn.collection('things').insertOne({ name: 'kept' });
      await conn.close();
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedDb({ dataDir, logger });
    try {
      const conn = await mongoose.createConnection(second.uri, { dbName: 'persist' }).asPromise();
      const doc = await conn.collection('things').findOne({ name: 'kept' });
      await conn.close();
      expect(doc?.name).toBe('kept');
    } finally {
      await second.stop();
    }
  });

  it('stops idempotently and refuses connections afterwards', async () => {
    const server = await startEmbeddedDb({ dataDir, logger });
    await server.stop();
    await server.stop();

    const conn = mongoose.createConnection(server.uri, { serverSelectionTimeoutMS: 500 });
    await expect(conn.asPromise()).rejects.toThrow();
    await conn.close();
  });
});
