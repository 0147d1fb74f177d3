/**
 * Load benchmark: N simulated citizens walk the whole complaint flow at once
 * through the real update handler and the real database.
 *
 *   npm run bench -- [--citizens 200] [--concurrency N] [--officers] [--flood] [--json] [--log-level error]
 *   npm run bench -- --preload 200000 --data-dir DIR [--citizens 10]
 *   npm run bench -- --drain [--messages 1000]
 *   npm run bench -- --export [--preload 5000] [--citizens 10]
 *
 * With --data-dir the preloaded run starts from a copy of DIR, a DATA_DIR
 * already filled by `npm run seed` (its copy is removed afterwards), instead
 * of seeding a fresh database: a 200,000-ticket load takes longer than the
 * benchmark itself.
 *
 * With --export the run is made twice on a preloaded database: once quiet,
 * once while the dashboard's export of every ticket (live and archived) runs
 * over and over; it prints the citizens' p95 in both and their ratio.
 *
 * With --drain it measures only the outbox: N notices queued to N chats,
 * delivered through a stand-in Bot API that answers 429 now and then; it
 * fails below 90 % of Telegram's 30 messages a second or if one is lost or
 * sent twice.
 *
 * With --flood the run is made twice: once quiet, once while one more chat
 * floods the handler with 30 messages a second; it prints the other citizens'
 * p95 in both and their ratio, and what the flooding chat got back.
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
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { HandleResult, InboundHandler } from '../src/conversation/inbound-handler';
import type { InboundContent } from '../src/conversation/types';
import { LANGUAGES, type Language, type Translator } from '../src/i18n/create-i18n';
import { loadCatalog } from '../src/domain/catalog-loader';
import { createStaffStore } from '../src/storage/staff-store';
import {
  addTally,
  createCommandCounter,
  emptyTally,
  type CommandCounter,
  type CommandTally,
} from './lib/command-counter';
import { runMain, UsageError } from './lib/cli';
import { openLocalApp, type LocalApp } from './lib/local-app';
import { isFerretDb } from '../src/db/connect';
import { seedDatabase } from './lib/seed-database';
import { createOutboxModel } from '../src/outbox/outbox-model';
import { drainText, runDrainBench } from './lib/bench-drain';

/** The steps every citizen takes, in order, with the most database commands each may cost by design. */
const STEPS = [
  // A new chat's first message: no conversation, so its profile is looked up too; both are inserted.
  { step: 'start', budget: 4 },
  // Every conversational step: read the conversation, write it back.
  { step: 'category', budget: 2 },
  { step: 'block', budget: 2 },
  { step: 'locality', budget: 2 },
  { step: 'description', budget: 2 },
  { step: 'phone', budget: 2 },
  // Plus the reference counter, the owner entry (two _id probes for a first ticket, one insert) and the ticket insert.
  { step: 'submit', budget: 7 },
  // Plus the chats linked to this citizen (same phone on another channel), then by _id: the owner
  // entries (two probes and one read for a citizen with one ticket) and the ticket.
  { step: 'status', budget: 7 },
  // With --officers: the officer acknowledges and resolves the ticket (the citizen is told of each).
  { step: 'ack', budget: undefined },
  { step: 'resolve', budget: undefined },
] as const satisfies ReadonlyArray<{ step: string; budget: number | undefined }>;
type StepName = (typeof STEPS)[number]['step'];
/**
 * On FerretDB a conversation's save is read and written by `_id` under its lock document
 * (taken by an insert, released by a delete): three commands more than MongoDB's one
 * conditional update, on every step but a new chat's first (an insert).
 */
const FERRETDB_LOCK_COMMANDS = 3;
/** Steps an officer takes; measured only with officers. */
const OFFICER_STEPS: ReadonlySet<StepName> = new Set(['ack', 'resolve']);

