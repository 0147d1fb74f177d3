import fs from 'node:fs';
import path from 'node:path';
import { LANGUAGES, loadLanguage, type Language } from '../../src/i18n/create-i18n';

const LOCALES = path.resolve(__dirname, '../../locales');

function leaves(tree: unknown, prefix = ''): Array<[string, string]> {
  if (typeof tree === 'string') return [[prefix, tree]];
  if (typeof tree !== 'object' || tree === null) return [];
  return Object.entries(tree).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

/** The glossary's rows: the idea and the variants not to use. */
function glossary(): Array<{ idea: string; avoid: string[] }> {
  return fs
    .readFileSync(path.join(LOCALES, 'GLOSSARY.md'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| idea') && !l.startsWith('| ---'))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map((cells) => ({
      idea: cells[1] ?? '',
      avoid: (cells[5] ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v && v !== '—'),
    }));
}

const isDevanagari = (s: string) => /[\u0900-\u097F]/.test(s);
// Whole words: a variant may not be part of a longer word in the other sense (परामर्श- in परामर्शदाता counts, as both are listed).
const wordRe = (v: string) => new RegExp(`(^|[^\\p{L}\\p{M}])${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'iu');

describe('one term per idea (locales/GLOSSARY.md)', () => {
  const rows = glossary();
  const strings = Object.fromEntries(LANGUAGES.map((l) => [l, leaves(loadLanguage(path.join(LOCALES, l)))])) as Record<
    Language,
    Array<[string, string]>
  >;

  test('the glossary lists the ideas the review named', () => {
    const ideas = rows.map((r) => r.idea);
    for (const idea of [
      'supervisor',
      'block',
      'locality',
      'reference number',
      'escalation',
      'deadline',
      'feedback',
      'reopen',
      'transfer',
      'voice message',
      'export',
    ])
      expect(ideas).toContain(idea);
  });

  test.each(
    glossary()
      .filter((r) => r.avoid.length)
      .map((r) => [r.idea, r.avoid] as const),
  )('%s: no locale uses a listed variant', (_idea, avoid) => {
    const found = avoid.flatMap((variant) => {
      const lang: Language = isDevanagari(variant) ? 'hi' : 'en';
      return strings[lang]
        .filter(([, text]) => wordRe(variant).test(text))
        .map(([key]) => `${lang}:${key} uses «${variant}»`);
    });
    expect(found).toEqual([]);
  });
});
