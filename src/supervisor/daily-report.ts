import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Reply, Text } from '../core/messages';
import { firstAcknowledgement, INTAKE_CHANNELS, type IntakeChannel } from '../domain/ticket';
import type { Language } from '../i18n/create-i18n';
import { formatDateTime } from '../i18n/format';
import type { Notifier, OutboundItem } from '../notify/notifier';
import type { StaffStore } from '../storage/staff-store';
import type { DepartmentDirectory } from '../tickets/department-directory';
import type { AlertChat } from '../tickets/ticket-service';
import type { TicketMessages } from '../tickets/ticket-messages';
import { addDays, dayRange, zonedDay } from '../shifts/zoned-time';
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

const within = (d: Date | undefined, start: Date, end: Date): d is Date => !!d && d.getTime() >= start.getTime() && d.getTime() < end.getTime();

/** Count one day's activity and the current queue into a report (pure). */
export function summarizeDay(input: { day: string; start: Date; end: Date; now: Date; rows: readonly ActivityRow[]; load: DepartmentLoad }): DailyReport {
  const { day, start, end, now, rows, load } = input;
  const channels = Object.fromEntries(INTAKE_CHANNELS.map((c) => [c, 0])) as Record<IntakeChannel, number>;
  const depts = new Map<string, DepartmentDay>();
  const dept = (code: string) => {
    let d = depts.get(code);
    if (!d) depts.set(code, (d = { code, created: 0, resolved: 0, open: 0, overdue: 0 }));
    return d;
  };
  const report: DailyReport = {
    day,
    start,
    end,
    generatedAt: now,
    created: 0,
    acknowledged: 0,
    resolved: 0,
    open: 0,
    overdue: 0,
    departments: [],
    channels,
    ackTotalMs: 0,
    resolveTotalMs: 0,
    ratings: { count: 0, sum: 0, satisfied: 0, stars: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } },
  };
  for (const r of rows) {
    if (within(r.createdAt, start, end)) {
      report.created += 1;
      dept(r.department).created += 1;
      if (r.intake in channels) channels[r.intake] += 1;
    }
    // Time to acknowledge is the first cycle's: a reopened ticket's second acknowledgement is not counted again.
    const ackAt = firstAcknowledgement(r);
    if (within(ackAt, start, end)) {
      report.acknowledged += 1;
      report.ackTotalMs += ackAt.getTime() - r.createdAt.getTime();
    }
    if (within(r.resolvedAt, start, end)) {
      report.resolved += 1;
      dept(r.department).resolved += 1;
      report.resolveTotalMs += r.resolvedAt.getTime() - r.createdAt.getTime();
    }
    const f = r.feedback;
    if (f && within(f.at, start, end)) {
      report.ratings.count += 1;
      report.ratings.sum += f.rating;
      if (f.satisfied) report.ratings.satisfied += 1;
      const star = Math.min(5, Math.max(1, Math.round(f.rating))) as 1 | 2 | 3 | 4 | 5;
      report.ratings.stars[star] += 1;
    }
  }
  for (const [code, l] of load) {
    dept(code).open = l.open;
    dept(code).overdue = l.overdue;
    report.open += l.open;
    report.overdue += l.overdue;
  }
  report.departments = [...depts.values()].sort((a, b) => a.code.localeCompare(b.code));
  return report;
}

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/** The report in words: one message, short lines, readable on a phone. */
export function dailyReportReplies(report: DailyReport, lang: Language, departmentName: (code: string) => string): Reply[] {
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
            ? t('supervisor.report.ratings', { average: formatDecimal(r.sum / r.count, lang), count: r.count, satisfied: r.satisfied, stars: [5, 4, 3, 2, 1].map((s) => `${s}★ ${r.stars[s as 1]}`).join(' · ') })
            : t('supervisor.report.no_ratings'),
        departments: report.departments.length
          ? report.departments.map((d) => t('supervisor.report.department_line', { department: departmentName(d.code), created: d.created, resolved: d.resolved, open: d.open, overdue: d.overdue }))
          : [t('common.none')],
        channels: INTAKE_CHANNELS.map((c) => t('supervisor.count_line', { label: t(`supervisor.channel.${c}`), count: report.channels[c] })),
        generated: formatDateTime(report.generatedAt, lang),
      }),
    },
  ];
}

/** What {@link createDailyReports} needs. */
export interface DailyReportsDeps {
  queries: TicketQueries;
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

  async function names(lang: Language): Promise<(code: string) => string> {
    const list = await departments.list();
    return (code) => list.find((d) => d.code === code)?.name[lang] ?? code;
  }

  /** Build the report of one district day (YYYY-MM-DD): three database commands. */
  async function buildDailyReport(day: string): Promise<DailyReport> {
    const { start, end } = dayRange(day, timeZone);
    const now = clock.now();
    const [rows, load] = await Promise.all([queries.activity(start, end), queries.departmentLoad(now)]);
    return summarizeDay({ day, start, end, now, rows, load });
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
      const people: Array<{ channel: AlertChat['channel']; chatId: string; language: Language }> = (await deps.staff.activeWithRoles(['admin'])).map((s) => ({
        channel: s.channel,
        chatId: s.chatId,
        language: s.language,
      }));
      for (const a of deps.adminChats) {
        if (!people.some((p) => p.channel === a.channel && p.chatId === a.chatId)) people.push({ ...a, language: 'hi' });
      }
      const items: OutboundItem[] = [];
      for (const p of people) {
        deps.messages.render(p.language, await replies(report, p.language)).forEach((message, i) =>
          items.push({ channel: p.channel, chatId: p.chatId, message, dedupeKey: `daily-report:${day}:${p.channel}:${p.chatId}:${i}` }),
        );
      }
      await deps.notifier.enqueue(items);
      deps.logger.info({ event: 'daily_report_sent', day, recipients: people.length, created: report.created, resolved: report.resolved }, 'daily report queued');
      return { report, recipients: people.length };
    },
  };
}

export type DailyReports = ReturnType<typeof createDailyReports>;
