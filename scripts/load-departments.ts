/**
 * Load (or reload) departments into the database from a YAML file:
 *
 *   npx tsx scripts/load-departments.ts [flows/departments.yaml]
 *
 * Uses MONGODB_URI, or the embedded database under DATA_DIR like `npm start`
 * (stop the service first: the embedded database serves one process). A
 * department is replaced whole by its code; departments not in the file stay.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/connect';
import { startEmbeddedDb } from '../src/db/embedded-server';
import { readDepartmentsFile } from '../src/domain/department-loader';
import { createLogger } from '../src/logger';
import { createModels } from '../src/storage/models';
import { createStaffStore } from '../src/storage/staff-store';

async function main(): Promise<void> {
  const cwd = process.cwd();
  if (fs.existsSync(path.join(cwd, '.env'))) process.loadEnvFile(path.join(cwd, '.env'));
  const config = loadConfig(process.env, cwd);
  const file = path.resolve(cwd, process.argv[2] ?? path.join(config.FLOWS_DIR, 'departments.yaml'));
  const departments = readDepartmentsFile(file);
  const logger = createLogger({ level: 'warn', pretty: false });
  const embedded = config.MONGODB_URI ? undefined : await startEmbeddedDb({ dataDir: config.dataDirAbs, logger });
  const conn = await connectDatabase(config.MONGODB_URI ?? (embedded?.uri as string));
  try {
    const count = await createStaffStore(await createModels(conn)).saveDepartments(departments, new Date());
    console.log(
      `${count} departments loaded from ${path.relative(cwd, file)}: ${departments.map((d) => d.code).join(', ')}`,
    );
  } finally {
    await conn.close();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
