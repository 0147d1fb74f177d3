import { runScript } from './run-script';

/** A smoke run of the benchmark: correctness and the command budget, never its timings. */
describe('scripts/bench-flow.ts', () => {
  test('a few citizens file one ticket each, and each conversational step stays within its command budget', async () => {
    const { code, stdout, stderr } = await runScript(
      'scripts/bench-flow.ts',
      ['--citizens', '3', '--officers', '--json'],
      '',
    );

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout) as {
      officers: number;
      updates: number;
      commands: { unattributed: number; byName: Record<string, unknown> };
      steps: Array<{ step: string; updates: number; commands: { max: number; budget: number; withinBudget: boolean } }>;
      verification: { ok: boolean; ticketsFound: number; uniqueRefs: number; failures: string[] };
    };
    expect(report.verification).toMatchObject({ ok: true, ticketsFound: 3, uniqueRefs: 3, failures: [] });
    expect(report.officers).toBeGreaterThan(0);
    expect(report.updates).toBe(3 * report.steps.length);
    expect(report.steps.every((s) => s.updates === 3)).toBe(true);
    // Every conversational step reads and writes the conversation once, /status adds one ticket query.
    // Submit is left to the printed report: routing and the officer's notices run inside it too.
    expect(report.steps.filter((s) => s.step !== 'submit' && !s.commands.withinBudget)).toEqual([]);
    // Every command was traced to the update that sent it.
    expect(report.commands.unattributed).toBe(0);
  });

  test('with --preload it measures an empty and a seeded database in one run, officer actions and supervisor questions included', async () => {
    const { code, stdout, stderr } = await runScript(
      'scripts/bench-flow.ts',
      ['--citizens', '2', '--preload', '60', '--json'],
      '',
    );

    expect({ code, stderr: stderr.split('\n').filter((l) => !l.includes('bench_preloaded') && l.trim()) }).toEqual({
      code: 0,
      stderr: [],
    });
    const reports = JSON.parse(stdout) as Array<{
      preload: number;
      steps: Array<{ step: string; updates: number }>;
      queries: Array<{ query: string; runs: number; commands: number }>;
      verification: { ok: boolean; ticketsFound: number };
    }>;
    expect(reports.map((r) => r.preload)).toEqual([0, 60]);
    for (const r of reports) {
      // Only the bench's own tickets are checked, not the seeded ones.
      expect(r.verification).toMatchObject({ ok: true, ticketsFound: 2 });
      expect(r.steps.find((s) => s.step === 'ack')?.updates).toBe(2);
      expect(r.steps.find((s) => s.step === 'resolve')?.updates).toBe(2);
      expect(r.queries.map((q) => q.query)).toEqual([
        'stats',
        'stats today',
        'stats week',
        'stats month',
        'pending',
        'overdue',
        'report',
        'handover',
        'dashboard summary',
        'dashboard overdue',
        'dashboard tickets',
        'dashboard ticket',
        'dashboard meta',
      ]);
      expect(r.queries.every((q) => q.runs > 0 && q.commands > 0)).toBe(true);
    }
  });
});
