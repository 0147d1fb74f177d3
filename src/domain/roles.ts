/** The people the system knows, from least to most authority over tickets. */
export const ROLES = ['citizen', 'officer', 'operator', 'counsellor', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** Roles an invite can grant. */
export const STAFF_ROLES = ['officer', 'operator', 'counsellor', 'supervisor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A staff member as the rules need them. */
export interface StaffIdentity {
  id: string;
  role: StaffRole;
  /** Set for officers: the department whose tickets they work. */
  department?: string;
}

/** Whether the role sees and steers every department's tickets. */
export function isOversight(role: Role): boolean {
  return role === 'supervisor' || role === 'admin';
}

/**
 * Whether a staff member may act on a ticket of `department`: its own
 * officers, or oversight roles for any department.
 */
export function mayActOnTicket(staff: StaffIdentity, department: string): boolean {
  if (isOversight(staff.role)) return true;
  return staff.role === 'officer' && staff.department === department;
}

export function isStaffRole(v: string): v is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(v);
}
