import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Attachment, Text } from '../core/messages';
import { pickOfficer, routeDepartment } from '../domain/department';
import { mayActOnTicket, type StaffIdentity } from '../domain/roles';
import type { Actor, Ticket } from '../domain/ticket';
import { applyAction, InvalidTransitionError, type TicketAction } from '../domain/ticket-lifecycle';
import type { Language } from '../i18n/create-i18n';
import { createAudience, noticeItems, type AlertChat } from '../notify/audience';
import type { OutboundItem, OwedNotices } from '../core/outbound';
import type { ConversationStore } from '../storage/conversation-store';
import type { StaffDoc } from '../storage/staff-models';
import type { StaffStore } from '../storage/staff-store';
import type { TicketChange, TicketStore } from '../storage/ticket-store';
import type { DepartmentDirectory } from './department-directory';
import type { NoticeRelay } from './notice-relay';
import { afterChange } from './ticket-change';
import type { TicketMessages } from './ticket-messages';

export interface TicketServiceDeps {
  tickets: TicketStore;
  staff: StaffStore;
  departments: DepartmentDirectory;
  conversations: ConversationStore;
  /** Moves the notices written with a change into the outbox. */
  relay: Pick<NoticeRelay, 'afterWrite'>;
  messages: TicketMessages;
  clock: Clock;
  logger: Logger;
  adminChats: AlertChat[];
  /** The "is your problem solved?" question sent after a resolution. */
  feedbackRequest?: (ticket: Ticket) => OutboundItem[];
}

/** What a staff member asks to do to a ticket. */
export type StaffRequest =
  | { type: 'acknowledge' }
  | { type: 'ask'; text: string }
  | { type: 'update'; text: string }
  | { type: 'resolve'; text: string }
  | { type: 'transfer'; department: string; text: string };

export type ActResult =
  | { ok: true; ticket: Ticket }
  | {
      ok: false;
      reason: 'not_found' | 'forbidden' | 'closed' | 'already' | 'conflict' | 'unknown_department';
      ticket?: Ticket;
    };

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/**
 * The officer loop: routing new tickets, staff actions with their history
 * lines, and every notification they cause (through the outbox).
 */
