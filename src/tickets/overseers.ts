import type { ChannelName } from '../core/messages';
import type { StaffDoc } from '../storage/staff-models';
import type { StaffStore } from '../storage/staff-store';

/** Someone who hears of a ticket nobody holds. */
export type OverseerChat = Pick<StaffDoc, 'channel' | 'chatId' | 'language'>;

/**
 * Supervisors, administrators and the configured admin chats: the people who
 * must hear of a ticket without an officer (the supervisors' unassigned list).
 * @example const people = await overseerChats(staffStore, [{ channel: 'telegram', chatId: '9000' }])
 */
export async function overseerChats(staff: Pick<StaffStore, 'activeWithRoles'>, adminChats: ReadonlyArray<{ channel: ChannelName; chatId: string }>): Promise<OverseerChat[]> {
  const people: OverseerChat[] = await staff.activeWithRoles(['supervisor', 'admin']);
  for (const a of adminChats) {
    if (!people.some((p) => p.channel === a.channel && p.chatId === a.chatId)) people.push({ ...a, language: 'hi' });
  }
  return people;
}
