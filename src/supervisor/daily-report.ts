import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Reply, Text } from '../core/messages';
import { INTAKE_CHANNELS, type IntakeChannel } from '../domain/ticket';
import { addCounts, dayOfIn, ticketCounts, type CountDelta, type CountedTicket } from '../domain/ticket-counts';
import { TIME_ZONE } from '../i18n/format';
import { dayFiguresOf, type DayFigures, type TicketFigures } from '../reports/ticket-figures';
import type { Language } from '../i18n/create-i18n';
import { formatDateTime } from '../i18n/format';
import type { Notifier, OutboundItem } from '../core/outbound';
import type { StaffStore } from '../storage/staff-store';
import type { DepartmentDirectory } from '../tickets/department-directory';
import { createAudience, noticeItems, type AlertChat } from '../notify/audience';
import type { TicketMessages } from '../tickets/ticket-messages';
import { addDays, dayRange, zonedDay } from '../core/zoned-time';
import { durationText } from './duration-text';
import { formatDay, formatDecimal } from './periods';
import type { ActivityRow, DepartmentLoad, TicketQueries } from './ticket-queries';

/** Counts of one department in the daily report. */
export interface DepartmentDay {
  code: string;
  created: number;
  resolved: number;
  /** Open at the time the report was made. */
  open: number;
  overdue: number;
}

/** The daily summary for administrators: one district day, and the queue as it stands. */
export interface DailyReport {
  /** YYYY-MM-DD in the district. */
  day: string;
  start: Date;
  end: Date;
  generatedAt: Date;
  created: number;
  acknowledged: number;
  resolved: number;
  /** Open and overdue at `generatedAt` (the queue now, not at midnight). */
  open: number;
  overdue: number;
  departments: DepartmentDay[];
  /** New tickets of the day by the way they came in. */
  channels: Record<IntakeChannel, number>;
  /** Sum of (acknowledged − created) over the tickets acknowledged that day; divide by `acknowledged`. */
  ackTotalMs: number;
  /** Sum of (resolved − created) over the tickets resolved that day; divide by `resolved`. */
  resolveTotalMs: number;
  /** Citizens' ratings given that day. */
  ratings: { count: number; sum: number; satisfied: number; stars: Record<1 | 2 | 3 | 4 | 5, number> };
}

/** The report from one day's figures and the current queue (pure). */
export function reportFromFigures(input: {
  day: string;
  start: Date;
  end: Date;
  now: Date;
  figures: DayFigures;
  load: DepartmentLoad;
}): DailyReport {
  const { day, start, end, now, figures: f, load } = input;
  const channels = Object.fromEntries(INTAKE_CHANNELS.map((c) => [c, f.channels.get(c) ?? 0])) as Record<
    IntakeChannel,
    number
  >;
  const depts = new Map<string, DepartmentDay>();
  const dept = (code: string) => {
    let d = depts.get(code);
    if (!d) depts.set(code, (d = { code, created: 0, resolved: 0, open: 0, overdue: 0 }));
    return d;
  };
  for (const [code, n] of f.createdByDepartment) dept(code).created = n;
  for (const [code, n] of f.resolvedByDepartment) dept(code).resolved = n;
  let open = 0;
  let overdue = 0;
  for (const [code, l] of load) {
    dept(code).open = l.open;
    dept(code).overdue = l.overdue;
    open += l.open;
    overdue += l.overdue;
  }
  return {
    day,
    start,
    end,
    generatedAt: now,
    created: f.created,
    acknowledged: f.acknowledged,
    resolved: f.resolved,
    open,
    overdue,
    departments: [...depts.values()].sort((a, b) => a.code.localeCompare(b.code)),
    channels,
    ackTotalMs: f.ackTotalMs,
    resolveTotalMs: f.resolveTotalMs,
    ratings: { ...f.ratings, stars: { ...f.ratings.stars } },
  };
}

/**
 * Count one day's activity over ticket rows and the current queue into a
 * report (pure): the tickets' counts (the same function the counters are
 * made of) summed, then {@link reportFromFigures}.
 */