/**
 * Supervisor questions measured after the citizens, one at a time, `QUERY_REPEATS` times each: chat
 * commands (`/report` builds the daily report), the shift hand-over's summary and every request the
 * dashboard's page makes on a refresh (and a ticket's page).
 */
const QUERIES = [
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
] as const;
const QUERY_REPEATS = 3;

interface Sample {
  step: StepName;
  ms: number;
  commands: CommandTally;
}

/** What one run measured and found; printed as a table or, with --json, as it is. */
interface Report {
  /** Tickets loaded before the run (0: an empty database). */
  preload: number;
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
    commands: {
      mean: number;
      max: number;
      budget: number | null;
      withinBudget: boolean;
      byName: Record<string, number>;
    };
  }>;
  /** Supervisor questions: latency and commands of each. */
  queries: Array<{ query: string; runs: number; latencyMs: ReturnType<typeof latencySummary>; commands: number }>;
  cpu: { processMs: number; ofWallPct: number };
  memory: { peakRssMiB: number; peakHeapUsedMiB: number };
  verification: { ok: boolean; ticketsExpected: number; ticketsFound: number; uniqueRefs: number; failures: string[] };
  /** With --export: full exports of every ticket made while the citizens ran. */
  exportLoad?: { exports: number; rows: number; meanSeconds: number };
  /** With --flood: what the one flooding chat sent and got back while the citizens ran. */
  flood?: { sent: number; answered: number; notices: number; dropped: number; perSecond: number };
}

/** Messages a second the flooding chat of --flood sends. */
const FLOOD_PER_SECOND = 30;

