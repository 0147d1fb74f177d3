import { parse } from 'csv-parse/sync';
import { csvLine, toCsv, UTF8_BOM, type CsvValue } from '../../src/supervisor/csv';
import { clampPage, pageCount, pageReply, PAGE_SIZE } from '../../src/core/paging';
import { parseDay, periodRange } from '../../src/supervisor/periods';
import { durationText } from '../../src/supervisor/duration-text';
import { ist } from './seed-tickets';

/** One cell as the writer puts it in a record of its own. */
const cell = (value: CsvValue) => csvLine([value]).replace(/\r\n$/, '');

describe('CSV', () => {
  test('quotes only what RFC 4180 requires and doubles quotes', () => {
    expect(cell('plain')).toBe('plain');
    expect(cell('a,b')).toBe('"a,b"');
    expect(cell('say "hi"')).toBe('"say ""hi"""');
    expect(cell('two\nlines')).toBe('"two\nlines"');
    expect(cell('cr\rhere')).toBe('"cr\rhere"');
    expect(cell(undefined)).toBe('');
    expect(cell(0)).toBe('0');
    expect(cell(false)).toBe('false');
    expect(cell(true)).toBe('true');
    expect(csvLine(['a', 'b,c', undefined, null, 42])).toBe('a,"b,c",,,42\r\n');
  });

  test('a file starts with the BOM, ends records with CRLF and parses back to the same cells', () => {
    const rows = [
      ['शिकायत', 'विवरण', 'n'],
      ['ALR-000001', 'राशन "दुकान", बंद\r\nदूसरी पंक्ति', '3'],
      ['', ' leading and trailing ', ''],
    ];
    const text = toCsv(rows);
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parse(Buffer.from(text, 'utf8'), { bom: true })).toEqual(rows);
  });

  test('cells that a spreadsheet would run as formulas are defused; our numbers are not', () => {
    expect(['=1+1', '+91', '-2', '@SUM(A1)', '\tx', 'normal', 'a=b'].map(cell)).toEqual([
      "'=1+1",
      "'+91",
      "'-2",
      "'@SUM(A1)",
      "'\tx",
      'normal',
      'a=b',
    ]);
    expect(cell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(cell('\rx')).toBe('"\'\rx"');
    expect([-3, -0.5].map(cell)).toEqual(['-3', '-0.5']);
  });
});

describe('pages', () => {
  test('page counts and clamping', () => {
    expect([pageCount(0), pageCount(1), pageCount(PAGE_SIZE), pageCount(PAGE_SIZE + 1)]).toEqual([1, 1, 1, 2]);
    expect([clampPage(0, 25), clampPage(2, 25), clampPage(9, 25), clampPage(Number.NaN, 25)]).toEqual([1, 2, 3, 1]);
  });

  test('buttons go both ways in the middle, and are left out when their data would pass Telegram’s 64 bytes', () => {
    const mid = pageReply({
      scope: 'svp',
      title: { key: 'x' },
      items: [],
      page: 2,
      total: 30,
      valueFor: (p) => `o:${p}`,
    });
    expect(mid.buttons?.options.map((o) => o.value)).toEqual(['o:1', 'o:3']);
    const long = 'पंचायत भवन के पास वाली गली';
    expect(Buffer.byteLength(`svp|f:2:${long}`)).toBeGreaterThan(64);
    const tooLong = pageReply({
      scope: 'svp',
      title: { key: 'x' },
      items: [],
      page: 1,
      total: 30,
      valueFor: (p) => `f:${p}:${long}`,
    });
    expect(tooLong.buttons).toBeUndefined();
    const single = pageReply({
      scope: 'svp',
      title: { key: 'x' },
      items: [],
      page: 1,
      total: 3,
      valueFor: (p) => `o:${p}`,
    });
    expect(single.buttons).toBeUndefined();
    // Each module's list pages in its own button scope (the administrators' staff list is not the supervisors').
    expect(
      pageReply({ scope: 'stp', title: { key: 'x' }, items: [], page: 1, total: 30, valueFor: String }).buttons?.scope,
    ).toBe('stp');
  });
});

describe('periods, days and durations', () => {
  test('today, week and month start at midnight in the district', () => {
    const now = ist('2026-11-28', '10:00');
    expect(periodRange('today', now, 'Asia/Kolkata').start).toEqual(ist('2026-11-28', '00:00'));
    expect(periodRange('week', now, 'Asia/Kolkata').start).toEqual(ist('2026-11-22', '00:00'));
    expect(periodRange('month', now, 'Asia/Kolkata').start).toEqual(ist('2026-10-30', '00:00'));
    // Just after midnight in India it is still the previous day in UTC.
    expect(periodRange('today', ist('2026-11-28', '00:10'), 'Asia/Kolkata').firstDay).toBe('2026-11-28');
  });

  test('days as staff type them', () => {
    expect(['2026-11-01', '1-11-2026', '01/11/2026', '01.11.2026', '०१-११-२०२६'].map(parseDay)).toEqual(
      Array(5).fill('2026-11-01'),
    );
    expect(['2026-13-01', '31-02-2026', 'kal', '2026/11/01', ''].map(parseDay)).toEqual(Array(5).fill(undefined));
  });

  test('durations in minutes, hours or days', () => {
    const unit = (name: string, count: number) => ({ key: `supervisor.duration.${name}`, params: { count } });
    expect(durationText(59 * 60_000)).toEqual(unit('minute', 59));
    expect(durationText(3 * 3_600_000 + 20 * 60_000)).toEqual({
      key: 'supervisor.duration.hours',
      params: { hours: unit('hour', 3), minutes: unit('minute', 20) },
    });
    expect(durationText(53 * 3_600_000)).toEqual({
      key: 'supervisor.duration.days',
      params: { days: unit('day', 2), hours: unit('hour', 5) },
    });
  });
});
