import type { ChannelName, RenderedMessage } from '../core/messages';
import type { StaffRole } from '../domain/roles';
import type { Language } from '../i18n/create-i18n';
import type { StaffDoc } from '../storage/staff-models';
import type { StaffStore } from '../storage/staff-store';
import type { OutboundItem } from '../core/outbound';

/** A chat that is an administrator by configuration (ADMIN_TELEGRAM_IDS, ADMIN_WEB_IDS): it has no staff record. */
export interface AlertChat {
  channel: ChannelName;
  chatId: string;
}

/** One chat that hears a notice, and the language to write it in. */
export interface AudienceMember {
  channel: ChannelName;
  chatId: string;
  language: Language;
  /** The staff record, when there is one (a configured chat has none). */
  staffId?: string;
}

/** A configured chat has no language on record: it is written to in Hindi, the district's language. */
export const CONFIGURED_CHAT_LANGUAGE: Language = 'hi';

/** A staff record (or anyone with a channel, chat and language) as a member of an audience. */
export function memberOf(person: Pick<StaffDoc, 'channel' | 'chatId' | 'language'> & { _id?: string }): AudienceMember {
  return {
    channel: person.channel,
    chatId: person.chatId,
    language: person.language,
    ...(person._id ? { staffId: person._id } : {}),
  };
}

const chatKey = (c: { channel: string; chatId: string }) => `${c.channel}:${c.chatId}`;

/** `people`, then each configured chat not among them (in Hindi); one entry per chat, in that order. */
export function withConfiguredChats(people: readonly AudienceMember[], chats: readonly AlertChat[]): AudienceMember[] {
  const seen = new Set<string>();
  const out: AudienceMember[] = [];
  for (const p of [
    ...people,
    ...chats.map((c): AudienceMember => ({ channel: c.channel, chatId: c.chatId, language: CONFIGURED_CHAT_LANGUAGE })),
  ]) {
    if (seen.has(chatKey(p))) continue;
    seen.add(chatKey(p));
    out.push(p);
  }
  return out;
}

/**
 * One notice to one member: each rendered message as an outbox item keyed
 * `<dedupe>:<channel>:<chatId>:<i>`, so the same notice queued again is sent once.
 * @example items.push(...noticeItems(person, messages.render(person.language, replies), `${ref}:5`, ref))
 */
export function noticeItems(
  to: Pick<AudienceMember, 'channel' | 'chatId'>,
  rendered: readonly RenderedMessage[],
  dedupe: string,
  ticketRef?: string,
): Array<OutboundItem & { dedupeKey: string }> {
  return rendered.map((message, i) => ({
    channel: to.channel,
    chatId: to.chatId,
    message,
    dedupeKey: `${dedupe}:${to.channel}:${to.chatId}:${i}`,
    ...(ticketRef ? { ticketRef } : {}),
  }));
}

/** The shift roster's supervisors on duty at an instant. */
export type OnDutySupervisors = (
  now: Date,
) => Promise<Array<Pick<StaffDoc, 'channel' | 'chatId' | 'language'> & { _id?: string }>>;

/** What {@link createAudience} needs. */
export interface AudienceDeps {
  staff: Pick<StaffStore, 'activeWithRoles' | 'activeOfficers' | 'findActive'>;
  /** Chats that are administrators by configuration. */
  adminChats?: readonly AlertChat[];
  /** The shift roster; without it every active supervisor counts as on duty. */
  onDutySupervisors?: OnDutySupervisors;
}

/**
 * Who gets a notice, and in which language: the one place that looks up
 * supervisors, administrators, a department's officers, a chat named in
 * configuration and the configured admin chats. Staff are written to in the
 * language of their record, configured chats in Hindi.
 * @example const audience = createAudience({ staff, adminChats: [{ channel: 'telegram', chatId: '9000' }] }); await audience.overseers()
 */
export function createAudience(deps: AudienceDeps) {
  const adminChats = deps.adminChats ?? [];

  async function withRoles(roles: StaffRole[]): Promise<AudienceMember[]> {
    return withConfiguredChats((await deps.staff.activeWithRoles(roles)).map(memberOf), []);
  }

  return {
    /** Active staff with any of `roles` (no configured chats), one entry per chat. */
    withRoles,
    /** Active administrators, then the configured admin chats: reports, alerts, a shift without a supervisor. */
    async admins(): Promise<AudienceMember[]> {
      return withConfiguredChats(await withRoles(['admin']), adminChats);
    },
    /** Supervisors and administrators, then the configured admin chats: who hears of a ticket nobody holds. */
    async overseers(): Promise<AudienceMember[]> {
      return withConfiguredChats(await withRoles(['supervisor', 'admin']), adminChats);
    },
    /** The active officers of `department`, one entry per chat. */
    async officersOf(department: string): Promise<AudienceMember[]> {
      return withConfiguredChats((await deps.staff.activeOfficers(department)).map(memberOf), []);
    },
    /** The supervisors on duty at `now` by the roster; when the roster names none, every active supervisor. */
    async supervisorsOnDuty(now: Date): Promise<AudienceMember[]> {
      const onDuty = deps.onDutySupervisors ? await deps.onDutySupervisors(now) : [];
      return onDuty.length > 0 ? withConfiguredChats(onDuty.map(memberOf), []) : withRoles(['supervisor']);
    },
    /**
     * A chat named in configuration (a department's escalation chat): the active staff member
     * linked there, in their language; a chat nobody is linked from, in Hindi.
     */
    async namedChat(channel: ChannelName, chatId: string): Promise<AudienceMember> {
      const person = await deps.staff.findActive(chatId);
      return person && person.channel === channel && person.chatId === chatId
        ? memberOf(person)
        : { channel, chatId, language: CONFIGURED_CHAT_LANGUAGE };
    },
  };
}

export type Audience = ReturnType<typeof createAudience>;
