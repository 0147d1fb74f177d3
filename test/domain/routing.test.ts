import path from 'node:path';
import { pickOfficer, routeDepartment, type Department } from '../../src/domain/department';
import { readDepartmentsFile } from '../../src/domain/department-loader';
import { applyAction, InvalidTransitionError } from '../../src/domain/ticket-lifecycle';

const shipped = readDepartmentsFile(path.resolve(__dirname, '../../flows/departments.yaml'));
const dept = (code: string, categories: string[], blocks: string[] = []): Department => ({
  code,
  name: { hi: code, en: code },
  categories,
  blocks,
  escalation: [],
});

describe('routing: category × block → department', () => {
  test.each([
    ['stranded', 'jobat', 'REVENUE'],
    ['ration', 'sondwa', 'FOOD'],
    ['health', undefined, 'HEALTH'],
    ['travel', 'bhabra', 'POLICE'],
    ['other', 'udaigarh', 'CONTROL'],
  ])('shipped departments: %s in %s → %s', (category, block, expected) => {
    expect(routeDepartment(shipped, { category, block }, 'FALLBACK')).toBe(expected);
  });

  const withLocal = [dept('FOOD', ['ration']), dept('FOOD_JOBAT', ['ration'], ['jobat', 'sondwa'])];
  test.each([
    ['ration', 'jobat', 'FOOD_JOBAT'],
    ['ration', 'sondwa', 'FOOD_JOBAT'],
    ['ration', 'alirajpur', 'FOOD'],
    ['ration', undefined, 'FOOD'],
    ['health', 'jobat', 'FALLBACK'],
  ])('a department naming the block wins: %s in %s → %s', (category, block, expected) => {
    expect(routeDepartment(withLocal, { category, block }, 'FALLBACK')).toBe(expected);
  });

  test('only block-specific departments and a ticket outside them: the category default', () => {
    expect(
      routeDepartment([dept('FOOD_JOBAT', ['ration'], ['jobat'])], { category: 'ration', block: 'udaigarh' }, 'FOOD'),
    ).toBe('FOOD');
  });
});

describe('least-loaded officer', () => {
  const at = (d: string) => new Date(`2026-11-${d}T00:00:00Z`);
  test.each([
    [
      [
        { id: 'a', openTickets: 3, joinedAt: at('01') },
        { id: 'b', openTickets: 1, joinedAt: at('20') },
      ],
      'b',
    ],
    [
      [
        { id: 'a', openTickets: 2, joinedAt: at('10') },
        { id: 'b', openTickets: 2, joinedAt: at('05') },
      ],
      'b',
    ],
    [
      [
        { id: 'b', openTickets: 0, joinedAt: at('05') },
        { id: 'a', openTickets: 0, joinedAt: at('05') },
      ],
      'a',
    ],
    [[], undefined],
  ])('%j → %s', (officers, expected) => {
    expect(pickOfficer(officers)).toBe(expected);
  });
});

describe('ticket life cycle', () => {
  const by = { kind: 'staff' as const, id: 'S1', role: 'officer' };
  const now = new Date('2026-11-28T05:00:00Z');
  test.each([
    ['new', { type: 'assign', department: 'FOOD', officerId: 'S1' }, 'assigned'],
    ['new', { type: 'assign', department: 'FOOD' }, 'new'],
    ['assigned', { type: 'acknowledge' }, 'acknowledged'],
    ['acknowledged', { type: 'update', text: 'x' }, 'in_progress'],
    ['assigned', { type: 'ask', text: 'q' }, 'in_progress'],
    ['in_progress', { type: 'resolve', text: 'done' }, 'resolved'],
    ['in_progress', { type: 'transfer', department: 'HEALTH', text: 'r' }, 'new'],
    ['reopened', { type: 'acknowledge' }, 'acknowledged'],
  ] as const)('%s + %j → %s', (from, action, to) => {
    const r = applyAction(from, action as never, by, now);
    expect(r.to).toBe(to);
    expect(r.entry).toMatchObject({ at: now, by, action: action.type, from, to });
  });

  test.each([
    ['resolved', { type: 'update', text: 'x' }],
    ['closed', { type: 'acknowledge' }],
    ['acknowledged', { type: 'acknowledge' }],
  ] as const)('%s + %j is refused', (from, action) => {
    expect(() => applyAction(from, action as never, by, now)).toThrow(InvalidTransitionError);
  });
});
