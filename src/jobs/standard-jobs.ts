import type { EscalationService } from '../escalation/escalation-service';
import type { FeedbackService } from '../feedback/feedback-service';
import type { Notifier } from '../core/outbound';
import { createBroadcastJob, type BroadcastBuilder } from './broadcast-job';
import { createCleanupJob, type CleanupJobDeps } from './cleanup-job';
import type { ScheduledJob } from './scheduler';

/** The jobs of the product. */
export const JOB_NAMES = [
  'sla-sweep',
  'ack-reminders',
  'close-unanswered-feedback',
  'cleanup',
  'shift-handover',
  'daily-report',
  'recovery',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

/**
 * When each job fires, in Asia/Kolkata. Sweep and reminders every five
 * minutes (two minutes apart, so they do not query at the same moment); the
 * feedback window is measured in days, so hourly is plenty; clean-up in the
 * quiet of the night; hand-over at the changes of the three 8-hour shifts;
 * the daily report at 09:00; the recovery pass (unrouted tickets, owed
 * notices) every minute, so nothing stays half-done for long after a crash.
 */
export const DEFAULT_JOB_CRONS: Readonly<Record<JobName, string>> = {
  'sla-sweep': '*/5 * * * *',
  'ack-reminders': '2-59/5 * * * *',
  'close-unanswered-feedback': '20 * * * *',
  cleanup: '40 3 * * *',
  'shift-handover': '0 6,14,22 * * *',
  'daily-report': '0 9 * * *',
  recovery: '* * * * *',
};

/**
 * A hook run by the scheduler: a builder whose messages the job sends
 * (dedupe keys name the firing), or work that sends by itself.
 */
export type HookWork =
  { build: BroadcastBuilder } | { run: (ctx: { firingTime: Date; now: Date }) => Promise<unknown> };

export interface StandardJobsDeps {
  escalation: Pick<EscalationService, 'sweep' | 'remindUnacknowledged'>;
  feedback: Pick<FeedbackService, 'closeUnanswered'>;
  notifier: Notifier;
  cleanup: Omit<CleanupJobDeps, 'cron'>;
  /**
   * The shift hand-over (written elsewhere), with the shift plan's own
   * change times and zone when given; without it there is no hand-over job.
   */
  shiftHandover?: HookWork & { cron?: string | readonly string[]; timezone?: string };
  /** The daily report to administrators and supervisors (written elsewhere); without it there is no report job. */
  dailyReport?: HookWork;
  /** The recovery pass (src/tickets/ticket-recovery.ts); without it there is no recovery job. */
  recovery?: () => Promise<unknown>;
  /** Other times for some jobs. */
  crons?: Partial<Record<JobName, string>>;
}

function hookJob(
  name: JobName,
  cron: string | readonly string[],
  work: HookWork,
  notifier: Notifier,
  timezone?: string,
): ScheduledJob {
  const job: ScheduledJob =
    'build' in work
      ? createBroadcastJob({ name, cron, build: work.build, notifier })
      : { name, cron, run: ({ firingTime, now }) => work.run({ firingTime, now }) };
  return timezone ? { ...job, timezone } : job;
}

/**
 * Every job, ready for {@link createScheduler}: SLA sweep, acknowledgement
 * reminders, closing unanswered feedback, clean-up, and the hand-over and
 * daily-report hooks when they are given.
 */
export function createStandardJobs(deps: StandardJobsDeps): ScheduledJob[] {
  const cron = (name: JobName) => deps.crons?.[name] ?? DEFAULT_JOB_CRONS[name];
  const jobs: ScheduledJob[] = [
    { name: 'sla-sweep', cron: cron('sla-sweep'), run: ({ now }) => deps.escalation.sweep(now) },
    { name: 'ack-reminders', cron: cron('ack-reminders'), run: ({ now }) => deps.escalation.remindUnacknowledged(now) },
    {
      name: 'close-unanswered-feedback',
      cron: cron('close-unanswered-feedback'),
      run: ({ now }) => deps.feedback.closeUnanswered(now),
    },
    createCleanupJob({ ...deps.cleanup, cron: cron('cleanup') }),
  ];
  const handover = deps.shiftHandover;
  if (handover)
    jobs.push(
      hookJob(
        'shift-handover',
        deps.crons?.['shift-handover'] ?? handover.cron ?? DEFAULT_JOB_CRONS['shift-handover'],
        handover,
        deps.notifier,
        handover.timezone,
      ),
    );
  if (deps.dailyReport) jobs.push(hookJob('daily-report', cron('daily-report'), deps.dailyReport, deps.notifier));
  const recovery = deps.recovery;
  if (recovery) jobs.push({ name: 'recovery', cron: cron('recovery'), run: () => recovery() });
  return jobs;
}
