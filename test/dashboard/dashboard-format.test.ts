import { periodRange } from '../../src/reports/report-periods';
import fc from 'fast-check';
import { createTranslator } from '../../src/i18n/create-i18n';
import { EXPORT_COLUMNS, exportHeader } from '../../src/dashboard/dashboard-csv';
import { csvLine, UTF8_BOM } from '../../src/supervisor/csv';
import {
  currentPeriods,
  dateTimeText,
  dayStart,
  dayText,
  nextDay,
  parseDay,
} from '../../src/dashboard/dashboard-periods';
import { latenessOf } from '../../src/dashboard/dashboard-view';
import { maskPhones } from '../../src/domain/phone-mask';
import { REPO_ROOT } from '../support/test-app';

/** A small RFC 4180 reader, independent of the writer, to check what it wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('district days and weeks (Asia/Kolkata)', () => {
  test('a day starts at 18:30 UTC the evening before', () => {
    expect(dayStart(new Date('2026-11-28T04:30:00Z'))).toEqual(new Date('2026-11-27T18:30:00Z'));
    expect(dayStart(new Date('2026-11-27T18:30:00Z'))).toEqual(new Date('2026-11-27T18:30:00Z'));
    expect(dayStart(new Date('2026-11-27T18:29:59.999Z'))).toEqual(new Date('2026-11-26T18:30:00Z'));
  });

  test('the week is the last seven district days, today included: the same as /stats week', () => {
    // Sunday 29 Nov 2026, 23:59 IST → from Monday 23 Nov, 00:00 IST.
    expect(currentPeriods(new Date('2026-11-29T18:29:00Z')).week.from).toEqual(new Date('2026-11-22T18:30:00Z'));
    // Monday 30 Nov, 00:00 IST → from Tuesday 24 Nov.
    expect(currentPeriods(new Date('2026-11-29T18:30:00Z')).week.from).toEqual(new Date('2026-11-23T18:30:00Z'));
    expect(currentPeriods(new Date('2026-11-29T18:30:00Z')).week.from).toEqual(
      periodRange('week', new Date('2026-11-29T18:30:00Z'), 'Asia/Kolkata').start,
    );
  });

  test('another configured zone moves the district day', () => {
    expect(dayStart(new Date('2026-11-28T04:30:00Z'), 'Asia/Kathmandu')).toEqual(new Date('2026-11-27T18:15:00Z'));
    expect(dateTimeText(new Date('2026-11-28T04:30:00Z'), 'Asia/Kathmandu')).toBe('2026-11-28 10:15');
    expect(parseDay('2026-11-28', 'UTC')).toEqual(new Date('2026-11-28T00:00:00Z'));
  });

  test('property: the day and week hold the instant, start at district midnight, and the day lies within the week', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (at) => {
        const { today, week } = currentPeriods(at);
        expect(today.from.getTime()).toBeLessThanOrEqual(at.getTime());
        expect(at.getTime() - today.from.getTime()).toBeLessThan(86_400_000);
        expect(dayText(today.from)).toBe(dayText(at));
        expect(dateTimeText(today.from).slice(11)).toBe('00:00');
        expect(week.from.getTime()).toBeLessThanOrEqual(today.from.getTime());
        expect(today.from.getTime() - week.from.getTime()).toBe(6 * 86_400_000);
      }),
    );
  });

  test('YYYY-MM-DD becomes that midnight; impossible dates and other shapes do not', () => {
    const d = parseDay('2026-11-28');
    expect(d).toEqual(new Date('2026-11-27T18:30:00Z'));
    expect(d && nextDay(d)).toEqual(new Date('2026-11-28T18:30:00Z'));
    expect(parseDay('2028-02-29')).toEqual(new Date('2028-02-28T18:30:00Z'));
    for (const bad of ['2026-02-30', '2026-13-01', '28-11-2026', '2026-11-28T00:00', '', '2026-1-5'])
      expect(parseDay(bad)).toBeUndefined();
  });
});

describe('CSV', () => {
  // Quoting and the formula guard of the one writer: test/supervisor/paging-and-csv.test.ts.
  test('property: any row of any text reads back unchanged (apart from the formula guard)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 6 }), (cells) => {
        const back = parseCsv(csvLine(cells))[0] ?? [];
        // The guarded first characters, full-width forms included (Apple Numbers reads them as formulas too).
        expect(back).toEqual(cells.map((c) => (/^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(c) ? `'${c}` : c)));
      }),
    );
  });

  test('the header starts with a byte order mark and names every column in the chosen language', () => {
    const tr = createTranslator(`${REPO_ROOT}/locales`);
    for (const lang of ['hi', 'en'] as const) {
      const header = exportHeader(lang, tr);
      expect(header.startsWith(UTF8_BOM)).toBe(true);
      expect(parseCsv(header.slice(1))[0]).toEqual(EXPORT_COLUMNS.map((c) => tr.t(lang, `dashboard.csv.${c}`)));
    }
  });
});

describe('privacy and lateness', () => {
  test('phone numbers in free text are hidden; references, dates and short numbers stay', () => {
    expect(maskPhones('मेरा नंबर 98765 43210 है')).toBe('मेरा नंबर •••••••••• है');
    expect(maskPhones('call +91-98765-43210 now')).toBe('call •••••••••• now');
    expect(maskPhones('+919876543210')).toBe('••••••••••');
    expect(maskPhones('(0731) 252-1234 office')).toBe('•••••••••• office');
    expect(maskPhones('ALR-000123 since 2026-11-28, ward 5, 3 bags')).toBe(
      'ALR-000123 since 2026-11-28, ward 5, 3 bags',
    );
  });

  test('late: resolution deadline first, acknowledgement only while not acknowledged', () => {
    const now = new Date('2026-11-28T04:30:00Z');
    const past = new Date(now.getTime() - 1);
    const future = new Date(now.getTime() + 1);
    expect(latenessOf({ ackDueAt: past, resolveDueAt: past }, now)).toBe('resolve');
    expect(latenessOf({ ackDueAt: past, resolveDueAt: future }, now)).toBe('ack');
    expect(latenessOf({ ackDueAt: past, resolveDueAt: future, acknowledgedAt: past }, now)).toBeUndefined();
    expect(latenessOf({ ackDueAt: future, resolveDueAt: future }, now)).toBeUndefined();
  });
});
