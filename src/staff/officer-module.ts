import type { Clock } from '../clock';
import { checkText } from '../conversation/text-input';
import type { InboundMessage } from '../conversation/types';
import type { ConversationState } from '../core/conversation-state';
import type { Reply } from '../core/messages';
import { isOversight, mayActOnTicket, type StaffIdentity } from '../domain/roles';
import { looksLikeReference, normalizeReference } from '../domain/ticket';
import { applyAction, InvalidTransitionError, type TicketAction } from '../domain/ticket-lifecycle';
import type { Language } from '../i18n/create-i18n';
import { formatAge } from '../i18n/format';
import type { Logger } from 'pino';
import type { MessageRefStore } from '../storage/message-ref-store';
import type { TicketStore } from '../storage/ticket-store';
import type { DepartmentDirectory } from '../tickets/department-directory';
import { TICKET_SCOPE, TRANSFER_SCOPE, type TicketMessages } from '../tickets/ticket-messages';
import type { ActResult, StaffRequest, TicketService } from '../tickets/ticket-service';
import type { StaffCommandContext, StaffCommandModule } from '../conversation/staff-command';
import { say, t } from './reply-text';
import { ticketRefusalReply } from '../tickets/ticket-refusal';

/** How long a tapped "ask / update / resolve / transfer" waits for its text. */
const PENDING_TTL_MS = 30 * 60_000;
/** Longest note an officer can send to a citizen. */
export const MAX_NOTE_LENGTH = 2000;
/** Most tickets /mine lists. */
const MINE_LIMIT = 30;

/** What {@link createOfficerModule} needs. */
export interface OfficerModuleDeps {
  tickets: Pick<TicketStore, 'openTickets' | 'findByRef'>;
  ticketService: Pick<TicketService, 'act'>;
  departments: DepartmentDirectory;
  messages: Pick<TicketMessages, 'categoryText'>;
  clock: Clock;
  logger: Logger;
  /** Which ticket a sent message was about: a reply to it is an update of that ticket. */
  messageRefs?: Pick<MessageRefStore, 'refOf'>;
}

/** A note typed by the officer, checked like citizen text. */
export function checkNote(raw: string): { ok: true; value: string } | { ok: false; reply: Reply } {
  const check = checkText(raw, 1, MAX_NOTE_LENGTH);
  return check.ok ? check : { ok: false, reply: { text: check.error } };
}

/** Officers and oversight work tickets; operators and counsellors hold none. */
const worksTickets = (identity: StaffIdentity) => identity.role === 'officer' || isOversight(identity.role);

/**
 * The officer's work on tickets: `/mine`, `/ack`, `/ask`, `/update`,
 * `/resolve`, `/transfer`, the buttons under a ticket's card, and plain text
 * sent as a reply to a card or after a tapped action. Every change goes
 * through `TicketService.act`, which writes it with the notices it owes.
 * @example createOfficerModule({ tickets, ticketService, departments, messages, clock, logger, messageRefs })
 */
