import type { Logger } from 'pino';
import { normalizeForMatch } from '../core/text-normalize';
import type { Clock } from '../clock';
import type { CounsellorAnswer, CounsellorGateway } from '../conversation/effect-runner';
import type { ConversationState } from '../core/conversation-state';
import type { Attachment, RenderedMessage, Reply, Text } from '../core/messages';
import { findCategory, type Catalog } from '../domain/catalog';
import type { StaffIdentity } from '../domain/roles';
import { memberOf, noticeItems, type AudienceMember } from '../notify/audience';
import type { OutboundItem } from '../core/outbound';
import type { ConversationStore } from '../storage/conversation-store';
import type { StaffDoc } from '../storage/staff-models';
import type { StaffStore } from '../storage/staff-store';
import type { StaffCommandModule } from '../conversation/staff-command';
import type { StaffOutcome } from '../conversation/types';
import type { TicketFiler } from '../tickets/ticket-filer';
import type { TicketMessages } from '../tickets/ticket-messages';
import type { CounsellorSessionDoc, SessionStore } from './counsellor-sessions';

/** Button scope for switching between a counsellor's sessions; value is the session number. */
export const SESSION_SCOPE = 'cs';

export interface CounsellorServiceDeps {
  sessions: SessionStore;
  staff: StaffStore;
  conversations: ConversationStore;
  messages: TicketMessages;
  catalog: Catalog;
  fileTicket: TicketFiler;
  clock: Clock;
  logger: Logger;
  /** Sessions one counsellor holds at once before new citizens wait. */
  maxSessionsPerCounsellor: number;
  /** Words after /end that also file the conversation as a ticket (the flow's `endWithTicket` vocabulary). */
  ticketWords: readonly string[];
  /** Staff ids of counsellors on duty now; by default every active counsellor. */
  onDutyCounsellors?: (now: Date) => Promise<string[]>;
}

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });
const say = (key: string, params?: Text['params']): Reply => ({ text: t(key, params) });

/**
 * The health counsellor relay: citizens ask to talk, are connected to an
 * on-duty counsellor with room (or queued, and given 104), and messages go
 * both ways through the outbox. The counsellor sees a session number, never
 * the citizen's phone number or chat id. It queues nothing itself: every
 * notice (built with `noticeItems`, each person in their own language) is
 * returned, to the effect runner by the gateway and as a `notify` effect by
 * the staff commands, the path every staff module's messages take.
 */
