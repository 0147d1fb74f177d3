import { TIME_ZONE } from '../i18n/format';
import { periodRange } from '../reports/report-periods';
import { addDays, dayRange, isCalendarDay, zonedDay, zonedParts } from '../core/zoned-time';

/**
 * Days and periods as the dashboard reads them, in the district's time zone
 * (configured: `timeZone` in flows/shifts.yaml; Asia/Kolkata by default).
 * "Today" and "week" are the reporting module's periods, the same as `/stats`.
 */

/** A span of time, `from` inclusive and `to` exclusive. */
export interface Period {
  from: Date;
  to: Date;
}

/** Midnight in the district at the start of the day holding `at`. */
export function dayStart(at: Date, timeZone: string = TIME_ZONE): Date {
  return dayRange(zonedDay(at, timeZone), timeZone).start;
}

/** Today so far and the last seven days (today included) so far, both ending at `now`: `/stats today` and `/stats week`. */
export function currentPeriods(now: Date, timeZone: string = TIME_ZONE): { today: Period; week: Period } {
  return {
    today: { from: periodRange('today', now, timeZone).start, to: now },
    week: { from: periodRange('week', now, timeZone).start, to: now },
  };
}

/**
 * Midnight in the district that starts a day written `YYYY-MM-DD`;
 * undefined for anything else, including dates that do not exist (2026-02-30).
 * @example parseDay('2026-11-28') // 2026-11-27T18:30:00.000Z in Asia/Kolkata
 */
export function parseDay(text: string, timeZone: string = TIME_ZONE): Date | undefined {
  if (!isCalendarDay(text)) return undefined;
  return dayRange(text, timeZone).start;
}

/** The day after a parsed day's midnight: the exclusive end of a "to" date. */
export function nextDay(midnight: Date, timeZone: string = TIME_ZONE): Date {
  return dayRange(addDays(zonedDay(midnight, timeZone), 1), timeZone).start;
}

/** `YYYY-MM-DD` of the district's calendar day holding `at`. */
export function dayText(at: Date, timeZone: string = TIME_ZONE): string {
  return zonedDay(at, timeZone);
}

/**
 * Date and time as the district reads it, in a form spreadsheets understand
 * (`2026-11-28 10:05`).
 */
export function dateTimeText(at: Date, timeZone: string = TIME_ZONE): string {
  const p = zonedParts(at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${dayText(at, timeZone)} ${two(p.hour)}:${two(p.minute)}`;
}
