import type { Department } from '../domain/department';
import {
  CONFIGURED_CHAT_LANGUAGE,
  createAudience,
  memberOf,
  type AlertChat,
  type AudienceMember,
} from '../notify/audience';
import type { StaffDoc } from '../storage/staff-models';
import type { StaffStore } from '../storage/staff-store';
import { TOP_LEVEL } from './escalation-policy';

/** Someone who hears of an escalation. */
export type Recipient = AudienceMember;

/** On-duty supervisors at an instant; supplied by the shift roster. */
export type OnDutySupervisors = (
  now: Date,
) => Promise<Array<Pick<StaffDoc, 'channel' | 'chatId' | 'language'> & { _id?: string }>>;

export interface RecipientDeps {
  staff: Pick<StaffStore, 'activeOfficers' | 'activeWithRoles' | 'findActive'>;
  /** Chats that are administrators by configuration (ADMIN_TELEGRAM_IDS). */
  adminChats: readonly AlertChat[];
  onDutySupervisors?: OnDutySupervisors;
}

const keyOf = (r: { channel: string; chatId: string }) => `${r.channel}:${r.chatId}`;

/**
 * Who is told when a ticket reaches `level`. The rule, in order:
 * 1. the level's named chat in departments.yaml (`escalation[level].telegramId`), when set;
 * 2. otherwise by role — level 2: the department's other active officers
 *    (standing in for the department head, for whom there is no staff flag);
 *    level 3: the on-duty supervisors, else every active supervisor;
 *    level 4: active administrators and the ADMIN_TELEGRAM_IDS chats;
 * 3. a level where this finds nobody falls through to the next one, so an
 *    escalation always reaches someone with authority when anyone exists.
 * The officer holding the ticket is never among them (they get their own notice).
 */
export async function escalationRecipients(
  deps: RecipientDeps,
  input: {
    department: Department | undefined;
    departmentCode: string;
    level: number;
    assignedTo?: string | undefined;
    now: Date;
  },
): Promise<Recipient[]> {
  const excluded = (r: Recipient) => input.assignedTo !== undefined && r.staffId === input.assignedTo;
  const unique = (list: Recipient[]) => {
    const seen = new Set<string>();
    return list.filter((r) => !excluded(r) && !seen.has(keyOf(r)) && seen.add(keyOf(r)));
  };

  const audience = createAudience({ staff: deps.staff, adminChats: deps.adminChats });
  for (let level = Math.max(2, input.level); level <= TOP_LEVEL; level++) {
    const named = input.department?.escalation.find((e) => e.level === level)?.telegramId;
    if (named) {
      const person = await deps.staff.findActive(named);
      const list = unique([
        person && person.channel === 'telegram' && person.chatId === named
          ? memberOf(person)
          : { channel: 'telegram', chatId: named, language: CONFIGURED_CHAT_LANGUAGE },
      ]);
      if (list.length > 0) return list;
    }
    let list: Recipient[];
    if (level === 2) {
      list = unique((await deps.staff.activeOfficers(input.departmentCode)).map(memberOf));
    } else if (level === 3) {
      const onDuty = deps.onDutySupervisors ? await deps.onDutySupervisors(input.now) : [];
      list = unique(onDuty.map(memberOf));
      if (list.length === 0) list = unique(await audience.withRoles(['supervisor']));
    } else {
      list = unique(await audience.admins());
    }
    if (list.length > 0) return list;
  }
  return [];
}
