import type { Language } from './create-i18n';

const LOCALE: Record<Language, string> = { hi: 'hi-IN', en: 'en-IN' };
export const TIME_ZONE = 'Asia/Kolkata';

// Building an Intl formatter costs far more than using one: keep one per language.
const DATE_TIME: Record<Language, Intl.DateTimeFormat> = {
  hi: dateTimeFormat('hi'),
  en: dateTimeFormat('en'),
};
const DAY = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE });

function dateTimeFormat(lang: Language): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(LOCALE[lang], {
    timeZone: TIME_ZONE,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  });
}

/** A date and time as a person in the district reads it (Asia/Kolkata). */
export function formatDateTime(date: Date, lang: Language): string {
  return DATE_TIME[lang].format(date);
}

/** A number with Indian digit grouping (1,00,000). */
export function formatNumber(n: number, lang: Language): string {
  return new Intl.NumberFormat(LOCALE[lang]).format(n);
}

/** The calendar day in the district (YYYY-MM-DD), for daily limits and reports. */
export function districtDay(date: Date): string {
  // en-CA formats as YYYY-MM-DD.
  return DAY.format(date);
}

/** The locale key of "just now", for an age under a minute (Intl's own words read "this minute"). */
export const JUST_NOW_KEY = 'common.just_now';

/**
 * How long ago, in words ("3 घंटे पहले", "2 days ago"); under a minute, the
 * text key of "just now" (अभी), for the message's translation to fill in.
 */
export function formatAge(from: Date, now: Date, lang: Language): string | { key: string } {
  const minutes = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60_000));
  if (minutes < 1) return { key: JUST_NOW_KEY };
  const rtf = new Intl.RelativeTimeFormat(LOCALE[lang], { numeric: 'auto' });
  if (minutes < 60) return rtf.format(-minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return rtf.format(-hours, 'hour');
  return rtf.format(-Math.round(hours / 24), 'day');
}