export function createTicketService(deps: TicketServiceDeps) {
  const { tickets, staff, departments, messages, clock, logger } = deps;

  const owed = (key: string, items: OutboundItem[]): OwedNotices => ({
    key,
    items: items.map((item, i) => ({ ...item, dedupeKey: item.dedupeKey ?? `${key}:${i}` })),
  });

  function toCitizen(ticket: Ticket, key: string, params: Text['params'], dedupe: string): OutboundItem[] {
    const lang = ticket.language;
    return messages.render(lang, [{ text: t(key, params) }]).map((message) => ({
      channel: ticket.channel,
      chatId: ticket.chatId,
      message,
      dedupeKey: `${ticket.ref}:${dedupe}:citizen`,
    }));
  }

  function toStaff(
    person: Pick<StaffDoc, 'channel' | 'chatId' | 'language'>,
    rendered: (lang: Language) => ReturnType<TicketMessages['render']>,
    dedupe: string,
    ticketRef: string,
  ): OutboundItem[] {
    return noticeItems(person, rendered(person.language), dedupe, ticketRef);
  }

  /** Supervisors, administrators and the configured admin chats: the people who must hear of a stuck ticket. */
  const overseers = createAudience({ staff, adminChats: deps.adminChats }).overseers;

  async function leastLoadedOfficer(department: string): Promise<StaffDoc | undefined> {
    const officers = await staff.activeOfficers(department);
    if (officers.length === 0) return undefined;
    const counts = await tickets.openCountsByOfficer(department);
    const id = pickOfficer(
      officers.map((o) => ({ id: o._id, openTickets: counts.get(o._id) ?? 0, joinedAt: o.joinedAt })),
    );
    return officers.find((o) => o._id === id);
  }

  /** Tell the department (its assigned officer, or overseers when it has none) about a ticket. */
  async function announce(
    ticket: Ticket,
    officer: StaffDoc | undefined,
    header: Text,
    dedupe = `${ticket.ref}:${ticket.history.length}`,
  ): Promise<OutboundItem[]> {
    const now = clock.now();
    if (officer) {
      const deptName = await departments.name(ticket.department, officer.language);
      return toStaff(officer, (lang) => messages.card(ticket, lang, header, now, deptName), dedupe, ticket.ref);
    }
    const items: OutboundItem[] = [];
    for (const person of await overseers()) {
      const deptName = await departments.name(ticket.department, person.language);
      const alert = t('staff.ticket.unassigned', { ref: ticket.ref, department: deptName });
      items.push(
        ...toStaff(
          person,
          (lang) => [
            ...messages.render(lang, [{ text: alert }]),
            ...messages.card(ticket, lang, header, now, deptName),
          ],
          dedupe,
          ticket.ref,
        ),
      );
    }
    if (items.length === 0)
      logger.warn({ event: 'ticket_unassigned_no_overseer', ref: ticket.ref }, 'no officer and nobody to alert');
    return items;
  }

  return {
    /**
     * Route a new ticket: department by category and block, the least loaded
     * officer of it, one history line, the officer's card and the citizen's notice.
     */
    async route(ticket: Ticket): Promise<Ticket> {
      if (!ticket.routePending) return ticket;
      const all = await departments.list();
      const department = routeDepartment(all, ticket, ticket.department);
      const officer = await leastLoadedOfficer(department);
      const by: Actor = { kind: 'system', id: 'router' };
      const action: TicketAction = officer
        ? { type: 'assign', department, officerId: officer._id }
        : { type: 'assign', department };
      const { to, entry } = applyAction(ticket.status, action, by, clock.now());
      const change: TicketChange = {
        status: to,
        set: { department, ...(officer ? { assignedTo: officer._id } : {}) },
        unset: ['routePending'],
        entry,
      };
      const next = afterChange(ticket, change);
      // Keys name the routing, not the history length: a routing repeated after a crash sends nothing twice.
      const items = await announce(next, officer, t('staff.ticket.new', { ref: next.ref }), `${next.ref}:route`);
      if (officer) {
        const deptName = await departments.name(department, next.language);
        items.push(...toCitizen(next, 'notify.assigned', { ref: next.ref, department: deptName }, 'assigned'));
      }
      const routed = await tickets.transition(ticket.ref, ticket.status, {
        ...change,
        owed: owed(`${ticket.ref}:route`, items),
      });
      if (!routed) return ticket;
      await deps.relay.afterWrite(routed);
      logger.info(
        { event: 'ticket_routed', ref: routed.ref, department, officer: officer?._id ?? null },
        'ticket routed',
      );
      return routed;
    },

    /**
     * A staff member acts on a ticket; the rules, the history and the notices in one place.
     * `actionKey` names the message asking for it: when that message is handled again (redelivered
     * after a crash that came after the change was written), the change is found and not repeated.
     */
    async act(
      actor: StaffIdentity,
      ref: string,
      request: StaffRequest,
      opts: { actionKey?: string } = {},
    ): Promise<ActResult> {
      const ticket = await tickets.findByRef(ref);
      if (!ticket) return { ok: false, reason: 'not_found' };
      const key = opts.actionKey
        ? createHash('sha256').update(opts.actionKey).digest('base64url').slice(0, 16)
        : undefined;
      if (key && ticket.history.some((e) => e.key === key)) return { ok: true, ticket };
      if (!mayActOnTicket(actor, ticket.department)) {
        logger.warn(
          { event: 'staff_forbidden', staff: actor.id, role: actor.role, ref, action: request.type },
          'staff action refused',
        );
        return { ok: false, reason: 'forbidden', ticket };
      }
      let newOfficer: StaffDoc | undefined;
      let action: TicketAction;
      if (request.type === 'transfer') {
        const dept = await departments.get(request.department);
        if (!dept) return { ok: false, reason: 'unknown_department', ticket };
        newOfficer = await leastLoadedOfficer(dept.code);
        action = {
          type: 'transfer',
          department: dept.code,
          text: request.text,
          ...(newOfficer ? { officerId: newOfficer._id } : {}),
        };
      } else {
        action = request;
      }
      let change;
      try {
        change = applyAction(ticket.status, action, { kind: 'staff', id: actor.id, role: actor.role }, clock.now());
        if (key) change.entry.key = key;
      } catch (err) {
        if (err instanceof InvalidTransitionError)
          return {
            ok: false,
            reason:
              err.action === 'acknowledge' && ticket.status !== 'resolved' && ticket.status !== 'closed'
                ? 'already'
                : 'closed',
            ticket,
          };
        throw err;
      }
      const set: Partial<Ticket> = {};
      const at = change.entry.at;
      if (request.type === 'acknowledge' || (!ticket.acknowledgedAt && change.to === 'in_progress'))
        set.acknowledgedAt = at;
      if (request.type === 'resolve') set.resolvedAt = at;
      if (action.type === 'transfer') {
        set.department = action.department;
        if (newOfficer) set.assignedTo = newOfficer._id;
      }
      const write: TicketChange = {
        status: change.to,
        set,
        ...(action.type === 'transfer' && !newOfficer ? { unset: ['assignedTo'] as Array<keyof Ticket> } : {}),
        entry: change.entry,
      };
      const next = afterChange(ticket, write);
      const n = next.history.length;
      const items: OutboundItem[] = [];
      switch (request.type) {
        case 'acknowledge':
          items.push(...toCitizen(next, 'notify.acknowledged', { ref }, `ack:${n}`));
          break;
        case 'ask':
          items.push(...toCitizen(next, 'notify.question', { ref, text: request.text }, `ask:${n}`));
          break;
        case 'update':
          items.push(...toCitizen(next, 'notify.update', { ref, text: request.text }, `update:${n}`));
          break;
        case 'resolve':
          items.push(...toCitizen(next, 'notify.resolved', { ref, text: request.text }, `resolve:${n}`));
          items.push(...(deps.feedbackRequest?.(next) ?? []));
          break;
        case 'transfer': {
          const citizenDept = await departments.name(next.department, next.language);
          items.push(...toCitizen(next, 'notify.transferred', { ref, department: citizenDept }, `transfer:${n}`));
          items.push(
            ...(await announce(next, newOfficer, t('staff.ticket.transferred_in', { ref, reason: request.text }))),
          );
          break;
        }
      }
      // The change and the notices it owes are one write: a crash after it loses no notice (the recovery pass relays them).
      const updated = await tickets.transition(ref, ticket.status, {
        ...write,
        owed: owed(`${ref}:${request.type}:${n}`, items),
      });
      if (!updated) return { ok: false, reason: 'conflict', ticket };
      if (request.type === 'ask') {
        // The citizen's next message outside a flow answers this question.
        await deps.conversations.patchState(`${updated.channel}:${updated.chatId}`, {
          awaitingAnswer: { ref, at: change.entry.at.toISOString() },
        });
      }
      if (request.type === 'resolve' && deps.feedbackRequest) {
        // A typed rating ("5", "५", "पाँच") in that chat now answers this question before anything else.
        await deps.conversations.patchState(`${updated.channel}:${updated.chatId}`, {
          awaitingRating: { ref, at: change.entry.at.toISOString() },
        });
      }
      await deps.relay.afterWrite(updated);
      logger.info(
        { event: 'ticket_action', ref, action: request.type, staff: actor.id, to: updated.status },
        'ticket action',
      );
      return { ok: true, ticket: updated };
    },

    /** The citizen answered an officer's question: into the history, and on to the officer. */
    async citizenReply(
      ref: string,
      citizenIds: readonly string[],
      content: { text?: string; attachment?: Attachment },
      deliveryKey?: string,
    ): Promise<boolean> {
      const ticket = await tickets.findByRef(ref);
      // Any chat linked to the ticket's citizen may answer (a caller's WhatsApp for a logged call).
      if (!ticket || !citizenIds.includes(ticket.citizenId)) return false;
      const citizenId = ticket.citizenId;
      const now = clock.now();
      // The citizen's message handled again after a crash (or a retry after an apology) is recorded and forwarded once.
      const key = deliveryKey
        ? createHash('sha256').update(`reply:${deliveryKey}`).digest('base64url').slice(0, 16)
        : undefined;
      if (key && ticket.history.some((e) => e.key === key)) return true;
      const entry = {
        at: now,
        by: { kind: 'citizen' as const, id: citizenId },
        action: 'citizen_reply',
        ...(content.text ? { text: content.text } : {}),
        ...(key ? { key } : {}),
      };
      const n = ticket.history.length + 1;
      const officer = ticket.assignedTo ? await staff.findById(ticket.assignedTo) : null;
      const recipients = officer?.active ? [officer] : await overseers();
      const items = recipients.flatMap((person) =>
        toStaff(
          person,
          (lang) =>
            content.attachment
              ? [
                  {
                    text: messages.render(lang, [{ text: t('staff.ticket.citizen_media', { ref }) }])[0]?.text ?? ref,
                    media: { kind: content.attachment.kind, fileId: content.attachment.fileId },
                  },
                ]
              : messages.render(lang, [{ text: t('staff.ticket.citizen_reply', { ref, text: content.text ?? '' }) }]),
          // Keyed on the citizen's message when known: a retried handling forwards it once.
          deliveryKey ? `${ref}:reply:${deliveryKey}` : `${ref}:${n}`,
          ref,
        ),
      );
      // The reply and its forwarding are one write: a crash after it loses nothing (the recovery pass relays it).
      const updated = await tickets.appendHistory(
        ref,
        entry,
        now,
        content.attachment,
        owed(`${ref}:reply:${n}`, items),
      );
      if (!updated) return false;
      await deps.relay.afterWrite(updated);
      return true;
    },
  };
}

export type TicketService = ReturnType<typeof createTicketService>;
