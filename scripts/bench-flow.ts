/**
 * Load benchmark: N simulated citizens walk the whole complaint flow at once
 * through the real update handler and the real database.
 *
 *   npm run bench -- [--citizens 200] [--concurrency N] [--officers] [--json] [--log-level error]
 *
 * Each citizen sends /start, presses a category (in turn, leaving out those that
 * hand over to the health counsellor) and a block, types a locality
 * and a description, skips the phone, submits, then asks /status. The database
 * is MONGODB_URI (a fresh `bench_<hex>` database, dropped afterwards) or else an
 * embedded server in a fresh temporary folder. With --officers, one officer per
 * department is registered first, so each ticket is assigned and notices are
 * queued in the outbox (never sent: no channel is started); without it, tickets
 * find no officer and are left for the overseers. Prints updates per second,
 * handling latency per handler call, database commands per update (overall, by
 * command name and per step, against the design budget) and peak memory, then
 * checks that exactly N tickets exist with unique references. Exits 1 when a
 * citizen failed or the check does not hold. Logs go to stderr.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { HandleResult, InboundHandler } from '../src/conversation/inbound-handler';
import type { InboundContent } from '../src/conversation/types';
import type { Language, Translator } from '../src/i18n/create-i18n';
import { loadCatalog } from '../src/domain/catalog-loader';
import { createStaffStore, type StaffStore } from '../src/storage/staff-store';
import { addTally, createCommandCounter, emptyTally, type CommandCounter, type CommandTally } from './lib/command-counter';
import { runMain, UsageError } from './lib/cli';
import { openLocalApp } from './lib/local-app';

/** The steps every citizen takes, in order, with the most database commands each may cost by design. */
const STEPS = [
  // Every conversational step: read the conversation, write it back.
  { step: 'start', budget: 2 },
  { step: 'category', budget: 2 },
  { step: 'block', budget: 2 },
  { step: 'locality', budget: 2 },
  { step: 'description', budget: 2 },
  { step: 'phone', budget: 2 },
  // Plus the reference counter and the ticket insert.
  { step: 'submit', budget: 4 },
  // Plus the chats linked to this citizen (same phone on another channel) and the one query listing their tickets.
  { step: 'status', budget: 4 },
] as const;
type StepName = (typeof STEPS)[number]['step'];

interface Sample {
  step: StepName;
  ms: number;
  commands: CommandTally;
}

/** What one run measured and found; printed as a table or, with --json, as it is. */
interface Report {
  citizens: number;
  concurrency: number;
  server: string;
  officers: number;
  maxPoolSize: number;
  updates: number;
  wallMs: number;
  updatesPerSec: number;
  latencyMs: ReturnType<typeof latencySummary>;
  commands: {
    total: number;
    perUpdate: number;
    perUpdateWithoutStatus: number;
    byName: Record<string, { total: number; perUpdate: number; meanMs: number }>;
    maxPerStep: number;
    unattributed: number;
  };
  steps: Array<{
    step: string;
    updates: number;
    dbMsMean: number;
    latencyMs: ReturnType<typeof latencySummary>;
    commands: { mean: number; max: number; budget: number; withinBudget: boolean; byName: Record<string, number> };
  }>;
  cpu: { processMs: number; ofWallPct: number };
  memory: { peakRssMiB: number; peakHeapUsedMiB: number };
  verification: { ok: boolean; ticketsExpected: number; ticketsFound: number; uniqueRefs: number; failures: string[] };
}

