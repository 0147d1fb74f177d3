/**
 * Who may use what: every staff command and button, built in or plugged in,
 * from every role, on a ticket of the officer's department (FOOD). Two more
 * seats: an officer of another department (HEALTH), and a revoked officer
 * whose conversation still remembers the role (a half-done revocation): the
 * staff record decides, so they are told their role ended, whatever they send.
 */
import type { StaffIdentity } from '../../src/domain/roles';
import { configuredAdminId } from '../../src/staff/staff-access';
import { expectedVerdict, OVERSIGHT, refusalsLogged, SEATS, type Seat } from '../support/staff-seats';
import { ist } from './seed-tickets';
import { CONFIG_ADMIN_CHAT, createSupervisorKit, who, type SupervisorKit } from './supervisor-kit';

const ALL_STAFF: Seat[] = ['officer', 'otherDept', 'operator', 'counsellor', 'supervisor', 'admin', 'configAdmin'];
/** Officers of the ticket's department, and oversight: who may act on a FOOD ticket. */
const TICKET_HOLDERS: Seat[] = ['officer', 'supervisor', 'admin', 'configAdmin'];
const ADMINS: Seat[] = ['admin', 'configAdmin'];

/**
 * `args` and buttons may name `$REF`: a fresh ticket of the officer's department
 * (FOOD) for each command and seat, so one role's action does not change what the next sees.
 */
type Row = { command: string; args: string; allowed: readonly Seat[] } | { button: string; allowed: readonly Seat[] };
const TABLE: Row[] = [
  { command: 'start', args: '', allowed: ALL_STAFF },
  { command: 'help', args: '', allowed: ALL_STAFF },
  { command: 'cancel', args: '', allowed: ALL_STAFF },
  { command: 'language', args: 'hi', allowed: ALL_STAFF },
  // Built-in: officers see their own tickets; every other staff role sees all open ones.
  { command: 'mine', args: '', allowed: ['officer', 'otherDept', ...OVERSIGHT] },
  { command: 'invite', args: 'operator', allowed: ADMINS },
  { command: 'invite', args: '', allowed: ADMINS },
  { command: 'invite', args: 'cancel NOCODE', allowed: ADMINS },
  { command: 'invite', args: 'confirm NOCODE', allowed: ADMINS },
  // Administrators only, as the README says.
  { command: 'staff', args: '', allowed: ADMINS },
  { command: 'revoke', args: 'NOBODY', allowed: ADMINS },
  { command: 'ack', args: '$REF', allowed: TICKET_HOLDERS },
  { command: 'ask', args: '$REF दुकान कहाँ है?', allowed: TICKET_HOLDERS },
  { command: 'update', args: '$REF कल जाँच होगी', allowed: TICKET_HOLDERS },
  { command: 'resolve', args: '$REF हल हो गया', allowed: TICKET_HOLDERS },
  { command: 'transfer', args: '$REF HEALTH बीमारी का मामला', allowed: TICKET_HOLDERS },
  { command: 'stats', args: 'week', allowed: OVERSIGHT },
  { command: 'pending', args: '', allowed: ['officer', 'otherDept', ...OVERSIGHT] },
  { command: 'overdue', args: '', allowed: OVERSIGHT },
  { command: 'ticket', args: '$REF', allowed: TICKET_HOLDERS },
  { command: 'assign', args: '$REF FOOD', allowed: OVERSIGHT },
  { command: 'find', args: 'राशन', allowed: OVERSIGHT },
  { command: 'export', args: '', allowed: OVERSIGHT },
  { command: 'report', args: '', allowed: OVERSIGHT },
  { command: 'shift', args: '', allowed: ALL_STAFF },
  { command: 'roster', args: '', allowed: OVERSIGHT },
  { command: 'roster', args: 'set night operator -', allowed: ADMINS },
  // The buttons under a ticket card, and the department picker of "transfer".
  { button: 'tk|ack:$REF', allowed: TICKET_HOLDERS },
  { button: 'tk|ask:$REF', allowed: TICKET_HOLDERS },
  { button: 'tk|update:$REF', allowed: TICKET_HOLDERS },
  { button: 'tk|resolve:$REF', allowed: TICKET_HOLDERS },
  { button: 'tk|transfer:$REF', allowed: TICKET_HOLDERS },
  { button: 'tkx|$REF:HEALTH', allowed: TICKET_HOLDERS },
];

