import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { openLocalApp } from '../scripts/lib/local-app';
import { createOpenWorkStore } from '../src/storage/open-work-store';
async function main() {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const local = await openLocalApp({ logger, dataDir: process.argv[2], configuredDatabase: true, env: { ...process.env, DATA_DIR: process.argv[2], JOBS_ENABLED: 'false' } });
  const store = createOpenWorkStore(local.app.models);
  for (let k = 0; k < 5; k++) { const s = performance.now(); await store.open(); console.log(`open() ${Math.round(performance.now() - s)} ms load ${os.loadavg()[0]!.toFixed(1)}`); }
  for (let k = 0; k < 3; k++) { const s = performance.now(); await local.app.models.OpenWork.findOne({ _id: 'open:3' }).lean(); console.log(`one shard ${Math.round(performance.now() - s)} ms`); }
  for (let k = 0; k < 3; k++) { const s = performance.now(); await local.app.models.Ticket.findOne({ _id: 'ALR-199000' }).lean(); console.log(`one ticket ${Math.round(performance.now() - s)} ms`); }
  await local.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
