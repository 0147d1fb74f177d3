import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { StaffCommandModule } from '../conversation/staff-command';
import type { InboundMessage, StaffOutcome } from '../conversation/types';
import type { ConversationState } from '../core/conversation-state';
import type { Reply, Text } from '../core/messages';
import { isOversight, type StaffIdentity } from '../domain/roles';
import type { Language } from '../i18n/create-i18n';
import type { MessageRefStore } from '../storage/message-ref-store';
import { looksLikeInviteCode, type StaffStore } from '../storage/staff-store';
import type { TicketStore } from '../storage/ticket-store';
import type { DepartmentDirectory } from '../tickets/department-directory';
import type { TicketMessages } from '../tickets/ticket-messages';
import type { TicketService } from '../tickets/ticket-service';
import { createAdminModule, type AdminModuleDeps } from './admin-module';
import { createGeneralModule } from './general-module';
import { createInviteRedemption } from './invite-redemption';
import { checkNote, createOfficerModule } from './officer-module';
import { say, t } from './reply-text';
import { roleWords } from './role-words';
import { createStaffAccess } from './staff-access';

/** What {@link createStaffHandler} needs: its own deps and the administrator module's configuration. */
export interface StaffHandlerDeps extends Pick<
  AdminModuleDeps,
  'adminTelegramIds' | 'adminWebIds' | 'inviteTtlHours' | 'botUsername' | 'reassign'
> {
  staff: StaffStore;
  tickets: TicketStore;
  ticketService: TicketService;
  departments: DepartmentDirectory;
  messages: TicketMessages;
  clock: Clock;
  logger: Logger;
  /** More commands (supervisor, shifts, …), after the built-in general, officer and administrator modules. */
  modules?: readonly StaffCommandModule[];
  /** Which ticket a sent message was about: a reply to it is an update of that ticket. */
  messageRefs?: Pick<MessageRefStore, 'refOf'>;
  /** How long a staff record read is trusted (default 5 s). */
  staffCacheMs?: number;
}

// The module contract and the outcome are defined where the inbound handler and the feature folders can use them without importing staff/.
export type { StaffCommandContext, StaffCommandModule } from '../conversation/staff-command';
export type { StaffOutcome } from '../conversation/types';
export { configuredAdminId } from './staff-access';
export { STAFF_PAGE_SCOPE } from './admin-module';

/**
 * The staff router. Runs before the citizen engine: it checks who the chat is
 * by the staff record (a revoked role is told so, whatever it sent), then
 * hands each command, button or text to the module that declares it — the
 * built-in general, officer and administrator modules first, then
 * `deps.modules`. Modules answer with replies and effects; the router sends
 * nothing. Anything that is not staff business (a citizen, or `/start`
 * without a code) returns undefined and falls through to the citizen engine.
 */