describe('every staff command from every role', () => {
  let kit: SupervisorKit;
  const seats = new Map<Seat, { chatId: string; identity?: StaffIdentity }>();

  beforeAll(async () => {
    kit = await createSupervisorKit();
    seats.set('citizen', { chatId: '777' });
    for (const role of ['operator', 'counsellor', 'supervisor', 'admin'] as const)
      seats.set(role, who(await kit.addStaff(role)));
    seats.set('officer', who(await kit.addStaff('officer', { department: 'FOOD' })));
    seats.set('otherDept', who(await kit.addStaff('officer', { department: 'HEALTH' })));
    // Revoked in the staff record only: the second write of /revoke never happened.
    const revoked = await kit.addStaff('officer', { department: 'FOOD' });
    await kit.staffStore.revoke(revoked.id, kit.clock.now());
    seats.set('revoked', who(revoked));
    // Two FOOD officers, so /assign within FOOD has someone to move a ticket to.
    await kit.addStaff('officer', { department: 'FOOD' });
    seats.set('configAdmin', { chatId: CONFIG_ADMIN_CHAT });
  });

  afterAll(() => kit.close());

  const forbidden = () => [kit.translator.t('hi', 'staff.forbidden')];

  const label = (row: Row) =>
    'button' in row
      ? `button ${row.button.replace('$REF', 'REF')}`
      : `/${row.command}${row.args ? ` ${row.args.replace('$REF', 'REF')}` : ''}`;

  test.each(TABLE.map((row) => [label(row), row] as const))('%s', async (_name, row) => {
    for (const seat of SEATS) {
      // A fresh ticket per seat: one seat's transfer or resolution must not decide what the next may do.
      const ticket = await kit.seedTicket({
        category: 'ration',
        department: 'FOOD',
        createdAt: ist('2026-11-28', '08:00'),
      });
      const person = seats.get(seat) as { chatId: string; identity?: StaffIdentity };
      const before = kit.logs().length;
      let sent;
      if ('button' in row) {
        const [scope = '', value = ''] = row.button.replace('$REF', ticket.ref).split('|');
        sent = await kit.send(person, { kind: 'button', scope, value });
      } else {
        sent = await kit.command(person, row.command, row.args.replace('$REF', ticket.ref));
      }
      const { outcome, texts } = sent;
      const refusedTicket = [kit.translator.t('hi', 'staff.forbidden_ticket', { ref: ticket.ref })];
      const refused =
        JSON.stringify(texts) === JSON.stringify(forbidden()) ||
        JSON.stringify(texts) === JSON.stringify(refusedTicket);
      const ended =
        JSON.stringify(texts) === JSON.stringify([kit.translator.t('hi', 'staff.role_ended')]) &&
        outcome?.staffChange === null;
      const verdict =
        seat === 'citizen'
          ? outcome === undefined
            ? 'citizen engine'
            : 'answered by staff side'
          : ended
            ? 'role ended'
            : refused
              ? 'refused'
              : 'allowed';
      expect({ seat, verdict }).toEqual({ seat, verdict: expectedVerdict(seat, row.allowed) });
      // A refused button never leaves a half-done action waiting for text.
      if (verdict !== 'allowed') expect(outcome?.state.staffPending).toBeUndefined();
      if (verdict === 'refused') {
        // Every refusal is polite (the translated line above) and logged once with who tried.
        const staffId = person.identity?.id ?? configuredAdminId('telegram', CONFIG_ADMIN_CHAT);
        const events = ['staff_command_refused', 'staff_forbidden'];
        expect({ seat, refusalLogs: refusalsLogged(kit.logs().slice(before), events, staffId) }).toEqual({
          seat,
          refusalLogs: 1,
        });
      }
    }
  });
});
