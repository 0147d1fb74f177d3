import { FlowDefinitionError } from '../../src/errors';
import {
  loadShiftPlan,
  nextShiftChange,
  previousShift,
  shiftAt,
  shiftChangeCron,
  validateShiftPlan,
  type ShiftPlan,
} from '../../src/shifts/shift-plan';
import { addDays, dayRange, isCalendarDay, zonedDay, zonedTimeToUtc } from '../../src/core/zoned-time';
import { FLOWS } from '../supervisor/supervisor-kit';
import { ist } from '../supervisor/seed-tickets';

const plan = loadShiftPlan(FLOWS);

describe('the default shift plan', () => {
  test('is three shifts of eight hours in Asia/Kolkata with one supervisor, four operators and one counsellor', () => {
    expect(plan.timeZone).toBe('Asia/Kolkata');
    expect(plan.shifts.map((s) => [s.id, s.start, s.end])).toEqual([
      ['morning', '06:00', '14:00'],
      ['evening', '14:00', '22:00'],
      ['night', '22:00', '06:00'],
    ]);
    expect(plan.staffing).toEqual({ supervisor: 1, operator: 4, counsellor: 1 });
  });

  test('shift changes are cron times in the plan’s zone', () => {
    expect(shiftChangeCron(plan)).toEqual(['0 6 * * *', '0 14 * * *', '0 22 * * *']);
  });
});

describe('which shift runs when', () => {
  // [wall-clock time, shift, the day it started, its start and end]
  const cases: Array<[Date, string, string, Date, Date]> = [
    [ist('2026-11-28', '05:59'), 'night', '2026-11-27', ist('2026-11-27', '22:00'), ist('2026-11-28', '06:00')],
    [ist('2026-11-28', '06:00'), 'morning', '2026-11-28', ist('2026-11-28', '06:00'), ist('2026-11-28', '14:00')],
    [ist('2026-11-28', '13:59'), 'morning', '2026-11-28', ist('2026-11-28', '06:00'), ist('2026-11-28', '14:00')],
    [ist('2026-11-28', '14:00'), 'evening', '2026-11-28', ist('2026-11-28', '14:00'), ist('2026-11-28', '22:00')],
    [ist('2026-11-28', '22:00'), 'night', '2026-11-28', ist('2026-11-28', '22:00'), ist('2026-11-29', '06:00')],
    [ist('2026-11-28', '23:59'), 'night', '2026-11-28', ist('2026-11-28', '22:00'), ist('2026-11-29', '06:00')],
    [ist('2026-11-29', '00:00'), 'night', '2026-11-28', ist('2026-11-28', '22:00'), ist('2026-11-29', '06:00')],
    // Across a month and a year end.
    [ist('2026-12-01', '02:00'), 'night', '2026-11-30', ist('2026-11-30', '22:00'), ist('2026-12-01', '06:00')],
    [ist('2027-01-01', '03:00'), 'night', '2026-12-31', ist('2026-12-31', '22:00'), ist('2027-01-01', '06:00')],
  ];

  test.each(cases)('%s → %s shift of %s', (now, id, day, start, end) => {
    const o = shiftAt(plan, now);
    expect(o.shift.id).toBe(id);
    expect(o.day).toBe(day);
    expect(o.start).toEqual(start);
    expect(o.end).toEqual(end);
    expect(nextShiftChange(plan, now)).toEqual(end);
  });

  test('the last second of a shift still belongs to it', () => {
    const lastSecond = new Date(ist('2026-11-28', '22:00').getTime() - 1);
    expect(shiftAt(plan, lastSecond).shift.id).toBe('evening');
  });

  test('the shift before the morning one is the night that began the evening before', () => {
    const prev = previousShift(plan, ist('2026-11-28', '06:00'));
    expect([prev.shift.id, prev.start, prev.end]).toEqual([
      'night',
      ist('2026-11-27', '22:00'),
      ist('2026-11-28', '06:00'),
    ]);
  });

  test('walking through a week, each shift ends exactly where the next begins', () => {
    let at = ist('2026-11-23', '06:00');
    for (let i = 0; i < 21; i++) {
      const o = shiftAt(plan, at);
      expect(o.start).toEqual(at);
      expect(o.end.getTime() - o.start.getTime()).toBe(8 * 3_600_000);
      at = o.end;
    }
    expect(at).toEqual(ist('2026-11-30', '06:00'));
  });
});

