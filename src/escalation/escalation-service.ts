import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { ChannelName, Text } from '../core/messages';
import { findCategory, type Catalog } from '../domain/catalog';
import type { Actor, HistoryEntry, Ticket } from '../domain/ticket';
import { isOpen } from '../domain/ticket-lifecycle';
import { formatDateTime } from '../i18n/format';
import { createAudience, noticeItems } from '../notify/audience';
import type { Notifier, OwedNotices } from '../core/outbound';
import type { NoticeRelay } from '../tickets/notice-relay';
import type { StaffStore } from '../storage/staff-store';
import type { DepartmentDirectory } from '../tickets/department-directory';
import type { TicketMessages } from '../tickets/ticket-messages';
import { historyText } from './escalation-history';
import {
  escalationReason,
  reminderDue,
  reminderLookaheadMs,
  levelWindows,
  TOP_LEVEL,
  type EscalationPolicy,
  type EscalationReasonCode,
  type Sla,
} from './escalation-policy';
import { escalationRecipients, type OnDutySupervisors } from './escalation-recipients';
import type { EscalationStore } from './escalation-store';
import { safeError } from '../logger';

/** Most tickets one sweep or reminder run looks at; the next run takes the rest. */
const DEFAULT_BATCH = 200;
/** The acknowledgement window assumed for a ticket whose category is no longer in the catalogue. */
const FALLBACK_SLA: Sla = { acknowledgeHours: 24, resolveHours: 72 };

/** Why a ticket is moved up: a known reason, or a supervisor's own words. */
export type EscalationReason = { code: EscalationReasonCode } | { text: string };

export type EscalateResult =
  | { ok: true; ticket: Ticket; recipients: number }
  | { ok: false; reason: 'not_found' | 'closed' | 'top' | 'conflict'; ticket?: Ticket };

export interface EscalationServiceDeps {
  store: EscalationStore;
  staff: StaffStore;
  departments: DepartmentDirectory;
  notifier: Notifier;
  /** Moves the notices written with an escalation into the outbox. */
  relay: Pick<NoticeRelay, 'afterWrite'>;
  messages: TicketMessages;
  catalog: Catalog;
  policy: EscalationPolicy;
  clock: Clock;
  logger: Logger;
  /** Chats that are administrators by configuration (ADMIN_TELEGRAM_IDS). */
  adminChats: ReadonlyArray<{ channel: ChannelName; chatId: string }>;
  /** The shift roster's on-duty supervisors; without it every active supervisor hears of level 3. */
  onDutySupervisors?: OnDutySupervisors;
  batchSize?: number;
}

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/** The actor of automatic escalations. */
export const SLA_SWEEP_ACTOR: Actor = { kind: 'system', id: 'sla-sweep' };

/**
 * Escalation and reminders: moving a ticket up one level with its history
 * line, telling the new level (the ticket card and its history), the officer
 * holding it and the citizen; the periodic sweep over deadlines; the one
 * reminder to officers before the acknowledgement deadline.
 *
 * @example
 * const escalation = createEscalationService({ store: createEscalationStore(models), staff, departments, notifier: outbox, messages, catalog, policy, clock, logger, adminChats });
 * await escalation.sweep();
 */
