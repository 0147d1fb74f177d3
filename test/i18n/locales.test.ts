import fs from 'node:fs';
import path from 'node:path';
import { flowKeys, loadFlow } from '../../src/conversation/flow-definition';
import { loadCatalog } from '../../src/domain/catalog-loader';
import { TICKET_STATUSES } from '../../src/domain/ticket';
import { createTranslator, LANGUAGES, loadLanguage } from '../../src/i18n/create-i18n';

const ROOT = path.resolve(__dirname, '../..');
const LOCALES = path.join(ROOT, 'locales');
const FLOWS = path.join(ROOT, 'flows');

function leafKeys(tree: unknown, prefix = ''): string[] {
  if (typeof tree !== 'object' || tree === null) return [prefix];
  return Object.entries(tree).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

/** i18n keys written as string literals in src/: 'error.generic', t('menu.prompt'), … */
function keysUsedInSource(): string[] {
  const top = new Set(Object.keys(loadLanguage(path.join(LOCALES, 'hi'))));
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        // Keys passed to t()/say()/this.say() or written as `key:`/`labelKey:` values.
        for (const m of fs
          .readFileSync(p, 'utf8')
          .matchAll(/(?:\bt\(|\bsay\(|\bkey: |labelKey: )'([a-z_]+(?:\.[a-z_]+)+)'/g)) {
          const key = m[1] ?? '';
          if (top.has(key.split('.')[0] ?? '') && !/\.(yaml|json|ts)$/.test(key)) found.add(key);
        }
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  return [...found];
}

describe('locales', () => {
  const trees = Object.fromEntries(LANGUAGES.map((l) => [l, leafKeys(loadLanguage(path.join(LOCALES, l))).sort()]));

  test('Hindi and English hold exactly the same keys', () => {
    expect(trees.en).toEqual(trees.hi);
  });

  test('no translation is empty, and the Hindi one is written in Devanagari', () => {
    const tr = createTranslator(LOCALES);
    for (const key of trees.hi ?? []) {
      for (const lang of LANGUAGES) expect(tr.t(lang, key).trim()).not.toBe('');
    }
    const hiTexts = (trees.hi ?? []).map((k) => tr.t('hi', k));
    const devanagari = hiTexts.filter((s) => /[\u0900-\u097F]/.test(s)).length;
    expect(devanagari / hiTexts.length).toBeGreaterThan(0.8);
  });

  test('every key that flows, catalogue and code refer to exists in every language', () => {
    const tr = createTranslator(LOCALES);
    const catalog = loadCatalog(FLOWS);
    const keys = [
      ...flowKeys(loadFlow(FLOWS, 'citizen-intake')),
      ...catalog.categories.map((c) => c.label),
      ...catalog.district.blocks.map((b) => b.label),
      catalog.district.name,
      ...TICKET_STATUSES.map((s) => `ticket.status.${s}`),
      ...keysUsedInSource(),
    ];
    // A key with plural forms exists as key_one / key_other.
    const missing = keys.flatMap((k) =>
      LANGUAGES.filter((l) => !tr.has(l, k) && !tr.has(l, `${k}_other`)).map((l) => `${l}:${k}`),
    );
    expect(missing).toEqual([]);
  });

  test('the source scan finds the keys the code uses', () => {
    // Guards the test above against a scan that silently finds nothing.
    expect(keysUsedInSource()).toEqual(expect.arrayContaining(['error.generic', 'menu.prompt', 'intake.submitted']));
  });
});
