import type { Logger } from 'pino';
import type { ConversationStore } from '../storage/conversation-store';
import type { Clock } from '../clock';
import type { Reply, Text } from '../core/messages';
import { findCategory, type Catalog } from '../domain/catalog';
import { pickOfficer } from '../domain/department';
import { firstAcknowledgement, type Actor, type Ticket } from '../domain/ticket';
import {
  applyClosure,
  feedbackGiven,
  InvalidClosureError,
  isRating,
  reopenAllowed,
  type ClosureAction,
} from '../domain/ticket-closure';
import { daysMs, dueDates, type EscalationPolicy } from '../escalation/escalation-policy';
import type { EscalationService } from '../escalation/escalation-service';
import { createAudience, noticeItems, type AlertChat } from '../notify/audience';
import type { OutboundItem, OwedNotices } from '../core/outbound';
import type { NoticeRelay } from '../tickets/notice-relay';
import { afterChange } from '../tickets/ticket-change';
import type { TicketChange } from '../storage/ticket-store';
import type { StaffDoc } from '../storage/staff-models';
import type { StaffStore } from '../storage/staff-store';
import type { TicketStore } from '../storage/ticket-store';
import type { DepartmentDirectory } from '../tickets/department-directory';
import type { TicketMessages } from '../tickets/ticket-messages';
import { ratingQuestion } from './feedback-question';
import type { FeedbackStore } from './feedback-store';
import { safeError } from '../logger';

/** Most tickets one run of the "no answer" job closes; the next run takes the rest. */
const DEFAULT_BATCH = 200;

/** The actor who closes tickets nobody rated. */
export const FEEDBACK_TIMEOUT_ACTOR: Actor = { kind: 'system', id: 'feedback-timeout' };

export type FeedbackOutcome = 'closed' | 'recorded' | 'reopened' | 'reopened_escalated';

export type FeedbackResult =
  | { ok: true; outcome: FeedbackOutcome; ticket: Ticket }
  | {
      ok: false;
      reason: 'not_found' | 'invalid_rating' | 'not_resolved' | 'already' | 'too_late' | 'conflict';
      ticket?: Ticket;
    };

export type ReopenResult =
  | { ok: true; escalated: boolean; ticket: Ticket }
  | { ok: false; reason: 'not_found' | 'not_resolved' | 'too_late' | 'conflict'; ticket?: Ticket };

export type CloseResult =
  { ok: true; ticket: Ticket } | { ok: false; reason: 'not_found' | 'not_resolved' | 'conflict'; ticket?: Ticket };

export interface FeedbackServiceDeps {
  tickets: TicketStore;
  store: FeedbackStore;
  staff: StaffStore;
  departments: DepartmentDirectory;
  /** Moves the notices written with a change into the outbox. */
  relay: Pick<NoticeRelay, 'afterWrite'>;
  messages: TicketMessages;
  catalog: Catalog;
  /** Its `feedback` section: how long to wait for an answer, how long a closed ticket may be reopened. */
  policy: EscalationPolicy;
  /** A second reopening also moves the ticket up a level, in the same write. */
  escalation: Pick<EscalationService, 'escalation'>;
  clock: Clock;
  logger: Logger;
  /** Chats that are administrators by configuration (ADMIN_TELEGRAM_IDS), told of a reopened ticket nobody can take. */
  adminChats: readonly AlertChat[];
  batchSize?: number;
  /** Marks the citizen's chat as asked for a rating, so a typed "5" answers it. */
  conversations?: Pick<ConversationStore, 'patchState'>;
}

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/**
 * After a resolution: the rating question, the citizen's answer (satisfied
 * closes, not satisfied reopens to the same department, a second reopening
 * also escalates one level), closing unanswered tickets, and reopening within
 * the window after closure. Every change is one conditional transition with
 * its history line.
 */
