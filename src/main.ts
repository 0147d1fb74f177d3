import fs from 'node:fs';
import path from 'node:path';
import { createApp } from './app';
import { systemClock } from './clock';
import { loadConfig } from './config';
import { connectDatabase, connectHistoryDatabase } from './db/connect';
import { startEmbeddedDb, type EmbeddedDb } from './db/embedded-server';
import { AppError } from './errors';
import { createLogger } from './logger';

/** Where the embedded database's address is written for a second instance, inside DATA_DIR. */
const EMBEDDED_URI_FILE = 'embedded-db.uri';
import { installProcessGuard } from './process-guard';

/**
 * The composition root: configuration, logger, database, application,
 * signals. Nothing else in src/ does work at import time.
 */
async function main(): Promise<void> {
  const cwd = process.cwd();
  const envFile = path.join(cwd, '.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);

  const config = loadConfig(process.env, cwd);
  const logger = createLogger({
    level: config.LOG_LEVEL,
    pretty:
      (config.LOG_FORMAT ?? (config.NODE_ENV === 'production' || !process.stdout.isTTY ? 'json' : 'pretty')) ===
      'pretty',
  });
  // Before anything starts: one WhatsApp library failure nobody awaited must not end Telegram too.
  installProcessGuard({ process, logger });

  let embedded: EmbeddedDb | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    fs.mkdirSync(config.dataDirAbs, { recursive: true });
    embedded = await startEmbeddedDb({ dataDir: config.dataDirAbs, logger: logger.child({ component: 'db' }) });
    uri = embedded.uri;
    // A second instance on this machine joins the same database with MONGODB_URI=$(cat DATA_DIR/embedded-db.uri).
    fs.writeFileSync(path.join(config.dataDirAbs, EMBEDDED_URI_FILE), `${uri}\n`);
    logger.info(
      { event: 'embedded_db_started', kind: embedded.kind, dataDir: config.dataDirAbs, uriFile: EMBEDDED_URI_FILE },
      'embedded database started',
    );
  }
  const conn = await connectDatabase(uri);
  // Searches and exports over the whole history read over a connection of their own, so they never hold up citizens.
  const historyConn = await connectHistoryDatabase(uri, { dbName: conn.name });
  const app = await createApp({ config, logger, clock: systemClock, conn, historyConn });
  await app.start();
  logger.info({ event: 'started', district: config.DISTRICT_CODE }, 'Jan Sahayak is running');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'stopping', signal }, 'shutting down');
    try {
      await app.stop();
      await historyConn.close();
      await conn.close();
      await embedded?.stop();
      if (embedded) fs.rmSync(path.join(config.dataDirAbs, EMBEDDED_URI_FILE), { force: true });
    } finally {
      logger.flush();
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  // Configuration errors are one line naming the variable; anything else gets its stack.
  if (err instanceof AppError && err.origin === 'config') console.error(err.message);
  else console.error(err);
  process.exit(1);
});
