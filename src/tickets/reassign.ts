import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Text } from '../core/messages';
import { pickOfficer } from '../domain/department';
import { isOversight, type StaffIdentity } from '../domain/roles';
import type { Ticket } from '../domain/ticket';
import { applyAction, InvalidTransitionError } from '../domain/ticket-lifecycle';
import { createAudience, noticeItems, type AlertChat } from '../notify/audience';
import type { OutboundItem } from '../core/outbound';
import type { StaffDoc } from '../storage/staff-models';
import type { StaffStore } from '../storage/staff-store';
import type { TicketStore } from '../storage/ticket-store';
import type { DepartmentDirectory } from './department-directory';
import type { TicketMessages } from './ticket-messages';
import type { NoticeRelay } from './notice-relay';
import { afterChange } from './ticket-change';
import type { TicketChange } from '../storage/ticket-store';

/** What {@link createReassign} needs: the same pieces as the ticket service. */
export interface ReassignDeps {
  tickets: TicketStore;
  staff: StaffStore;
  departments: DepartmentDirectory;
  /** Moves the notices a reassignment owes (written with it) to the outbox. */
  relay: Pick<NoticeRelay, 'afterWrite'>;
  messages: TicketMessages;
  clock: Clock;
  logger: Logger;
  /** Chats that are administrators by configuration: told of a ticket left without an officer. */
  adminChats?: readonly AlertChat[];
}

/** Where a supervisor sends a ticket: a department, and perhaps one of its officers by staff id or chat id. */
export interface ReassignTarget {
  department: string;
  officer?: string;
  /**
   * When the department has no other officer, leave the ticket unassigned and
   * alert the supervisors instead of refusing (an officer's revocation).
   */
  orUnassigned?: boolean;
}

/** The reassigned ticket (and its new officer, if any), or why nothing changed. */
export type ReassignResult =
  | { ok: true; ticket: Ticket; officer?: StaffDoc; previousOfficer?: string }
  | {
      ok: false;
      reason:
        | 'not_found'
        | 'forbidden'
        | 'closed'
        | 'unknown_department'
        | 'unknown_officer'
        | 'already'
        | 'no_officer'
        | 'conflict';
      ticket?: Ticket;
    };

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/**
 * A supervisor's reassignment: move an open ticket to a department and an
 * officer of it (named, or the least loaded one other than the current),
 * with one `assign` history line by the supervisor. The new officer gets the
 * ticket card, the previous officer a short notice, and the citizen is told
 * of the new department or, within the same one, of the officer now on it.
 * @example const reassign = createReassign(deps); await reassign(supervisor, 'ALR-000012', { department: 'HEALTH' })
 */