export function createEscalationService(deps: EscalationServiceDeps) {
  const { store, staff, departments, notifier, messages, catalog, policy, clock, logger } = deps;
  const batch = deps.batchSize ?? DEFAULT_BATCH;
  const audience = createAudience({
    staff,
    adminChats: deps.adminChats,
    ...(deps.onDutySupervisors ? { onDutySupervisors: deps.onDutySupervisors } : {}),
  });
  const slaOf = (category: string): Sla => findCategory(catalog, category)?.sla ?? FALLBACK_SLA;

  async function levelWords(ticket: Ticket): Promise<Text> {
    const title = (await departments.get(ticket.department))?.escalation.find((e) => e.level === ticket.level)?.title;
    const name = t(`escalation.level.${ticket.level}`);
    return title ? t('escalation.level_titled', { name, title }) : name;
  }

  function reasonWords(reason: EscalationReason): Text {
    return 'code' in reason
      ? t(`escalation.reason.${reason.code}`)
      : t('escalation.reason.manual', { text: reason.text });
  }

  /** Every notice of one escalation; dedupe keys name ticket and level, which is reached only once. */
  async function notices(
    ticket: Ticket,
    reason: EscalationReason,
    notifyCitizen: boolean,
  ): Promise<{ owed: OwedNotices; recipients: number }> {
    const now = clock.now();
    const { ref, level } = ticket;
    const dedupe = `${ref}:esc${level}`;
    const who = await levelWords(ticket);
    const why = reasonWords(reason);
    const recipients = await escalationRecipients(audience, {
      department: await departments.get(ticket.department),
      departmentCode: ticket.department,
      level,
      assignedTo: ticket.assignedTo,
      now,
    });
    const names = await departments.list();
    const items: OwedNotices['items'] = [];
    for (const r of recipients) {
      const departmentName = (code: string) => names.find((d) => d.code === code)?.name[r.language] ?? code;
      const deptName = await departments.name(ticket.department, r.language);
      const header = t('escalation.staff.header', { ref, who, reason: why });
      const rendered = [
        ...messages.card(ticket, r.language, header, now, deptName),
        ...messages.render(r.language, [{ text: historyText(ticket, r.language, departmentName) }]),
      ];
      items.push(...noticeItems(r, rendered, dedupe, ref));
    }
    const officer = ticket.assignedTo ? await staff.findById(ticket.assignedTo) : null;
    if (officer?.active) {
      items.push(
        ...noticeItems(
          officer,
          messages.render(officer.language, [
            { text: t('escalation.staff.officer_notice', { ref, who, reason: why }) },
          ]),
          `${dedupe}:officer`,
          ref,
        ),
      );
    }
    if (notifyCitizen)
      items.push(
        ...noticeItems(
          ticket,
          messages.render(ticket.language, [{ text: t('escalation.citizen', { ref }) }]),
          `${dedupe}:citizen`,
        ),
      );
    if (recipients.length === 0)
      logger.warn({ event: 'escalation_nobody', ref, level }, 'escalated, but nobody is linked at this level or above');
    return {
      owed: { key: dedupe, items },
      recipients: recipients.length,
    };
  }

  /** The ticket one level up, as a reopening or the sweep will write it. */
  function raised(ticket: Ticket, entry: HistoryEntry): Ticket {
    return {
      ...ticket,
      level: ticket.level + 1,
      escalatedAt: entry.at,
      updatedAt: entry.at,
      history: [...ticket.history, entry],
    };
  }

  async function escalateTicket(
    ticket: Ticket,
    by: Actor,
    reason: EscalationReason,
    notifyCitizen = true,
  ): Promise<EscalateResult> {
    if (!isOpen(ticket.status)) return { ok: false, reason: 'closed', ticket };
    if (ticket.level >= TOP_LEVEL) return { ok: false, reason: 'top', ticket };
    const at = clock.now();
    const entry: HistoryEntry = { at, by, action: 'escalate', text: 'code' in reason ? reason.code : reason.text };
    // The new level and everyone it must reach are one write; the relay moves the notices on (again after a crash).
    const { owed, recipients } = await notices(raised(ticket, entry), reason, notifyCitizen);
    const updated = await store.raiseLevel(ticket.ref, ticket.level, { level: ticket.level + 1, at, entry, owed });
    if (!updated) return { ok: false, reason: 'conflict', ticket };
    await deps.relay.afterWrite(updated);
    logger.info(
      {
        event: 'ticket_escalated',
        ref: updated.ref,
        level: updated.level,
        reason: 'code' in reason ? reason.code : 'manual',
        by: by.id,
        recipients,
      },
      'ticket escalated',
    );
    return { ok: true, ticket: updated, recipients };
  }

  return {
    /**
     * What moving `ticket` up one level writes beside its own change: the
     * history line, the raised fields and the notices it owes. For a change
     * that escalates as part of another (a second reopening), so both are
     * one write. Undefined at the top level.
     */
    async escalation(
      ticket: Ticket,
      opts: { by: Actor; reason: EscalationReason; at: Date; notifyCitizen?: boolean },
    ): Promise<{ entry: HistoryEntry; set: Pick<Ticket, 'level' | 'escalatedAt'>; owed: OwedNotices } | undefined> {
      if (ticket.level >= TOP_LEVEL) return undefined;
      const entry: HistoryEntry = {
        at: opts.at,
        by: opts.by,
        action: 'escalate',
        text: 'code' in opts.reason ? opts.reason.code : opts.reason.text,
      };
      const { owed } = await notices(raised(ticket, entry), opts.reason, opts.notifyCitizen ?? true);
      return { entry, set: { level: ticket.level + 1, escalatedAt: opts.at }, owed };
    },

    /**
     * Move a ticket up one level now (a supervisor's `/escalate`, or a second
     * reopening). Refused when it is not open, already at the top, or changed
     * by someone else meanwhile. `notifyCitizen: false` when the citizen is
     * being answered in their own chat already (a reopening).
     */
    async escalate(
      ref: string,
      opts: { by: Actor; reason: EscalationReason; notifyCitizen?: boolean },
    ): Promise<EscalateResult> {
      const ticket = await store.findByRef(ref);
      if (!ticket) return { ok: false, reason: 'not_found' };
      return escalateTicket(ticket, opts.by, opts.reason, opts.notifyCitizen ?? true);
    },

    /**
     * The SLA sweep: every open ticket whose current level has missed its
     * deadline moves up one level. One ticket failing is logged and does not
     * stop the others.
     */
    async sweep(now: Date = clock.now()): Promise<{ checked: number; escalated: string[]; failed: string[] }> {
      const candidates = await store.sweepCandidates(now, levelWindows(policy), batch);
      const escalated: string[] = [];
      const failed: string[] = [];
      for (const ticket of candidates) {
        const code = escalationReason(ticket, policy, now);
        if (!code) continue;
        try {
          const result = await escalateTicket(ticket, SLA_SWEEP_ACTOR, { code });
          if (result.ok) escalated.push(ticket.ref);
        } catch (err) {
          failed.push(ticket.ref);
          logger.error(
            { event: 'escalation_failed', ref: ticket.ref, err: safeError(err) },
            'could not escalate a ticket',
          );
        }
      }
      if (candidates.length >= batch)
        logger.warn(
          { event: 'sla_sweep_batch_full', batch },
          'more overdue tickets than one sweep takes; the next sweep continues',
        );
      return { checked: candidates.length, escalated, failed };
    },

    /**
     * One reminder per unacknowledged ticket, before its deadline: each
     * officer gets one message listing the tickets whose reminder point has
     * passed, and those tickets are marked so none is reminded twice.
     */
    async remindUnacknowledged(now: Date = clock.now()): Promise<{ reminded: string[]; officers: number }> {
      const candidates = await store.reminderCandidates(now, reminderLookaheadMs(policy, catalog.categories), batch);
      const byOfficer = new Map<string, Ticket[]>();
      for (const ticket of candidates) {
        if (!reminderDue(ticket, slaOf(ticket.category), policy, now) || !ticket.assignedTo) continue;
        byOfficer.set(ticket.assignedTo, [...(byOfficer.get(ticket.assignedTo) ?? []), ticket]);
      }
      const reminded: string[] = [];
      let officers = 0;
      for (const [officerId, tickets] of byOfficer) {
        const officer = await staff.findById(officerId);
        // A revoked officer is not reminded; the deadline escalates the ticket instead.
        if (!officer?.active) continue;
        const refs = tickets.map((x) => x.ref);
        const items = tickets.map((x) =>
          t('escalation.reminder.item', {
            ref: x.ref,
            category: messages.categoryText(x),
            due: formatDateTime(x.ackDueAt, officer.language),
          }),
        );
        const rendered = messages.render(officer.language, [
          { text: t('escalation.reminder.title', { count: tickets.length, items }) },
        ]);
        await notifier.enqueue(noticeItems(officer, rendered, `ack-reminder:${officerId}:${refs.join(',')}`));
        await store.markReminded(refs, now);
        reminded.push(...refs);
        officers += 1;
      }
      if (officers > 0)
        logger.info(
          { event: 'ack_reminders_sent', officers, tickets: reminded.length },
          'acknowledgement reminders sent',
        );
      return { reminded, officers };
    },
  };
}

export type EscalationService = ReturnType<typeof createEscalationService>;
