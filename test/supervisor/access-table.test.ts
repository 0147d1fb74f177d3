import type { StaffIdentity } from '../../src/domain/roles';
import { ist } from './seed-tickets';
import { CONFIG_ADMIN_CHAT, createSupervisorKit, who, type SupervisorKit } from './supervisor-kit';

/** Who may use what: every staff command, built in or plugged in, from every role. */
type Seat = 'citizen' | 'officer' | 'operator' | 'counsellor' | 'supervisor' | 'admin' | 'configAdmin';
const SEATS: Seat[] = ['citizen', 'officer', 'operator', 'counsellor', 'supervisor', 'admin', 'configAdmin'];
const ALL_STAFF: Seat[] = ['officer', 'operator', 'counsellor', 'supervisor', 'admin', 'configAdmin'];
const OVERSIGHT: Seat[] = ['supervisor', 'admin', 'configAdmin'];
const ADMINS: Seat[] = ['admin', 'configAdmin'];

/**
 * `args` may name `$REF`: a fresh ticket of the officer's department (FOOD)
 * for each command, so one role's action does not change what the next sees.
 */
const TABLE: Array<{ command: string; args: string; allowed: Seat[] }> = [
  { command: 'start', args: '', allowed: ALL_STAFF },
  { command: 'help', args: '', allowed: ALL_STAFF },
  { command: 'cancel', args: '', allowed: ALL_STAFF },
  { command: 'language', args: 'hi', allowed: ALL_STAFF },
  // Built-in: officers see their own tickets; every other staff role sees all open ones.
  { command: 'mine', args: '', allowed: ['officer', ...OVERSIGHT] },
  { command: 'invite', args: 'operator', allowed: ADMINS },
  { command: 'staff', args: '', allowed: OVERSIGHT },
  { command: 'revoke', args: 'NOBODY', allowed: ADMINS },
  { command: 'ack', args: '$REF', allowed: ['officer', ...OVERSIGHT] },
  { command: 'ask', args: '$REF दुकान कहाँ है?', allowed: ['officer', ...OVERSIGHT] },
  { command: 'update', args: '$REF कल जाँच होगी', allowed: ['officer', ...OVERSIGHT] },
  { command: 'resolve', args: '$REF हल हो गया', allowed: ['officer', ...OVERSIGHT] },
  { command: 'transfer', args: '$REF HEALTH बीमारी का मामला', allowed: ['officer', ...OVERSIGHT] },
  { command: 'stats', args: 'week', allowed: OVERSIGHT },
  { command: 'pending', args: '', allowed: ['officer', ...OVERSIGHT] },
  { command: 'overdue', args: '', allowed: OVERSIGHT },
  { command: 'ticket', args: '$REF', allowed: ['officer', ...OVERSIGHT] },
  { command: 'assign', args: '$REF FOOD', allowed: OVERSIGHT },
  { command: 'find', args: 'राशन', allowed: OVERSIGHT },
  { command: 'export', args: '', allowed: OVERSIGHT },
  { command: 'report', args: '', allowed: OVERSIGHT },
  { command: 'shift', args: '', allowed: ALL_STAFF },
  { command: 'roster', args: '', allowed: OVERSIGHT },
  { command: 'roster', args: 'set night operator -', allowed: ADMINS },
];

describe('every staff command from every role', () => {
  let kit: SupervisorKit;
  const seats = new Map<Seat, { chatId: string; identity?: StaffIdentity }>();

  beforeAll(async () => {
    kit = await createSupervisorKit();
    seats.set('citizen', { chatId: '777' });
    for (const role of ['operator', 'counsellor', 'supervisor', 'admin'] as const) seats.set(role, who(await kit.addStaff(role)));
    seats.set('officer', who(await kit.addStaff('officer', { department: 'FOOD' })));
    // Two FOOD officers, so /assign within FOOD has someone to move a ticket to.
    await kit.addStaff('officer', { department: 'FOOD' });
    seats.set('configAdmin', { chatId: CONFIG_ADMIN_CHAT });
  });

  afterAll(() => kit.close());

  const forbidden = () => [kit.translator.t('hi', 'staff.forbidden')];

  test.each(TABLE.map((row) => [`/${row.command}${row.args ? ` ${row.args.replace('$REF', 'REF')}` : ''}`, row] as const))('%s', async (_name, row) => {
    const ticket = await kit.seedTicket({ category: 'ration', department: 'FOOD', createdAt: ist('2026-11-28', '08:00') });
    const args = row.args.replace('$REF', ticket.ref);
    for (const seat of SEATS) {
      const person = seats.get(seat) as { chatId: string; identity?: StaffIdentity };
      const before = kit.logs().length;
      const { outcome, texts } = await kit.command(person, row.command, args);
      const refusedTicket = [kit.translator.t('hi', 'staff.forbidden_ticket', { ref: ticket.ref })];
      const refused = JSON.stringify(texts) === JSON.stringify(forbidden()) || JSON.stringify(texts) === JSON.stringify(refusedTicket);
      const verdict = seat === 'citizen' ? (outcome === undefined ? 'citizen engine' : 'answered by staff side') : refused ? 'refused' : 'allowed';
      const expected = seat === 'citizen' ? 'citizen engine' : row.allowed.includes(seat) ? 'allowed' : 'refused';
      expect({ seat, verdict }).toEqual({ seat, verdict: expected });
      if (verdict === 'refused') {
        // Every refusal is polite (the translated line above) and logged with who tried.
        const logged = kit.logs().slice(before);
        expect(logged.some((l) => /"event":"(staff_command_refused|staff_forbidden)"/.test(l) && l.includes(`"staff":"${person.identity?.id}"`))).toBe(true);
      }
    }
  });
});
