import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { loadCatalog } from '../../src/domain/catalog-loader';
import {
  dueDates,
  escalationReason,
  levelDeadline,
  levelHours,
  loadEscalationPolicy,
  reminderAt,
  reminderDue,
  TOP_LEVEL,
  type EscalationPolicy,
} from '../../src/escalation/escalation-policy';
import { FlowDefinitionError } from '../../src/errors';
import { districtDay } from '../../src/i18n/format';

const FLOWS = path.resolve(__dirname, '../../flows');
const HOUR = 3_600_000;
const catalog = loadCatalog(FLOWS);
const policy = loadEscalationPolicy(FLOWS, catalog.categories);
const slaOf = (id: string) => catalog.categories.find((c) => c.id === id)!.sla;

/** Wall-clock time in Alirajpur, as staff would read a deadline. */
const ist = (d: Date) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Kolkata',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function writeFlows(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'escalation-policy-'));
  tempDirs.push(dir);
  fs.writeFileSync(path.join(dir, 'escalation.yaml'), yaml);
  return dir;
}

describe('flows/escalation.yaml', () => {
  test('loads, with every higher level and the feedback windows of the issue', () => {
    expect(policy.levels.map((l) => l.level).sort()).toEqual([2, 3, 4]);
    expect(policy.reminder.atFraction).toBe(0.5);
    expect(policy.feedback).toEqual({ waitDays: 7, reopenDays: 7 });
  });

  test('the category deadlines follow the issue: 24 h to acknowledge at most, 3 days for food, health and movement, 7 for other, stranded shorter', () => {
    for (const c of catalog.categories) expect(c.sla.acknowledgeHours).toBeLessThanOrEqual(24);
    for (const id of ['ration', 'health', 'travel']) expect(slaOf(id).resolveHours).toBe(72);
    expect(slaOf('other').resolveHours).toBe(7 * 24);
    expect(slaOf('stranded').resolveHours).toBeLessThan(72);
    expect(levelHours(policy, 2, 'stranded')).toBeLessThan(levelHours(policy, 2, 'ration'));
  });

  test('a missing level or an unknown category is refused with the file named', () => {
    const missing = writeFlows('version: 1\nlevels:\n  - { level: 2, hours: 24 }\n  - { level: 4, hours: 24 }\n');
    expect(() => loadEscalationPolicy(missing, catalog.categories)).toThrow(FlowDefinitionError);
    expect(() => loadEscalationPolicy(missing, catalog.categories)).toThrow(/escalation\.yaml.*level 3/);
    const unknown = writeFlows(
      'version: 1\nlevels:\n  - { level: 2, hours: 24, byCategory: { floods: 2 } }\n  - { level: 3, hours: 24 }\n  - { level: 4, hours: 24 }\n',
    );
    expect(() => loadEscalationPolicy(unknown, catalog.categories)).toThrow(/unknown category floods/);
    const fraction = writeFlows(
      'version: 1\nlevels:\n  - { level: 2, hours: 24 }\n  - { level: 3, hours: 24 }\n  - { level: 4, hours: 24 }\nreminder: { atFraction: 1.5 }\n',
    );
    expect(() => loadEscalationPolicy(fraction, catalog.categories)).toThrow(/reminder\.atFraction/);
  });
});

