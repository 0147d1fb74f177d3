import type { StaffRole } from '../../src/domain/roles';
import type { NewStaff } from '../../src/storage/staff-store';

/**
 * A Hindi-speaking Telegram staff member of `role` at `chatId`, named after
 * both, as the tests link staff without an invite; `extra` changes any field
 * (one given as undefined keeps its default: no department, for instance).
 * @example await staffStore.upsertStaff(newStaff('101', 'officer', now, { department: 'FOOD' }))
 */
export function newStaff(chatId: string, role: StaffRole, now: Date, extra: Partial<NewStaff> = {}): NewStaff {
  const given = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined));
  return {
    channel: 'telegram',
    chatId,
    role,
    name: `${role}-${chatId}`,
    language: 'hi',
    invitedBy: 'test',
    now,
    ...given,
  };
}
