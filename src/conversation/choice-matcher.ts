import { normalizeForMatch, wordMatches } from '../core/text-normalize';

/** One option as typed answers may name it. */
export interface MatchableOption {
  value: string;
  /** i18n key of the button label; matched in every language. */
  labelKey: string;
  /** Extra accepted words and spellings (Latin-letter Hindi, short forms). */
  aliases?: readonly string[];
}

/**
 * Which option a typed answer names, or undefined.
 * Accepts the option's number (Latin or Devanagari digits), its label in
 * either language, an alias, or — when only one option fits — a word of it.
 * @example matchOption('२', options, labelsOf) // second option's value
 */
export function matchOption(
  typed: string,
  options: readonly MatchableOption[],
  labelsOf: (key: string) => string[],
  opts: { partial?: boolean } = {},
): string | undefined {
  const text = normalizeForMatch(typed);
  if (!text) return undefined;
  if (/^\d{1,3}$/.test(text)) return options[Number(text) - 1]?.value;

  const candidates = options.map((o) => ({
    value: o.value,
    phrases: [...labelsOf(o.labelKey), ...(o.aliases ?? []), o.value].map(normalizeForMatch).filter(Boolean),
  }));

  for (const c of candidates) {
    if (c.phrases.includes(text)) return c.value;
  }
  if (opts.partial === false) return undefined;
  // One-word answers with a slip ("rashn") or a suffix; then a word inside a
  // longer answer ("jobat block me"), but only when it points at one option.
  const tokens = text.split(' ').filter((t) => t.length >= 2);
  const hits = candidates.filter((c) =>
    c.phrases.some((p) => {
      if (p.includes(' ')) return ` ${text} `.includes(` ${p} `);
      return tokens.some((t) => wordMatches(t, p));
    }),
  );
  return hits.length === 1 ? hits[0]?.value : undefined;
}
