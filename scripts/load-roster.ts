/**
 * Load the shift roster from a YAML file into the database:
 *
 *   npx tsx scripts/load-roster.ts roster.yaml
 *
 * The file names, per shift of flows/shifts.yaml, who stands on each role
 * (staff ids as /staff shows them, or chat ids):
 *
 *   version: 1
 *   roster:
 *     morning: { supervisor: [K7Q2MA], operator: [P3XR9T, Z8M4KD], counsellor: [H4N8WE] }
 *     evening: { supervisor: [B2C3DE], operator: [] }
 *
 * Roles a shift does not mention stay as they are; `[]` empties a role.
 * Everything is checked before anything is written, so a file with a mistake
 * changes nothing. Uses MONGODB_URI, or else the embedded database in
 * DATA_DIR (stop the bot first: two servers must not share one data folder).
 */
import fs from 'node:fs';
import path from 'node:path';
import { systemClock } from '../src/clock';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/connect';
import { startEmbeddedDb, type EmbeddedDb } from '../src/db/embedded-server';
import { createLogger } from '../src/logger';
import { createModels } from '../src/storage/models';
import { createStaffStore } from '../src/storage/staff-store';
import { createDepartmentDirectory } from '../src/tickets/department-directory';
import { createTicketQueries } from '../src/supervisor/ticket-queries';
import { countOpenCounsellorSessions } from '../src/shifts/counsellor-sessions';
import { readRosterFile } from '../src/shifts/roster-file';
import { createRosterStore } from '../src/shifts/roster-store';
import { createShiftService } from '../src/shifts/shift-service';
import { loadShiftPlan } from '../src/shifts/shift-plan';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file || process.argv.length > 3) {
    process.stderr.write('usage: npx tsx scripts/load-roster.ts <roster.yaml>\n');
    process.exitCode = 2;
    return;
  }
  const cwd = process.cwd();
  const envFile = path.join(cwd, '.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadConfig(process.env, cwd);
  const logger = createLogger({ level: 'warn', pretty: false });
  const plan = loadShiftPlan(config.flowsDirAbs);
  const entries = readRosterFile(path.resolve(cwd, file));

  let embedded: EmbeddedDb | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    fs.mkdirSync(config.dataDirAbs, { recursive: true });
    embedded = await startEmbeddedDb({ dataDir: config.dataDirAbs, logger });
    uri = embedded.uri;
  }
  const conn = await connectDatabase(uri);
  try {
    const models = await createModels(conn);
    const staff = createStaffStore(models);
    const shifts = createShiftService({
      plan,
      roster: createRosterStore(conn),
      staff,
      queries: createTicketQueries(models),
      // The script only writes the roster; it never builds a hand-over.
      figures: { hours: async () => ({ created: 0, resolved: 0 }) },
      departments: createDepartmentDirectory(staff, systemClock),
      openCounsellorSessions: countOpenCounsellorSessions(conn),
      // The script only writes the roster; it never renders or sends anything.
      render: () => [],
      notifier: { enqueue: async () => undefined },
      clock: systemClock,
      logger,
      adminChats: [],
    });
    const result = await shifts.setRosterMany(entries, 'script:load-roster');
    if (!result.ok) {
      const e = result.error;
      const detail =
        e.reason === 'unknown_staff'
          ? `no active staff member "${e.who}"`
          : e.reason === 'wrong_role'
            ? `${e.who.name} (${e.who._id}) is ${e.who.role}, not ${result.role}`
            : e.reason === 'duplicate'
              ? `${e.who.name} (${e.who._id}) is named twice`
              : e.reason === 'too_many'
                ? `at most ${e.max} people`
                : e.reason === 'unknown_shift'
                  ? `no shift "${result.shift}" in flows/shifts.yaml (${plan.shifts.map((s) => s.id).join(', ')})`
                  : `unknown role "${result.role}"`;
      process.stderr.write(`${file}: ${result.shift}.${result.role}: ${detail}; nothing was changed\n`);
      process.exitCode = 1;
      return;
    }
    for (const e of entries)
      process.stdout.write(`${e.shift}.${e.role}: ${e.people.length ? e.people.join(', ') : '(nobody)'}\n`);
    process.stdout.write(`roster loaded: ${entries.length} entries\n`);
  } finally {
    await conn.close();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
