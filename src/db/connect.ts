import mongoose, { type Connection } from 'mongoose';

/** Database used when the URI names none. */
export const DEFAULT_DB_NAME = 'jan_sahayak';

/**
 * Open a mongoose connection of our own (never the global one). Command
 * monitoring is on so benchmarks can count the commands each message costs.
 */
export async function connectDatabase(uri: string, opts: { dbName?: string } = {}): Promise<Connection> {
  const hasDbInUri = /^mongodb(\+srv)?:\/\/[^/]+\/[^?]+/.test(uri);
  const conn = mongoose.createConnection(uri, {
    ...(hasDbInUri && !opts.dbName ? {} : { dbName: opts.dbName ?? DEFAULT_DB_NAME }),
    serverSelectionTimeoutMS: 15_000,
    ignoreUndefined: true,
    monitorCommands: true,
  });
  await conn.asPromise();
  return conn;
}