interface Options {
  /** Also run on a database seeded with this many tickets (N/2 citizens, 5N delivered notifications) and compare. */
  preload: number;
  citizens: number;
  concurrency: number;
  officers: boolean;
  json: boolean;
  logLevel: string;
  /** Run once quiet and once with one chat flooding at 30 messages/s; compare the others' p95. */
  flood: boolean;
  /** Measure only the outbox's drain of this many notices to as many chats (0: not). */
  drain: number;
  /** Run twice on a preloaded database: quiet, and while a full export runs; compare the citizens' p95. */
  exportLoad: boolean;
  /** A DATA_DIR filled by `npm run seed`: the preloaded run starts from a copy of it instead of seeding. */
  dataDir?: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      citizens: { type: 'string', default: '200' },
      preload: { type: 'string', default: '0' },
      concurrency: { type: 'string' },
      officers: { type: 'boolean', default: false },
      flood: { type: 'boolean', default: false },
      drain: { type: 'boolean', default: false },
      export: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      messages: { type: 'string', default: '1000' },
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
  const preload = values.preload === '0' ? 0 : positive('preload', values.preload);
  return {
    preload,
    citizens,
    concurrency: Math.min(citizens, positive('concurrency', values.concurrency ?? String(citizens))),
    // Officer actions and the measured comparison need someone to route to.
    officers: values.officers || preload > 0,
    json: values.json,
    logLevel: values['log-level'],
    flood: values.flood,
    drain: values.drain ? positive('messages', values.messages) : 0,
    exportLoad: values.export,
    ...(values['data-dir'] ? { dataDir: path.resolve(values['data-dir']) } : {}),
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

/**
 * A staff member linked as an invite links them: the staff record, a
 * conversation for the chat, and the role copy on it that each message reads.
 */
async function linkStaff(
  local: LocalApp,
  input: { chatId: string; role: 'officer' | 'supervisor'; department?: string; name: string },
): Promise<void> {
  const staff = createStaffStore(local.app.models);
  const doc = await staff.upsertStaff({
    channel: 'telegram',
    ...input,
    language: 'hi',
    invitedBy: 'bench',
    now: new Date(),
  });
  await local.app.handler({
    channel: 'telegram',
    chatId: input.chatId,
    updateKey: 'link',
    receivedAt: new Date(),
    firstName: input.name,
    content: { kind: 'command', command: 'help', args: '' },
  });
  await staff.syncConversationRole(doc.identityKey, {
    id: doc._id,
    role: doc.role,
    ...(doc.department ? { department: doc.department } : {}),
  });
}

/**
 * One active officer for every department, so routing assigns each ticket
 * (a new officer holds the fewest open tickets, so theirs is every bench
 * ticket even on a seeded database); returns their chats by department.
 */
async function registerOfficers(local: LocalApp): Promise<Map<string, string>> {
  const departments = await createStaffStore(local.app.models).departments();
  const chats = new Map<string, string>();
  for (const [i, d] of departments.entries()) {
    const chatId = `bench-officer-${i}`;
    await linkStaff(local, { chatId, role: 'officer', department: d.code, name: `Officer ${d.code}` });
    chats.set(d.code, chatId);
  }
  return chats;
}

/** Why one citizen could not finish; the bench goes on with the others. */
class CitizenFailure extends Error {}

/** One citizen's walk through the flow; returns the reference they were given. */
async function walkCitizen(
  i: number,
  deps: {
    handler: InboundHandler;
    counter: CommandCounter;
    translator: Translator;
    district: string;
    runId: string;
    categories: string[];
    /** The chat of the officer who gets a category's tickets; absent: no officer steps. */
    officerChat?: (category: string) => string | undefined;
  },
  record: (s: Sample) => void,
): Promise<string> {
  const lang: Language = 'hi';
  const chatId = `bench-${deps.runId}-${i}`;
  let update = 0;
  let last: HandleResult | undefined;
  const apology = deps.translator.t(lang, 'error.generic');

  const send = async (step: StepName, content: InboundContent, from = chatId) => {
    const msg = {
      channel: 'telegram' as const,
      chatId: from,
      updateKey: `${chatId}:${++update}`,
      receivedAt: new Date(),
      firstName: `Citizen${i}`,
      content,
    };
    const started = performance.now();
    const { result, commands } = await deps.counter.measure(() => deps.handler(msg));
    record({ step, ms: performance.now() - started, commands });
    if (result.messages.some((m) => m.text === apology))
      throw new CitizenFailure(`citizen ${i}: the bot apologised at step ${step}`);
    last = result;
  };
  /** Press the button of `scope` with `value`, or the `index`-th (wrapping) when no value is given. */
  const press = async (step: StepName, scope: string, pick: { value: string } | { index: number }) => {
    const offered = (last?.messages ?? [])
      .flatMap((m) => m.buttons ?? [])
      .filter((b) => b.data.startsWith(`${scope}|`));
    const button =
      'value' in pick
        ? offered.find((b) => b.data === `${scope}|${pick.value}`)
        : offered[pick.index % Math.max(1, offered.length)];
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
  const category = deps.categories[i % deps.categories.length] ?? '';
  await press('category', 'category', { value: category });
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
  const officer = deps.officerChat?.(category);
  if (officer) {
    const acked = promptFragment(deps.translator, lang, 'staff.done.acknowledge');
    await send('ack', { kind: 'command', command: 'ack', args: ref }, officer);
    if (!(last?.messages ?? []).some((m) => m.text.includes(acked)))
      throw new CitizenFailure(
        `citizen ${i}: the officer could not acknowledge ${ref}: ${(last?.messages ?? []).map((m) => m.text).join(' | ')}`,
      );
    await send('resolve', { kind: 'command', command: 'resolve', args: `${ref} हैंडपंप ठीक करवा दिया गया है` }, officer);
  }
  return ref;
}

/**
 * One run on a fresh database, first loaded with `preload` tickets (and half
 * as many citizens, five times as many delivered notifications) when asked.
 */
async function runBench(
  opts: Options,
  preload: number,
  logger: pino.Logger,
  flood = false,
  exportLoad = false,
): Promise<Report> {
  // Staff chats (the officers and the supervisor here) act for hundreds of tickets in a moment: lift their
  // allowance; citizens keep the configured one, which the flooding chat of --flood runs into.
  const copy = preload > 0 && opts.dataDir ? await copySeeded(opts.dataDir, logger) : undefined;
  const local = await openLocalApp({
    logger,
    scratchPrefix: 'bench',
    env: { ...process.env, RATE_LIMIT_STAFF_PER_MINUTE: '6000' },
    ...(copy ? { dataDir: copy.dir, configuredDatabase: true } : {}),
  }).catch(async (err: unknown) => {
    await copy?.remove();
    throw err;
  });
  try {
    if (copy) {
      const seeded = await local.app.models.Counter.findOne({ _id: `seed:${local.config.DISTRICT_CODE}` })
        .lean()
        .exec();
      if ((seeded?.seq ?? 0) !== preload)
        throw new UsageError(
          `--data-dir ${opts.dataDir} holds ${seeded?.seq ?? 0} seeded tickets, not --preload ${preload}`,
        );
    } else if (preload > 0) {
      const started = performance.now();
      await seedDatabase(
        {
          conn: local.conn,
          models: local.app.models,
          outbox: await createOutboxModel(local.conn),
          staff: createStaffStore(local.app.models),
          catalog: loadCatalog(local.config.flowsDirAbs),
          district: local.config.DISTRICT_CODE,
        },
        { tickets: preload, citizens: Math.ceil(preload / 2), days: 365, force: false, end: new Date() },
      );
      logger.warn(
        { event: 'bench_preloaded', tickets: preload, seconds: Math.round((performance.now() - started) / 1000) },
        'preloaded',
      );
    }
    const officerChats = opts.officers ? await registerOfficers(local) : new Map<string, string>();
    const officers = officerChats.size;
    // Asked before the counting starts, which would see this command as nobody's.
    const lockCommands = (await isFerretDb(local.conn)) ? FERRETDB_LOCK_COMMANDS : 0;
    const counter = createCommandCounter(local.conn, local.historyConn);
    const runId = Date.now().toString(36);
    const catalog = loadCatalog(local.config.flowsDirAbs);
    const categories = intakeCategories(local.config.flowsDirAbs);
    const departmentOf = new Map(catalog.categories.map((c) => [c.id, c.department]));
    const deps = {
      handler: local.app.handler,
      counter,
      translator: local.translator,
      district: local.config.DISTRICT_CODE,
      runId,
      categories,
      ...(officers ? { officerChat: (category: string) => officerChats.get(departmentOf.get(category) ?? '') } : {}),
    };
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
    const flooder = flood ? startFlood(local.app.handler, local.translator, runId) : undefined;
    const exporter = exportLoad ? startExportLoad(local) : undefined;
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
    const floodReport = flooder ? await flooder.stop() : undefined;
    const exportReport = exporter ? await exporter.stop() : undefined;
    const queries = await measureQueries(local, counter, runId);
    clearInterval(sampler);
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const unattributed = counter.unattributed.total;
    counter.dispose();

    // Verification, outside the measurement: the bench's own tickets only (seeded ones came in bulk).
    const tickets = await local.app.models.Ticket.find(
      { chatId: { $regex: `^bench-${runId}-` } },
      { ref: 1, chatId: 1 },
    )
      .lean()
      .exec();
    const uniqueRefs = new Set(tickets.map((t) => t.ref)).size;
    const uniqueChats = new Set(tickets.map((t) => t.chatId)).size;
    if (tickets.length !== opts.citizens) failures.push(`expected ${opts.citizens} tickets, found ${tickets.length}`);
    if (uniqueRefs !== tickets.length) failures.push(`${tickets.length - uniqueRefs} duplicate ticket references`);
    if (uniqueChats !== tickets.length)
      failures.push(`${tickets.length - uniqueChats} citizens have more than one ticket`);
    const stored = new Set(tickets.map((t) => t.ref));
    const missing = refs.filter((r) => !stored.has(r));
    if (missing.length)
      failures.push(`${missing.length} references told to citizens are not stored, e.g. ${missing[0]}`);

    const total = emptyTally();
    for (const s of samples) addTally(total, s.commands);
    const perUpdate = (n: number, count: number) => Math.round((n / Math.max(1, count)) * 100) / 100;
    const flowSamples = samples.filter((s) => s.step !== 'status');
    const steps = STEPS.filter(({ step }) => officers > 0 || !OFFICER_STEPS.has(step)).map(({ step, budget: base }) => {
      const budget = base === undefined ? undefined : base + (step === 'start' ? 0 : lockCommands);
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
          budget: budget ?? null,
          withinBudget: budget === undefined || max <= budget,
          byName: Object.fromEntries(Object.entries(tally.byName).map(([k, n]) => [k, perUpdate(n, mine.length)])),
        },
      };
    });
    const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    const report: Report = {
      preload,
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
            .map(([k, n]) => [
              k,
              { total: n, perUpdate: perUpdate(n, samples.length), meanMs: perUpdate(total.msByName[k] ?? 0, n) },
            ]),
        ),
        maxPerStep: Math.max(0, ...samples.map((s) => s.commands.total)),
        unattributed,
      },
      steps,
      queries,
      // Whether this process (handler, driver, bench) or the database server is the limit.
      cpu: {
        processMs: Math.round((cpu.user + cpu.system) / 1000),
        ofWallPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
      },
      memory: { peakRssMiB: mib(process.resourceUsage().maxRSS * 1024), peakHeapUsedMiB: mib(peakHeap) },
      verification: {
        ok: failures.length === 0,
        ticketsExpected: opts.citizens,
        ticketsFound: tickets.length,
        uniqueRefs,
        failures,
      },
      ...(floodReport ? { flood: floodReport } : {}),
      ...(exportReport ? { exportLoad: exportReport } : {}),
    };
    return report;
  } finally {
    await local.close();
    await copy?.remove();
  }
}

