import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { ShiftPlan } from '../shifts/shift-plan';
import { shiftChangeCron } from '../shifts/shift-plan';
import type { CleanupJobDeps } from './cleanup-job';
import { createRunKeyStore } from './run-key-store';
import { createScheduler, type Scheduler, type SchedulerDeps } from './scheduler';
import { createStandardJobs, type StandardJobsDeps } from './standard-jobs';

/** What {@link createAppScheduler} needs: the services the jobs call and what the clean-up purges. */
export interface AppSchedulerDeps {
  config: Config;
  conn: Connection;
  clock: Clock;
  logger: Logger;
  metrics: SchedulerDeps['metrics'];
  escalation: StandardJobsDeps['escalation'];
  feedback: StandardJobsDeps['feedback'];
  notifier: StandardJobsDeps['notifier'];
  /** What the clean-up job purges; the keep-days come from the configuration. */
  purge: Pick<
    CleanupJobDeps,
    | 'models'
    | 'outbox'
    | 'messageRefs'
    | 'web'
    | 'whatsapp'
    | 'ticketArchiveDays'
    | 'officerLoads'
    | 'countMarkers'
    | 'openWork'
  >;
  shiftPlan: ShiftPlan;
  sendHandover(firingTime: Date): Promise<unknown>;
  reports: { previousDay(now: Date): string; sendDailyReport(day: string): Promise<unknown> };
  recover(): Promise<unknown>;
}

/**
 * The scheduler with every standard job (src/jobs/standard-jobs.ts) at the
 * configured times: SLA sweep, reminders, feedback closing, clean-up, the
 * shift hand-over, the daily report and the recovery pass. It runs only once
 * started (JOBS_ENABLED).
 * @example const scheduler = await createAppScheduler(deps); if (config.JOBS_ENABLED) scheduler.start()
 */
export async function createAppScheduler(deps: AppSchedulerDeps): Promise<Scheduler> {
  const { config, shiftPlan } = deps;
  const runKeys = await createRunKeyStore(deps.conn);
  return createScheduler({
    runKeys,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'jobs' }),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    jobs: createStandardJobs({
      escalation: deps.escalation,
      feedback: deps.feedback,
      notifier: deps.notifier,
      cleanup: {
        ...deps.purge,
        conversationIdleHours: config.CONVERSATION_IDLE_HOURS,
        outboxKeepDays: config.OUTBOX_RETENTION_DAYS,
        runKeys,
        runKeyKeepDays: config.RUN_KEY_RETENTION_DAYS,
        webKeepDays: config.WEB_RETENTION_DAYS,
        whatsappMenuKeepDays: config.WHATSAPP_MENU_RETENTION_DAYS,
        whatsappFileKeepDays: config.WHATSAPP_FILE_RETENTION_DAYS,
      },
      crons: {
        'sla-sweep': config.SLA_SWEEP_CRON,
        'daily-report': config.DAILY_REPORT_CRON,
        cleanup: config.CLEANUP_CRON,
      },
      shiftHandover: {
        run: ({ firingTime }) => deps.sendHandover(firingTime),
        cron: shiftChangeCron(shiftPlan),
        timezone: shiftPlan.timeZone,
      },
      dailyReport: { run: ({ firingTime }) => deps.reports.sendDailyReport(deps.reports.previousDay(firingTime)) },
      recovery: () => deps.recover(),
    }),
  });
}

/**
 * The scheduler as a part of the service's start and stop (src/lifecycle.ts):
 * started only when JOBS_ENABLED (one instance of several runs the jobs), and
 * stopped after the channels, so no job starts while the service winds down.
 * @example createLifecycle({ start: [ …, schedulerLifecycle(scheduler, config.JOBS_ENABLED), …], … })
 */
export function schedulerLifecycle(scheduler: Pick<Scheduler, 'start' | 'stop'>, enabled: boolean) {
  return {
    name: 'jobs',
    start: () => {
      if (enabled) scheduler.start();
    },
    stop: () => scheduler.stop(),
  };
}
