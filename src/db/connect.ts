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
  const conn = await openConnection(uri, opts);
  if (!(await isFerretDb(conn)) || conn.getClient().options.maxPoolSize === 1) return conn;
  await conn.close();
  return openConnection(uri, { ...opts, maxPoolSize: 1 });
}

/** Connections the history reader may hold on MongoDB (FerretDB: one, as for the main connection). */
const HISTORY_POOL_SIZE = 2;

/**
 * Open a second connection for work over the whole history (`/find`,
 * `/export`, the dashboard's CSV), so a scan of every ticket waits in a queue
 * of its own instead of in front of citizens' commands on the main
 * connection (on the embedded FerretDB that connection carries one command
 * at a time). It only reads (models bound to it are `HistoryModels`, whose
 * type has no writes): reads are safe across connections on FerretDB, only
 * its conditional updates are not. It never builds indexes or creates
 * collections; the main connection does.
 * @example
 * const history = await connectHistoryDatabase(uri);
 * const app = await createApp({ config, logger, clock, conn, historyConn: history });
 */
export async function connectHistoryDatabase(uri: string, opts: { dbName?: string } = {}): Promise<Connection> {
  const conn = await openConnection(uri, { ...opts, maxPoolSize: HISTORY_POOL_SIZE, readOnly: true });
  if (!(await isFerretDb(conn)) || conn.getClient().options.maxPoolSize === 1) return conn;
  await conn.close();
  return openConnection(uri, { ...opts, maxPoolSize: 1, readOnly: true });
}

async function openConnection(
  uri: string,
  opts: { dbName?: string; maxPoolSize?: number; readOnly?: boolean },
): Promise<Connection> {
  const hasDbInUri = /^mongodb(\+srv)?:\/\/[^/]+\/[^?]+/.test(uri);
  const conn = mongoose.createConnection(uri, {
    ...(hasDbInUri && !opts.dbName ? {} : { dbName: opts.dbName ?? DEFAULT_DB_NAME }),
    serverSelectionTimeoutMS: 15_000,
    ignoreUndefined: true,
    monitorCommands: true,
    ...(opts.maxPoolSize ? { maxPoolSize: opts.maxPoolSize } : {}),
    ...(opts.readOnly ? { autoIndex: false, autoCreate: false } : {}),
  });
  await conn.asPromise();
  return conn;
}

/** Whether the server is FerretDB rather than MongoDB. */
export async function isFerretDb(conn: Connection): Promise<boolean> {
  const info = await conn.getClient().db('admin').command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string';
}
