import { sanitizeText, toLatinDigits } from '../core/text-normalize';
import type { Text } from '../core/messages';

/** Longest run of letters without a space that we accept as a word (URLs aside). */
export const MAX_WORD_LENGTH = 60;

export type TextCheck = { ok: true; value: string } | { ok: false; error: Text };

/**
 * Clean a typed answer and check it against the step's bounds, giving the
 * polite error to show when it fails.
 */
export function checkText(raw: string, minLength: number, maxLength: number): TextCheck {
  const value = sanitizeText(raw);
  const length = [...value].length;
  if (length === 0) return { ok: false, error: { key: 'error.empty' } };
  if (length > maxLength) return { ok: false, error: { key: 'error.too_long', params: { length, max: maxLength } } };
  if (length < minLength) return { ok: false, error: { key: 'error.too_short', params: { min: minLength } } };
  const longWord = value.split(/\s+/).some((w) => [...w].length > MAX_WORD_LENGTH && !/^https?:\/\//i.test(w));
  if (longWord) return { ok: false, error: { key: 'error.long_word' } };
  return { ok: true, value };
}

/**
 * An Indian mobile number in E.164 (+91XXXXXXXXXX) from what a person typed
 * or a platform shared ("098765 43210", "+91-98765-43210", Devanagari digits),
 * or undefined when it is not one.
 */
export function parseIndianMobile(raw: string): string | undefined {
  let digits = toLatinDigits(raw).replace(/\D/g, '');
  if (digits.length === 12 && digits.startsWith('91')) digits = digits.slice(2);
  else if (digits.length === 11 && digits.startsWith('0')) digits = digits.slice(1);
  return /^[6-9]\d{9}$/.test(digits) ? `+91${digits}` : undefined;
}

/** A shared contact's number in E.164; foreign numbers are kept as given. */
export function normalizeSharedPhone(raw: string): string | undefined {
  const indian = parseIndianMobile(raw);
  if (indian) return indian;
  const digits = raw.replace(/\D/g, '');
  return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : undefined;
}
