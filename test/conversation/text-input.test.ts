import fc from 'fast-check';
import { checkText, parseIndianMobile } from '../../src/conversation/text-input';
import { normalizeForMatch, sanitizeText } from '../../src/core/text-normalize';
import { matchOption } from '../../src/conversation/choice-matcher';

describe('sanitizeText', () => {
  test('removes control and bidi characters, keeps Devanagari joiners, tidies space', () => {
    expect(sanitizeText('\u0000नम\u200Dस्ते\u0007  जी\u202E\r\n\r\n\r\n\r\nहाँ ')).toBe('नम\u200Dस्ते जी\n\nहाँ');
  });

  test('never leaves a NUL or other C0 control (except newline) in any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(/[\u0000-\u0009\u000B-\u001F\u007F]/.test(sanitizeText(s))).toBe(false);
      }),
    );
  });
});

describe('checkText', () => {
  test.each([
    ['   ', 'error.empty'],
    ['a', 'error.too_short'],
    ['x'.repeat(101), 'error.too_long'],
    [`word ${'y'.repeat(61)}`, 'error.long_word'],
  ])('%p → %s', (input, key) => {
    const r = checkText(input, 2, 100);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.key).toBe(key);
  });

  test('counts characters, not bytes, and accepts a long URL', () => {
    expect(checkText('राशन', 4, 4)).toEqual({ ok: true, value: 'राशन' });
    expect(checkText(`see https://example.org/${'a'.repeat(80)}`, 2, 200).ok).toBe(true);
  });
});

describe('parseIndianMobile', () => {
  test.each([
    ['9876543210', '+919876543210'],
    ['+91 98765-43210', '+919876543210'],
    ['09876543210', '+919876543210'],
    ['९८७६५४३२१०', '+919876543210'],
  ])('%s → %s', (input, out) => expect(parseIndianMobile(input)).toBe(out));

  test.each(['12345', '5876543210', '98765432101234', 'nahi'])('%s is not a mobile number', (input) => {
    expect(parseIndianMobile(input)).toBeUndefined();
  });
});

describe('matchOption', () => {
  const labels: Record<string, string[]> = { 'o.a': ['राशन', 'Ration'], 'o.b': ['स्वास्थ्य जाँच', 'Health check-up'] };
  const options = [
    { value: 'a', labelKey: 'o.a', aliases: ['rashan'] },
    { value: 'b', labelKey: 'o.b', aliases: ['sehat'] },
  ];
  const match = (s: string) => matchOption(s, options, (k) => labels[k] ?? []);

  test.each([
    ['1', 'a'],
    ['२', 'b'],
    ['Ration', 'a'],
    ['HEALTH CHECK-UP!', 'b'],
    ['स्वास्थ्य जांच', 'b'],
    ['स्वास्थ्य जाँच', 'b'],
    ['raashan', 'a'],
    ['rashn', undefined],
    ['sehat ki baat', 'b'],
    ['3', undefined],
    ['', undefined],
  ])('%p → %p', (input, value) => expect(match(input)).toBe(value));

  test('normalizeForMatch folds nukta and chandrabindu', () => {
    expect(normalizeForMatch('फँसा')).toBe(normalizeForMatch('फंसा'));
    expect(normalizeForMatch('ज़िला')).toBe(normalizeForMatch('जिला'));
  });
});