export function createReassign(deps: ReassignDeps) {
  const { tickets, staff, departments, messages, clock, logger } = deps;
  const audience = createAudience({ staff, ...(deps.adminChats ? { adminChats: deps.adminChats } : {}) });

  async function chooseOfficer(
    department: string,
    wanted: string | undefined,
    current: Ticket,
  ): Promise<StaffDoc | undefined | 'unknown'> {
    const officers = await staff.activeOfficers(department);
    if (wanted) {
      const key = wanted.trim();
      return officers.find((o) => o._id === key.toUpperCase() || o.chatId === key) ?? 'unknown';
    }
    // Reassigning within the department means "someone else, please".
    const others =
      current.department === department && current.assignedTo
        ? officers.filter((o) => o._id !== current.assignedTo)
        : officers;
    if (others.length === 0) return undefined;
    const counts = await tickets.openCountsByOfficer(department);
    const id = pickOfficer(
      others.map((o) => ({ id: o._id, openTickets: counts.get(o._id) ?? 0, joinedAt: o.joinedAt })),
    );
    return others.find((o) => o._id === id);
  }

  return async function reassign(actor: StaffIdentity, ref: string, target: ReassignTarget): Promise<ReassignResult> {
    const ticket = await tickets.findByRef(ref);
    if (!ticket) return { ok: false, reason: 'not_found' };
    if (!isOversight(actor.role)) {
      logger.warn(
        { event: 'staff_forbidden', staff: actor.id, role: actor.role, ref, action: 'reassign' },
        'staff action refused',
      );
      return { ok: false, reason: 'forbidden', ticket };
    }
    const dept = await departments.get(target.department);
    if (!dept) return { ok: false, reason: 'unknown_department', ticket };
    const chosen = await chooseOfficer(dept.code, target.officer, ticket);
    if (chosen === 'unknown') return { ok: false, reason: 'unknown_officer', ticket };
    const sameDept = ticket.department === dept.code;
    if (sameDept) {
      if (chosen && chosen._id === ticket.assignedTo) return { ok: false, reason: 'already', ticket };
      // Within its own department a reassignment needs someone (else) to take the ticket.
      if (!chosen && !target.orUnassigned) return { ok: false, reason: 'no_officer', ticket };
    }

    let change;
    try {
      change = applyAction(
        ticket.status,
        { type: 'assign', department: dept.code, ...(chosen ? { officerId: chosen._id } : {}) },
        { kind: 'staff', id: actor.id, role: actor.role },
        clock.now(),
      );
    } catch (err) {
      if (err instanceof InvalidTransitionError) return { ok: false, reason: 'closed', ticket };
      throw err;
    }
    const write: TicketChange = {
      status: change.to,
      set: { department: dept.code, ...(chosen ? { assignedTo: chosen._id } : {}) },
      ...(chosen ? {} : { unset: ['assignedTo'] as Array<keyof Ticket> }),
      entry: change.entry,
    };
    // The notices are rendered from the ticket as it will be, and written with the change itself:
    // a crash after the write loses none of them (the recovery pass relays them).
    const next = afterChange(ticket, write);
    const n = next.history.length;
    const now = clock.now();
    const items: OutboundItem[] = [];
    if (chosen) {
      const deptName = await departments.name(dept.code, chosen.language);
      messages
        .card(next, chosen.language, t('supervisor.assign.card_header', { ref }), now, deptName)
        .forEach((message, i) =>
          items.push({
            channel: chosen.channel,
            chatId: chosen.chatId,
            message,
            dedupeKey: `${ref}:${n}:reassign:${chosen._id}:${i}`,
            ticketRef: ref,
          }),
        );
    }
    const previous =
      ticket.assignedTo && ticket.assignedTo !== chosen?._id ? await staff.findById(ticket.assignedTo) : null;
    if (previous?.active) {
      const deptName = await departments.name(dept.code, previous.language);
      for (const message of messages.render(previous.language, [
        { text: t('supervisor.assign.moved_away', { ref, department: deptName }) },
      ])) {
        items.push({
          channel: previous.channel,
          chatId: previous.chatId,
          message,
          dedupeKey: `${ref}:${n}:moved:${previous._id}`,
        });
      }
    }
    if (!chosen && target.orUnassigned) {
      for (const person of await audience.overseers()) {
        const deptName = await departments.name(dept.code, person.language);
        const alert = t('staff.ticket.unassigned', { ref, department: deptName });
        const rendered = [
          ...messages.render(person.language, [{ text: alert }]),
          ...messages.card(next, person.language, t('staff.ticket.new', { ref }), now, deptName),
        ];
        items.push(...noticeItems(person, rendered, `${ref}:${n}:unassigned`, ref));
      }
    }
    if (!sameDept) {
      const deptName = await departments.name(dept.code, next.language);
      for (const message of messages.render(next.language, [
        { text: t('notify.transferred', { ref, department: deptName }) },
      ])) {
        items.push({ channel: next.channel, chatId: next.chatId, message, dedupeKey: `${ref}:transfer:${n}:citizen` });
      }
    } else if (chosen) {
      // Given to an officer within its department: the citizen hears it as from automatic assignment.
      const deptName = await departments.name(dept.code, next.language);
      for (const message of messages.render(next.language, [
        { text: t('notify.assigned', { ref, department: deptName }) },
      ])) {
        items.push({ channel: next.channel, chatId: next.chatId, message, dedupeKey: `${ref}:assigned:${n}:citizen` });
      }
    }
    const updated = await tickets.transition(ref, ticket.status, {
      ...write,
      owed: {
        key: `${ref}:reassign:${n}`,
        items: items.map((item, i) => ({ ...item, dedupeKey: item.dedupeKey ?? `${ref}:reassign:${n}:${i}` })),
      },
    });
    if (!updated) return { ok: false, reason: 'conflict', ticket };
    await deps.relay.afterWrite(updated);
    logger.info(
      { event: 'ticket_reassigned', ref, staff: actor.id, department: dept.code, officer: chosen?._id ?? null },
      'ticket reassigned',
    );
    return {
      ok: true,
      ticket: updated,
      ...(chosen ? { officer: chosen } : {}),
      ...(ticket.assignedTo ? { previousOfficer: ticket.assignedTo } : {}),
    };
  };
}

export type Reassign = ReturnType<typeof createReassign>;
