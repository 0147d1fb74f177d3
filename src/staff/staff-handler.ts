import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { checkText } from '../conversation/text-input';
import type { ConversationState, InboundMessage, StaffOutcome } from '../conversation/types';
import type { Reply, Text } from '../core/messages';
import { isOversight, isStaffRole, mayActOnTicket, type StaffIdentity } from '../domain/roles';
import { looksLikeReference, normalizeReference } from '../domain/ticket';
import { applyAction, InvalidTransitionError, type TicketAction } from '../domain/ticket-lifecycle';
import { isLanguage, type Language } from '../i18n/create-i18n';
import { formatAge, formatDateTime } from '../i18n/format';
import type { Notifier } from '../notify/notifier';
import type { MessageRefStore } from '../storage/message-ref-store';
import type { StaffDoc } from '../storage/staff-models';
import { looksLikeInviteCode, type StaffStore } from '../storage/staff-store';
import { clampPage, pageReply, PAGE_SIZE } from '../supervisor/paging';
import type { Reassign } from '../tickets/reassign';
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
/** How long a staff record read is trusted: a revocation reaches other processes within this. */
const STAFF_CACHE_MS = 5_000;
/** Wrong invite codes one chat may try per window before it is asked to wait. */
const INVITE_TRIES = 5;
const INVITE_TRY_WINDOW_MS = 60 * 60_000;
/** Button scope of the pages of /staff. */
export const STAFF_PAGE_SCOPE = 'stp';
/** The citizens' language buttons: staff get the same ones. */
const LANGUAGE_SCOPE = 'lang';
/** Open tickets moved per round when an officer is revoked. */
const REVOKE_BATCH = 50;

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
  /** Which ticket a sent message was about: a reply to it is an update of that ticket. */
  messageRefs?: Pick<MessageRefStore, 'refOf'>;
  /** Moves a revoked officer's open tickets (least loaded officer, else the supervisors' unassigned list). */
  reassign?: Reassign;
  /** How long a staff record read is trusted (default 5 s). */
  staffCacheMs?: number;
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

// Defined by the inbound handler that consumes it, so conversation/ need not import staff/.
export type { StaffOutcome } from '../conversation/types';

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });
const say = (key: string, params?: Text['params']): Reply => ({ text: t(key, params) });

/**
 * Staff commands and buttons: invites, the officer's actions on tickets,
 * staff lists. Runs before the citizen engine; anything that is not staff
 * business (a citizen, or `/start` without a code) falls through.
 */
