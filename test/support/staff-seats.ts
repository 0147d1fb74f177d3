/**
 * The seats the access tables try every staff command from
 * (test/supervisor/access-table.test.ts for the built-in and supervisor
 * commands, test/staff/module-access.test.ts for the other modules), and the
 * verdict each table row expects. The rows themselves stay explicit in each
 * test: they pin who may do what, so a wrong change to a module's rules fails.
 */

/**
 * A citizen; an officer of the ticket's department and one of another; a
 * revoked officer whose conversation still remembers the role (a half-done
 * revocation); the other roles; and the administrator by configuration.
 */
export type Seat =
  'citizen' | 'officer' | 'otherDept' | 'revoked' | 'operator' | 'counsellor' | 'supervisor' | 'admin' | 'configAdmin';

/** Every seat, in the order the tables try them. */
export const SEATS: readonly Seat[] = [
  'citizen',
  'officer',
  'otherDept',
  'revoked',
  'operator',
  'counsellor',
  'supervisor',
  'admin',
  'configAdmin',
];

/** Supervisors and administrators (by staff record or by configuration). */
export const OVERSIGHT: readonly Seat[] = ['supervisor', 'admin', 'configAdmin'];

/** What a command from a seat should come to. */
export type Verdict = 'citizen engine' | 'role ended' | 'allowed' | 'refused';

/**
 * The verdict a row expects for a seat: a citizen's command is the citizen
 * engine's, a revoked officer is told the role ended whatever they send, and
 * every other seat is allowed exactly when the row lists it.
 * @example expectedVerdict('operator', ['operator', ...OVERSIGHT]) // 'allowed'
 */
export function expectedVerdict(seat: Seat, allowed: readonly Seat[]): Verdict {
  if (seat === 'citizen') return 'citizen engine';
  if (seat === 'revoked') return 'role ended';
  return allowed.includes(seat) ? 'allowed' : 'refused';
}

/**
 * How many of `lines` (pino JSON) log a refusal — one of `events` — of the
 * staff member `staffId`: the tables expect exactly one per refused command.
 * @example refusalsLogged(logs().slice(before), ['staff_command_refused'], person.identity.id) // 1
 */
export function refusalsLogged(lines: readonly string[], events: readonly string[], staffId: string): number {
  return lines.filter((l) => {
    const entry = JSON.parse(l) as { event?: unknown; staff?: unknown };
    return typeof entry.event === 'string' && events.includes(entry.event) && entry.staff === staffId;
  }).length;
}
