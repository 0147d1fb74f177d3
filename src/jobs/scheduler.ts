import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Connection } from 'mongoose';
import { createTask, validate, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { safeError, safeErrorText } from '../logger';
import type { Clock } from '../clock';
import { ConfigError } from '../errors';
import { TIME_ZONE } from '../i18n/format';
import { createRunKeyStore, type RunKeyStore } from './run-key-store';

/** What a job gets each time it fires. */
export interface JobContext {
  /** The scheduled instant of this firing (the same in every process); names the run-key. */
  firingTime: Date;
  /** The clock's time as the job starts. */
  now: Date;
  logger: Logger;
}

/** A job: a name, a cron expression in the district's time zone, and the work. */
export interface ScheduledJob {
  /** Stable name; part of the run-key, so never rename a job casually. */
  name: string;
  /**
   * node-cron expression (5 fields, or 6 with seconds first), read in the
   * job's or the scheduler's time zone; several when one expression cannot
   * say it (shift changes at 06:00, 14:30 and 22:00).
   */
  cron: string | readonly string[];
  /** A time zone of its own (the shift plan's); default the scheduler's. */
  timezone?: string;
  /** The work; what it returns (counts, references) is logged. It must not return message texts or phone numbers. */
  run(ctx: JobContext): Promise<unknown>;
}

/** What became of one firing in this process. */
export type RunOutcome = 'ran' | 'skipped' | 'failed';

export interface SchedulerDeps {
  /** The connection for the run-keys; or pass `runKeys`. */
  conn?: Connection;
  runKeys?: RunKeyStore;
  clock: Clock;
  logger: Logger;
  jobs: readonly ScheduledJob[];
  /** Default Asia/Kolkata. */
  timezone?: string;
  /** Names this process in run-keys; default host, pid and a random suffix. */
  owner?: string;
  /** Counts runs by job and outcome (`ok`, `failed`, `skipped`). */
  metrics?: { jobRuns: { inc(labels: { job: string; outcome: string }): void } };
}

export interface Scheduler {
  /** Arm every job's timer; a no-op when started. */
  start(): void;
  /** Disarm the timers and wait for runs in progress to finish. */
  stop(): Promise<void>;
  /**
   * Run one firing now, exactly as a timer would: claim its run-key, run the
   * job if this process won it, record the outcome. A failing job resolves
   * `failed` rather than throwing (an unknown job name rejects). Tests call
   * it with a chosen firing time instead of waiting for the clock.
   */
  runNow(job: string | ScheduledJob, firingTime: Date): Promise<RunOutcome>;
  /** Next scheduled firing of each job (null when stopped). */
  nextRuns(): Record<string, Date | null>;
  runKeys: RunKeyStore;
}

/**
 * Scheduled jobs on node-cron in the district's time zone. With several
 * processes on one database, every firing of every job runs once: before
 * running, each process inserts the run-key `job:firingTime` into
 * `job_runs`, and only the process whose insert succeeds runs the job (a
 * lease by insert, not a flag in memory). A job that throws is logged and
 * recorded as failed; other jobs and later firings are unaffected. A process
 * that dies mid-run leaves that firing unfinished; the next firing runs as
 * usual (every job here is safe to run again).
 *
 * @example
 * const scheduler = await createScheduler({ conn, clock, logger, jobs: createStandardJobs({...}) });
 * scheduler.start();
 * // on shutdown: await scheduler.stop();
 */
export async function createScheduler(deps: SchedulerDeps): Promise<Scheduler> {
  const { clock } = deps;
  const logger = deps.logger.child({ component: 'scheduler' });
  const timezone = deps.timezone ?? TIME_ZONE;
  const owner = deps.owner ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const names = new Set<string>();
  const expressions = (job: ScheduledJob): readonly string[] => (typeof job.cron === 'string' ? [job.cron] : job.cron);
  for (const job of deps.jobs) {
    if (!job.name || names.has(job.name))
      throw new ConfigError(`Invalid configuration: job name «${job.name}» is empty or used twice`);
    if (expressions(job).length === 0)
      throw new ConfigError(`Invalid configuration: job ${job.name} has no cron expression`);
    for (const cron of expressions(job)) {
      if (!validate(cron))
        throw new ConfigError(`Invalid configuration: job ${job.name} has an invalid cron expression «${cron}»`);
    }
    names.add(job.name);
  }
  if (!deps.runKeys && !deps.conn) throw new TypeError('createScheduler needs conn or runKeys');
  const runKeys = deps.runKeys ?? (await createRunKeyStore(deps.conn as Connection));
  const tasks = new Map<string, ScheduledTask[]>();
  const inFlight = new Set<Promise<RunOutcome>>();
  const count = (job: string, outcome: string) => deps.metrics?.jobRuns.inc({ job, outcome });

  // node-cron's own messages (missed firings and the like) go to our log, not the console.
  const cronLogger = {
    info: (m: string) => logger.debug({ event: 'cron_info' }, m),
    warn: (m: string) => logger.warn({ event: 'cron_warning' }, m),
    error: (m: string | Error, err?: Error) =>
      logger.error({ event: 'cron_error', err: safeError(err ?? m) }, typeof m === 'string' ? m : 'node-cron failed'),
    debug: (m: string | Error) => logger.debug({ event: 'cron_debug' }, typeof m === 'string' ? m : m.message),
  };

  async function runFiring(job: ScheduledJob, firingTime: Date): Promise<RunOutcome> {
    const log = logger.child({ job: job.name, firing: firingTime.toISOString() });
    let claimed: boolean;
    try {
      claimed = await runKeys.claim(job.name, firingTime, owner, clock.now());
    } catch (err) {
      log.error({ event: 'job_claim_failed', err: safeError(err) }, 'could not claim the firing; it is skipped here');
      count(job.name, 'failed');
      return 'failed';
    }
    if (!claimed) {
      log.debug({ event: 'job_skipped' }, 'another process runs this firing');
      count(job.name, 'skipped');
      return 'skipped';
    }
    try {
      const result = await job.run({ firingTime, now: clock.now(), logger: log });
      await runKeys.finish(job.name, firingTime, 'ok', clock.now());
      log.info({ event: 'job_finished', result }, 'job finished');
      count(job.name, 'ok');
      return 'ran';
    } catch (err) {
      log.error({ event: 'job_failed', err: safeError(err) }, 'job failed');
      count(job.name, 'failed');
      await runKeys
        .finish(job.name, firingTime, 'failed', clock.now(), safeErrorText(err))
        .catch((finishErr: unknown) => {
          log.error({ event: 'job_record_failed', err: safeError(finishErr) }, 'could not record the failure');
        });
      return 'failed';
    }
  }

  function tracked(p: Promise<RunOutcome>): Promise<RunOutcome> {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  }

  return {
    runKeys,
    start() {
      if (tasks.size > 0) return;
      for (const job of deps.jobs) {
        const jobTasks = expressions(job).map((cron, i) => {
          const task = createTask(cron, (ctx) => tracked(runFiring(job, ctx.date)), {
            name: `jan-sahayak:${job.name}:${i}`,
            timezone: job.timezone ?? timezone,
            // A run still going when the next firing comes: skip that firing rather than stack runs.
            noOverlap: true,
            logger: cronLogger,
          });
          void task.start();
          return task;
        });
        tasks.set(job.name, jobTasks);
      }
      logger.info(
        {
          event: 'scheduler_started',
          owner,
          timezone,
          jobs: deps.jobs.map((j) => `${j.name} ${expressions(j).join(' | ')}`),
        },
        'scheduler started',
      );
    },
    async stop() {
      for (const task of [...tasks.values()].flat()) await task.destroy();
      tasks.clear();
      await Promise.allSettled([...inFlight]);
      logger.info({ event: 'scheduler_stopped', owner }, 'scheduler stopped');
    },
    runNow(job, firingTime) {
      const found = typeof job === 'string' ? deps.jobs.find((j) => j.name === job) : job;
      if (!found) return Promise.reject(new RangeError(`unknown job ${String(job)}`));
      return tracked(runFiring(found, firingTime));
    },
    nextRuns() {
      const next = (j: ScheduledJob) => {
        const times = (tasks.get(j.name) ?? []).map((task) => task.getNextRun()).filter((d): d is Date => d !== null);
        return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : null;
      };
      return Object.fromEntries(deps.jobs.map((j) => [j.name, next(j)]));
    },
  };
}
