import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n as I18n, type FormatterModule, type TFunction } from 'i18next';
import { formatNumber } from './format';

/** Languages the product speaks, Hindi first. */
export const LANGUAGES = ['hi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Narrow an arbitrary string (a Telegram language_code, a typed answer) to a supported language. */
export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The loaded translations and a fixed translator per language. */
export interface Translator {
  instance: I18n;
  t(lang: Language, key: string, params?: Record<string, unknown>): string;
  /** Every translation of a key, for matching typed answers in either language. */
  allOf(key: string): string[];
  has(lang: Language, key: string): boolean;
}

/**
 * All JSON files of one language folder merged into one tree. Each file holds
 * its own top-level keys (translation.json the citizen's words, staff.json the
 * staff's, …); a key defined twice is a mistake and stops start-up.
 */
export function loadLanguage(dir: string): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const tree = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    for (const [k, v] of Object.entries(tree)) {
      if (k in merged)
        throw new Error(`${path.join(dir, file)}: top-level key "${k}" is already defined in another file`);
      merged[k] = v;
    }
  }
  return merged;
}

/**
 * Numbers inside translations read the Indian way (1,00,000). With
 * `alwaysFormat` every interpolated value passes through here, so `count`
 * can stay a number (i18next picks the _one/_other form by it) and still
 * be shown grouped.
 */
const numberFormatter: FormatterModule = {
  type: 'formatter',
  init() {},
  add() {},
  addCached() {},
  // Anything but a number passes through untouched (i18next turns it into text).
  format: (value: unknown, _format?: string, lng?: string): string =>
    typeof value === 'number' && isLanguage(lng) ? formatNumber(value, lng) : (value as string),
};

/**
 * Load every locales/<lang>/*.json for every language into a private
 * i18next instance (no global state). Missing keys do not fall back to the
 * other language: a test pins that both files hold every key.
 * @example const tr = createTranslator('/app/locales'); tr.t('hi', 'menu.prompt')
 */
export function createTranslator(localesDir: string): Translator {
  const resources: Record<string, { translation: Record<string, unknown> }> = {};
  for (const lang of LANGUAGES) {
    resources[lang] = { translation: loadLanguage(path.join(localesDir, lang)) };
  }
  const instance = i18next.createInstance().use(numberFormatter);
  void instance.init({
    resources,
    lng: 'hi',
    fallbackLng: false,
    initAsync: false,
    // `count` stays a number so i18next picks the _one/_other form ("1 शिकायत",
    // "3 शिकायतें"); it is shown with Indian digit grouping like other numbers.
    interpolation: { escapeValue: false, alwaysFormat: true },
    returnNull: false,
  });
  const fixed = new Map<Language, TFunction>(LANGUAGES.map((l) => [l, instance.getFixedT(l)]));
  return {
    instance,
    t(lang, key, params) {
      return (fixed.get(lang) as TFunction)(key, params ?? {}) as string;
    },
    allOf(key) {
      return LANGUAGES.filter((l) => instance.exists(key, { lng: l })).map(
        (l) => (fixed.get(l) as TFunction)(key) as string,
      );
    },
    has(lang, key) {
      return instance.exists(key, { lng: lang });
    },
  };
}
