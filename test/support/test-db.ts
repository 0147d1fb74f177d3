import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';

/** A private database on the test run's server; see {@link openTestDb}. */
export interface TestDb {
  conn: mongoose.Connection;
  dbName: string;
  /** Drop the database and close the connection. */
  close(): Promise<void>;
}

/**
 * Open a connection to a fresh, uniquely named database on the server that
 * global setup started, so test files running in parallel never see each
 * other's documents. No global mongoose connection is involved.
 * @example
 * let db: TestDb;
 * beforeAll(async () => { db = await openTestDb(); });
 * afterAll(() => db.close());
 */
export async function openTestDb(): Promise<TestDb> {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) {
    throw new Error('TEST_MONGODB_URI is not set: run tests through Jest, whose global setup starts the database');
  }
  const dbName = `test_${randomBytes(6).toString('hex')}`;
  // Command monitoring on, as connectDatabase has it, so tests can see which connection carried a command.
  const conn = mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 10_000, monitorCommands: true });
  await conn.asPromise();
  return {
    conn,
    dbName,
    close: async () => {
      try {
        await conn.dropDatabase();
      } finally {
        await conn.close();
      }
    },
  };
}
