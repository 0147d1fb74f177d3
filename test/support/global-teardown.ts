import fs from 'node:fs/promises';
import { TEST_DB_STATE_KEY, type TestDbState } from './global-setup';

/** Stop the run's database and delete its temporary directory. */
// Jest loads global teardown through its default export, hence the one default export here.
export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>)[TEST_DB_STATE_KEY] as TestDbState | undefined;
  if (!state) return;
  try {
    await state.db?.stop();
  } finally {
    if (state.dataDir) await fs.rm(state.dataDir, { recursive: true, force: true });
  }
}
