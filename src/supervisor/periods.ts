import { toLatinDigits } from '../core/text-normalize';
import type { Language } from '../i18n/create-i18n';
import { isCalendarDay } from '../core/zoned-time';

// The one period definition lives in the reporting module; re-exported for the chat commands.
export { STATS_PERIODS, periodRange, type StatsPeriod } from '../reports/report-periods';

/**
 * A day as staff type it: 2026-11-28, 28-11-2026, 28/11/2026 or 28.11.2026,
 * in Latin or Devanagari digits. Undefined when it is no real day.
 */
export function parseDay(raw: string): string | undefined {
  const s = toLatinDigits(raw.trim());
  let day: string | undefined;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const indian = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(s);
  if (iso) day = `${iso[1]}-${iso[2]?.padStart(2, '0')}-${iso[3]?.padStart(2, '0')}`;
  else if (indian) day = `${indian[3]}-${indian[2]?.padStart(2, '0')}-${indian[1]?.padStart(2, '0')}`;
  return day && isCalendarDay(day) ? day : undefined;
}

const LOCALE: Record<Language, string> = { hi: 'hi-IN', en: 'en-IN' };

/** A calendar day as a person reads it ("28 Nov 2026", "28 नव॰ 2026"). */
export function formatDay(day: string, lang: Language): string {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALE[lang], {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** A time of day in the district ("14:00"), for shift hours and short lines. */
export function formatClock(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    date,
  );
}

/** A number with one decimal at most, in the language's digits grouping. */
export function formatDecimal(n: number, lang: Language): string {
  return new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 1 }).format(n);
}