/** A copy of a seeded DATA_DIR next to it (the same disk), removed by `remove`. */
async function copySeeded(dataDir: string, logger: pino.Logger): Promise<{ dir: string; remove(): Promise<void> }> {
  if (!fs.existsSync(dataDir)) throw new UsageError(`--data-dir ${dataDir} does not exist`);
  const dir = `${dataDir}-bench-${Date.now().toString(36)}`;
  const started = performance.now();
  await fsp.cp(dataDir, dir, { recursive: true, filter: (src) => !src.endsWith('embedded-db.uri') });
  logger.warn(
    { event: 'bench_copied', seconds: Math.round((performance.now() - started) / 1000) },
    'seeded data copied',
  );
  return { dir, remove: () => fsp.rm(dir, { recursive: true, force: true }) };
}

/** A supervisor's questions (/stats, /stats month, /pending, /overdue) and the dashboard's summary, one at a time. */
async function measureQueries(local: LocalApp, counter: CommandCounter, runId: string): Promise<Report['queries']> {
  const chatId = `bench-supervisor-${runId}`;
  // Setting up is not measured, but is kept apart from the unattributed commands.
  await counter.measure(() => linkStaff(local, { chatId, role: 'supervisor', name: 'Supervisor' }));
  const out: Report['queries'] = [];
  let update = 0;
  for (const query of QUERIES) {
    const ms: number[] = [];
    let commands = 0;
    for (let k = 0; k < QUERY_REPEATS; k++) {
      const started = performance.now();
      const dash = local.app.dashboard.queries;
      const run: () => Promise<unknown> =
        query === 'dashboard summary'
          ? () => dash.summary({}, new Date())
          : query === 'dashboard overdue'
            ? () => dash.overdue({}, new Date(), 50)
            : query === 'dashboard tickets'
              ? () => dash.latest({}, 1, 25, new Date())
              : query === 'dashboard ticket'
                ? () => dash.ticket(`${local.config.DISTRICT_CODE}-000001`, new Date())
                : query === 'dashboard meta'
                  ? () => dash.departments()
                  : query === 'handover'
                    ? () => local.app.shifts.buildHandoverSummary(new Date())
                    : () => {
                        const [command = '', ...args] = query.split(' ');
                        return local.app.handler({
                          channel: 'telegram',
                          chatId,
                          updateKey: String(++update),
                          receivedAt: new Date(),
                          firstName: 'Supervisor',
                          content: { kind: 'command', command, args: args.join(' ') },
                        });
                      };
      const m = await counter.measure(run);
      ms.push(performance.now() - started);
      commands = Math.max(commands, m.commands.total);
    }
    out.push({ query, runs: ms.length, latencyMs: latencySummary(ms), commands });
  }
  return out;
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const logger = pino({ level: opts.logLevel }, pino.destination(2));
  if (opts.drain) {
    // Every 50th send is refused with 429 and retry_after 1 s, as Telegram does now and then.
    const drain = await runDrainBench({ logger, messages: opts.drain, throttleEvery: 50, retryAfterSeconds: 1 });
    process.stdout.write(`${opts.json ? JSON.stringify(drain, null, 2) : drainText(drain)}\n`);
    if (!drain.ok) process.exitCode = 1;
    return;
  }
  if (opts.exportLoad) {
    const preload = opts.preload || 5000;
    const runs = [await runBench(opts, preload, logger), await runBench(opts, preload, logger, false, true)];
    if (opts.json) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    else {
      for (const r of runs) printReport(r);
      printExportComparison(runs[0]!, runs[1]!);
    }
    if (runs.some((r) => !r.verification.ok)) process.exitCode = 1;
    return;
  }
  const reports = [await runBench(opts, 0, logger)];
  if (opts.flood) reports.push(await runBench(opts, 0, logger, true));
  else if (opts.preload > 0) reports.push(await runBench(opts, opts.preload, logger));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
  } else {
    for (const r of reports) printReport(r);
    if (opts.flood) printFloodComparison(reports[0]!, reports[1]!);
    else if (reports.length === 2) printComparison(reports[0]!, reports[1]!);
  }
  if (reports.some((r) => !r.verification.ok)) process.exitCode = 1;
}

