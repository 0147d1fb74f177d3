import type { StaffDoc } from '../storage/staff-models';
import type { StaffStore } from '../storage/staff-store';

/** Staff names by id, read once per command. */
export type StaffNames = (id: string | undefined) => string | undefined;

/** Names of active staff (one query); people who left show by id. */
export async function loadStaffNames(staff: Pick<StaffStore, 'listActive'>): Promise<StaffNames> {
  const list: StaffDoc[] = await staff.listActive();
  const byId = new Map(list.map((s) => [s._id, s.name]));
  return (id) => (id ? byId.get(id) : undefined);
}

/** "Name (ID)" for staff, the id alone when the name is unknown. */
export function staffLabel(names: StaffNames, id: string): string {
  const name = names(id);
  return name ? `${name} (${id})` : id;
}
