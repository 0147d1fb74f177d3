import path from 'node:path';
import { loadCatalog } from '../../src/domain/catalog-loader';
import { decideCategory, suggestCategories } from '../../src/domain/category-suggester';

const catalog = loadCatalog(path.resolve(__dirname, '../../flows'));
const best = (text: string) => suggestCategories(catalog.categories, text)[0]?.categoryId;

describe('category suggestion from a citizen’s own words', () => {
  test.each([
    // Devanagari
    ['मेरा बेटा गुजरात में फँसा है, घर नहीं आ पा रहा', 'stranded'],
    ['पति मजदूरी करने इंदौर गए थे, वहीं फंसे हैं', 'stranded'],
    ['दो महीने से राशन नहीं मिला', 'ration'],
    ['कोटेदार गेहूं नहीं दे रहा', 'ration'],
    ['घर में खाना नहीं है, बच्चे भूखे हैं', 'ration'],
    ['तीन दिन से बुखार और खांसी है', 'health'],
    ['गाँव में कोरोना की जाँच करवानी है', 'health'],
    ['शादी में जाने के लिए यात्रा पास चाहिए', 'travel'],
    ['ई-पास कैसे बनेगा', 'travel'],
    // English
    ['My brother is stuck in Surat and cannot return', 'stranded'],
    ['We did not get ration this month', 'ration'],
    ['Need a doctor, my mother has fever', 'health'],
    ['How do I get a movement pass to travel to Indore', 'travel'],
    // Hindi in Latin letters
    ['ration nahi mila', 'ration'],
    ['raashan nahi mila do mahine se', 'ration'],
    ['mera beta gujarat me fasa hai', 'stranded'],
    ['bhai bahar phasa hai wapas lana hai', 'stranded'],
    ['bukhar aur khansi hai', 'health'],
    ['dawai nahi mil rahi bimar hu', 'health'],
    ['indore jane ke liye pass chahiye', 'travel'],
    ['anaj ki dukan band hai', 'ration'],
  ])('%s → %s', (text, expected) => {
    expect(best(text)).toBe(expected);
  });

  test.each(['asdfgh', 'नमस्ते', 'hello', '12345', ''])('no keyword in %p: no suggestion', (text) => {
    expect(suggestCategories(catalog.categories, text)).toEqual([]);
  });

  test('scores are ordered, best first', () => {
    const ranked = suggestCategories(catalog.categories, 'राशन नहीं मिला और बुखार भी है');
    expect(ranked.length).toBeGreaterThan(1);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1]!.score).toBeGreaterThanOrEqual(ranked[i]!.score);
  });
  test('पास meaning "near" or "have" is not a travel pass', () => {
    expect(best('दुकान के पास वाला हैंडपंप खराब है')).toBe('other');
    expect(best('मेरे पास राशन कार्ड नहीं है')).toBe('ration');
    expect(best('hamare paas khane ko kuch nahi hai')).toBe('ration');
    expect(best('इंदौर जाने का पास चाहिए')).toBe('travel');
    expect(best('indore jana hai pass kaise banega')).toBe('travel');
  });

  test('spelling variants fold together; a common word is not mistaken for a keyword one letter away', () => {
    expect(best('गेंहू नहीं मिला')).toBe('ration');
    expect(best('बिमार हूँ')).toBe('health');
    expect(best('sosayti wala ration nai deta')).toBe('ration');
    // kharab (broken) is not sharab (liquor); jana (to go) is not jandhan.
    expect(suggestCategories(catalog.categories, 'tabiyat kharab hai').map((s) => s.categoryId)).toEqual(['health']);
    expect(suggestCategories(catalog.categories, 'mujhe jana hai').map((s) => s.categoryId)).toEqual(['travel']);
  });

  test('one proposal when the words are clear, the two likeliest when they fit both, none without a keyword', () => {
    expect(decideCategory(catalog.categories, 'राशन नहीं मिला')).toEqual({ kind: 'one', categoryId: 'ration' });
    expect(decideCategory(catalog.categories, 'बेटा गुजरात में फँसा है, उसे लेने जाने के लिए पास चाहिए')).toEqual({
      kind: 'two',
      categoryIds: ['stranded', 'travel'],
    });
    expect(decideCategory(catalog.categories, 'नमस्ते')).toEqual({ kind: 'none' });
  });
});