interface Options {
  citizens: number;
  concurrency: number;
  officers: boolean;
  json: boolean;
  logLevel: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      citizens: { type: 'string', default: '200' },
      concurrency: { type: 'string' },
      officers: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      // Quiet by default: without officers every ticket logs a warning that nobody can be alerted.
      'log-level': { type: 'string', default: 'error' },
    },
  });
  const positive = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive whole number, got "${v}"`);
    return n;
  };
  const citizens = positive('citizens', values.citizens);
  return {
    citizens,
    concurrency: Math.min(citizens, positive('concurrency', values.concurrency ?? String(citizens))),
    officers: values.officers,
    json: values.json,
    logLevel: values['log-level'],
  };
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function latencySummary(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
    mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
  };
}

/** The words of a message up to its first placeholder: enough to recognise it whatever the parameters. */
export function promptFragment(tr: Translator, lang: Language, key: string): string {
  const raw: unknown = tr.instance.getResource(lang, 'translation', key);
  if (typeof raw !== 'string') throw new Error(`no ${lang} text for ${key}`);
  return raw.split('{{')[0] ?? raw;
}

/**
 * The categories whose complaint goes on to the place question, taken in turn
 * by the citizens; a category that offers the health counsellor instead leads
 * into a live talk, not through the intake being measured.
 */
function intakeCategories(flowsDir: string): string[] {
  const ids = loadCatalog(flowsDir)
    .categories.filter((c) => !('counsellor' in c && c.counsellor === true))
    .map((c) => c.id);
  if (ids.length === 0) throw new Error('no category in flows/categories.yaml goes through the intake');
  return ids;
}

/** One active officer for every department, so routing assigns each ticket; returns how many. */
async function registerOfficers(staff: StaffStore): Promise<number> {
  const departments = await staff.departments();
  const now = new Date();
  for (const [i, d] of departments.entries()) {
    await staff.upsertStaff({ channel: 'telegram', chatId: `bench-officer-${i}`, role: 'officer', department: d.code, name: `Officer ${d.code}`, language: 'hi', invitedBy: 'bench', now });
  }
  return departments.length;
}

/** Why one citizen could not finish; the bench goes on with the others. */
class CitizenFailure extends Error {}

/** One citizen's walk through the flow; returns the reference they were given. */
async function walkCitizen(
  i: number,
  deps: { handler: InboundHandler; counter: CommandCounter; translator: Translator; district: string; runId: string; categories: string[] },
  record: (s: Sample) => void,
): Promise<string> {
  const lang: Language = 'hi';
  const chatId = `bench-${deps.runId}-${i}`;
  let update = 0;
  let last: HandleResult | undefined;
  const apology = deps.translator.t(lang, 'error.generic');

  const send = async (step: StepName, content: InboundContent) => {
    const msg = { channel: 'telegram' as const, chatId, updateKey: String(++update), receivedAt: new Date(), firstName: `Citizen${i}`, content };
    const started = performance.now();
    const { result, commands } = await deps.counter.measure(() => deps.handler(msg));
    record({ step, ms: performance.now() - started, commands });
    if (result.messages.some((m) => m.text === apology)) throw new CitizenFailure(`citizen ${i}: the bot apologised at step ${step}`);
    last = result;
  };
  /** Press the button of `scope` with `value`, or the `index`-th (wrapping) when no value is given. */
  const press = async (step: StepName, scope: string, pick: { value: string } | { index: number }) => {
    const offered = (last?.messages ?? []).flatMap((m) => m.buttons ?? []).filter((b) => b.data.startsWith(`${scope}|`));
    const button =
      'value' in pick ? offered.find((b) => b.data === `${scope}|${pick.value}`) : offered[pick.index % Math.max(1, offered.length)];
    if (!button) throw new CitizenFailure(`citizen ${i}: no ${scope} button to press at step ${step}`);
    await send(step, { kind: 'button', scope, value: button.data.slice(scope.length + 1) });
  };
  const expectPrompt = (step: StepName, key: string) => {
    const wanted = promptFragment(deps.translator, lang, key);
    if (!(last?.messages ?? []).some((m) => m.text.includes(wanted))) {
      throw new CitizenFailure(`citizen ${i}: after step ${step} the bot did not ask "${key}"`);
    }
  };

  await send('start', { kind: 'command', command: 'start', args: '' });
  await press('category', 'category', { value: deps.categories[i % deps.categories.length] ?? '' });
  await press('block', 'block', { index: i });
  expectPrompt('block', 'intake.locality.prompt');
  await send('locality', { kind: 'text', text: `वार्ड ${(i % 20) + 1}, पंचायत भवन के पास` });
  expectPrompt('locality', 'intake.description.prompt');
  await send('description', { kind: 'text', text: `नागरिक ${i} की समस्या: दो हफ़्ते से हैंडपंप खराब है, पानी नहीं मिल रहा।` });
  await press('phone', 'phone', { value: 'skip' });
  await press('submit', 'summary', { value: 'submit' });
  const ref = new RegExp(`${deps.district}-\\d{6,}`).exec((last?.messages ?? []).map((m) => m.text).join('\n'))?.[0];
  if (!ref) throw new CitizenFailure(`citizen ${i}: no reference in the reply to submit`);
  await send('status', { kind: 'command', command: 'status', args: '' });
  if (!(last?.messages ?? []).some((m) => m.text.includes(ref))) {
    throw new CitizenFailure(`citizen ${i}: /status does not list ${ref}`);
  }
  return ref;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const logger = pino({ level: opts.logLevel }, pino.destination(2));
  const local = await openLocalApp({ logger, scratchPrefix: 'bench' });
  let exitCode = 0;
  try {
    const officers = opts.officers ? await registerOfficers(createStaffStore(local.app.models)) : 0;
    const counter = createCommandCounter(local.conn);
    const runId = Date.now().toString(36);
    const categories = intakeCategories(local.config.flowsDirAbs);
    const deps = { handler: local.app.handler, counter, translator: local.translator, district: local.config.DISTRICT_CODE, runId, categories };
    const samples: Sample[] = [];
    const failures: string[] = [];
    const refs: string[] = [];

    let peakHeap = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 20);
    sampler.unref();

    // `concurrency` workers take citizens one after another; each citizen's own messages stay in order.
    let next = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        for (let i = next++; i < opts.citizens; i = next++) {
          try {
            refs.push(await walkCitizen(i, deps, (s) => samples.push(s)));
          } catch (err) {
            if (!(err instanceof CitizenFailure)) throw err;
            failures.push(err.message);
          }
        }
      }),
    );
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const unattributed = counter.unattributed.total;
    counter.dispose();

    // Verification, outside the measurement.
    const tickets = await local.app.models.Ticket.find({}, { ref: 1, chatId: 1 }).lean().exec();
    const uniqueRefs = new Set(tickets.map((t) => t.ref)).size;
    const uniqueChats = new Set(tickets.map((t) => t.chatId)).size;
    if (tickets.length !== opts.citizens) failures.push(`expected ${opts.citizens} tickets, found ${tickets.length}`);
    if (uniqueRefs !== tickets.length) failures.push(`${tickets.length - uniqueRefs} duplicate ticket references`);
    if (uniqueChats !== tickets.length) failures.push(`${tickets.length - uniqueChats} citizens have more than one ticket`);
    const stored = new Set(tickets.map((t) => t.ref));
    const missing = refs.filter((r) => !stored.has(r));
    if (missing.length) failures.push(`${missing.length} references told to citizens are not stored, e.g. ${missing[0]}`);

    const total = emptyTally();
    for (const s of samples) addTally(total, s.commands);
    const perUpdate = (n: number, count: number) => Math.round((n / Math.max(1, count)) * 100) / 100;
    const flowSamples = samples.filter((s) => s.step !== 'status');
    const steps = STEPS.map(({ step, budget }) => {
      const mine = samples.filter((s) => s.step === step);
      const tally = emptyTally();
      for (const s of mine) addTally(tally, s.commands);
      const max = Math.max(0, ...mine.map((s) => s.commands.total));
      const dbMs = Object.values(tally.msByName).reduce((a, b) => a + b, 0);
      return {
        step,
        updates: mine.length,
        // Mean time per update spent waiting for database replies.
        dbMsMean: perUpdate(dbMs, mine.length),
        latencyMs: latencySummary(mine.map((s) => s.ms)),
        commands: {
          mean: perUpdate(tally.total, mine.length),
          max,
          budget,
          withinBudget: max <= budget,
          byName: Object.fromEntries(Object.entries(tally.byName).map(([k, n]) => [k, perUpdate(n, mine.length)])),
        },
      };
    });
    const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    const report: Report = {
      citizens: opts.citizens,
      concurrency: opts.concurrency,
      server: local.server,
      officers,
      // The embedded FerretDB is limited to one connection (see serialisedUri in src/db/embedded-server.ts), which serialises every command.
      maxPoolSize: local.conn.getClient().options.maxPoolSize,
      updates: samples.length,
      wallMs: Math.round(wallMs),
      updatesPerSec: Math.round((samples.length / (wallMs / 1000)) * 10) / 10,
      latencyMs: latencySummary(samples.map((s) => s.ms)),
      commands: {
        total: total.total,
        perUpdate: perUpdate(total.total, samples.length),
        perUpdateWithoutStatus: perUpdate(
          flowSamples.reduce((a, s) => a + s.commands.total, 0),
          flowSamples.length,
        ),
        byName: Object.fromEntries(
          Object.entries(total.byName)
            .sort((a, b) => b[1] - a[1])
            .map(([k, n]) => [k, { total: n, perUpdate: perUpdate(n, samples.length), meanMs: perUpdate(total.msByName[k] ?? 0, n) }]),
        ),
        maxPerStep: Math.max(0, ...samples.map((s) => s.commands.total)),
        unattributed,
      },
      steps,
      // Whether this process (handler, driver, bench) or the database server is the limit.
      cpu: { processMs: Math.round((cpu.user + cpu.system) / 1000), ofWallPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) },
      memory: { peakRssMiB: mib(process.resourceUsage().maxRSS * 1024), peakHeapUsedMiB: mib(peakHeap) },
      verification: { ok: failures.length === 0, ticketsExpected: opts.citizens, ticketsFound: tickets.length, uniqueRefs, failures },
    };
    if (failures.length > 0) exitCode = 1;

    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      printReport(report);
    }
  } finally {
    await local.close();
  }
  process.exitCode = exitCode;
}

function printReport(r: Report): void {
  const out: string[] = [];
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  out.push(`Jan Sahayak flow benchmark — ${r.citizens} citizens, ${r.concurrency} at a time, database: ${r.server} (connection pool of ${r.maxPoolSize}), ${r.officers ? `${r.officers} officers` : 'no officers'}`);
  out.push(`  updates           ${r.updates} in ${(r.wallMs / 1000).toFixed(2)} s  →  ${r.updatesPerSec} updates/s (including /status)`);
  out.push(
    `  latency (ms)      p50 ${r.latencyMs.p50}  p95 ${r.latencyMs.p95}  p99 ${r.latencyMs.p99}  max ${r.latencyMs.max}  mean ${r.latencyMs.mean}`,
  );
  out.push(
    `  db commands       ${r.commands.perUpdate} per update (${r.commands.perUpdateWithoutStatus} without /status), ` +
      `${r.commands.total} in all, at most ${r.commands.maxPerStep} in one update` +
      (r.commands.unattributed ? `, ${r.commands.unattributed} outside any update` : ''),
  );
  out.push(
    `  by command        ${Object.entries(r.commands.byName)
      .map(([k, v]) => `${k} ${v.perUpdate} (${v.meanMs} ms each)`)
      .join(', ')}  per update; ms = driver-measured round trip`,
  );
  out.push(`  cpu               ${(r.cpu.processMs / 1000).toFixed(2)} s in this process = ${r.cpu.ofWallPct}% of one core over the run (the database server is another process)`);
  out.push(`  memory            peak RSS ${r.memory.peakRssMiB} MiB, peak heap used ${r.memory.peakHeapUsedMiB} MiB (this process only)`);
  out.push('');
  out.push(`  ${'step'.padEnd(12)} ${pad('p50 ms', 8)} ${pad('p95 ms', 8)} ${pad('p99 ms', 8)} ${pad('db ms', 8)} ${pad('cmds avg', 9)} ${pad('max', 4)} ${pad('budget', 7)}  by command (avg)`);
  for (const s of r.steps) {
    const flag = s.commands.withinBudget ? '' : '  ← over budget';
    out.push(
      `  ${s.step.padEnd(12)} ${pad(s.latencyMs.p50, 8)} ${pad(s.latencyMs.p95, 8)} ${pad(s.latencyMs.p99, 8)} ${pad(s.dbMsMean, 8)} ${pad(s.commands.mean, 9)} ${pad(s.commands.max, 4)} ${pad(s.commands.budget, 7)}  ${Object.entries(
        s.commands.byName,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}${flag}`,
    );
  }
  out.push('');
  if (r.verification.ok) {
    out.push(`  check             OK: ${r.verification.ticketsFound} tickets, ${r.verification.uniqueRefs} unique references`);
  } else {
    out.push(`  check             FAILED (${r.verification.ticketsFound} of ${r.verification.ticketsExpected} tickets, ${r.verification.uniqueRefs} unique references)`);
    for (const f of r.verification.failures.slice(0, 20)) out.push(`    - ${f}`);
    if (r.verification.failures.length > 20) out.push(`    … and ${r.verification.failures.length - 20} more`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

runMain(main);
