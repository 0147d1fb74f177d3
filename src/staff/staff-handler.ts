import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { checkText } from '../conversation/text-input';
import type { ConversationState, InboundMessage, Reply, Text } from '../conversation/types';
import { isOversight, isStaffRole, type StaffIdentity } from '../domain/roles';
import { looksLikeReference, normalizeReference } from '../domain/ticket';
import { isLanguage, type Language } from '../i18n/create-i18n';
import { formatAge, formatDateTime } from '../i18n/format';
import type { Notifier } from '../notify/notifier';
import type { StaffStore } from '../storage/staff-store';
import type { TicketStore } from '../storage/ticket-store';
import type { DepartmentDirectory } from '../tickets/department-directory';
import { TICKET_SCOPE, TRANSFER_SCOPE, type TicketMessages } from '../tickets/ticket-messages';
import type { ActResult, StaffRequest, TicketService } from '../tickets/ticket-service';
import { ticketRefusalReply } from './ticket-refusal';

/** How long a tapped "ask / update / resolve / transfer" waits for its text. */
const PENDING_TTL_MS = 30 * 60_000;
/** Longest note an officer can send to a citizen. */
const MAX_NOTE_LENGTH = 2000;
const MINE_LIMIT = 30;
const REF_IN_TEXT = /\b([A-Z]{2,6}-\d{6,})\b/;

export interface StaffHandlerDeps {
  staff: StaffStore;
  tickets: TicketStore;
  ticketService: TicketService;
  departments: DepartmentDirectory;
  messages: TicketMessages;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  /** Telegram chat ids that are administrators by configuration. */
  adminTelegramIds: readonly string[];
  /** Simulator chat ids that are administrators by configuration. */
  adminWebIds?: readonly string[];
  inviteTtlHours: number;
  /** The Telegram bot's username, for invite deep links; undefined without Telegram. */
  botUsername: () => string | undefined;
  /** More commands (supervisor, shifts, …), tried after the built-in ones. */
  modules?: readonly StaffCommandModule[];
}

/**
 * A group of staff commands added from outside (supervisor commands, shifts,
 * …): each module names its commands and handles them with the same context.
 */
export interface StaffCommandModule {
  /** Command names without the slash, lower case. */
  commands: readonly string[];
  /** i18n key of this module's lines in /help, for roles that may use it. */
  helpKey?: (identity: StaffIdentity) => string | undefined;
  handle(ctx: StaffCommandContext): Promise<StaffOutcome>;
  /** Button scopes this module answers (e.g. paging of long lists). */
  buttonScopes?: readonly string[];
  handleButton?(ctx: { identity: StaffIdentity; state: ConversationState; msg: InboundMessage; scope: string; value: string }): Promise<StaffOutcome>;
  /** Plain text that is no reply and no pending action (a counsellor's words to a citizen); undefined: not this module's. */
  handleText?(ctx: StaffCommandContext): Promise<StaffOutcome | undefined>;
}

export interface StaffCommandContext {
  identity: StaffIdentity;
  state: ConversationState;
  msg: InboundMessage;
  name: string;
  /** Words after the command. */
  args: string[];
  /** Everything after the command, as typed. */
  argText: string;
}

const ADMIN_ID_PREFIX: Record<'telegram' | 'web', string> = { telegram: 'tg-admin-', web: 'web-admin-' };

/** The staff id of an administrator by configuration (ADMIN_TELEGRAM_IDS, ADMIN_WEB_IDS), who has no staff record. */
export function configuredAdminId(channel: 'telegram' | 'web', chatId: string): string {
  return `${ADMIN_ID_PREFIX[channel]}${chatId}`;
}

function isConfiguredAdminId(id: string): boolean {
  return Object.values(ADMIN_ID_PREFIX).some((p) => id.startsWith(p));
}

/** What the staff side did with a message; undefined means it is the citizen engine's. */
export interface StaffOutcome {
  state: ConversationState;
  replies: Reply[];
  /** A new role for this chat (null: removed); absent: unchanged. */
  staffChange?: StaffIdentity | null;
}

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });
const say = (key: string, params?: Text['params']): Reply => ({ text: t(key, params) });