/**
 * One chat sending FLOOD_PER_SECOND messages a second without waiting for
 * answers, as a script or a stuck client would; `stop` waits for the last
 * answers and counts what came back.
 */
function startFlood(handler: InboundHandler, tr: Translator, runId: string) {
  const notice = new Set(LANGUAGES.map((l) => tr.t(l, 'limits.slow_down')));
  const pending: Array<Promise<HandleResult>> = [];
  const began = performance.now();
  let n = 0;
  const timer = setInterval(() => {
    n += 1;
    pending.push(
      handler({
        channel: 'web',
        chatId: `bench-flood-${runId}`,
        updateKey: `flood-${runId}-${n}`,
        receivedAt: new Date(),
        content: { kind: 'text', text: `spam ${n}` },
      }),
    );
  }, 1000 / FLOOD_PER_SECOND);
  return {
    async stop(): Promise<NonNullable<Report['flood']>> {
      clearInterval(timer);
      const seconds = (performance.now() - began) / 1000;
      const results = await Promise.all(pending);
      const notices = results.filter((r) => r.messages.some((m) => notice.has(m.text))).length;
      const dropped = results.filter((r) => r.messages.length === 0).length;
      return {
        sent: results.length,
        answered: results.length - notices - dropped,
        notices,
        dropped,
        perSecond: Math.round((results.length / seconds) * 10) / 10,
      };
    },
  };
}