export function createOfficerModule(deps: OfficerModuleDeps): StaffCommandModule {
  const { tickets, ticketService, departments, messages, clock, logger } = deps;

  function actResultReplies(result: ActResult, ref: string, request: StaffRequest, deptName?: string): Reply[] {
    if (result.ok) return [say(`staff.done.${request.type}`, { ref, department: deptName ?? '' })];
    switch (result.reason) {
      case 'already':
        return [say('staff.already_acknowledged', { ref })];
      case 'unknown_department':
        return [];
      default:
        return [ticketRefusalReply(result.reason, ref, result.ticket?.status)];
    }
  }

  /** `msg` names the action: the same message delivered again after a crash changes the ticket once. */
  async function perform(
    identity: StaffIdentity,
    lang: Language,
    ref: string,
    request: StaffRequest,
    msg: InboundMessage,
  ): Promise<Reply[]> {
    if (request.type === 'transfer' && !(await departments.get(request.department))) {
      return [say('staff.unknown_department', { code: request.department, departments: await departments.codes() })];
    }
    const result = await ticketService.act(identity, ref, request, {
      actionKey: `${msg.channel}:${msg.chatId}:${msg.updateKey}`,
    });
    const deptName =
      request.type === 'transfer' ? await departments.name(request.department.toUpperCase(), lang) : undefined;
    return actResultReplies(result, ref, request, deptName);
  }

  async function mine(identity: StaffIdentity, lang: Language): Promise<Reply[]> {
    if (!worksTickets(identity)) return [say('staff.forbidden')];
    const filter = identity.role === 'officer' ? { assignedTo: identity.id } : {};
    const list = await tickets.openTickets(filter, MINE_LIMIT);
    if (list.length === 0) return [say('staff.mine_empty')];
    const now = clock.now();
    const items = list.map((x) =>
      t('staff.mine_item', {
        ref: x.ref,
        category: messages.categoryText(x),
        status: t(`ticket.status.${x.status}`),
        age: formatAge(x.createdAt, now, lang),
      }),
    );
    return [{ text: t('staff.mine_title', { count: list.length, items }) }];
  }

  /**
   * Whether `identity` may do `type` to ticket `ref` now; the refusal to show
   * if not. Asked before a tapped button asks for text, so a stale button on a
   * ticket transferred away or closed is refused at once, as /ack is.
   */
  async function precheck(
    identity: StaffIdentity,
    ref: string,
    type: TicketAction['type'],
  ): Promise<Reply[] | undefined> {
    const ticket = looksLikeReference(ref) ? await tickets.findByRef(ref) : null;
    if (!ticket) return [ticketRefusalReply('not_found', ref)];
    if (!mayActOnTicket(identity, ticket.department)) {
      logger.warn(
        { event: 'staff_forbidden', staff: identity.id, role: identity.role, ref, action: type },
        'staff action refused',
      );
      return [ticketRefusalReply('forbidden', ref)];
    }
    const probe: TicketAction =
      type === 'transfer'
        ? { type, department: ticket.department, text: '-' }
        : type === 'acknowledge'
          ? { type }
          : { type: type as 'ask', text: '-' };
    try {
      applyAction(ticket.status, probe, { kind: 'staff', id: identity.id, role: identity.role }, clock.now());
    } catch (err) {
      if (err instanceof InvalidTransitionError) return [ticketRefusalReply('closed', ref, ticket.status)];
      throw err;
    }
    return undefined;
  }

  /** One entry per command: adding a ticket command is one line here. */
  const COMMANDS: Record<string, (ctx: StaffCommandContext, ref: string, rest: string) => Promise<Reply[]>> = {
    mine: ({ identity, state }) => mine(identity, state.language),
    ack: async ({ identity, state, msg, name }, ref) => {
      if (!looksLikeReference(ref)) return [say('staff.usage.ref', { command: name })];
      return perform(identity, state.language, ref, { type: 'acknowledge' }, msg);
    },
    ask: (ctx, ref, rest) => withNote(ctx, ref, rest),
    update: (ctx, ref, rest) => withNote(ctx, ref, rest),
    resolve: (ctx, ref, rest) => withNote(ctx, ref, rest),
    transfer: async ({ identity, state, msg, args }, ref) => {
      const dept = args[1];
      const reason = args.slice(2).join(' ');
      if (!looksLikeReference(ref) || !dept || !reason)
        return [say('staff.usage.transfer', { departments: await departments.codes() })];
      const n = checkNote(reason);
      if (!n.ok) return [n.reply];
      return perform(
        identity,
        state.language,
        ref,
        { type: 'transfer', department: dept.toUpperCase(), text: n.value },
        msg,
      );
    },
  };

  async function withNote(
    { identity, state, msg, name }: StaffCommandContext,
    ref: string,
    rest: string,
  ): Promise<Reply[]> {
    if (!looksLikeReference(ref) || !rest) return [say('staff.usage.text', { command: name })];
    const n = checkNote(rest);
    if (!n.ok) return [n.reply];
    return perform(identity, state.language, ref, { type: name as 'ask' | 'update' | 'resolve', text: n.value }, msg);
  }

  return {
    commands: Object.keys(COMMANDS),
    helpKey: (identity) => (worksTickets(identity) ? 'staff.help_tickets' : undefined),
    async handle(ctx) {
      const ref = normalizeReference(ctx.args[0] ?? '');
      const rest = ctx.argText.trim().split(/\s+/).slice(1).join(' ');
      const run = COMMANDS[ctx.name];
      return { state: ctx.state, replies: run ? await run(ctx, ref, rest) : [say('staff.unknown_command')] };
    },
    buttonScopes: [TICKET_SCOPE, TRANSFER_SCOPE],
    async handleButton({ identity, state, msg, scope, value }) {
      const lang = state.language;
      // Button data is checked for shape: anything else a client could send is a stale button.
      const parts = value.split(':');
      if (parts.length !== 2) return undefined;
      if (scope === TICKET_SCOPE) {
        const [action = '', ref = ''] = parts;
        if (action === 'ack')
          return { state, replies: await perform(identity, lang, ref, { type: 'acknowledge' }, msg) };
        if (action === 'ask' || action === 'update' || action === 'resolve') {
          const refusal = await precheck(identity, ref, action);
          if (refusal) return { state, replies: refusal };
          return {
            state: { ...state, staffPending: { action, ref, at: clock.now().toISOString() } },
            replies: [say(`staff.pending.${action}`, { ref })],
          };
        }
        if (action === 'transfer') {
          const refusal = await precheck(identity, ref, 'transfer');
          if (refusal) return { state, replies: refusal };
          const list = await departments.list();
          return {
            state,
            replies: [
              {
                text: t('staff.pending.transfer_pick', { ref }),
                buttons: {
                  scope: TRANSFER_SCOPE,
                  options: list.map((d) => ({
                    value: `${ref}:${d.code}`,
                    label: t('common.verbatim', { text: d.name[lang] }),
                  })),
                },
              },
            ],
          };
        }
        return undefined;
      }
      const [ref = '', dept = ''] = parts;
      const refusal = await precheck(identity, ref, 'transfer');
      if (refusal) return { state, replies: refusal };
      if (!(await departments.get(dept)))
        return {
          state,
          replies: [say('staff.unknown_department', { code: dept, departments: await departments.codes() })],
        };
      const name = await departments.name(dept, lang);
      return {
        state: { ...state, staffPending: { action: 'transfer', ref, department: dept, at: clock.now().toISOString() } },
        replies: [say('staff.pending.transfer', { ref, department: name })],
      };
    },
    async handleReply({ identity, state, msg, raw }) {
      const lang = state.language;
      // Replying with plain text to a ticket's card or a notice about it (found by the message's id,
      // never by a reference quoted in its text) is a progress update of that ticket.
      const repliedRef =
        msg.replyToId && deps.messageRefs
          ? await deps.messageRefs.refOf(msg.channel, msg.chatId, msg.replyToId)
          : undefined;
      let pending = state.staffPending;
      // A button tapped long ago must not turn a later "ok" into a resolution note.
      if (pending && clock.now().getTime() - Date.parse(pending.at ?? '') > PENDING_TTL_MS) {
        const next = { ...state };
        delete next.staffPending;
        if (!repliedRef) return { state: next, replies: [say('staff.pending.expired', { ref: pending.ref })] };
        state = next;
        pending = undefined;
      }
      if (!repliedRef && !pending) return undefined;
      const n = checkNote(raw);
      if (!n.ok) return { state, replies: [n.reply] };
      if (repliedRef)
        return { state, replies: await perform(identity, lang, repliedRef, { type: 'update', text: n.value }, msg) };
      const next: ConversationState = { ...state };
      delete next.staffPending;
      const p = pending as NonNullable<ConversationState['staffPending']>;
      const request: StaffRequest =
        p.action === 'transfer'
          ? { type: 'transfer', department: p.department ?? '', text: n.value }
          : { type: p.action, text: n.value };
      return { state: next, replies: await perform(identity, lang, p.ref, request, msg) };
    },
  };
}