/**
 * Staff commands and buttons: invites, the officer's actions on tickets,
 * staff lists. Runs before the citizen engine; anything that is not staff
 * business (a citizen, or `/start` without a code) falls through.
 */
export function createStaffHandler(deps: StaffHandlerDeps) {
  const { staff, tickets, ticketService, departments, messages, clock, logger } = deps;

  function identityOf(msg: InboundMessage, stored: StaffIdentity | undefined): StaffIdentity | undefined {
    if (msg.channel === 'telegram' && deps.adminTelegramIds.includes(msg.chatId)) {
      return { id: configuredAdminId('telegram', msg.chatId), role: 'admin' };
    }
    if (msg.channel === 'web' && deps.adminWebIds?.includes(msg.chatId)) {
      return { id: configuredAdminId('web', msg.chatId), role: 'admin' };
    }
    return stored;
  }

  async function roleWords(identity: StaffIdentity, lang: Language): Promise<Text['params']> {
    const dept = identity.department ? await departments.name(identity.department, lang) : undefined;
    return {
      role: t(`staff.role.${identity.role}`),
      department: dept ? t('staff.in_department', { department: dept }) : '',
    };
  }

  async function help(identity: StaffIdentity, lang: Language): Promise<Reply[]> {
    // One message, not one per module: staff read this on a phone.
    const parts: Text[] = [t('staff.help', await roleWords(identity, lang))];
    if (identity.role === 'officer' || isOversight(identity.role)) parts.push(t('staff.help_tickets'));
    for (const m of deps.modules ?? []) {
      const key = m.helpKey?.(identity);
      if (key) parts.push(t(key));
    }
    if (identity.role === 'admin') parts.push(t('staff.help_admin'));
    return [say('common.lines', { items: parts })];
  }

  /** Whether an invite was made from a simulator (web) chat: a configured simulator administrator or web staff. */
  async function madeInSimulator(createdBy: string): Promise<boolean> {
    if (createdBy.startsWith(ADMIN_ID_PREFIX.web)) return true;
    if (isConfiguredAdminId(createdBy)) return false;
    return (await staff.findById(createdBy))?.channel === 'web';
  }

  async function redeem(msg: InboundMessage, code: string, state: ConversationState): Promise<StaffOutcome> {
    const now = clock.now();
    const invite = await staff.redeemInvite(code, `${msg.channel}:${msg.chatId}`, now);
    if (!invite) {
      logger.warn({ event: 'invite_rejected', channel: msg.channel }, 'invalid or used invite code');
      return { state, replies: [say('staff.invite_invalid')] };
    }
    // The simulator's administrators have no rights over real channels: their codes work only in the simulator.
    if (msg.channel !== 'web' && (await madeInSimulator(invite.createdBy))) {
      logger.warn({ event: 'invite_rejected', channel: msg.channel, reason: 'simulator_invite' }, 'simulator invite used on a real channel');
      return { state, replies: [say('staff.invite_invalid')] };
    }
    const doc = await staff.upsertStaff({
      channel: msg.channel,
      chatId: msg.chatId,
      role: invite.role,
      ...(invite.department ? { department: invite.department } : {}),
      name: (msg.firstName ?? '').slice(0, 60) || invite.role,
      language: state.language,
      invitedBy: invite.createdBy,
      now,
    });
    const identity: StaffIdentity = { id: doc._id, role: doc.role, ...(doc.department ? { department: doc.department } : {}) };
    logger.info({ event: 'staff_joined', staff: doc._id, role: doc.role, department: doc.department ?? null }, 'staff joined');
    const next = { ...state };
    delete next.flow;
    return {
      state: next,
      staffChange: identity,
      replies: [
        say('common.lines', {
          items: [t('staff.joined', await roleWords(identity, state.language)), ...(identity.role === 'officer' ? [t('staff.joined_officer')] : [])],
        }),
        ...(await help(identity, state.language)),
      ],
    };
  }

  function refused(identity: StaffIdentity, what: string): Reply[] {
    logger.warn({ event: 'staff_command_refused', staff: identity.id, role: identity.role, command: what }, 'command not allowed for role');
    return [say('staff.forbidden')];
  }

  function actResultReplies(result: ActResult, ref: string, request: StaffRequest, deptName?: string): Reply[] {
    if (result.ok) {
      const doneKey = `staff.done.${request.type}`;
      return [say(doneKey, { ref, department: deptName ?? '' })];
    }
    switch (result.reason) {
      case 'already':
        return [say('staff.already_acknowledged', { ref })];
      case 'unknown_department':
        return [];
      default:
        return [ticketRefusalReply(result.reason, ref, result.ticket?.status)];
    }
  }

  async function perform(identity: StaffIdentity, lang: Language, ref: string, request: StaffRequest): Promise<Reply[]> {
    if (request.type === 'transfer' && !(await departments.get(request.department))) {
      return [say('staff.unknown_department', { code: request.department, departments: await departments.codes() })];
    }
    const result = await ticketService.act(identity, ref, request);
    const deptName = request.type === 'transfer' ? await departments.name(request.department.toUpperCase(), lang) : undefined;
    return actResultReplies(result, ref, request, deptName);
  }

  async function mine(identity: StaffIdentity, lang: Language): Promise<Reply[]> {
    // Operators and counsellors hold no tickets; the whole queue is for officers and oversight.
    if (identity.role !== 'officer' && !isOversight(identity.role)) return refused(identity, 'mine');
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

  async function invite(identity: StaffIdentity, args: string[], lang: Language): Promise<Reply[]> {
    if (identity.role !== 'admin') return refused(identity, 'invite');
    const [roleRaw = '', deptRaw] = args;
    const role = roleRaw.toLowerCase();
    const codes = await departments.codes();
    if (!isStaffRole(role)) return [say('staff.invite_usage', { departments: codes })];
    let department: string | undefined;
    if (role === 'officer' || deptRaw) {
      const dept = deptRaw ? await departments.get(deptRaw) : undefined;
      if (!dept) return deptRaw ? [say('staff.unknown_department', { code: deptRaw, departments: codes })] : [say('staff.invite_usage', { departments: codes })];
      department = dept.code;
    }
    const created = await staff.createInvite({ role, ...(department ? { department } : {}), createdBy: identity.id, now: clock.now(), ttlHours: deps.inviteTtlHours });
    const bot = deps.botUsername();
    logger.info({ event: 'invite_created', by: identity.id, role, department: department ?? null }, 'invite created');
    return [
      say('staff.invite_created', {
        ...(await roleWords({ id: '', role, ...(department ? { department } : {}) }, lang)),
        code: created._id,
        link: bot ? `https://t.me/${bot}?start=${created._id}` : '',
        expires: formatDateTime(created.expiresAt, lang),
      }),
    ];
  }

  async function listStaff(identity: StaffIdentity, lang: Language): Promise<Reply[]> {
    if (!isOversight(identity.role)) return refused(identity, 'staff');
    const list = await staff.listActive();
    if (list.length === 0) return [say('staff.list_empty')];
    const lines = await Promise.all(
      list.map(async (s) => t('staff.list_item', { name: s.name, id: s._id, ...(await roleWords({ id: s._id, role: s.role, ...(s.department ? { department: s.department } : {}) }, lang)) })),
    );
    return [{ text: t('staff.list_title', { count: list.length }) }, ...lines.map((text) => ({ text }))];
  }

  async function revoke(identity: StaffIdentity, args: string[]): Promise<Reply[]> {
    if (identity.role !== 'admin') return refused(identity, 'revoke');
    const target = args[0];
    if (!target) return [say('staff.revoke_usage')];
    const found = await staff.findActive(target);
    if (!found) return [say('staff.not_found_staff')];
    await staff.revoke(found._id, clock.now());
    await staff.syncConversationRole(found.identityKey, null);
    await deps.notifier.enqueue(
      messages.render(found.language, [say('staff.revoked_notice')]).map((message) => ({
        channel: found.channel,
        chatId: found.chatId,
        message,
        dedupeKey: `revoke:${found._id}:${clock.now().getTime()}`,
      })),
    );
    logger.info({ event: 'staff_revoked', staff: found._id, by: identity.id }, 'staff revoked');
    return [say('staff.revoked', { name: found.name, id: found._id })];
  }

  /** A note typed by the officer, checked like citizen text. */
  function note(raw: string): { ok: true; value: string } | { ok: false; reply: Reply } {
    const check = checkText(raw, 1, MAX_NOTE_LENGTH);
    return check.ok ? check : { ok: false, reply: { text: check.error } };
  }

  async function command(identity: StaffIdentity, current: ConversationState, msg: InboundMessage, name: string, argText: string): Promise<StaffOutcome> {
    // Typing a command abandons a tapped action that was waiting for its text.
    const state = { ...current };
    delete state.staffPending;
    const lang = state.language;
    const args = argText.split(/\s+/).filter(Boolean);
    const ref = normalizeReference(args[0] ?? '');
    const rest = argText.trim().split(/\s+/).slice(1).join(' ');
    const done = (replies: Reply[], next: ConversationState = state): StaffOutcome => ({ state: next, replies });
    switch (name) {
      case 'start':
      case 'help':
        return done(await help(identity, lang));
      case 'cancel': {
        const next = { ...state };
        delete next.staffPending;
        delete next.callDraft;
        // A call being entered for a caller ends here too: the operator stays staff, never a citizen.
        if (state.flow?.onBehalf || state.callDraft) {
          delete next.flow;
          return done([say('operator.call_cancelled')], next);
        }
        return done([say('staff.pending.cancelled')], next);
      }
      case 'language': {
        const wanted = args[0]?.toLowerCase();
        const next: ConversationState = { ...state, language: isLanguage(wanted) ? wanted : lang === 'hi' ? 'en' : 'hi' };
        if (!isConfiguredAdminId(identity.id)) await staff.setLanguage(identity.id, next.language);
        return done([say('language.changed')], next);
      }
      case 'mine':
        return done(await mine(identity, lang));
      case 'invite':
        return done(await invite(identity, args, lang));
      case 'staff':
        return done(await listStaff(identity, lang));
      case 'revoke':
        return done(await revoke(identity, args));
      case 'ack':
        if (!looksLikeReference(ref)) return done([say('staff.usage.ref', { command: name })]);
        return done(await perform(identity, lang, ref, { type: 'acknowledge' }));
      case 'ask':
      case 'update':
      case 'resolve': {
        if (!looksLikeReference(ref) || !rest) return done([say('staff.usage.text', { command: name })]);
        const n = note(rest);
        if (!n.ok) return done([n.reply]);
        return done(await perform(identity, lang, ref, { type: name, text: n.value }));
      }
      case 'transfer': {
        const dept = args[1];
        const reason = args.slice(2).join(' ');
        if (!looksLikeReference(ref) || !dept || !reason) return done([say('staff.usage.transfer', { departments: await departments.codes() })]);
        const n = note(reason);
        if (!n.ok) return done([n.reply]);
        return done(await perform(identity, lang, ref, { type: 'transfer', department: dept.toUpperCase(), text: n.value }));
      }
      default: {
        const module = deps.modules?.find((m) => m.commands.includes(name));
        if (module) return module.handle({ identity, state, msg, name, args, argText });
        return done([say('staff.unknown_command')]);
      }
    }
  }

  async function button(identity: StaffIdentity, state: ConversationState, msg: InboundMessage, scope: string, value: string): Promise<StaffOutcome> {
    const lang = state.language;
    const module = deps.modules?.find((m) => m.buttonScopes?.includes(scope));
    if (module?.handleButton) return module.handleButton({ identity, state, msg, scope, value });
    if (scope === TICKET_SCOPE) {
      const [action = '', ref = ''] = value.split(':');
      if (action === 'ack') return { state, replies: await perform(identity, lang, ref, { type: 'acknowledge' }) };
      if (action === 'ask' || action === 'update' || action === 'resolve') {
        return { state: { ...state, staffPending: { action, ref, at: clock.now().toISOString() } }, replies: [say(`staff.pending.${action}`, { ref })] };
      }
      if (action === 'transfer') {
        const list = await departments.list();
        return {
          state,
          replies: [
            {
              text: t('staff.pending.transfer_pick', { ref }),
              buttons: { scope: TRANSFER_SCOPE, options: list.map((d) => ({ value: `${ref}:${d.code}`, label: t('common.verbatim', { text: d.name[lang] }) })) },
            },
          ],
        };
      }
    }
    if (scope === TRANSFER_SCOPE) {
      const [ref = '', dept = ''] = value.split(':');
      const name = await departments.name(dept, lang);
      return {
        state: { ...state, staffPending: { action: 'transfer', ref, department: dept, at: clock.now().toISOString() } },
        replies: [say('staff.pending.transfer', { ref, department: name })],
      };
    }
    return { state, replies: [say('error.stale_button'), ...(await help(identity, lang))] };
  }

  async function text(identity: StaffIdentity, state: ConversationState, msg: InboundMessage, raw: string): Promise<StaffOutcome> {
    const lang = state.language;
    // Replying to a ticket message with plain text is a progress update.
    const repliedRef = msg.replyToText ? REF_IN_TEXT.exec(msg.replyToText)?.[1] : undefined;
    let pending = state.staffPending;
    // A button tapped long ago must not turn a later "ok" into a resolution note.
    if (pending && clock.now().getTime() - Date.parse(pending.at ?? '') > PENDING_TTL_MS) {
      const next = { ...state };
      delete next.staffPending;
      if (!repliedRef) return { state: next, replies: [say('staff.pending.expired', { ref: pending.ref })] };
      state = next;
      pending = undefined;
    }
    const n = note(raw);
    if (!repliedRef && !pending) {
      for (const m of deps.modules ?? []) {
        if (!m.handleText || !n.ok) continue;
        const out = await m.handleText({ identity, state, msg, name: '', args: n.value.split(/\s+/), argText: n.value });
        if (out) return out;
      }
      return { state, replies: await help(identity, lang) };
    }
    if (!n.ok) return { state, replies: [n.reply] };
    if (repliedRef) return { state, replies: await perform(identity, lang, repliedRef, { type: 'update', text: n.value }) };
    const next = { ...state };
    delete next.staffPending;
    const p = pending as NonNullable<ConversationState['staffPending']>;
    const request: StaffRequest =
      p.action === 'transfer' ? { type: 'transfer', department: p.department ?? '', text: n.value } : { type: p.action, text: n.value };
    return { state: next, replies: await perform(identity, lang, p.ref, request) };
  }

  function staffScopes(): string[] {
    return [TICKET_SCOPE, TRANSFER_SCOPE, ...(deps.modules ?? []).flatMap((m) => m.buttonScopes ?? [])];
  }

  return {
    /** Handle a message if it is staff business; undefined hands it to the citizen engine. */
    async handle(msg: InboundMessage, state: ConversationState, stored: StaffIdentity | undefined): Promise<StaffOutcome | undefined> {
      const c = msg.content;
      if (c.kind === 'command' && c.command === 'start' && /^[A-Za-z0-9]{6,12}$/.test(c.args.trim())) {
        return redeem(msg, c.args.trim(), state);
      }
      const identity = identityOf(msg, stored);
      if (!identity) return undefined;
      // An operator entering a caller's complaint walks the citizen flow: only
      // staff buttons stay with staff.
      const staffBusiness = (c.kind === 'button' && staffScopes().includes(c.scope)) || c.kind === 'command';
      if (state.flow?.onBehalf && !staffBusiness) return undefined;
      if (c.kind === 'command') return command(identity, state, msg, c.command, c.args);
      if (c.kind === 'button') return button(identity, state, msg, c.scope, c.value);
      if (c.kind === 'text') return text(identity, state, msg, c.text);
      return { state, replies: [say('staff.text_only')] };
    },
    identityOf,
  };
}

export type StaffHandler = ReturnType<typeof createStaffHandler>;
