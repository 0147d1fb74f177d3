import { districtDay } from '../i18n/format';

/**
 * India keeps one offset all year (no daylight saving since 1945), so the
 * district's midnight is plain arithmetic; no time-zone database is needed.
 */
const IST_OFFSET_MS = 330 * 60_000;
const DAY_MS = 86_400_000;

/** A span of time, `from` inclusive and `to` exclusive. */
export interface Period {
  from: Date;
  to: Date;
}

/** Midnight in Alirajpur (Asia/Kolkata) at the start of the day holding `at`. */
export function dayStart(at: Date): Date {
  const local = at.getTime() + IST_OFFSET_MS;
  return new Date(local - (((local % DAY_MS) + DAY_MS) % DAY_MS) - IST_OFFSET_MS);
}

/** Monday midnight (Asia/Kolkata) of the week holding `at`; Indian offices count weeks from Monday. */
export function weekStart(at: Date): Date {
  const start = dayStart(at);
  // getUTCDay of the shifted instant is the district's weekday (0 = Sunday).
  const weekday = new Date(start.getTime() + IST_OFFSET_MS).getUTCDay();
  return new Date(start.getTime() - ((weekday + 6) % 7) * DAY_MS);
}

/** Today so far and this week so far, both ending at `now`. */
export function currentPeriods(now: Date): { today: Period; week: Period } {
  return { today: { from: dayStart(now), to: now }, week: { from: weekStart(now), to: now } };
}

/**
 * Midnight (Asia/Kolkata) that starts a day written `YYYY-MM-DD`;
 * undefined for anything else, including dates that do not exist (2026-02-30).
 * @example parseDay('2026-11-28') // 2026-11-27T18:30:00.000Z
 */
export function parseDay(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = Date.UTC(y, mo - 1, d);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  return new Date(utc - IST_OFFSET_MS);
}

/** The day after a parsed day's midnight: the exclusive end of a "to" date. */
export function nextDay(midnight: Date): Date {
  return new Date(midnight.getTime() + DAY_MS);
}

/** `YYYY-MM-DD` of the district's calendar day holding `at`. */
export function dayText(at: Date): string {
  return districtDay(at);
}

/**
 * Date and time as the district reads it, in a form spreadsheets understand
 * (`2026-11-28 10:05`).
 */
export function dateTimeText(at: Date): string {
  const local = new Date(at.getTime() + IST_OFFSET_MS).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`;
}
