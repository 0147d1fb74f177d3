/** A wall-clock time in some time zone. */
export interface ZonedParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows the time zone (e.g. `Asia/Kolkata`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading of an instant in a time zone. */
export function zonedParts(date: Date, timeZone: string): ZonedParts {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(date)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Minutes the zone is ahead of UTC at an instant (330 for India). */
export function offsetMinutes(date: Date, timeZone: string): number {
  const p = zonedParts(date, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall-clock time names in a zone. Day overflow is allowed
 * (day 0 is the last day of the previous month), which makes "the day before"
 * simple arithmetic. In zones with daylight saving, a time skipped by the
 * change resolves to the instant after it.
 */
export function zonedTimeToUtc(p: Omit<ZonedParts, 'second'> & { second?: number }, timeZone: string): Date {
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second ?? 0);
  let guess = asUtc - offsetMinutes(new Date(asUtc), timeZone) * 60_000;
  // The offset at the guess may differ from the offset at the naive reading near a change.
  const corrected = asUtc - offsetMinutes(new Date(guess), timeZone) * 60_000;
  if (corrected !== guess) guess = corrected;
  return new Date(guess);
}

/** The calendar day (YYYY-MM-DD) of an instant in a zone. */
export function zonedDay(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Add days to a calendar day (YYYY-MM-DD), across months and years. */
export function addDays(day: string, days: number): string {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whether a string is a real calendar day in the form YYYY-MM-DD. */
export function isCalendarDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  return addDays(s, 0) === s;
}

/** Start (inclusive) and end (exclusive) instants of a calendar day in a zone. */
export function dayRange(day: string, timeZone: string): { start: Date; end: Date } {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  return {
    start: zonedTimeToUtc({ year: y, month: m, day: d, hour: 0, minute: 0 }, timeZone),
    end: zonedTimeToUtc({ year: y, month: m, day: d + 1, hour: 0, minute: 0 }, timeZone),
  };
}
