// Times the supervisors' open-work questions on a copy of a seeded DATA_DIR (not part of the project).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { openLocalApp } from '../scripts/lib/local-app';
import { createStaffStore } from '../src/storage/staff-store';
import { reconcileOpenWork } from '../src/reports/open-work-build';
import { createOpenWorkStore } from '../src/storage/open-work-store';

async function main() {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const t0 = performance.now();
  const local = await openLocalApp({ logger, dataDir: process.argv[2], configuredDatabase: true, env: { ...process.env, DATA_DIR: process.argv[2], JOBS_ENABLED: 'false' } });
  console.log(`open ${Math.round(performance.now() - t0)} ms; load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const store = createOpenWorkStore(local.app.models);
  if (!(await store.isBuilt())) {
    const b = performance.now();
    const r = await reconcileOpenWork({ tickets: local.app.models.Ticket, store }, new Date());
    console.log(`built open work from the live tickets in ${Math.round(performance.now() - b)} ms`, r, `load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  }
  const open = await store.open();
  console.log(`open entries: ${open.length}; docs bytes:`, (await local.app.models.OpenWork.find({}).lean()).reduce((n, d) => n + JSON.stringify(d).length, 0));
  const staff = createStaffStore(local.app.models);
  const chatId = 'ow-supervisor';
  const doc = await staff.upsertStaff({ channel: 'telegram', chatId, role: 'supervisor', name: 'S', language: 'hi', invitedBy: 'ow', now: new Date() });
  let u = 0;
  const cmd = (command: string) => () => local.app.handler({ channel: 'telegram', chatId, updateKey: `ow${++u}`, receivedAt: new Date(), firstName: 'S', content: { kind: 'command', command, args: '' } });
  await cmd('help')();
  await staff.syncConversationRole(doc.identityKey, { id: doc._id, role: 'supervisor' });
  const dash = local.app.dashboard.queries;
  const qs: Array<[string, () => Promise<unknown>]> = [
    ['/pending', cmd('pending')],
    ['/overdue', cmd('overdue')],
    ['/report', cmd('report')],
    ['hand-over', () => local.app.shifts.buildHandoverSummary(new Date())],
    ['dashboard summary', () => dash.summary({}, new Date())],
    ['dashboard overdue', () => dash.overdue({}, new Date(), 50)],
  ];
  for (const [name, run] of qs) {
    const ms: number[] = [];
    for (let k = 0; k < 7; k++) {
      const s = performance.now();
      await run();
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    console.log(`${name}: p50 ${Math.round(ms[3]!)} ms, min ${Math.round(ms[0]!)}, max ${Math.round(ms[6]!)}; load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  }
  await local.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
