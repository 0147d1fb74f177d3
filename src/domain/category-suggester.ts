import { normalizeForMatch, wordMatches } from '../conversation/text-normalize';
import type { Category } from './catalog';

/** A scored guess at the category of a free-text complaint. */
export interface CategorySuggestion {
  categoryId: string;
  score: number;
}

/**
 * Rank categories for a citizen's own words by keyword weights (keywords are
 * data in flows/categories.yaml). Returns the best first; empty when no
 * keyword matched, so the caller can fall back to the list.
 * @example suggestCategories(categories, 'ration nahi mila')[0]?.categoryId // 'ration'
 */
export function suggestCategories(categories: readonly Category[], text: string): CategorySuggestion[] {
  const normalized = normalizeForMatch(text);
  const tokens = normalized.split(' ').filter(Boolean);
  // Multi-word keywords ("e pass") are matched against the joined text.
  const joined = ` ${normalized} `;
  const scores: CategorySuggestion[] = [];
  for (const category of categories) {
    let score = 0;
    for (const { word, weight } of category.keywords) {
      const key = normalizeForMatch(word);
      if (!key) continue;
      const hit = key.includes(' ') ? joined.includes(` ${key} `) : tokens.some((t) => wordMatches(t, key));
      if (hit) score += weight;
    }
    if (score > 0) scores.push({ categoryId: category.id, score });
  }
  // Stable sort keeps the catalogue's order for equal scores.
  return scores.sort((a, b) => b.score - a.score);
}
