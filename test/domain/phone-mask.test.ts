import { MASKED_PHONE, maskPhones } from '../../src/domain/phone-mask';
import { exportRecord } from '../../src/dashboard/dashboard-csv';
import { ticketDetail } from '../../src/dashboard/dashboard-view';
import { createTranslator } from '../../src/i18n/create-i18n';
import path from 'node:path';

const M = MASKED_PHONE;

describe('maskPhones: one masking function for every staff view', () => {
  test.each([
    ['Latin digits, no gaps', 'call 9876543210 now', `call ${M} now`],
    ['with +91', '+919876543210', M],
    ['spaces', 'मेरा नंबर 98765 43210 है', `मेरा नंबर ${M} है`],
    ['dashes', 'call +91-98765-43210 now', `call ${M} now`],
    ['brackets and landline', '(0731) 252-1234 office', `${M} office`],
    ['Devanagari digits', 'नंबर ९८७६५४३२१० पर', `नंबर ${M} पर`],
    ['Devanagari digits split by a space', 'नंबर ९८७६५ ४३२१० पर', `नंबर ${M} पर`],
    ['mixed scripts', '98७६5४3२1० ok', `${M} ok`],
    ['slashes', '98765/43210', M],
    ['en dash', '98765–43210', M],
    ['em dash and minus sign', '98765—432−10', M],
    ['dots', '98.76.54.32.10', M],
    ['digit by digit with spaces', '9 8 7 6 5 4 3 2 1 0', M],
    ['zero-width space', '98765\u200B43210', M],
    ['zero-width joiner and non-joiner', '9876\u200D54\u200C3210', M],
    ['word joiner and BOM', '98765\u206043\uFEFF210', M],
    ['no-break and thin spaces', '98765\u00A043210 और 98\u2009765\u202F43210', `${M} और ${M}`],
    ['bidi marks', '98765\u200E43210', M],
    ['two numbers in one sentence', 'घर 9876543210, दुकान ९१२३४५६७८९', `घर ${M}, दुकान ${M}`],
    ['Gujarati digits', '૯૮૭૬૫૪૩૨૧૦', M],
  ])('%s', (_name, input, expected) => {
    expect(maskPhones(input)).toBe(expected);
    expect(maskPhones(input)).not.toMatch(/\p{Nd}{4}/u);
  });

  test.each([
    ['a reference', 'ALR-000123'],
    ['a date and small numbers', 'ALR-000123 since 2026-11-28, ward 5, 3 bags'],
    ['a Devanagari date', 'दिनांक २८/११/२०२६ से'],
    ['a PIN code', 'पिन 457887'],
    ['words only', 'राशन नहीं मिला'],
  ])('keeps %s', (_name, input) => {
    expect(maskPhones(input)).toBe(input);
  });
});

describe('the dashboard view and its CSV mask the same numbers', () => {
  const now = new Date('2026-11-28T06:00:00Z');
  const ticket = {
    ref: 'ALR-000001',
    createdAt: now,
    status: 'new' as const,
    category: 'ration',
    department: 'FOOD',
    intake: 'telegram' as const,
    level: 1,
    language: 'hi' as const,
    locality: 'वार्ड ९८७६५–४३२१०',
    description: 'फ़ोन 98765/43210 या ९८७६५ ४३२१०',
    attachments: [],
    updatedAt: now,
    ackDueAt: now,
    resolveDueAt: now,
    reopenCount: 0,
    assignedTo: 's1',
    history: [
      {
        at: now,
        by: { kind: 'staff' as const, id: 's1', role: 'officer' as const },
        action: 'note',
        text: 'call 98765\u200B43210',
      },
    ],
  };
  const names = new Map([['s1', 'Officer 9876543210']]);

  test('details: description, locality, history and names', () => {
    const d = ticketDetail(ticket as never, now, true, names);
    const shown = JSON.stringify(d);
    expect(shown).not.toMatch(/98765|९८७६५|43210/);
    expect(d.description).toBe(`फ़ोन ${M} या ${M}`);
  });

  test('CSV record', () => {
    const translator = createTranslator(path.resolve(__dirname, '../../locales'));
    const line = exportRecord(ticket as never, {
      lang: 'en',
      translator,
      departmentName: () => 'Food',
      staffNames: names,
      categoryLabel: () => undefined,
      blockLabel: () => undefined,
      now,
    });
    expect(line).not.toMatch(/98765|९८७६५|43210/);
  });
});
