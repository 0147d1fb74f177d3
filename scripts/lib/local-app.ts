import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { createApp, type App } from '../../src/app';
import { systemClock, type Clock } from '../../src/clock';
import { loadConfig, type Config } from '../../src/config';
import { connectDatabase, connectHistoryDatabase } from '../../src/db/connect';
import { startEmbeddedDb, type EmbeddedDbKind } from '../../src/db/embedded-server';
import { createTranslator, type Translator } from '../../src/i18n/create-i18n';
import { scratchRoot } from './scratch-dir';

/** The repository root, where flows/ and locales/ live. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Options for {@link openLocalApp}. */
export interface LocalAppOptions {
  logger: Logger;
  /** Environment to read the configuration from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Folder for the embedded server's files when `MONGODB_URI` is not set. When
   * omitted, a fresh temporary folder is used and removed on close.
   */
  dataDir?: string;
  /**
   * Database name. When omitted on a server we did not start (`MONGODB_URI`), a
   * fresh `<prefix>_<hex>` database is used and dropped on close, so a script
   * never writes into real data by accident.
   */
  dbName?: string;
  /** Prefix of the throw-away database name; defaults to `scratch`. */
  scratchPrefix?: string;
  /**
   * Use the database `npm start` uses: `MONGODB_URI`'s own database, or the
   * embedded server on `DATA_DIR`, never a throw-away one (for `npm run seed`).
   */
  configuredDatabase?: boolean;
  clock?: Clock;
}

/** The real application on a local or configured database, for scripts. */
export interface LocalApp {
  app: App;
  conn: Connection;
  /** The read-only connection of searches, exports and the supervisors' lists (as `npm start` has it). */
  historyConn: Connection;
  config: Config;
  translator: Translator;
  /** Which server: one given by `MONGODB_URI`, or the embedded kind we started. */
  server: 'external' | EmbeddedDbKind;
  dbName: string;
  /**
   * Another application, configured the same, on another database of the same
   * server (`<dbName>_<suffix>`, dropped on close), for runs split in shards;
   * closed by {@link LocalApp.close}.
   */
  openShard(suffix: string): Promise<{ app: App; conn: Connection }>;
  /** Close the connection, drop a throw-away database, stop the server we started, remove a temporary folder. */
  close(): Promise<void>;
}

/**
 * Build the application exactly as `npm start` does, minus the chat channels:
 * Telegram and WhatsApp are switched off whatever the environment says, so a
 * script needs no tokens and never talks to the outside world.
 * @example
 * const local = await openLocalApp({ logger });
 * const res = await local.app.handler(msg);
 * await local.close();
 */
export async function openLocalApp(opts: LocalAppOptions): Promise<LocalApp> {
  const env = { ...(opts.env ?? process.env), TELEGRAM_BOT_TOKEN: '', WHATSAPP_ENABLED: 'false' };
  const config = loadConfig(env, REPO_ROOT);
  const cleanups: Array<() => Promise<unknown>> = [];
  /** Each opened app's own clean-up (stop it, close its connections, drop a throw-away database). */
  const apps: Array<() => Promise<unknown>> = [];
  const close = async () => {
    // The apps (a run may open a hundred shards) together, then the server, then its folder.
    await Promise.all(apps.splice(0).map((fn) => fn()));
    for (const fn of cleanups.reverse()) await fn();
  };
  try {
    let uri = config.MONGODB_URI;
    let server: LocalApp['server'] = 'external';
    let dbName = opts.dbName;
    let dropOnClose = false;
    if (uri) {
      if (!dbName && !opts.configuredDatabase) {
        dbName = `${opts.scratchPrefix ?? 'scratch'}_${randomBytes(5).toString('hex')}`;
        dropOnClose = true;
      }
    } else {
      let dataDir = opts.dataDir ?? (opts.configuredDatabase ? config.dataDirAbs : undefined);
      if (!dataDir) {
        const tmp = await fs.mkdtemp(path.join(await scratchRoot(), 'jan-sahayak-script-'));
        cleanups.push(() => fs.rm(tmp, { recursive: true, force: true }));
        dataDir = tmp;
      }
      await fs.mkdir(dataDir, { recursive: true });
      const db = await startEmbeddedDb({ dataDir, logger: opts.logger.child({ component: 'db' }) });
      cleanups.push(() => db.stop());
      uri = db.uri;
      server = db.kind;
    }
    // A server we started in a folder removed on close takes its databases with it: dropping them first only costs time.
    const dropsWithFolder = server !== 'external' && !opts.dataDir && !opts.configuredDatabase;
    const open = async (name: string | undefined, drop: boolean) => {
      const conn = await connectDatabase(uri, name ? { dbName: name } : {});
      const steps: Array<() => Promise<unknown>> = [
        async () => {
          if (drop && !dropsWithFolder) await conn.dropDatabase();
          await conn.close();
        },
      ];
      apps.push(async () => {
        for (const fn of steps.reverse()) await fn();
      });
      // As `npm start` does: searches and exports over the whole history read over a connection of their own.
      const historyConn = await connectHistoryDatabase(uri, { dbName: conn.name });
      steps.push(() => historyConn.close());
      const app = await createApp({ config, logger: opts.logger, clock: opts.clock ?? systemClock, conn, historyConn });
      steps.push(() => app.stop());
      return { app, conn, historyConn };
    };
    const { app, conn, historyConn } = await open(dbName, dropOnClose);
    return {
      openShard: (suffix) => open(`${conn.name}_${suffix}`, true),
      app,
      conn,
      historyConn,
      config,
      translator: createTranslator(config.localesDirAbs),
      server,
      dbName: conn.name,
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