export function createStaffHandler(deps: StaffHandlerDeps) {
  const { staff, departments, clock, logger } = deps;
  const access = createStaffAccess({
    staff,
    clock,
    logger,
    adminTelegramIds: deps.adminTelegramIds,
    ...(deps.adminWebIds ? { adminWebIds: deps.adminWebIds } : {}),
    ...(deps.staffCacheMs !== undefined ? { staffCacheMs: deps.staffCacheMs } : {}),
  });

  const modules: StaffCommandModule[] = [
    createGeneralModule({ staff, help }),
    createOfficerModule({
      tickets: deps.tickets,
      ticketService: deps.ticketService,
      departments,
      messages: deps.messages,
      clock,
      logger,
      ...(deps.messageRefs ? { messageRefs: deps.messageRefs } : {}),
    }),
    ...(deps.modules ?? []),
    createAdminModule({
      staff,
      tickets: deps.tickets,
      departments,
      messages: deps.messages,
      access,
      clock,
      logger,
      adminTelegramIds: deps.adminTelegramIds,
      ...(deps.adminWebIds ? { adminWebIds: deps.adminWebIds } : {}),
      inviteTtlHours: deps.inviteTtlHours,
      botUsername: deps.botUsername,
      ...(deps.reassign ? { reassign: deps.reassign } : {}),
    }),
  ];
  const redeem = createInviteRedemption({ staff, departments, access, help, clock, logger });
  /** Scopes that stay with staff even while an operator walks the citizen flow for a caller. */
  const staffScopes = new Set(modules.flatMap((m) => m.buttonScopes ?? []));

  async function help(identity: StaffIdentity, lang: Language): Promise<Reply[]> {
    // One message, not one per module: staff read this on a phone.
    const parts: Text[] = [t('staff.help', await roleWords(departments, identity, lang))];
    for (const m of modules) {
      const key = m.helpKey?.(identity);
      if (key) parts.push(t(key));
    }
    return [say('common.lines', { items: parts })];
  }

  /** One place logs every module's refusal with who tried (not every module has a logger). */
  function logRefusal(identity: StaffIdentity, what: string, out: StaffOutcome): void {
    if (out.replies.length === 1 && out.replies[0]?.text.key === 'staff.forbidden') {
      logger.warn(
        { event: 'staff_command_refused', staff: identity.id, role: identity.role, command: what },
        'command not allowed for role',
      );
    }
  }

  async function command(
    identity: StaffIdentity,
    current: ConversationState,
    msg: InboundMessage,
    name: string,
    argText: string,
  ): Promise<StaffOutcome> {
    // Typing a command abandons a tapped action that was waiting for its text.
    const state = { ...current };
    delete state.staffPending;
    const module = modules.find((m) => m.commands.includes(name));
    if (!module) return { state, replies: [say('staff.unknown_command')] };
    const out = await module.handle({
      identity,
      state,
      msg,
      name,
      args: argText.split(/\s+/).filter(Boolean),
      argText,
    });
    logRefusal(identity, name, out);
    return out;
  }

  async function button(
    identity: StaffIdentity,
    state: ConversationState,
    msg: InboundMessage,
    scope: string,
    value: string,
  ): Promise<StaffOutcome> {
    const module = modules.find((m) => m.buttonScopes?.includes(scope) || m.sharedScopes?.includes(scope));
    const out = module?.handleButton ? await module.handleButton({ identity, state, msg, scope, value }) : undefined;
    if (out) {
      logRefusal(identity, `button ${scope}`, out);
      return out;
    }
    // Anything else a client could send is a stale button: one short line pointing to /help, for
    // every role and every module alike (a module returns undefined for a button it cannot use).
    return { state, replies: [say('staff.stale_button')] };
  }

  async function text(
    identity: StaffIdentity,
    state: ConversationState,
    msg: InboundMessage,
    raw: string,
  ): Promise<StaffOutcome> {
    // A reply to a ticket's card or a tapped action waiting for its note comes first.
    for (const m of modules) {
      const out = await m.handleReply?.({ identity, state, msg, raw });
      if (out) return out;
    }
    const n = checkNote(raw);
    if (n.ok) {
      for (const m of modules) {
        const out = await m.handleText?.({
          identity,
          state,
          msg,
          name: '',
          args: n.value.split(/\s+/),
          argText: n.value,
        });
        if (out) return out;
      }
    }
    const isReply = msg.replyToId !== undefined || msg.replyToText !== undefined;
    if (isReply && (identity.role === 'officer' || isOversight(identity.role)))
      return { state, replies: [say('staff.reply_hint')] };
    return { state, replies: await help(identity, state.language) };
  }

  /** A staff member's message, once their role is known from the record. */
  async function dispatch(
    identity: StaffIdentity,
    msg: InboundMessage,
    state: ConversationState,
  ): Promise<StaffOutcome | undefined> {
    const c = msg.content;
    // An operator entering a caller's complaint walks the citizen flow: only
    // staff buttons and commands stay with staff.
    const staffBusiness = (c.kind === 'button' && staffScopes.has(c.scope)) || c.kind === 'command';
    if (state.flow?.onBehalf && !staffBusiness) return undefined;
    if (c.kind === 'command') return command(identity, state, msg, c.command, c.args);
    if (c.kind === 'button') return button(identity, state, msg, c.scope, c.value);
    if (c.kind === 'text') return text(identity, state, msg, c.text);
    return { state, replies: [say('staff.text_only')] };
  }

  return {
    /** Handle a message if it is staff business; undefined hands it to the citizen engine. */
    async handle(
      msg: InboundMessage,
      state: ConversationState,
      stored: StaffIdentity | undefined,
    ): Promise<StaffOutcome | undefined> {
      const c = msg.content;
      if (c.kind === 'command' && c.command === 'start' && looksLikeInviteCode(c.args.trim())) {
        return redeem(msg, c.args.trim(), state);
      }
      const current = await access.current(msg, stored);
      if (current.ended) {
        // The role was revoked (perhaps only half-way): clear the copy and say so, whatever was asked.
        const next = { ...state };
        delete next.staffPending;
        delete next.callDraft;
        // A caller's complaint half-entered by a revoked operator is not filed in their name later.
        if (next.flow?.onBehalf) delete next.flow;
        return { state: next, replies: [say('staff.role_ended')], staffChange: null };
      }
      const identity = current.identity;
      if (!identity) return undefined;
      const outcome = await dispatch(identity, msg, state);
      if (outcome && current.change !== undefined && outcome.staffChange === undefined)
        outcome.staffChange = current.change;
      return outcome;
    },
  };
}

export type StaffHandler = ReturnType<typeof createStaffHandler>;
