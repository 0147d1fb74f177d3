import type { Department } from '../domain/department';
import { withConfiguredChats, type Audience, type AudienceMember } from '../notify/audience';
import { TOP_LEVEL } from './escalation-policy';

/** Someone who hears of an escalation. */
export type Recipient = AudienceMember;

export type { OnDutySupervisors } from '../notify/audience';

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
 * Who each of these people is, and their language, comes from the one audience helper.
 */
export async function escalationRecipients(
  audience: Pick<Audience, 'namedChat' | 'officersOf' | 'supervisorsOnDuty' | 'admins'>,
  input: {
    department: Department | undefined;
    departmentCode: string;
    level: number;
    assignedTo?: string | undefined;
    now: Date;
  },
): Promise<Recipient[]> {
  const others = (list: Recipient[]) =>
    withConfiguredChats(
      list.filter((r) => input.assignedTo === undefined || r.staffId !== input.assignedTo),
      [],
    );

  for (let level = Math.max(2, input.level); level <= TOP_LEVEL; level++) {
    const named = input.department?.escalation.find((e) => e.level === level)?.telegramId;
    if (named) {
      const list = others([await audience.namedChat('telegram', named)]);
      if (list.length > 0) return list;
    }
    const list = others(
      level === 2
        ? await audience.officersOf(input.departmentCode)
        : level === 3
          ? await audience.supervisorsOnDuty(input.now)
          : await audience.admins(),
    );
    if (list.length > 0) return list;
  }
  return [];
}