describe('plans in a zone with daylight saving', () => {
  const london: ShiftPlan = validateShiftPlan({
    version: 1,
    timeZone: 'Europe/London',
    staffing: { supervisor: 1, operator: 4, counsellor: 1 },
    shifts: [
      { id: 'day', label: 'x', start: '08:00', end: '20:00' },
      { id: 'night', label: 'y', start: '20:00', end: '08:00' },
    ],
  });

  test('the night the clocks go forward is an hour shorter, and still ends at 08:00 local time', () => {
    const o = shiftAt(london, new Date('2026-03-29T03:00:00Z'));
    expect(o.shift.id).toBe('night');
    expect(o.start.toISOString()).toBe('2026-03-28T20:00:00.000Z');
    expect(o.end.toISOString()).toBe('2026-03-29T07:00:00.000Z');
  });

  test('zoned times and days convert both ways', () => {
    expect(zonedTimeToUtc({ year: 2026, month: 7, day: 1, hour: 12, minute: 0 }, 'Europe/London').toISOString()).toBe(
      '2026-07-01T11:00:00.000Z',
    );
    expect(zonedDay(new Date('2026-11-27T19:00:00Z'), 'Asia/Kolkata')).toBe('2026-11-28');
    expect(dayRange('2026-11-28', 'Asia/Kolkata')).toEqual({
      start: ist('2026-11-28', '00:00'),
      end: ist('2026-11-29', '00:00'),
    });
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(isCalendarDay('2026-02-29')).toBe(false);
    expect(isCalendarDay('2028-02-29')).toBe(true);
  });
});

describe('invalid plans are refused at load time, naming the problem', () => {
  const base = { version: 1, timeZone: 'Asia/Kolkata', staffing: { supervisor: 1, operator: 4, counsellor: 1 } };
  const shift = (id: string, start: string, end: string) => ({ id, label: `shifts.name.${id}`, start, end });

  test.each([
    [
      'a gap',
      [shift('a', '06:00', '14:00'), shift('b', '15:00', '06:00')],
      /ends at 14:00 but the next one \(b\) starts at 15:00/,
    ],
    ['an overlap', [shift('a', '06:00', '15:00'), shift('b', '14:00', '06:00')], /ends at 15:00/],
    ['a duplicate id', [shift('a', '06:00', '18:00'), shift('a', '18:00', '06:00')], /duplicate shift a/],
    ['a bad time', [shift('a', '6:00', '06:00')], /HH:MM/],
    ['two days of shifts', [shift('a', '06:00', '06:00'), shift('b', '06:00', '06:00')], /cover 48 hours/],
  ])('%s', (_what, shifts, message) => {
    expect(() => validateShiftPlan({ ...base, shifts })).toThrow(FlowDefinitionError);
    expect(() => validateShiftPlan({ ...base, shifts })).toThrow(message);
  });

  test('an unknown time zone', () => {
    expect(() =>
      validateShiftPlan({ ...base, timeZone: 'Asia/Alirajpur', shifts: [shift('a', '06:00', '06:00')] }),
    ).toThrow(/IANA time zone/);
  });

  test('one shift of 24 hours is a valid plan', () => {
    const one = validateShiftPlan({ ...base, shifts: [shift('all', '00:00', '00:00')] });
    expect(shiftAt(one, ist('2026-11-28', '13:00')).start).toEqual(ist('2026-11-28', '00:00'));
  });
});
