import mongoose, { type Connection } from 'mongoose';

/** Database used when the URI names none. */
export const DEFAULT_DB_NAME = 'jan_sahayak';

/**
 * Open a mongoose connection of our own (never the global one). Command
 * monitoring is on so benchmarks can count the commands each message costs.
 *
 * A FerretDB server (recognised by `ferretdbVersion` in its buildInfo), ours
 * or one given by `MONGODB_URI`, gets the embedded server's safe setting: one
 * connection per process, because FerretDB 1.24 applies a conditional update
 * as a read and a separate write, and two connections racing on one document
 * both "win" (see serialisedUri in embedded-server.ts).
 */
export async function connectDatabase(uri: string, opts: { dbName?: string } = {}): Promise<Connection> {
  const hasDbInUri = /^mongodb(\+srv)?:\/\/[^/]+\/[^?]+/.test(uri);
  const open = async (maxPoolSize?: number) => {
    const conn = mongoose.createConnection(uri, {
      ...(hasDbInUri && !opts.dbName ? {} : { dbName: opts.dbName ?? DEFAULT_DB_NAME }),
      serverSelectionTimeoutMS: 15_000,
      ignoreUndefined: true,
      monitorCommands: true,
      ...(maxPoolSize ? { maxPoolSize } : {}),
    });
    await conn.asPromise();
    return conn;
  };
  const conn = await open();
  if (!(await isFerretDb(conn)) || conn.getClient().options.maxPoolSize === 1) return conn;
  await conn.close();
  return open(1);
}

/** Whether the server is FerretDB rather than MongoDB. */
export async function isFerretDb(conn: Connection): Promise<boolean> {
  const info = await conn.getClient().db('admin').command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string';
}
