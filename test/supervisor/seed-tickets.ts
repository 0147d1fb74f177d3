/**
 * A fixed set of tickets around the test clock (28 Nov 2026, 10:00 in
 * Alirajpur), chosen so every supervisor view has something to show: open and
 * overdue ones, resolved and rated ones across midnight, every intake channel,
 * one with text that CSV must quote, and enough of one department to page.
 */
import type { Ticket } from '../../src/domain/ticket';
import type { SupervisorKit } from './supervisor-kit';

/** An instant given as Alirajpur wall-clock time. */
export const ist = (day: string, time: string): Date => new Date(`${day}T${time}:00+05:30`);

/** Text with a quote, a comma, a line break and Hindi: what CSV quoting must survive. */
export const TRICKY_DESCRIPTION = 'राशन "दुकान", बंद\nदूसरी पंक्ति';
/** A locality that a spreadsheet would run as a formula. */
export const FORMULA_LOCALITY = '=HYPERLINK("http://x")';
/** FOOD tickets filed yesterday afternoon, open, not yet overdue at 10:00: they make /pending FOOD run to two pages. */
export const EXTRA_FOOD = 12;

export interface StandardSet {
  t1: Ticket;
  t2: Ticket;
  t3: Ticket;
  t4: Ticket;
  t5: Ticket;
  t6: Ticket;
  t7: Ticket;
  extras: Ticket[];
  all: Ticket[];
}

/**
 * - t1 FOOD, Telegram, yesterday 09:00, assigned, not acknowledged: overdue since today 09:00
 * - t2 FOOD, phone 181 (logged by the operator), today 08:00, new
 * - t3 HEALTH, WhatsApp, 25 Nov, acknowledged and resolved yesterday, rated 4 (satisfied) yesterday
 * - t4 REVENUE, mobile, 18 Nov, in progress at level 2: overdue for resolution
 * - t5 POLICE, phone 104, yesterday 23:30, acknowledged 00:30 and resolved 05:00 today, rated 2 today
 * - t6 CONTROL, web, 19 Oct, closed
 * - t7 FOOD, Telegram, today 09:30, with quotes, comma, line break and a phone number
 * - 12 more FOOD, Telegram, yesterday from 12:00, new
 */
export async function seedStandardSet(
  kit: SupervisorKit,
  people: { foodOfficer: string; healthOfficer: string; operator: string },
): Promise<StandardSet> {
  const t1 = await kit.seedTicket({
    category: 'ration',
    department: 'FOOD',
    createdAt: ist('2026-11-27', '09:00'),
    status: 'assigned',
    assignedTo: people.foodOfficer,
    intake: 'telegram',
  });
  const t2 = await kit.seedTicket({
    category: 'ration',
    department: 'FOOD',
    createdAt: ist('2026-11-28', '08:00'),
    intake: 'phone181',
    loggedBy: people.operator,
    phone: '+919123456789',
  });
  const t3 = await kit.seedTicket({
    category: 'health',
    department: 'HEALTH',
    createdAt: ist('2026-11-25', '10:00'),
    channel: 'whatsapp',
    intake: 'whatsapp',
    status: 'resolved',
    assignedTo: people.healthOfficer,
    acknowledgedAt: ist('2026-11-27', '11:00'),
    resolvedAt: ist('2026-11-27', '15:00'),
    feedback: { rating: 4, satisfied: true, at: ist('2026-11-27', '18:00') },
    history: [
      { at: ist('2026-11-25', '10:00'), by: { kind: 'citizen', id: 'c3' }, action: 'created', to: 'new' },
      {
        at: ist('2026-11-25', '10:00'),
        by: { kind: 'system', id: 'router' },
        action: 'assign',
        from: 'new',
        to: 'assigned',
        department: 'HEALTH',
        officerId: people.healthOfficer,
      },
      {
        at: ist('2026-11-27', '11:00'),
        by: { kind: 'staff', id: people.healthOfficer, role: 'officer' },
        action: 'acknowledge',
        from: 'assigned',
        to: 'acknowledged',
      },
      {
        at: ist('2026-11-27', '15:00'),
        by: { kind: 'staff', id: people.healthOfficer, role: 'officer' },
        action: 'resolve',
        from: 'acknowledged',
        to: 'resolved',
        text: 'जाँच शिविर में जाँच हो गई',
      },
    ],
  });
  const t4 = await kit.seedTicket({
    category: 'stranded',
    department: 'REVENUE',
    createdAt: ist('2026-11-18', '10:00'),
    intake: 'mobile',
    status: 'in_progress',
    acknowledgedAt: ist('2026-11-19', '10:00'),
    level: 2,
    escalatedAt: ist('2026-11-21', '10:00'),
    history: [
      { at: ist('2026-11-18', '10:00'), by: { kind: 'citizen', id: 'c4' }, action: 'created', to: 'new' },
      {
        at: ist('2026-11-21', '10:00'),
        by: { kind: 'system', id: 'sla' },
        action: 'escalate',
        text: 'resolve_overdue',
      },
    ],
  });
  const t5 = await kit.seedTicket({
    category: 'travel',
    department: 'POLICE',
    createdAt: ist('2026-11-27', '23:30'),
    intake: 'phone104',
    status: 'resolved',
    acknowledgedAt: ist('2026-11-28', '00:30'),
    resolvedAt: ist('2026-11-28', '05:00'),
    feedback: { rating: 2, satisfied: false, at: ist('2026-11-28', '06:30') },
  });
  const t6 = await kit.seedTicket({
    category: 'other',
    department: 'CONTROL',
    createdAt: ist('2026-10-19', '10:00'),
    channel: 'web',
    intake: 'web',
    status: 'closed',
    closedAt: ist('2026-10-25', '10:00'),
  });
  const t7 = await kit.seedTicket({
    category: 'ration',
    department: 'FOOD',
    createdAt: ist('2026-11-28', '09:30'),
    intake: 'telegram',
    description: TRICKY_DESCRIPTION,
    phone: '+919876543210',
    block: 'jobat',
    locality: FORMULA_LOCALITY,
  });
  const extras: Ticket[] = [];
  for (let i = 0; i < EXTRA_FOOD; i++) {
    extras.push(
      await kit.seedTicket({
        category: 'ration',
        department: 'FOOD',
        createdAt: new Date(ist('2026-11-27', '12:00').getTime() + i * 600_000),
        intake: 'telegram',
      }),
    );
  }
  return { t1, t2, t3, t4, t5, t6, t7, extras, all: [t1, t2, t3, t4, t5, t6, t7, ...extras] };
}