export function createFeedbackService(deps: FeedbackServiceDeps) {
  const { tickets, store, staff, departments, messages, catalog, policy, clock, logger } = deps;
  const audience = createAudience({ staff, adminChats: deps.adminChats });
  const batch = deps.batchSize ?? DEFAULT_BATCH;
  const reopenWindowMs = daysMs(policy.feedback.reopenDays);

  /** The officer who takes a reopened ticket: the one who had it if still active there, else the least loaded. */
  async function officerFor(ticket: Ticket): Promise<StaffDoc | undefined> {
    const officers = await staff.activeOfficers(ticket.department);
    const previous = officers.find((o) => o._id === ticket.assignedTo);
    if (previous || officers.length === 0) return previous;
    const counts = await tickets.openCountsByOfficer(ticket.department);
    const id = pickOfficer(
      officers.map((o) => ({ id: o._id, openTickets: counts.get(o._id) ?? 0, joinedAt: o.joinedAt })),
    );
    return officers.find((o) => o._id === id);
  }

  /** The reopened ticket's card to its officer, or to the overseers when the department has nobody. */
  async function announceReopen(ticket: Ticket, officer: StaffDoc | undefined): Promise<OutboundItem[]> {
    const now = clock.now();
    const header = t('feedback.staff.reopened', { ref: ticket.ref, count: ticket.reopenCount });
    const dedupe = `${ticket.ref}:reopen:${ticket.history.length}`;
    const items: OutboundItem[] = [];
    if (officer) {
      const deptName = await departments.name(ticket.department, officer.language);
      items.push(
        ...noticeItems(officer, messages.card(ticket, officer.language, header, now, deptName), dedupe, ticket.ref),
      );
    } else {
      const people = await audience.overseers();
      for (const p of people) {
        const deptName = await departments.name(ticket.department, p.language);
        const alert = messages.render(p.language, [
          { text: t('staff.ticket.unassigned', { ref: ticket.ref, department: deptName }) },
        ]);
        items.push(
          ...noticeItems(
            p,
            [...alert, ...messages.card(ticket, p.language, header, now, deptName)],
            dedupe,
            ticket.ref,
          ),
        );
      }
      if (people.length === 0)
        logger.warn({ event: 'ticket_reopened_nobody', ref: ticket.ref }, 'reopened, but nobody is linked to take it');
    }
    return items;
  }

  const owedOf = (key: string, items: OutboundItem[]): OwedNotices => ({
    key,
    items: items.map((item, i) => ({ ...item, dedupeKey: item.dedupeKey ?? `${key}:${i}` })),
  });

  /** Close a resolved ticket; `notices` (rendered from the closed ticket) are written with the change. */
  async function close(
    ticket: Ticket,
    action: Extract<ClosureAction, { type: 'close' | 'close_no_feedback' }>,
    by: Actor,
    feedback?: Ticket['feedback'],
    notices?: (closed: Ticket) => OutboundItem[],
  ): Promise<CloseResult> {
    let change;
    try {
      change = applyClosure(ticket.status, action, by, clock.now());
    } catch (err) {
      if (err instanceof InvalidClosureError) return { ok: false, reason: 'not_resolved', ticket };
      throw err;
    }
    const closing: TicketChange = {
      status: change.to,
      set: { closedAt: change.entry.at, ...(feedback ? { feedback } : {}) },
      entry: change.entry,
    };
    const closed = afterChange(ticket, closing);
    const owed = notices ? owedOf(`${ticket.ref}:close:${closed.history.length}`, notices(closed)) : undefined;
    const updated = await tickets.transition(ticket.ref, ticket.status, { ...closing, ...(owed ? { owed } : {}) });
    if (!updated) return { ok: false, reason: 'conflict', ticket };
    await deps.relay.afterWrite(updated);
    logger.info(
      { event: 'ticket_closed', ref: ticket.ref, how: action.type, rating: feedback?.rating ?? null },
      'ticket closed',
    );
    return { ok: true, ticket: updated };
  }

  async function reopen(
    ticket: Ticket,
    by: Actor,
    text: string | undefined,
    feedback?: Ticket['feedback'],
  ): Promise<ReopenResult> {
    const now = clock.now();
    if (ticket.status !== 'resolved' && ticket.status !== 'closed')
      return { ok: false, reason: 'not_resolved', ticket };
    if (!reopenAllowed(ticket, now, reopenWindowMs)) return { ok: false, reason: 'too_late', ticket };
    const change = applyClosure(
      ticket.status,
      { type: 'reopen', ...(feedback ? { rating: feedback.rating } : {}), ...(text ? { text } : {}) },
      by,
      now,
    );
    const officer = await officerFor(ticket);
    const sla = findCategory(catalog, ticket.category)?.sla;
    // The officer's clock starts again: a reopened ticket gets the category's full time to acknowledge and resolve.
    const deadlines = sla ? dueDates(now, sla) : {};
    // The new cycle needs its own acknowledgement; the first one stays for reports and the CSV.
    const firstAck = firstAcknowledgement(ticket);
    const reopening: TicketChange = {
      status: change.to,
      set: {
        reopenCount: ticket.reopenCount + 1,
        ...deadlines,
        ...(firstAck ? { firstAcknowledgedAt: firstAck } : {}),
        ...(officer ? { assignedTo: officer._id } : {}),
        ...(feedback ? { feedback } : {}),
      },
      unset: [
        'acknowledgedAt',
        'ackReminderSentAt',
        'resolvedAt',
        'closedAt',
        ...(officer ? [] : (['assignedTo'] as const)),
      ],
      entry: change.entry,
    };
    const reopened = afterChange(ticket, reopening);
    const owed = owedOf(`${ticket.ref}:reopen:${reopened.history.length}`, await announceReopen(reopened, officer));
    // A second reopening also moves the ticket up one level, in the same write as the reopening.
    // The citizen hears of the escalation in the reply to their answer (feedback.reopened_escalated).
    const up =
      ticket.reopenCount > 0
        ? await deps.escalation.escalation(reopened, {
            by,
            reason: { code: 'reopened_again' },
            at: now,
            notifyCitizen: false,
          })
        : undefined;
    const write: TicketChange = up
      ? {
          ...reopening,
          set: { ...reopening.set, ...up.set },
          entry: [change.entry, up.entry],
          owed: { key: owed.key, items: [...owed.items, ...up.owed.items] },
        }
      : { ...reopening, owed };
    const updated = await tickets.transition(ticket.ref, ticket.status, write);
    if (!updated) return { ok: false, reason: 'conflict', ticket };
    await deps.relay.afterWrite(updated);
    logger.info(
      {
        event: 'ticket_reopened',
        ref: ticket.ref,
        reopenCount: updated.reopenCount,
        officer: officer?._id ?? null,
        level: updated.level,
      },
      'ticket reopened',
    );
    if (up)
      logger.info(
        { event: 'ticket_escalated', ref: updated.ref, level: updated.level, reason: 'reopened_again', by: by.id },
        'ticket escalated',
      );
    return { ok: true, escalated: up !== undefined, ticket: updated };
  }

  return {
    /**
     * The rating question for a just-resolved ticket, to enqueue right after
     * the resolution notice (the outbox keeps a chat's messages in order).
     * Its dedupe key names the resolution, so asking twice sends it once.
     */
    feedbackRequest(ticket: Ticket): OutboundItem[] {
      return noticeItems(
        ticket,
        messages.render(ticket.language, [ratingQuestion(ticket.ref)]),
        `${ticket.ref}:feedback-ask:${ticket.history.length}`,
      );
    },

    /**
     * The citizen's answer to "is your problem solved?". Resolved: satisfied
     * closes it, not satisfied reopens it (escalating one level if it was
     * reopened before). Closed without an answer: a late rating is recorded,
     * or — not satisfied, within the reopen window — it reopens.
     * `citizenId`, when given, must own the ticket (another's is "not found").
     */
    async recordFeedback(
      ref: string,
      rating: number,
      satisfied: boolean,
      opts: { citizenId?: string } = {},
    ): Promise<FeedbackResult> {
      if (!isRating(rating)) return { ok: false, reason: 'invalid_rating' };
      const ticket = await tickets.findByRef(ref);
      if (!ticket || (opts.citizenId !== undefined && ticket.citizenId !== opts.citizenId))
        return { ok: false, reason: 'not_found' };
      if (ticket.status !== 'resolved' && ticket.status !== 'closed')
        return { ok: false, reason: 'not_resolved', ticket };
      if (feedbackGiven(ticket)) return { ok: false, reason: 'already', ticket };
      const by: Actor = { kind: 'citizen', id: ticket.citizenId };
      const feedback = { rating, satisfied, at: clock.now() };
      logger.info({ event: 'feedback_received', ref, rating, satisfied }, 'feedback received');

      if (!satisfied) {
        const result = await reopen(ticket, by, undefined, feedback);
        if (!result.ok && result.reason === 'too_late') {
          // Too late to reopen, but the rating still counts in the department's figures.
          const { to, entry } = applyClosure('closed', { type: 'feedback', rating }, by, feedback.at);
          await tickets.transition(ref, 'closed', { status: to, set: { feedback }, entry });
        }
        if (!result.ok) return result;
        return { ok: true, outcome: result.escalated ? 'reopened_escalated' : 'reopened', ticket: result.ticket };
      }
      if (ticket.status === 'resolved') {
        const result = await close(ticket, { type: 'close', rating }, by, feedback);
        return result.ok ? { ok: true, outcome: 'closed', ticket: result.ticket } : result;
      }
      const { to, entry } = applyClosure('closed', { type: 'feedback', rating }, by, feedback.at);
      const updated = await tickets.transition(ref, 'closed', { status: to, set: { feedback }, entry });
      return updated ? { ok: true, outcome: 'recorded', ticket: updated } : { ok: false, reason: 'conflict', ticket };
    },

    /** Close a resolved ticket: the citizen is satisfied, or gave no answer in time. */
    async closeTicket(
      ref: string,
      opts: { by: Actor; reason: 'satisfied' | 'no_feedback'; feedback?: Ticket['feedback'] },
    ): Promise<CloseResult> {
      const ticket = await tickets.findByRef(ref);
      if (!ticket) return { ok: false, reason: 'not_found' };
      const action =
        opts.reason === 'satisfied'
          ? ({ type: 'close', ...(opts.feedback ? { rating: opts.feedback.rating } : {}) } as const)
          : ({ type: 'close_no_feedback' } as const);
      return close(ticket, action, opts.by, opts.feedback);
    },

    /**
     * Reopen a resolved ticket, or a closed one within the reopen window, to
     * the same department; a ticket reopened before also moves up one level.
     */
    async reopenTicket(ref: string, opts: { by: Actor; citizenId?: string; text?: string }): Promise<ReopenResult> {
      const ticket = await tickets.findByRef(ref);
      if (!ticket || (opts.citizenId !== undefined && ticket.citizenId !== opts.citizenId))
        return { ok: false, reason: 'not_found' };
      return reopen(ticket, opts.by, opts.text);
    },

    /**
     * The job: tickets resolved longer ago than the feedback window without an
     * answer close as "resolved, no feedback"; the citizen is told, and may
     * still rate (the same buttons) or reopen within the reopen window.
     */
    async closeUnanswered(now: Date = clock.now()): Promise<{ closed: string[]; failed: string[] }> {
      const due = await store.unansweredResolved(new Date(now.getTime() - daysMs(policy.feedback.waitDays)), batch);
      const closed: string[] = [];
      const failed: string[] = [];
      for (const ticket of due) {
        try {
          const notice = ratingQuestion(ticket.ref, 'feedback.closed_no_feedback', {
            count: policy.feedback.reopenDays,
          });
          const result = await close(ticket, { type: 'close_no_feedback' }, FEEDBACK_TIMEOUT_ACTOR, undefined, (c) =>
            noticeItems(c, messages.render(c.language, [notice]), `${c.ref}:closed-no-feedback:${c.history.length}`),
          );
          if (!result.ok) continue;
          await deps.conversations?.patchState(`${result.ticket.channel}:${result.ticket.chatId}`, {
            awaitingRating: { ref: ticket.ref, at: now.toISOString() },
          });
          closed.push(ticket.ref);
        } catch (err) {
          failed.push(ticket.ref);
          logger.error(
            { event: 'feedback_close_failed', ref: ticket.ref, err: safeError(err) },
            'could not close an unanswered ticket',
          );
        }
      }
      return { closed, failed };
    },
  };
}

export type FeedbackService = ReturnType<typeof createFeedbackService>;

/**
 * What the conversation answers the citizen after {@link FeedbackService.recordFeedback}
 * (the engine sends it as a reply in the same chat).
 */
export function feedbackReply(result: FeedbackResult, ref: string, reopenDays: number): Reply {
  if (result.ok) {
    const key = {
      closed: 'feedback.thanks',
      recorded: 'feedback.thanks',
      reopened: 'feedback.reopened',
      reopened_escalated: 'feedback.reopened_escalated',
    }[result.outcome];
    return { text: t(key, { ref }) };
  }
  switch (result.reason) {
    case 'already':
      return { text: t('feedback.already', { ref }) };
    case 'too_late':
      return { text: t('feedback.too_late', { ref, count: reopenDays }) };
    case 'not_resolved':
      return { text: t('feedback.not_resolved', { ref }) };
    case 'conflict':
      return { text: t('error.generic') };
    default:
      return { text: t('feedback.not_found', { ref }) };
  }
}