export function createStaffHandler(deps: StaffHandlerDeps) {
  const { staff, tickets, ticketService, departments, messages, clock, logger } = deps;

  function configuredIdentity(msg: InboundMessage): StaffIdentity | undefined {
    if (msg.channel === 'telegram' && deps.adminTelegramIds.includes(msg.chatId)) {
      return { id: configuredAdminId('telegram', msg.chatId), role: 'admin' };
    }
    if (msg.channel === 'web' && deps.adminWebIds?.includes(msg.chatId)) {
      return { id: configuredAdminId('web', msg.chatId), role: 'admin' };
    }
    return undefined;
  }


  const cacheMs = deps.staffCacheMs ?? STAFF_CACHE_MS;
  const records = new Map<string, { doc: StaffDoc | null; at: number }>();

  async function staffRecord(id: string): Promise<StaffDoc | null> {
    const now = clock.now().getTime();
    const hit = records.get(id);
    if (hit && now >= hit.at && now - hit.at < cacheMs) return hit.doc;
    const doc = await staff.findById(id);
    records.delete(id);
    records.set(id, { doc, at: now });
    // Bounded: the oldest reads go first.
    if (records.size > 500) records.delete(records.keys().next().value as string);
    return doc;
  }

  /**
   * Who this chat is now, by its staff record (the conversation's copy may be
   * stale: revoked, or another role or department since). `change` is the
   * copy to write back when it differs; `ended` says a remembered role is gone.
   */
  async function currentIdentity(msg: InboundMessage, stored: StaffIdentity | undefined): Promise<{ identity?: StaffIdentity; change?: StaffIdentity | null; ended?: boolean }> {
    const configured = configuredIdentity(msg);
    if (configured) return { identity: configured };
    if (!stored) return {};
    const doc = await staffRecord(stored.id);
    if (!doc || !doc.active || doc.identityKey !== `${msg.channel}:${msg.chatId}`) {
      logger.warn({ event: 'staff_role_ended', staff: stored.id }, 'a chat acted with a role its staff record no longer gives');
      return { change: null, ended: true };
    }
    const identity: StaffIdentity = { id: doc._id, role: doc.role, ...(doc.department ? { department: doc.department } : {}) };
    const same = identity.role === stored.role && identity.department === stored.department;
    return same ? { identity } : { identity, change: identity };
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
    const by = `${msg.channel}:${msg.chatId}`;
    // Wrong codes are counted in the chat's own state: a few tries an hour, then a polite wait.
    const since = state.inviteTries ? Date.parse(state.inviteTries.since) : NaN;
    const tries = Number.isFinite(since) && now.getTime() - since < INVITE_TRY_WINDOW_MS && now.getTime() >= since ? (state.inviteTries?.count ?? 0) : 0;
    if (tries >= INVITE_TRIES) {
      logger.warn({ event: 'invite_throttled', channel: msg.channel }, 'too many invite attempts from one chat');
      return { state, replies: [say('staff.invite_throttled')] };
    }
    // The simulator's administrators have no rights over real channels: their codes work only in the simulator
    // (checked before the claim, so such a code stays usable in the simulator).
    const claim = await staff.claimInvite(code, by, now, async (invite) => (msg.channel !== 'web' && (await madeInSimulator(invite.createdBy)) ? 'simulator_invite' : undefined));
    if (!claim.ok) {
      logger.warn({ event: 'invite_rejected', channel: msg.channel, reason: claim.reason }, 'invite code not usable');
      const inviteTries = { since: tries === 0 ? now.toISOString() : (state.inviteTries?.since ?? now.toISOString()), count: tries + 1 };
      return { state: { ...state, inviteTries }, replies: [say(claim.reason === 'unconfirmed' ? 'staff.invite_unconfirmed' : 'staff.invite_invalid')] };
    }
    const invite = claim.invite;
    // The claim names this chat: if writing the record below fails, sending the code again finishes the job.
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
    await staff.markInviteUsed(invite._id, by, now);
    records.delete(doc._id);
    const identity: StaffIdentity = { id: doc._id, role: doc.role, ...(doc.department ? { department: doc.department } : {}) };
    logger.info({ event: 'staff_joined', staff: doc._id, role: doc.role, department: doc.department ?? null }, 'staff joined');
    const next = { ...state };
    delete next.flow;
    delete next.inviteTries;
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

  /** `msg` names the action: the same message delivered again after a crash changes the ticket once. */
  async function perform(identity: StaffIdentity, lang: Language, ref: string, request: StaffRequest, msg: InboundMessage): Promise<Reply[]> {
    if (request.type === 'transfer' && !(await departments.get(request.department))) {
      return [say('staff.unknown_department', { code: request.department, departments: await departments.codes() })];
    }
    const result = await ticketService.act(identity, ref, request, { actionKey: `${msg.channel}:${msg.chatId}:${msg.updateKey}` });
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

  async function pendingInvites(lang: Language): Promise<Reply[]> {
    const now = clock.now();
    const list = await staff.pendingInvites(now);
    const usage = t('staff.invite_usage', { departments: await departments.codes() });
    if (list.length === 0) return [say('common.lines', { items: [t('staff.invites_none'), usage] })];
    const items = await Promise.all(
      list.map(async (i) =>
        t(i.needsConfirmation && !i.confirmedBy ? 'staff.invites_item_unconfirmed' : 'staff.invites_item', {
          code: i._id,
          ...(await roleWords({ id: '', role: i.role, ...(i.department ? { department: i.department } : {}) }, lang)),
          expires: formatDateTime(i.expiresAt, lang),
        }),
      ),
    );
    return [say('common.lines', { items: [t('staff.invites_title', { count: list.length, items }), t('staff.invites_manage'), usage] })];
  }

  /**
   * The other administrators (staff records and configured chats) on the same
   * side as `identity` — the simulator's, or the real channels' — to confirm
   * an administrator invite: the simulator never vouches for a real channel.
   */
  async function otherAdmins(identity: StaffIdentity): Promise<Array<Pick<StaffDoc, 'channel' | 'chatId' | 'language'>>> {
    const simulated = await madeInSimulator(identity.id);
    const sameSide = (channel: string) => (channel === 'web') === simulated;
    const people: Array<Pick<StaffDoc, 'channel' | 'chatId' | 'language'>> = (await staff.activeWithRoles(['admin'])).filter((a) => a._id !== identity.id && sameSide(a.channel));
    const configured = [
      ...deps.adminTelegramIds.map((chatId) => ({ channel: 'telegram' as const, chatId })),
      ...(deps.adminWebIds ?? []).map((chatId) => ({ channel: 'web' as const, chatId })),
    ].filter((c) => configuredAdminId(c.channel, c.chatId) !== identity.id && sameSide(c.channel));
    for (const c of configured) if (!people.some((p) => p.channel === c.channel && p.chatId === c.chatId)) people.push({ ...c, language: 'hi' });
    return people;
  }

  async function invite(identity: StaffIdentity, args: string[], lang: Language): Promise<Reply[]> {
    if (identity.role !== 'admin') return refused(identity, 'invite');
    const [roleRaw = '', deptRaw] = args;
    const role = roleRaw.toLowerCase();
    if (!roleRaw) return pendingInvites(lang);
    if (role === 'cancel' || role === 'confirm') {
      if (!deptRaw) return [say('staff.invite_manage_usage')];
      if (role === 'cancel') {
        const cancelled = await staff.cancelInvite(deptRaw, identity.id, clock.now());
        if (!cancelled) return [say('staff.invite_not_pending', { code: deptRaw.toUpperCase() })];
        logger.info({ event: 'invite_cancelled', by: identity.id, role: cancelled.role }, 'invite cancelled');
        return [say('staff.invite_cancelled', { code: cancelled._id })];
      }
      const pending = (await staff.pendingInvites(clock.now())).find((i) => i._id === deptRaw.toUpperCase());
      if (pending && (await madeInSimulator(pending.createdBy)) !== (await madeInSimulator(identity.id))) return refused(identity, 'invite confirm');
      const confirmed = await staff.confirmInvite(deptRaw, identity.id, clock.now());
      if (!confirmed.ok) {
        const key = confirmed.reason === 'own' ? 'staff.invite_confirm_own' : confirmed.reason === 'not_needed' ? 'staff.invite_confirm_not_needed' : 'staff.invite_not_pending';
        return [say(key, { code: deptRaw.toUpperCase() })];
      }
      logger.info({ event: 'invite_confirmed', by: identity.id, createdBy: confirmed.invite.createdBy }, 'administrator invite confirmed');
      return [say('staff.invite_confirmed', { code: confirmed.invite._id })];
    }
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
    const replies = [
      say('staff.invite_created', {
        ...(await roleWords({ id: '', role, ...(department ? { department } : {}) }, lang)),
        code: created._id,
        link: bot ? `https://t.me/${bot}?start=${created._id}` : '',
        expires: formatDateTime(created.expiresAt, lang),
      }),
    ];
    if (created.needsConfirmation) {
      // Nobody becomes an administrator on one person's word: another administrator confirms.
      const others = await otherAdmins(identity);
      await deps.notifier.enqueue(
        others.flatMap((person) =>
          messages.render(person.language, [say('staff.invite_confirm_request', { code: created._id })]).map((message) => ({
            channel: person.channel,
            chatId: person.chatId,
            message,
            dedupeKey: `invite-confirm:${created._id}:${person.channel}:${person.chatId}`,
          })),
        ),
      );
      replies.push(say(others.length > 0 ? 'staff.invite_needs_confirmation' : 'staff.invite_needs_confirmation_nobody', { code: created._id }));
    }
    return replies;
  }

  /** Administrators only (README): one message, paged, everyone's name, role, department, chat and join date. */
  async function listStaff(identity: StaffIdentity, lang: Language, pageWanted = 1): Promise<Reply[]> {
    if (identity.role !== 'admin') return refused(identity, 'staff');
    const list = await staff.listActive();
    if (list.length === 0) return [say('staff.list_empty')];
    const page = clampPage(pageWanted, list.length);
    const items = await Promise.all(
      list.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map(async (s) =>
        t('staff.list_item', {
          name: s.name,
          id: s._id,
          channel: t(`supervisor.failed.channel.${s.channel}`),
          joined: formatDateTime(s.joinedAt, lang),
          ...(await roleWords({ id: s._id, role: s.role, ...(s.department ? { department: s.department } : {}) }, lang)),
        }),
      ),
    );
    const reply = pageReply({ title: t('staff.list_title', { count: list.length }), items, page, total: list.length, valueFor: (p) => String(p) });
    // Page buttons of this list are the staff handler's, not the supervisors' lists'.
    if (reply.buttons) reply.buttons = { ...reply.buttons, scope: STAFF_PAGE_SCOPE };
    return [reply];
  }

  /** Move a revoked officer's open tickets on; how many moved. Safe to run again. */
  async function moveTickets(actor: StaffIdentity, person: StaffDoc): Promise<number> {
    if (!deps.reassign) return 0;
    let moved = 0;
    const tried = new Set<string>();
    for (;;) {
      const batch = (await tickets.openTickets({ assignedTo: person._id }, REVOKE_BATCH)).filter((x) => !tried.has(x.ref));
      if (batch.length === 0) return moved;
      for (const ticket of batch) {
        tried.add(ticket.ref);
        const result = await deps.reassign(actor, ticket.ref, { department: ticket.department, orUnassigned: true });
        if (result.ok) moved += 1;
        else logger.warn({ event: 'revoke_ticket_not_moved', ref: ticket.ref, reason: result.reason }, 'a revoked officer kept a ticket');
      }
    }
  }

  /**
   * End a person's role. Each step can be repeated: the record first (every
   * permission check reads it), then the conversation's copy, the open
   * tickets, the notice (keyed by the revocation time). `/revoke` on a
   * half-revoked person finishes what is left.
   */
  async function revoke(identity: StaffIdentity, args: string[]): Promise<Reply[]> {
    if (identity.role !== 'admin') return refused(identity, 'revoke');
    const target = args[0];
    if (!target) return [say('staff.revoke_usage')];
    const found = await staff.findForRevoke(target);
    if (!found) return [say('staff.not_found_staff')];
    // The simulator's administrators have no rights over real channels' staff.
    if (found.channel !== 'web' && (await madeInSimulator(identity.id))) return refused(identity, 'revoke');
    const revokedAt = found.active ? ((await staff.revoke(found._id, clock.now()))?.revokedAt ?? clock.now()) : (found.revokedAt ?? found.joinedAt);
    records.delete(found._id);
    await staff.syncConversationRole(found.identityKey, null);
    const moved = await moveTickets(identity, found);
    await deps.notifier.enqueue(
      messages.render(found.language, [say('staff.revoked_notice')]).map((message) => ({
        channel: found.channel,
        chatId: found.chatId,
        message,
        dedupeKey: `revoke:${found._id}:${revokedAt.getTime()}`,
      })),
    );
    logger.info({ event: 'staff_revoked', staff: found._id, by: identity.id, moved, again: !found.active }, 'staff revoked');
    return [say(found.active ? 'staff.revoked' : 'staff.revoked_finished', { name: found.name, id: found._id, moved })];
  }

  async function setLanguage(identity: StaffIdentity, state: ConversationState, language: Language): Promise<[Reply[], ConversationState]> {
    if (!isConfiguredAdminId(identity.id)) await staff.setLanguage(identity.id, language);
    return [[say('language.changed')], { ...state, language }];
  }

  /**
   * Whether `identity` may do `type` to ticket `ref` now; the refusal to show
   * if not. Asked before a tapped button asks for text, so a stale button on a
   * ticket transferred away or closed is refused at once, as /ack is.
   */
  async function precheck(identity: StaffIdentity, ref: string, type: TicketAction['type']): Promise<Reply[] | undefined> {
    const ticket = looksLikeReference(ref) ? await tickets.findByRef(ref) : null;
    if (!ticket) return [ticketRefusalReply('not_found', ref)];
    if (!mayActOnTicket(identity, ticket.department)) {
      logger.warn({ event: 'staff_forbidden', staff: identity.id, role: identity.role, ref, action: type }, 'staff action refused');
      return [ticketRefusalReply('forbidden', ref)];
    }
    const probe: TicketAction = type === 'transfer' ? { type, department: ticket.department, text: '-' } : type === 'acknowledge' ? { type } : { type: type as 'ask', text: '-' };
    try {
      applyAction(ticket.status, probe, { kind: 'staff', id: identity.id, role: identity.role }, clock.now());
    } catch (err) {
      if (err instanceof InvalidTransitionError) return [ticketRefusalReply('closed', ref, ticket.status)];
      throw err;
    }
    return undefined;
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
        if (!isLanguage(wanted)) {
          // The same choice citizens get: two buttons.
          return done([
            { text: t('language.prompt'), buttons: { scope: LANGUAGE_SCOPE, options: [{ value: 'hi', label: t('language.hi') }, { value: 'en', label: t('language.en') }] } },
          ]);
        }
        return done(...(await setLanguage(identity, state, wanted)));
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
        return done(await perform(identity, lang, ref, { type: 'acknowledge' }, msg));
      case 'ask':
      case 'update':
      case 'resolve': {
        if (!looksLikeReference(ref) || !rest) return done([say('staff.usage.text', { command: name })]);
        const n = note(rest);
        if (!n.ok) return done([n.reply]);
        return done(await perform(identity, lang, ref, { type: name, text: n.value }, msg));
      }
      case 'transfer': {
        const dept = args[1];
        const reason = args.slice(2).join(' ');
        if (!looksLikeReference(ref) || !dept || !reason) return done([say('staff.usage.transfer', { departments: await departments.codes() })]);
        const n = note(reason);
        if (!n.ok) return done([n.reply]);
        return done(await perform(identity, lang, ref, { type: 'transfer', department: dept.toUpperCase(), text: n.value }, msg));
      }
      default: {
        const module = deps.modules?.find((m) => m.commands.includes(name));
        if (module) {
          const out = await module.handle({ identity, state, msg, name, args, argText });
          // One place logs every module's refusal with who tried (not every module has a logger).
          if (out.replies.length === 1 && out.replies[0]?.text.key === 'staff.forbidden') {
            logger.warn({ event: 'staff_command_refused', staff: identity.id, role: identity.role, command: name }, 'command not allowed for role');
          }
          return out;
        }
        return done([say('staff.unknown_command')]);
      }
    }
  }

  async function button(identity: StaffIdentity, state: ConversationState, msg: InboundMessage, scope: string, value: string): Promise<StaffOutcome> {
    const lang = state.language;
    const module = deps.modules?.find((m) => m.buttonScopes?.includes(scope));
    if (module?.handleButton) return module.handleButton({ identity, state, msg, scope, value });
    if (scope === LANGUAGE_SCOPE && isLanguage(value)) {
      const [replies, next] = await setLanguage(identity, state, value);
      return { state: next, replies };
    }
    if (scope === STAFF_PAGE_SCOPE && /^\d{1,4}$/.test(value)) return { state, replies: await listStaff(identity, lang, Number(value)) };
    // Button data is checked for shape: anything else a client could send is a stale button.
    const parts = value.split(':');
    if (scope === TICKET_SCOPE && parts.length === 2) {
      const [action = '', ref = ''] = parts;
      if (action === 'ack') return { state, replies: await perform(identity, lang, ref, { type: 'acknowledge' }, msg) };
      if (action === 'ask' || action === 'update' || action === 'resolve') {
        const refusal = await precheck(identity, ref, action);
        if (refusal) return { state, replies: refusal };
        return { state: { ...state, staffPending: { action, ref, at: clock.now().toISOString() } }, replies: [say(`staff.pending.${action}`, { ref })] };
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
              buttons: { scope: TRANSFER_SCOPE, options: list.map((d) => ({ value: `${ref}:${d.code}`, label: t('common.verbatim', { text: d.name[lang] }) })) },
            },
          ],
        };
      }
    }
    if (scope === TRANSFER_SCOPE && parts.length === 2) {
      const [ref = '', dept = ''] = parts;
      const refusal = await precheck(identity, ref, 'transfer');
      if (refusal) return { state, replies: refusal };
      if (!(await departments.get(dept))) return { state, replies: [say('staff.unknown_department', { code: dept, departments: await departments.codes() })] };
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
    // Replying with plain text to a ticket's card or a notice about it (found by the message's id,
    // never by a reference quoted in its text) is a progress update of that ticket.
    const repliedRef = msg.replyToId && deps.messageRefs ? await deps.messageRefs.refOf(msg.channel, msg.chatId, msg.replyToId) : undefined;
    const isReply = msg.replyToId !== undefined || msg.replyToText !== undefined;
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
      if (isReply && (identity.role === 'officer' || isOversight(identity.role))) return { state, replies: [say('staff.reply_hint')] };
      return { state, replies: await help(identity, lang) };
    }
    if (!n.ok) return { state, replies: [n.reply] };
    if (repliedRef) return { state, replies: await perform(identity, lang, repliedRef, { type: 'update', text: n.value }, msg) };
    const next = { ...state };
    delete next.staffPending;
    const p = pending as NonNullable<ConversationState['staffPending']>;
    const request: StaffRequest =
      p.action === 'transfer' ? { type: 'transfer', department: p.department ?? '', text: n.value } : { type: p.action, text: n.value };
    return { state: next, replies: await perform(identity, lang, p.ref, request, msg) };
  }

  function staffScopes(): string[] {
    return [TICKET_SCOPE, TRANSFER_SCOPE, STAFF_PAGE_SCOPE, ...(deps.modules ?? []).flatMap((m) => m.buttonScopes ?? [])];
  }

  return {
    /** Handle a message if it is staff business; undefined hands it to the citizen engine. */
    async handle(msg: InboundMessage, state: ConversationState, stored: StaffIdentity | undefined): Promise<StaffOutcome | undefined> {
      const c = msg.content;
      if (c.kind === 'command' && c.command === 'start' && looksLikeInviteCode(c.args.trim())) {
        return redeem(msg, c.args.trim(), state);
      }
      const current = await currentIdentity(msg, stored);
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
      if (outcome && current.change !== undefined && outcome.staffChange === undefined) outcome.staffChange = current.change;
      return outcome;
    },
  };

  /** A staff member's message, once their role is known from the record. */
  async function dispatch(identity: StaffIdentity, msg: InboundMessage, state: ConversationState): Promise<StaffOutcome | undefined> {
    const c = msg.content;
    // An operator entering a caller's complaint walks the citizen flow: only
    // staff buttons stay with staff.
    const staffBusiness = (c.kind === 'button' && staffScopes().includes(c.scope)) || c.kind === 'command';
    if (state.flow?.onBehalf && !staffBusiness) return undefined;
    if (c.kind === 'command') return command(identity, state, msg, c.command, c.args);
    if (c.kind === 'button') return button(identity, state, msg, c.scope, c.value);
    if (c.kind === 'text') return text(identity, state, msg, c.text);
    return { state, replies: [say('staff.text_only')] };
  }
}

export type StaffHandler = ReturnType<typeof createStaffHandler>;
