import fs from 'node:fs';
import type { Category } from '../../src/domain/catalog';
import { decideCategory } from '../../src/domain/category-suggester';

/** One labelled complaint: the right categories (two when genuinely ambiguous) and the words. */
export interface LabelledPhrase {
  labels: string[];
  phrase: string;
}

/** Read a phrase table: tab-separated `label<TAB>phrase`, `#` comments, a header line. */
export function readPhrases(file: string): LabelledPhrase[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#') && !line.startsWith('label\t'))
    .map((line) => {
      const [label = '', phrase = ''] = line.split('\t');
      return { labels: label.split('|'), phrase: phrase.trim() };
    });
}

/** What the bot did with one phrase, and whether that was right. */
export interface Outcome {
  phrase: LabelledPhrase;
  /** The category proposed, `a|b` when the bot asked with two, `none` when it showed the list. */
  answer: string;
  right: boolean;
}

/**
 * Right means: one proposal that is a right label; or, for a genuinely
 * ambiguous complaint only, two proposals that include a right label. Asking
 * with two about a clear complaint counts as wrong, and so does no proposal.
 */
export function judge(categories: readonly Category[], phrases: readonly LabelledPhrase[]): Outcome[] {
  return phrases.map((p) => {
    const d = decideCategory(categories, p.phrase);
    if (d.kind === 'none') return { phrase: p, answer: 'none', right: false };
    if (d.kind === 'one') return { phrase: p, answer: d.categoryId, right: p.labels.includes(d.categoryId) };
    return {
      phrase: p,
      answer: d.categoryIds.join('|'),
      right: p.labels.length > 1 && d.categoryIds.some((id) => p.labels.includes(id)),
    };
  });
}

/** Accuracy and a confusion table (rows: right label, columns: the bot's answer) as text. */
export function report(title: string, outcomes: readonly Outcome[]): { accuracy: number; text: string } {
  const right = outcomes.filter((o) => o.right).length;
  const accuracy = outcomes.length ? right / outcomes.length : 0;
  const rows = [...new Set(outcomes.map((o) => o.phrase.labels.join('|')))].sort();
  const columns = [...new Set(outcomes.map((o) => (o.answer.includes('|') ? 'asked two' : o.answer)))].sort();
  const cell = (row: string, col: string) =>
    outcomes.filter(
      (o) => o.phrase.labels.join('|') === row && (o.answer.includes('|') ? 'asked two' : o.answer) === col,
    ).length;
  const width = Math.max(...rows.map((r) => r.length), 14);
  const lines = [
    `${title}: ${right}/${outcomes.length} right = ${(accuracy * 100).toFixed(1)} %`,
    `${'label \\ answer'.padEnd(width)} | ${columns.map((c) => c.padStart(9)).join(' | ')}`,
    ...rows.map((r) => `${r.padEnd(width)} | ${columns.map((c) => String(cell(r, c) || '.').padStart(9)).join(' | ')}`),
    ...outcomes
      .filter((o) => !o.right)
      .map((o) => `  wrong: [${o.phrase.labels.join('|')} → ${o.answer}] ${o.phrase.phrase}`),
  ];
  return { accuracy, text: lines.join('\n') };
}
