import fs from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { scratchRoot } from '../../scripts/lib/scratch-dir';
import { startEmbeddedDb, type EmbeddedDb } from '../../src/db/embedded-server';

/** What global setup leaves for global teardown (both run in Jest's parent process). */
export interface TestDbState {
  db?: EmbeddedDb;
  dataDir?: string;
}

/** Jest exposes globals set in global setup only to global teardown; this is that hand-over. */
export const TEST_DB_STATE_KEY = '__JAN_SAHAYAK_TEST_DB__';

/**
 * Start one database for the whole test run and publish its URI to the workers
 * as `TEST_MONGODB_URI` (workers inherit this process's environment). With
 * `MONGODB_URI` set, that server is used instead and nothing is started.
 * Set `TEST_DB_LOG_LEVEL` (default `info`) to hear more or less from it.
 */
// Jest loads global setup through its default export, hence the one default export here.
export default async function globalSetup(): Promise<void> {
  const state: TestDbState = {};
  (globalThis as Record<string, unknown>)[TEST_DB_STATE_KEY] = state;

  const external = process.env.MONGODB_URI?.trim();
  if (external) {
    process.env.TEST_MONGODB_URI = external;
    return;
  }

  // stderr keeps these lines apart from Jest's own report on stdout.
  const logger = pino({ level: process.env.TEST_DB_LOG_LEVEL ?? 'info' }, pino.destination(2));
  state.dataDir = await fs.mkdtemp(path.join(await scratchRoot(), 'jan-sahayak-test-db-'));
  try {
    state.db = await startEmbeddedDb({ dataDir: state.dataDir, logger });
  } catch (err) {
    await fs.rm(state.dataDir, { recursive: true, force: true });
    throw err;
  }
  process.env.TEST_MONGODB_URI = state.db.uri;
}
