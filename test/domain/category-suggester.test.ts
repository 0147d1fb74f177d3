import path from 'node:path';
import { loadCatalog } from '../../src/domain/catalog-loader';
import { suggestCategories } from '../../src/domain/category-suggester';

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
});