export function createCounsellorService(deps: CounsellorServiceDeps) {
  const { sessions, staff, messages, clock, logger } = deps;

  /** `replies` for `person` in their language; a citizen's photo or voice note rides on the first message. */
  function to(person: AudienceMember, replies: Reply[], key: string, media?: Attachment): OutboundItem[] {
    const rendered = messages.render(person.language, replies);
    const withMedia = (message: RenderedMessage, i: number): RenderedMessage =>
      media && i === 0 ? { ...message, media: { kind: media.kind, fileId: media.fileId } } : message;
    return noticeItems(person, rendered.map(withMedia), key);
  }

  const citizenOf = (s: CounsellorSessionDoc): AudienceMember => ({
    channel: s.channel,
    chatId: s.chatId,
    language: s.language,
  });
  const answer = (replies: Reply[], notices: OutboundItem[] = []): CounsellorAnswer => ({ replies, notices });

  async function candidates(now: Date): Promise<StaffDoc[]> {
    const all = await staff.activeWithRoles(['counsellor']);
    if (!deps.onDutyCounsellors) return all;
    const onDuty = new Set(await deps.onDutyCounsellors(now));
    return all.filter((c) => onDuty.has(c._id));
  }

  /** The on-duty counsellor with the fewest open sessions, if any has room. */
  async function freeCounsellor(now: Date): Promise<StaffDoc | undefined> {
    const people = await candidates(now);
    if (people.length === 0) return undefined;
    const counts = await sessions.openCounts();
    const ranked = people
      .map((p) => ({ p, n: counts.get(p._id) ?? 0 }))
      .filter((x) => x.n < deps.maxSessionsPerCounsellor)
      .sort((a, b) => a.n - b.n || a.p.joinedAt.getTime() - b.p.joinedAt.getTime());
    return ranked[0]?.p;
  }

  /** The counsellor's active session if it is still theirs and open; `id` names what was set even when it has ended. */
  async function activeOf(counsellorId: string): Promise<{ id?: string; session?: CounsellorSessionDoc }> {
    const id = await sessions.focusOf(counsellorId);
    const session = id ? await sessions.get(id) : null;
    const live = session && session.counsellorId === counsellorId && session.status === 'open' ? session : undefined;
    return { ...(id ? { id } : {}), ...(live ? { session: live } : {}) };
  }

  /** Buttons to make one of these sessions the active one. */
  function switchButtons(list: readonly Pick<CounsellorSessionDoc, '_id'>[]): Reply['buttons'] {
    return {
      scope: SESSION_SCOPE,
      options: list.map((s) => ({ value: s._id, label: t('common.verbatim', { text: s._id }) })),
    };
  }

  /**
   * Connect a waiting session to a counsellor and tell both. The new session
   * becomes the counsellor's active one only when they have none set at all;
   * otherwise their words keep going where they were told, and they are
   * offered a button to switch.
   */
  async function connect(
    session: CounsellorSessionDoc,
    counsellor: StaffDoc,
    now: Date,
  ): Promise<OutboundItem[] | undefined> {
    if (!(await sessions.assign(session._id, counsellor._id, now))) return undefined;
    const language = t(`language.${session.language}`);
    let notice: Reply;
    if (await sessions.focusIfNone(counsellor._id, session._id)) {
      notice = say('counsellor.new_session', { session: session._id, language });
    } else {
      const { session: active } = await activeOf(counsellor._id);
      notice = {
        text: active
          ? t('counsellor.new_session_inactive', { session: session._id, language, active: active._id })
          : t('counsellor.new_session_none_active', { session: session._id, language }),
        buttons: switchButtons([session]),
      };
    }
    logger.info(
      { event: 'counselling_connected', session: session._id, counsellor: counsellor._id },
      'counselling session connected',
    );
    return [
      ...to(memberOf(counsellor), [notice], `cs:${session._id}:new`),
      ...to(citizenOf(session), [say('counsellor.connected')], `cs:${session._id}:connected`),
    ];
  }

  /** Hand the oldest waiting citizen to this counsellor if they have room; the notices that owes. */
  async function pullWaiting(counsellor: StaffDoc): Promise<OutboundItem[]> {
    const now = clock.now();
    const open = (await sessions.openCounts()).get(counsellor._id) ?? 0;
    if (open >= deps.maxSessionsPerCounsellor) return [];
    const waiting = await sessions.oldestWaiting();
    return (waiting && (await connect(waiting, counsellor, now))) ?? [];
  }

  const gateway: CounsellorGateway = {
    async request(citizen) {
      const key = `${citizen.channel}:${citizen.chatId}`;
      const now = clock.now();
      const live = await sessions.liveForCitizen(key);
      if (live)
        return answer([say(live.status === 'open' ? 'counsellor.already_connected' : 'counsellor.still_waiting')]);
      const session = await sessions.create({
        citizenKey: key,
        channel: citizen.channel,
        chatId: citizen.chatId,
        citizenId: citizen.citizenId,
        language: citizen.language,
        createdAt: now,
      });
      const counsellor = await freeCounsellor(now);
      const connected = counsellor && (await connect(session, counsellor, now));
      if (connected) return answer([], connected);
      logger.info({ event: 'counselling_queued', session: session._id }, 'no counsellor free; citizen queued');
      return answer([say('counsellor.queued')]);
    },
    async relay(citizenKey, content, deliveryKey) {
      const session = await sessions.liveForCitizen(citizenKey);
      if (!session) {
        await deps.conversations.patchState(citizenKey, { inCounselling: false });
        return answer([say('counsellor.not_in_session')]);
      }
      if (content.text) await sessions.addCitizenLine(session._id, content.text);
      let counsellor = session.counsellorId ? await staff.findById(session.counsellorId) : null;
      if (session.status === 'open' && !counsellor?.active) {
        // Their counsellor's role ended: back to the queue rather than talking to no one.
        await sessions.requeue(session._id);
        session.status = 'waiting';
      }
      const notices: OutboundItem[] = [];
      if (session.status === 'waiting') {
        // A counsellor may have come on duty or freed up since: try again now.
        const now = clock.now();
        const free = await freeCounsellor(now);
        const connected = free && (await connect({ ...session, status: 'waiting' }, free, now));
        if (!connected) return answer([say('counsellor.still_waiting')]);
        notices.push(...connected);
        counsellor = free;
      }
      if (!counsellor) return answer([say('counsellor.still_waiting')]);
      const line = content.text
        ? say('counsellor.from_citizen', { session: session._id, text: content.text })
        : say('counsellor.citizen_media', { session: session._id });
      notices.push(...to(memberOf(counsellor), [line], `cs:${session._id}:in:${deliveryKey}`, content.attachment));
      return answer([], notices);
    },
    async leave(citizenKey) {
      const session = await sessions.liveForCitizen(citizenKey);
      if (!session) return answer([say('counsellor.not_in_session')]);
      await sessions.close(session._id, clock.now());
      const notices: OutboundItem[] = [];
      if (session.counsellorId) {
        const counsellor = await staff.findById(session.counsellorId);
        if (counsellor) {
          // Their words do not move to another session on their own: they choose.
          const others = (await sessions.openFor(counsellor._id)).filter((s) => s._id !== session._id);
          const { id: activeId } = await activeOf(counsellor._id);
          const notice: Reply =
            activeId === session._id
              ? {
                  text: t('counsellor.citizen_left_active', { session: session._id }),
                  ...(others.length > 0 ? { buttons: switchButtons(others) } : {}),
                }
              : say('counsellor.citizen_left', { session: session._id });
          notices.push(...to(memberOf(counsellor), [notice], `cs:${session._id}:left`));
          notices.push(...(await pullWaiting(counsellor)));
        }
      }
      return answer([say('counsellor.you_left')], notices);
    },
  };

  /** Nothing is active: say so, naming the session that ended if there was one, with buttons to choose. */
  async function noActive(counsellorId: string, endedId: string | undefined): Promise<Reply[]> {
    const open = await sessions.openFor(counsellorId);
    const text = endedId ? t('counsellor.active_ended', { session: endedId }) : t('counsellor.no_active');
    return [{ text, ...(open.length > 0 ? { buttons: switchButtons(open) } : {}) }];
  }

  async function end(identity: StaffIdentity, state: ConversationState, args: string[]): Promise<StaffOutcome> {
    const { id, session } = await activeOf(identity.id);
    if (!session) return { state, replies: await noActive(identity.id, id) };
    const now = clock.now();
    await sessions.close(session._id, now);
    // Cleared before the queue is pulled, so a waiting citizen connected now becomes active and the counsellor is told.
    await sessions.clearFocus(identity.id);
    await deps.conversations.patchState(session.citizenKey, { inCounselling: false });
    const replies: Reply[] = [say('counsellor.ended', { session: session._id })];
    const citizenNotices: Reply[] = [say('counsellor.ended_for_citizen')];
    const word = normalizeForMatch(args[0] ?? '');
    if (word && deps.ticketWords.some((w) => normalizeForMatch(w) === word)) {
      const category = deps.catalog.categories.find((c) => c.counsellor) ?? findCategory(deps.catalog, 'other');
      const text = session.citizenLines.join('\n').slice(0, 1000);
      if (category && text.length > 0) {
        const { ticket } = await deps.fileTicket({
          idempotencyKey: `counselling:${session._id}`,
          category,
          citizenId: session.citizenId,
          channel: session.channel,
          chatId: session.chatId,
          language: session.language,
          intake: session.channel,
          createdBy: { kind: 'staff', id: identity.id, role: identity.role },
          description: text,
          note: session._id,
        });
        replies.push(say('counsellor.ticket_created', { ref: ticket.ref }));
        citizenNotices.push(say('counsellor.ticket_for_citizen', { ref: ticket.ref }));
      } else {
        replies.push(say('counsellor.nothing_to_file'));
      }
    }
    // The citizen's notice is the command's effect: the effect runner queues it, as for every staff command.
    const ended = to(citizenOf(session), citizenNotices, `cs:${session._id}:ended`);
    const me = await staff.findById(identity.id);
    const pulled = me ? await pullWaiting(me) : [];
    // Sessions still open but not active: the counsellor picks the next one.
    const { session: nowActive } = await activeOf(identity.id);
    const remaining = (await sessions.openFor(identity.id)).filter((s) => s._id !== nowActive?._id);
    if (!nowActive && remaining.length > 0)
      replies.push({ text: t('counsellor.choose_next'), buttons: switchButtons(remaining) });
    logger.info(
      { event: 'counselling_ended', session: session._id, ticket: args[0] === 'ticket' },
      'counselling session ended',
    );
    return { state, replies, effects: [{ type: 'notify', items: [...ended, ...pulled] }] };
  }

  async function list(identity: StaffIdentity, state: ConversationState): Promise<StaffOutcome> {
    const open = await sessions.openFor(identity.id);
    if (open.length === 0) return { state, replies: [say('counsellor.none_open')] };
    const { session: active } = await activeOf(identity.id);
    return {
      state,
      replies: [
        {
          text: active
            ? t('counsellor.sessions', { active: active._id, count: open.length })
            : t('counsellor.sessions_none_active', { count: open.length }),
          buttons: switchButtons(open),
        },
      ],
    };
  }

  const isCounsellor = (identity: StaffIdentity) => identity.role === 'counsellor';

  const module: StaffCommandModule = {
    commands: ['sessions', 'end'],
    helpKey: (identity) => (isCounsellor(identity) ? 'counsellor.help' : undefined),
    async handle({ identity, state, name, args }) {
      if (!isCounsellor(identity)) return { state, replies: [say('staff.forbidden')] };
      if (name === 'end') return end(identity, state, args);
      // A counsellor who just came on duty picks up whoever is waiting.
      const me = await staff.findById(identity.id);
      const pulled = me ? await pullWaiting(me) : [];
      const listed = await list(identity, state);
      return pulled.length > 0 ? { ...listed, effects: [{ type: 'notify', items: pulled }] } : listed;
    },
    buttonScopes: [SESSION_SCOPE],
    async handleButton({ identity, state, value }) {
      const session = await sessions.get(value);
      if (!session || session.counsellorId !== identity.id || session.status !== 'open')
        return { state, replies: await noActive(identity.id, undefined) };
      await sessions.setFocus(identity.id, session._id);
      return { state, replies: [say('counsellor.switched', { session: session._id })] };
    },
    async handleText({ identity, state, msg, argText }) {
      if (!isCounsellor(identity)) return undefined;
      // Words go only to the session the counsellor was last told is active; if it ended, nowhere.
      const { id, session } = await activeOf(identity.id);
      if (!session) return { state, replies: await noActive(identity.id, id) };
      return {
        state,
        replies: [],
        effects: [
          {
            type: 'notify',
            items: to(
              citizenOf(session),
              [say('counsellor.from_counsellor', { text: argText })],
              `cs:${session._id}:out:${msg.updateKey}`,
            ),
          },
        ],
      };
    },
  };

  return { gateway, module };
}
