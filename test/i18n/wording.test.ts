import path from 'node:path';
import { renderReplies } from '../../src/core/render';
import { readDepartmentsFile } from '../../src/domain/department-loader';
import { createTranslator, LANGUAGES, loadLanguage, type Language } from '../../src/i18n/create-i18n';

const ROOT = path.resolve(__dirname, '../..');
const LOCALES = path.join(ROOT, 'locales');
const tr = createTranslator(LOCALES);

function leaves(tree: unknown, prefix = ''): Array<[string, string]> {
  if (typeof tree === 'string') return [[prefix, tree]];
  if (typeof tree !== 'object' || tree === null) return [];
  return Object.entries(tree).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}
const strings = Object.fromEntries(LANGUAGES.map((l) => [l, leaves(loadLanguage(path.join(LOCALES, l)))])) as Record<
  Language,
  Array<[string, string]>
>;

// Nouns whose plural must not follow the number 1, and that need a plural
// form (i18next `_one`/`_other` by `count`) whenever a number precedes them.
const PLURAL_NOUNS: Record<Language, string[]> = {
  hi: ['शिकायतें', 'शिकायतों', 'व्यक्तियों', 'लोगों', 'घंटे', 'नागरिकों', 'प्रविष्टियाँ', 'दिनों'],
  en: ['complaints', 'people', 'hours', 'days', 'minutes', 'times', 'citizens', 'entries', 'steps', 'ratings'],
};

describe('wording that agrees with its numbers', () => {
  test.each(LANGUAGES)('%s: a number before a plural noun is always a `count` with plural forms', (lang) => {
    const offenders = strings[lang].filter(([, text]) =>
      PLURAL_NOUNS[lang].some((noun) =>
        new RegExp(`\\{\\{(?!count\\}\\})[\\w]+\\}\\}\\s+${noun}(?![\\p{L}\\p{M}])`, 'u').test(text),
      ),
    );
    expect(offenders.map(([k]) => k)).toEqual([]);
  });

  test.each(LANGUAGES)('%s: every key with plural forms reads right for 1 and for 3', (lang) => {
    const bases = new Set(
      strings[lang]
        .map(([k]) => k)
        .filter((k) => k.endsWith('_one'))
        .map((k) => k.slice(0, -4)),
    );
    expect(bases.size).toBeGreaterThan(10);
    for (const key of bases) {
      const one = tr.t(lang, key, { count: 1 });
      const three = tr.t(lang, key, { count: 3 });
      for (const noun of PLURAL_NOUNS[lang])
        expect(one).not.toMatch(new RegExp(`(^|[^\\d,])1 ${noun}(?![\\p{L}\\p{M}])`, 'u'));
      expect(one).toContain('1');
      expect(three).toContain('3');
    }
  });

  test('escalation notices and durations use singular and plural forms', () => {
    expect(tr.t('hi', 'escalation.done', { ref: 'ALR-1', level: 2, count: 1 })).toContain('1 व्यक्ति को');
    expect(tr.t('hi', 'escalation.done', { ref: 'ALR-1', level: 2, count: 4 })).toContain('4 लोगों को');
    expect(tr.t('en', 'escalation.done', { ref: 'ALR-1', level: 2, count: 1 })).toContain('1 person has');
    expect(tr.t('hi', 'supervisor.duration.hour', { count: 1 })).toBe('1 घंटा');
    expect(tr.t('hi', 'supervisor.duration.hour', { count: 5 })).toBe('5 घंटे');
    // Numbers keep the Indian grouping inside plural forms.
    expect(tr.t('hi', 'supervisor.export.queued', { count: 100000, from: 'a', to: 'b' })).toContain('1,00,000 शिकायतें');
  });
});

describe('words that mean what they should', () => {
  const hi = (key: string, params?: Record<string, unknown>) => tr.t('hi', key, params);

  test('closing without feedback says how to reopen: a rating of 1 or 2 within the window', () => {
    expect(hi('feedback.closed_no_feedback', { ref: 'ALR-1', count: 7 })).toContain('1 या 2');
    expect(tr.t('en', 'feedback.closed_no_feedback', { ref: 'ALR-1', count: 7 })).toContain('1 or 2');
    expect(hi('feedback.closed_no_feedback', { ref: 'ALR-1', count: 7 })).not.toContain('कम रेटिंग');
  });

  test('buttons the citizen presses put no gendered verb in their mouth', () => {
    const buttons = [
      'intake.category.suggest_yes',
      'intake.category.suggest_no',
      'intake.summary.submit',
      'intake.summary.change',
      'intake.phone.share',
      'intake.phone.skip',
      'intake.counsellor.talk',
      'intake.counsellor.complaint',
    ];
    for (const key of buttons) expect(hi(key)).not.toMatch(/(ूँ|ूं|ऊँ|ऊं)(गा|गी)/);
  });

  test('an officer is told of an escalation of a complaint assigned to them, not of “their complaint”', () => {
    expect(hi('escalation.staff.officer_notice', { ref: 'ALR-1', who: 'x', reason: 'y' })).not.toContain('आपकी शिकायत');
  });

  test('a status is quoted as a status, not as an adjective after “अब”', () => {
    const text = hi('staff.ticket_closed', { ref: 'ALR-1', status: hi('ticket.status.resolved') });
    expect(text).not.toMatch(/अब «/);
    expect(text).toContain('स्थिति');
    expect(hi('dashboard.refused.reason.missing')).not.toBe('आप लॉगिन नहीं हैं।');
  });

  test('the dashboard’s latest complaints are not called “new”, which is a status', () => {
    expect(hi('dashboard.latest.title')).not.toContain(hi('ticket.status.new'));
  });

  test('escalation level titles are given in Hindi and in English', () => {
    for (const d of readDepartmentsFile(path.join(ROOT, 'flows/departments.yaml'))) {
      for (const level of d.escalation) {
        expect(level.title.hi).toMatch(/[\u0900-\u097F]/);
        expect(level.title.en).toMatch(/^[\x20-\x7E]+$/);
      }
    }
  });
});

describe('wording per channel', () => {
  // WhatsApp shows numbered lines, not buttons: nothing there may tell the citizen to press.
  const citizen = leaves(loadLanguage(path.join(LOCALES, 'hi'))).filter(
    ([k]) => !/^(staff|supervisor|dashboard|shifts|operator|counsellor|escalation|web|whatsapp)\./.test(k),
  );
  const PRESS = { hi: /दबा/, en: /\b(tap|press)/i };

  test('every citizen message that says “press” has a WhatsApp wording that does not', () => {
    const pressing = citizen
      .map(([k]) => k)
      .filter((k) => !k.endsWith('_whatsapp') && LANGUAGES.some((l) => PRESS[l].test(tr.t(l, k))));
    expect(pressing.length).toBeGreaterThan(0);
    for (const key of pressing) {
      for (const lang of LANGUAGES) {
        const [whatsapp] = renderReplies(tr, lang, [{ text: { key, params: { ref: 'ALR-1', min: 10 } } }], 'whatsapp');
        expect(`${key}: ${whatsapp?.text}`).not.toMatch(PRESS[lang]);
      }
    }
  });

  test('Telegram keeps the button wording', () => {
    const [telegram] = renderReplies(tr, 'hi', [{ text: { key: 'intake.summary.prompt' } }], 'telegram');
    const [whatsapp] = renderReplies(tr, 'hi', [{ text: { key: 'intake.summary.prompt' } }], 'whatsapp');
    expect(telegram?.text).toContain('दबाएँ');
    expect(whatsapp?.text).toContain('नंबर लिखें');
  });
});