/**
 * The dashboard's export of every ticket, live and archived, over and over
 * until stopped, as a supervisor downloading the whole history would (it
 * reads over the history connection, streamed in batches).
 */
function startExportLoad(local: LocalApp) {
  let stopping = false;
  let exports = 0;
  let rows = 0;
  const seconds: number[] = [];
  const running = (async () => {
    while (!stopping) {
      // An export started is finished, so its rows count (they come once all are read and sorted).
      const began = performance.now();
      for await (const row of local.app.dashboard.queries.exportCursor({})) if (row.ref) rows += 1;
      exports += 1;
      seconds.push((performance.now() - began) / 1000);
    }
  })();
  return {
    async stop(): Promise<NonNullable<Report['exportLoad']>> {
      stopping = true;
      await running;
      const mean = seconds.reduce((a, b) => a + b, 0) / Math.max(1, seconds.length);
      return { exports, rows, meanSeconds: Math.round(mean * 10) / 10 };
    },
  };
}

/** Quiet against a full export running: the citizens' latency, step by step. */
function printExportComparison(quiet: Report, loaded: Report): void {
  const e = loaded.exportLoad;
  const out = [
    `Citizens quiet against while the export of all ${loaded.preload} preloaded tickets runs (${quiet.server}; ${e ? `${e.exports} full exports of ${e.meanSeconds} s each on average, ${e.rows} rows; the last one started is finished after the citizens` : ''}):`,
    `  ${'step'.padEnd(14)} ${'p50 quiet'.padStart(10)} ${'p50 export'.padStart(11)} ${'p95 quiet'.padStart(10)} ${'p95 export'.padStart(11)} ${'p95 ratio'.padStart(10)}`,
  ];
  const row = (
    name: string,
    a: ReturnType<typeof latencySummary>,
    b: ReturnType<typeof latencySummary> | undefined,
  ) => {
    if (!b) return;
    const ratio = a.p95 > 0 ? (b.p95 / a.p95).toFixed(2) : '—';
    out.push(
      `  ${name.padEnd(14)} ${String(a.p50).padStart(10)} ${String(b.p50).padStart(11)} ${String(a.p95).padStart(10)} ${String(b.p95).padStart(11)} ${ratio.padStart(10)}`,
    );
  };
  row('all updates', quiet.latencyMs, loaded.latencyMs);
  for (const s of quiet.steps) row(s.step, s.latencyMs, loaded.steps.find((x) => x.step === s.step)?.latencyMs);
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Quiet against flooded: the other citizens' latency, and what the flooding chat got. */
function printFloodComparison(quiet: Report, flooded: Report): void {
  const f = flooded.flood;
  const ratio = quiet.latencyMs.p95 > 0 ? (flooded.latencyMs.p95 / quiet.latencyMs.p95).toFixed(2) : '—';
  const out = [
    `One chat flooding at ${FLOOD_PER_SECOND} messages/s while ${flooded.citizens} citizens (${flooded.concurrency} at a time) file complaints (${quiet.server}):`,
    `  citizens' latency (ms)  quiet p50 ${quiet.latencyMs.p50}  p95 ${quiet.latencyMs.p95}   flooded p50 ${flooded.latencyMs.p50}  p95 ${flooded.latencyMs.p95}   p95 ratio ${ratio}`,
    ...(f
      ? [
          `  flooding chat: sent ${f.sent} (${f.perSecond}/s), answered ${f.answered}, told to slow down ${f.notices}, dropped unread ${f.dropped}`,
        ]
      : []),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Empty against preloaded, step by step: p95 and the ratio the issue bounds (1.5 ×). */
function printComparison(empty: Report, loaded: Report): void {
  const out: string[] = [`Empty database against ${loaded.preload} preloaded tickets (${empty.server}):`];
  out.push(
    `  ${'step'.padEnd(18)} ${'p50 empty'.padStart(10)} ${'p50 full'.padStart(10)} ${'p95 empty'.padStart(10)} ${'p95 full'.padStart(10)} ${'p95 ratio'.padStart(10)}`,
  );
  const row = (
    name: string,
    a: ReturnType<typeof latencySummary>,
    b: ReturnType<typeof latencySummary> | undefined,
  ) => {
    if (!b) return;
    const ratio = a.p95 > 0 ? (b.p95 / a.p95).toFixed(2) : '—';
    out.push(
      `  ${name.padEnd(18)} ${String(a.p50).padStart(10)} ${String(b.p50).padStart(10)} ${String(a.p95).padStart(10)} ${String(b.p95).padStart(10)} ${ratio.padStart(10)}`,
    );
  };
  row('all updates', empty.latencyMs, loaded.latencyMs);
  for (const s of empty.steps) row(s.step, s.latencyMs, loaded.steps.find((x) => x.step === s.step)?.latencyMs);
  for (const q of empty.queries) row(q.query, q.latencyMs, loaded.queries.find((x) => x.query === q.query)?.latencyMs);
  process.stdout.write(`${out.join('\n')}\n`);
}

function printReport(r: Report): void {
  const out: string[] = [];
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  out.push(
    `Jan Sahayak flow benchmark — ${r.preload ? `${r.preload} tickets preloaded, ` : 'empty database, '}${r.citizens} citizens, ${r.concurrency} at a time, database: ${r.server} (connection pool of ${r.maxPoolSize}), ${r.officers ? `${r.officers} officers` : 'no officers'}`,
  );
  out.push(
    `  updates           ${r.updates} in ${(r.wallMs / 1000).toFixed(2)} s  →  ${r.updatesPerSec} updates/s (including /status)`,
  );
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
  out.push(
    `  cpu               ${(r.cpu.processMs / 1000).toFixed(2)} s in this process = ${r.cpu.ofWallPct}% of one core over the run (the database server is another process)`,
  );
  out.push(
    `  memory            peak RSS ${r.memory.peakRssMiB} MiB, peak heap used ${r.memory.peakHeapUsedMiB} MiB (this process only)`,
  );
  out.push('');
  out.push(
    `  ${'step'.padEnd(12)} ${pad('p50 ms', 8)} ${pad('p95 ms', 8)} ${pad('p99 ms', 8)} ${pad('db ms', 8)} ${pad('cmds avg', 9)} ${pad('max', 4)} ${pad('budget', 7)}  by command (avg)`,
  );
  for (const s of r.steps) {
    const flag = s.commands.withinBudget ? '' : '  ← over budget';
    out.push(
      `  ${s.step.padEnd(12)} ${pad(s.latencyMs.p50, 8)} ${pad(s.latencyMs.p95, 8)} ${pad(s.latencyMs.p99, 8)} ${pad(s.dbMsMean, 8)} ${pad(s.commands.mean, 9)} ${pad(s.commands.max, 4)} ${pad(s.commands.budget ?? '—', 7)}  ${Object.entries(
        s.commands.byName,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}${flag}`,
    );
  }
  out.push('');
  out.push(`  ${'query'.padEnd(18)} ${pad('p50 ms', 8)} ${pad('max ms', 8)} ${pad('cmds', 5)}`);
  for (const q of r.queries)
    out.push(`  ${q.query.padEnd(18)} ${pad(q.latencyMs.p50, 8)} ${pad(q.latencyMs.max, 8)} ${pad(q.commands, 5)}`);
  out.push('');
  if (r.verification.ok) {
    out.push(
      `  check             OK: ${r.verification.ticketsFound} tickets, ${r.verification.uniqueRefs} unique references`,
    );
  } else {
    out.push(
      `  check             FAILED (${r.verification.ticketsFound} of ${r.verification.ticketsExpected} tickets, ${r.verification.uniqueRefs} unique references)`,
    );
    for (const f of r.verification.failures.slice(0, 20)) out.push(`    - ${f}`);
    if (r.verification.failures.length > 20) out.push(`    … and ${r.verification.failures.length - 20} more`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

runMain(main);
