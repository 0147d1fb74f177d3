import fs from 'node:fs';
import path from 'node:path';
import { loadPlaces } from '../../src/channels/web/web-places';
import { createTranslator, LANGUAGES } from '../../src/i18n/create-i18n';
import { REPO_ROOT } from '../support/test-app';

const publicDir = path.join(REPO_ROOT, 'src/http/public');
const html = fs.readFileSync(path.join(publicDir, 'index.html'), 'utf8');
const script = fs.readFileSync(path.join(publicDir, 'sim.js'), 'utf8');
const translator = createTranslator(path.join(REPO_ROOT, 'locales'));

function leafKeys(tree: unknown, prefix: string): string[] {
  if (typeof tree !== 'object' || tree === null) return [prefix];
  return Object.entries(tree).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

function webFile(lang: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'locales', lang, 'web.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** Every key the page can ask for: from its attributes, its t('…') calls, and its keys built from data. */
function keysUsedByPage(): string[] {
  const fromHtml = [...html.matchAll(/data-i18n(?:-placeholder|-label)?="([^"]+)"/g)].map((m) => m[1] ?? '');
  const fromScript = [...script.matchAll(/\bt\('(web\.[a-z0-9_.-]+)'/g)].map((m) => m[1] ?? '');
  const roles = [...html.matchAll(/data-role="([^"]+)"/g)].map((m) => m[1] ?? '');
  const chats = [...html.matchAll(/data-chats="([^"]+)"/g)].flatMap((m) => (m[1] ?? '').split(' '));
  const built = [
    ...roles.flatMap((r) => [`web.pane.${r}`, `web.empty.${r}`]),
    ...chats.flatMap((c) => [`web.people.${c}`, `web.first_name.${c}`]),
    ...LANGUAGES.map((l) => `web.lang.${l}`),
    ...loadPlaces(path.join(REPO_ROOT, 'flows')).map((p) => p.label),
  ];
  return [...new Set([...fromHtml, ...fromScript, ...built])];
}

describe('the simulator page words', () => {
  it('live under the top-level key "web" in every language, with the same keys and no empty text', () => {
    const [first, ...rest] = LANGUAGES.map((l) => webFile(l));
    expect(Object.keys(first ?? {})).toEqual(['web']);
    const keys = leafKeys(first, '').sort();
    for (const other of rest) expect(leafKeys(other, '').sort()).toEqual(keys);
    for (const lang of LANGUAGES) for (const key of keys) expect(translator.t(lang, key).trim()).not.toBe('');
  });

  it('cover every key the page uses, in every language', () => {
    const used = keysUsedByPage();
    expect(used.length).toBeGreaterThan(30);
    for (const lang of LANGUAGES) {
      const missing = used.filter(
        (k) => !translator.has(lang, k) || typeof translator.instance.getResource(lang, 'translation', k) !== 'string',
      );
      expect({ lang, missing }).toEqual({ lang, missing: [] });
    }
  });

  it('are never written into the HTML itself', () => {
    const visible = html
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]+>/g, '')
      .trim();
    expect(visible).toBe('');
    // Attributes a person reads (title, placeholder, aria-label, alt) come from the locale too.
    expect(html).not.toMatch(/\s(title|placeholder|aria-label|alt)="/);
  });

  it('never reach the page as markup', () => {
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});
