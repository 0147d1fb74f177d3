import { addDays, dayRange, zonedDay } from '../core/zoned-time';

/**
 * The one definition of the periods staff count over, in chat (`/stats
 * today|week|month`) and on the dashboard: whole district days in the
 * configured time zone, the current day included and counted up to now.
 */
export const STATS_PERIODS = ['today', 'week', 'month'] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];

/** Calendar days each period spans, today included. */
const PERIOD_DAYS: Record<StatsPeriod, number> = { today: 1, week: 7, month: 30 };

/** A period as whole district days (`firstDay` … `lastDay`, YYYY-MM-DD) and as instants (`end` exclusive). */
export interface DayPeriod {
  firstDay: string;
  lastDay: string;
  start: Date;
  end: Date;
}

/** From the start of the period's first day (in the district) until `now`. */
export function periodRange(period: StatsPeriod, now: Date, timeZone: string): DayPeriod {
  const lastDay = zonedDay(now, timeZone);
  const firstDay = addDays(lastDay, 1 - PERIOD_DAYS[period]);
  return { firstDay, lastDay, start: dayRange(firstDay, timeZone).start, end: now };
}

/** The days from `firstDay` to `lastDay`, both included (none when reversed). */
export function daysFrom(firstDay: string, lastDay: string): string[] {
  const out: string[] = [];
  for (let d = firstDay; d <= lastDay; d = addDays(d, 1)) out.push(d);
  return out;
}