export function summarizeDay(input: {
  day: string;
  start: Date;
  end: Date;
  now: Date;
  rows: readonly ActivityRow[];
  load: DepartmentLoad;
  timeZone?: string;
}): DailyReport {
  const dayOf = dayOfIn(input.timeZone ?? TIME_ZONE);
  const totals: CountDelta = {};
  for (const r of input.rows) addCounts(totals, ticketCounts({ category: '', level: 1, ...r } as CountedTicket, dayOf));
  const c = new Map(Object.entries(totals[input.day] ?? {}));
  return reportFromFigures({ ...input, figures: dayFiguresOf(c) });
}

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/** The report in words: one message, short lines, readable on a phone. */
export function dailyReportReplies(
  report: DailyReport,
  lang: Language,
  departmentName: (code: string) => string,
): Reply[] {
  const average = (total: number, n: number) => (n > 0 ? durationText(total / n) : t('common.none'));
  const r = report.ratings;
  return [
    {
      text: t('supervisor.report.body', {
        day: formatDay(report.day, lang),
        created: report.created,
        resolved: report.resolved,
        open: report.open,
        overdue: report.overdue,
        ack_avg: average(report.ackTotalMs, report.acknowledged),
        ack_count: report.acknowledged,
        resolve_avg: average(report.resolveTotalMs, report.resolved),
        resolve_count: report.resolved,
        ratings:
          r.count > 0
            ? t('supervisor.report.ratings', {
                average: formatDecimal(r.sum / r.count, lang),
                count: r.count,
                satisfied: r.satisfied,
                stars: [5, 4, 3, 2, 1].map((s) => `${s}★ ${r.stars[s as 1]}`).join(' · '),
              })
            : t('supervisor.report.no_ratings'),
        departments: report.departments.length
          ? report.departments.map((d) =>
              t('supervisor.report.department_line', {
                department: departmentName(d.code),
                created: d.created,
                resolved: d.resolved,
                open: d.open,
                overdue: d.overdue,
              }),
            )
          : [t('common.none')],
        channels: INTAKE_CHANNELS.map((c) =>
          t('supervisor.count_line', { label: t(`supervisor.channel.${c}`), count: report.channels[c] }),
        ),
        generated: formatDateTime(report.generatedAt, lang),
      }),
    },
  ];
}

/** What {@link createDailyReports} needs. */
export interface DailyReportsDeps {
  /** The live queue (open and overdue per department). */
  queries: Pick<TicketQueries, 'departmentLoad'>;
  /** The day's counts, from the ticket counters. */
  figures: Pick<TicketFigures, 'day'>;
  staff: StaffStore;
  departments: DepartmentDirectory;
  messages: TicketMessages;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  /** The district's zone; days are counted in it. */
  timeZone: string;
  /** Chats that are administrators by configuration (ADMIN_TELEGRAM_IDS): they receive the report too. */
  adminChats: readonly AlertChat[];
}

/**
 * The daily report: build it for a day, put it in words, and send it to the
 * administrators (the scheduler calls `sendDailyReport(previousDay())` at 09:00).
 */
export function createDailyReports(deps: DailyReportsDeps) {
  const { queries, departments, clock, timeZone } = deps;
  const audience = createAudience({ staff: deps.staff, adminChats: deps.adminChats });

  async function names(lang: Language): Promise<(code: string) => string> {
    const list = await departments.list();
    return (code) => list.find((d) => d.code === code)?.name[lang] ?? code;
  }

  /** Build the report of one district day (YYYY-MM-DD): its counters by `_id`, and the live queue. */
  async function buildDailyReport(day: string): Promise<DailyReport> {
    const { start, end } = dayRange(day, timeZone);
    const now = clock.now();
    const [figures, load] = await Promise.all([deps.figures.day(day), queries.departmentLoad(now)]);
    return reportFromFigures({ day, start, end, now, figures, load });
  }

  async function replies(report: DailyReport, lang: Language): Promise<Reply[]> {
    return dailyReportReplies(report, lang, await names(lang));
  }

  return {
    buildDailyReport,
    replies,
    /** The day before `now`'s district day: what the morning report covers. */
    previousDay(now: Date = clock.now()): string {
      return addDays(zonedDay(now, timeZone), -1);
    },
    /**
     * Build the report and queue it for every administrator (staff with the
     * admin role and the configured admin chats), each in their language.
     * Sending twice for one day sends once (dedupe keys name the day).
     */
    async sendDailyReport(day: string): Promise<{ report: DailyReport; recipients: number }> {
      const report = await buildDailyReport(day);
      const people = await audience.admins();
      const items: OutboundItem[] = [];
      for (const p of people)
        items.push(
          ...noticeItems(p, deps.messages.render(p.language, await replies(report, p.language)), `daily-report:${day}`),
        );
      await deps.notifier.enqueue(items);
      deps.logger.info(
        {
          event: 'daily_report_sent',
          day,
          recipients: people.length,
          created: report.created,
          resolved: report.resolved,
        },
        'daily report queued',
      );
      return { report, recipients: people.length };
    },
  };
}

export type DailyReports = ReturnType<typeof createDailyReports>;
