import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ist } from '../supervisor/seed-tickets';
import { createSupervisorKit, FLOWS, ROOT, type SupervisorKit } from '../supervisor/supervisor-kit';

const run = promisify(execFile);

/** Runs scripts/load-roster.ts as an administrator would, against the test database. */
async function loadRoster(kit: SupervisorKit, yaml: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roster-'));
  const file = path.join(dir, 'roster.yaml');
  await fs.writeFile(file, yaml);
  const uri = new URL(process.env.TEST_MONGODB_URI as string);
  uri.pathname = `/${kit.db.dbName}`;
  try {
    const { stdout, stderr } = await run(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      [path.join(ROOT, 'scripts/load-roster.ts'), file],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, MONGODB_URI: uri.toString(), FLOWS_DIR: FLOWS },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe('scripts/load-roster.ts', () => {
  let kit: SupervisorKit;
  beforeAll(async () => {
    kit = await createSupervisorKit();
  });
  afterAll(() => kit.close());

  test('loads a roster file (staff ids or chat ids), and a file with a mistake changes nothing', async () => {
    const sup = await kit.addStaff('supervisor');
    const op1 = await kit.addStaff('operator');
    const op2 = await kit.addStaff('operator');
    const coun = await kit.addStaff('counsellor');

    const ok = await loadRoster(
      kit,
      `version: 1\nroster:\n  night: { supervisor: [${sup.id}], operator: [${op1.id}, ${op2.chatId}], counsellor: [${coun.id}] }\n`,
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('roster loaded: 3 entries');
    const duty = await kit.shifts.onDuty(ist('2026-11-29', '01:00'));
    expect([duty.supervisor, duty.operator, duty.counsellor].map((l) => l.map((s) => s._id))).toEqual([
      [sup.id],
      [op1.id, op2.id],
      [coun.id],
    ]);

    const bad = await loadRoster(
      kit,
      `version: 1\nroster:\n  night: { operator: [] }\n  morning: { supervisor: [${op1.id}] }\n`,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `morning.supervisor: ${op1.doc.name} (${op1.id}) is operator, not supervisor; nothing was changed`,
    );
    expect((await kit.shifts.onDuty(ist('2026-11-29', '01:00'))).operator).toHaveLength(2);

    const malformed = await loadRoster(kit, `version: 1\nroster:\n  night: { cook: [X] }\n`);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('roster.yaml');
  });
});
