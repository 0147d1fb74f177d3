import type { Language } from './create-i18n';

const LOCALE: Record<Language, string> = { hi: 'hi-IN', en: 'en-IN' };
export const TIME_ZONE = 'Asia/Kolkata';

/** A date and time as a person in the district reads it (Asia/Kolkata). */
export function formatDateTime(date: Date, lang: Language): string {
  return new Intl.DateTimeFormat(LOCALE[lang], {
    timeZone: TIME_ZONE,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(date);
}

/** A number with Indian digit grouping (1,00,000). */
export function formatNumber(n: number, lang: Language): string {
  return new Intl.NumberFormat(LOCALE[lang]).format(n);
}

/** The calendar day in the district (YYYY-MM-DD), for daily limits and reports. */
export function districtDay(date: Date): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(date);
}
