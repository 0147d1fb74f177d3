import type { StaffRole } from '../domain/roles';

/** The supervisor module's commands. */
export const SUPERVISOR_COMMANDS = [
  'stats',
  'pending',
  'overdue',
  'ticket',
  'assign',
  'find',
  'export',
  'report',
] as const;
export type SupervisorCommand = (typeof SUPERVISOR_COMMANDS)[number];

/**
 * Who may use each command. Officers may look at their own department's
 * queue and tickets (the department is checked where the ticket is known);
 * everything district-wide is for supervisors and administrators.
 */
export const SUPERVISOR_ACCESS: Readonly<Record<SupervisorCommand, readonly StaffRole[]>> = {
  stats: ['supervisor', 'admin'],
  pending: ['officer', 'supervisor', 'admin'],
  overdue: ['supervisor', 'admin'],
  ticket: ['officer', 'supervisor', 'admin'],
  assign: ['supervisor', 'admin'],
  find: ['supervisor', 'admin'],
  export: ['supervisor', 'admin'],
  report: ['supervisor', 'admin'],
};

/** Whether a command name is one of this module's. */
export function isSupervisorCommand(name: string): name is SupervisorCommand {
  return (SUPERVISOR_COMMANDS as readonly string[]).includes(name);
}

/** Whether a role may use a command at all. */
export function mayUse(role: StaffRole, command: SupervisorCommand): boolean {
  return SUPERVISOR_ACCESS[command].includes(role);
}
