// Control characters (C0 except tab/newline, DEL, C1), bidi overrides and the
// BOM: invisible, can corrupt storage (NUL) or flip how a line displays.
const UNSAFE_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
const DEVANAGARI_DIGITS = /[\u0966-\u096F]/g;

/**
 * Make citizen text safe to store and show: Unicode NFC, no control or bidi
 * characters, tidy white space. Keeps ZWJ/ZWNJ, which Devanagari spelling uses.
 */
export function sanitizeText(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(UNSAFE_CHARS, '')
    .replace(/[ \t\u00A0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Longest display name kept, in characters (code points, so no emoji is cut in half). */
export const MAX_NAME_LENGTH = 64;

/**
 * A person's display name from a chat profile (Telegram first name, WhatsApp
 * push name, the simulator's name field), made safe like their text and kept
 * to one short line: names end up on staff lists, ticket cards and CSV files.
 * The one name sanitiser for every channel.
 * @example sanitizeName('\u202Eevil\nname') // 'evil name'
 */
export function sanitizeName(raw: string): string {
  return [...sanitizeText(raw).replace(/\s+/g, ' ')].slice(0, MAX_NAME_LENGTH).join('').trim();
}

/** Devanagari digits (०–९) as ASCII digits. */
export function toLatinDigits(s: string): string {
  return s.replace(DEVANAGARI_DIGITS, (d) => String(d.charCodeAt(0) - 0x0966));
}

/**
 * A form for comparing typed answers: lower case, ASCII digits, no
 * punctuation or emoji, nukta and chandrabindu folded so that common spelling
 * variants (ज़/ज, फँसा/फंसा) compare equal.
 */
export function normalizeForMatch(s: string): string {
  return toLatinDigits(sanitizeText(s))
    .toLowerCase()
    .replace(/\u093C/g, '')
    .replace(/\u0901/g, '\u0902')
    .replace(/[^\p{L}\p{M}\p{N}\s-]/gu, ' ')
    .replace(/[\s-]+/g, ' ')
    .trim();
}

const DIGRAPHS: Array<[RegExp, string]> = [
  [/ph/g, 'f'],
  [/sh/g, 's'],
  [/kh/g, 'k'],
  [/gh/g, 'g'],
  [/ch/g, 'c'],
  [/th/g, 't'],
  [/dh/g, 'd'],
  [/bh/g, 'b'],
  [/jh/g, 'j'],
  [/w/g, 'v'],
  [/z/g, 'j'],
  [/q/g, 'k'],
  [/ee/g, 'i'],
  [/oo/g, 'u'],
];

/**
 * Fold the many Latin spellings of one Hindi word ("rashan", "raashan",
 * "bhookhe", "bhukhe") towards one key. Only for Latin-letter tokens.
 */
export function latinPhoneticKey(token: string): string {
  let s = token.toLowerCase();
  for (const [re, to] of DIGRAPHS) s = s.replace(re, to);
  s = s.replace(/(.)\1+/g, '$1');
  // A final "n" after a vowel is often a written nasal: "nahin" / "nahi".
  s = s.replace(/([aeiou])n$/, '$1');
  return s;
}

/** True when the token is written in Latin letters (Hinglish or English). */
export function isLatinWord(token: string): boolean {
  return /^[a-z0-9]+$/.test(token);
}

/** Edit distance, bounded: returns max+1 as soon as it is exceeded. */
export function boundedLevenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length] ?? max + 1;
}

/**
 * Whether a typed token stands for a known word: exact after folding, or one
 * slip away for longer Latin words, or the known Devanagari stem with a suffix.
 */
export function wordMatches(token: string, known: string): boolean {
  if (token === known) return true;
  if (isLatinWord(token) && isLatinWord(known)) {
    const a = latinPhoneticKey(token);
    const b = latinPhoneticKey(known);
    if (a === b) return true;
    // One slip in a longer word, but not in its first letter: kharab is not sharab.
    return a.length >= 6 && b.length >= 6 && a[0] === b[0] && boundedLevenshtein(a, b, 1) <= 1;
  }
  // Devanagari inflects by suffix: राशन → राशनकार्ड, बीमार → बीमारी; and
  // is spelt loosely: गेहूं / गेंहू, बीमार / बिमार, राशन / रासन.
  if (isLatinWord(known) || known.length < 3) return false;
  if (token.startsWith(known)) return true;
  const key = devanagariKey(known);
  return key.length >= 3 && devanagariKey(token).startsWith(key);
}

/**
 * Fold the common spelling variants of written Hindi towards one key: long
 * and short i/u, the nasal marks (placed freely: गेहूं / गेंहू), श/ष/स, ण/न.
 * Only for comparing, never for showing.
 */
export function devanagariKey(token: string): string {
  return token
    .replace(/[\u0901\u0902]/g, '')
    .replace(/\u0940/g, '\u093F')
    .replace(/\u0942/g, '\u0941')
    .replace(/\u0949/g, '\u094B')
    .replace(/[\u0936\u0937]/g, '\u0938')
    .replace(/\u0923/g, '\u0928');
}
