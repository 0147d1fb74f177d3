import { devanagariKey, isLatinWord, latinPhoneticKey, normalizeForMatch, wordMatches } from '../core/text-normalize';
import type { Category } from './catalog';

/** A scored guess at the category of a free-text complaint. */
export interface CategorySuggestion {
  categoryId: string;
  score: number;
}

/**
 * What to ask the citizen: confirm one category, choose between the two
 * likeliest (their words fit both about equally), or pick from the list.
 */
export type CategoryDecision =
  { kind: 'one'; categoryId: string } | { kind: 'two'; categoryIds: [string, string] } | { kind: 'none' };

/**
 * When the runner-up scores at least this share of the best, the words fit
 * both: the citizen is asked to choose between the two. Tuned on
 * test/domain/phrases/*-tune.tsv only.
 */
export const AMBIGUITY_RATIO = 0.75;

/**
 * Rank categories for a citizen's own words by keyword weights (keywords are
 * data in flows/categories.yaml). Each word of the text counts once per
 * category, with the weight of the best keyword it matches, so spelling
 * variants listed side by side (फंसा, फँसा, fasa, phasa) do not add up. A
 * keyword with `notAfter` / `notBefore` does not count beside those words
 * (पास after के is "near", not a travel pass). Returns the best first; empty
 * when no keyword matched, so the caller can fall back to the list.
 * @example suggestCategories(categories, 'ration nahi mila')[0]?.categoryId // 'ration'
 */
export function suggestCategories(categories: readonly Category[], text: string): CategorySuggestion[] {
  const normalized = normalizeForMatch(text);
  const tokens = normalized.split(' ').filter(Boolean);
  // Multi-word keywords ("e pass") are matched against the joined text.
  const joined = ` ${normalized} `;
  const scores: CategorySuggestion[] = [];
  for (const category of categories) {
    const best = new Map<number, number>();
    let phrases = 0;
    for (const { word, weight, notAfter, notBefore, whole } of category.keywords) {
      const key = normalizeForMatch(word);
      if (!key) continue;
      if (key.includes(' ')) {
        if (joined.includes(` ${key} `)) phrases += weight;
        continue;
      }
      tokens.forEach((token, i) => {
        if (!(whole ? sameWord(token, key) : wordMatches(token, key))) return;
        if (notAfter.some((w) => normalizeForMatch(w) === tokens[i - 1])) return;
        if (notBefore.some((w) => normalizeForMatch(w) === tokens[i + 1])) return;
        best.set(i, Math.max(best.get(i) ?? 0, weight));
      });
    }
    const score = phrases + [...best.values()].reduce((a, b) => a + b, 0);
    if (score > 0) scores.push({ categoryId: category.id, score });
  }
  // Stable sort keeps the catalogue's order for equal scores.
  return scores.sort((a, b) => b.score - a.score);
}

/** The same word, spelling folded, but no longer form and no near miss. */
function sameWord(token: string, key: string): boolean {
  if (isLatinWord(token) !== isLatinWord(key)) return false;
  return isLatinWord(key)
    ? latinPhoneticKey(token) === latinPhoneticKey(key)
    : devanagariKey(token) === devanagariKey(key);
}

/**
 * Decide what to propose for a citizen's own words: the best category, or
 * the two likeliest when the runner-up comes close, or nothing.
 * @example decideCategory(categories, 'राशन नहीं मिला') // { kind: 'one', categoryId: 'ration' }
 */
export function decideCategory(categories: readonly Category[], text: string): CategoryDecision {
  const [first, second] = suggestCategories(categories, text);
  if (!first) return { kind: 'none' };
  if (second && second.score >= first.score * AMBIGUITY_RATIO)
    return { kind: 'two', categoryIds: [first.categoryId, second.categoryId] };
  return { kind: 'one', categoryId: first.categoryId };
}