describe('deadline arithmetic', () => {
  test('a complaint filed at 23:30 in Alirajpur is due the next day and three days later at 23:30, across midnight', () => {
    const filed = new Date('2026-11-28T18:00:00.000Z');
    expect(ist(filed)).toBe('28/11/2026, 23:30');
    const { ackDueAt, resolveDueAt } = dueDates(filed, slaOf('ration'));
    expect(ist(ackDueAt)).toBe('29/11/2026, 23:30');
    expect(ist(resolveDueAt)).toBe('01/12/2026, 23:30');
    // The stranded category's 12 hours cross midnight into the next district day.
    const stranded = dueDates(filed, slaOf('stranded'));
    expect(ist(stranded.ackDueAt)).toBe('29/11/2026, 11:30');
    expect(districtDay(stranded.ackDueAt)).not.toBe(districtDay(filed));
  });

  test('a complaint filed just after midnight counts from then, not from the start of the day', () => {
    const filed = new Date('2026-12-31T18:35:00.000Z');
    expect(ist(filed)).toBe('01/01/2027, 00:05');
    expect(ist(dueDates(filed, slaOf('other')).resolveDueAt)).toBe('08/01/2027, 00:05');
  });

  const base = (over: Partial<Parameters<typeof levelDeadline>[0]> = {}) => {
    const created = new Date('2026-11-28T04:30:00.000Z');
    return {
      level: 1,
      category: 'ration',
      status: 'assigned' as const,
      createdAt: created,
      ...dueDates(created, slaOf('ration')),
      ...over,
    };
  };

  test('level 1: the acknowledgement deadline first, then the resolution deadline once acknowledged', () => {
    const t = base();
    expect(levelDeadline(t, policy)).toEqual({ at: t.ackDueAt, reason: 'ack_overdue' });
    expect(levelDeadline({ ...t, acknowledgedAt: new Date(t.ackDueAt.getTime() - HOUR) }, policy)).toEqual({
      at: t.resolveDueAt,
      reason: 'resolve_overdue',
    });
  });

  test('a higher level gets its own hours from the escalation, but never less than the ticket’s own resolve deadline', () => {
    const t = base();
    // Escalated for a missed acknowledgement at 24 h: level 2 keeps the rest of the 72 h.
    const early = levelDeadline({ ...t, level: 2, escalatedAt: t.ackDueAt }, policy);
    expect(early).toEqual({ at: t.resolveDueAt, reason: 'level_overdue' });
    // Escalated at the resolve deadline: 24 more hours at level 2.
    const late = levelDeadline({ ...t, level: 2, escalatedAt: t.resolveDueAt }, policy);
    expect(late?.at.getTime()).toBe(t.resolveDueAt.getTime() + levelHours(policy, 2, 'ration') * HOUR);
    // Stranded family members: shorter at every level.
    const stranded = levelDeadline({ ...t, category: 'stranded', level: 3, escalatedAt: t.resolveDueAt }, policy);
    expect(stranded?.at.getTime()).toBe(t.resolveDueAt.getTime() + levelHours(policy, 3, 'stranded') * HOUR);
    expect(levelDeadline({ ...t, level: TOP_LEVEL, escalatedAt: t.resolveDueAt }, policy)).toBeUndefined();
  });

  test('due exactly at the deadline, not a millisecond before; never for resolved or closed tickets', () => {
    const t = base();
    expect(escalationReason(t, policy, new Date(t.ackDueAt.getTime() - 1))).toBeUndefined();
    expect(escalationReason(t, policy, t.ackDueAt)).toBe('ack_overdue');
    for (const status of ['resolved', 'closed'] as const)
      expect(
        escalationReason({ ...t, status }, policy, new Date(t.resolveDueAt.getTime() + 100 * HOUR)),
      ).toBeUndefined();
  });

  test('once due, a ticket stays due as time passes (until it changes)', () => {
    const t = base();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: TOP_LEVEL }),
        fc.boolean(),
        fc.integer({ min: 0, max: 400 * HOUR }),
        fc.integer({ min: 0, max: 400 * HOUR }),
        fc.integer({ min: 0, max: 400 * HOUR }),
        (level, acked, escalatedAfter, a, b) => {
          const ticket = {
            ...t,
            level,
            ...(acked ? { acknowledgedAt: t.createdAt } : {}),
            ...(level > 1 ? { escalatedAt: new Date(t.createdAt.getTime() + escalatedAfter) } : {}),
          };
          const [early, later] = [Math.min(a, b), Math.max(a, b)].map((ms) => new Date(t.createdAt.getTime() + ms));
          if (escalationReason(ticket, policy, early!)) expect(escalationReason(ticket, policy, later!)).toBeDefined();
        },
      ),
    );
  });
});

describe('the acknowledgement reminder', () => {
  const sla = slaOf('ration');
  const created = new Date('2026-11-28T04:30:00.000Z');
  const ticket = { status: 'assigned' as const, level: 1, assignedTo: 'OFF1', ...dueDates(created, sla) };

  test('falls at half the acknowledgement window by default', () => {
    expect(reminderAt(ticket, sla, policy).getTime()).toBe(created.getTime() + 12 * HOUR);
    const later: EscalationPolicy = { ...policy, reminder: { atFraction: 0.75 } };
    expect(reminderAt(ticket, sla, later).getTime()).toBe(created.getTime() + 18 * HOUR);
  });

  test('is due from the reminder point until the deadline, once, for an assigned unacknowledged ticket', () => {
    const at = (h: number) => new Date(created.getTime() + h * HOUR);
    expect(reminderDue(ticket, sla, policy, at(11.9))).toBe(false);
    expect(reminderDue(ticket, sla, policy, at(12))).toBe(true);
    expect(reminderDue(ticket, sla, policy, at(23.9))).toBe(true);
    expect(reminderDue(ticket, sla, policy, at(24))).toBe(false);
    expect(reminderDue({ ...ticket, ackReminderSentAt: at(12) }, sla, policy, at(13))).toBe(false);
    expect(reminderDue({ ...ticket, acknowledgedAt: at(1) }, sla, policy, at(13))).toBe(false);
    const { assignedTo: _none, ...unassigned } = ticket;
    expect(reminderDue(unassigned, sla, policy, at(13))).toBe(false);
  });
});
