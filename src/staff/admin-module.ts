import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Effect } from '../conversation/types';
import type { Reply } from '../core/messages';
import { isStaffRole, type StaffIdentity } from '../domain/roles';
import type { Language } from '../i18n/create-i18n';
import { formatDateTime } from '../i18n/format';
import { createAudience, type AudienceMember } from '../notify/audience';
import type { OutboundItem } from '../core/outbound';
import type { StaffDoc } from '../storage/staff-models';
import type { StaffStore } from '../storage/staff-store';
import type { TicketStore } from '../storage/ticket-store';
import { clampPage, pageReply, PAGE_SIZE } from '../core/paging';
import type { DepartmentDirectory } from '../tickets/department-directory';
import type { Reassign } from '../tickets/reassign';
import type { TicketMessages } from '../tickets/ticket-messages';
import { roleWords } from './role-words';
import { configuredAdminId, type StaffAccess } from './staff-access';
import type { StaffCommandContext, StaffCommandModule } from '../conversation/staff-command';
import { say, t } from './reply-text';

/** Button scope of the pages of /staff. */
export const STAFF_PAGE_SCOPE = 'stp';
/** Open tickets moved per round when an officer is revoked. */
const REVOKE_BATCH = 50;

/** What {@link createAdminModule} needs. */
export interface AdminModuleDeps {
  staff: StaffStore;
  tickets: Pick<TicketStore, 'openTickets'>;
  departments: DepartmentDirectory;
  messages: Pick<TicketMessages, 'render'>;
  access: Pick<StaffAccess, 'forget' | 'inSimulator'>;
  clock: Clock;
  logger: Logger;
  /** Telegram chat ids that are administrators by configuration. */
  adminTelegramIds: readonly string[];
  /** Simulator chat ids that are administrators by configuration. */
  adminWebIds?: readonly string[];
  inviteTtlHours: number;
  /** The Telegram bot's username, for invite deep links; undefined without Telegram. */
  botUsername: () => string | undefined;
  /** Moves a revoked officer's open tickets (least loaded officer, else the supervisors' unassigned list). */
  reassign?: Reassign;
}

/** What an administrator's command answers: replies, and notices for other chats. */
type Answer = { replies: Reply[]; effects?: Effect[] };

const isAdmin = (identity: StaffIdentity) => identity.role === 'admin';
const forbidden = (): Answer => ({ replies: [say('staff.forbidden')] });

/**
 * The administrator's commands: `/invite` (create, list, cancel, confirm),
 * `/staff` (paged list) and `/revoke`. Notices to other people (the
 * confirmation request, the revoked person's notice) are returned as
 * `notify` effects, never sent from here.
 * @example createAdminModule({ staff, tickets, departments, messages, access, clock, logger, adminTelegramIds: ['9000'], inviteTtlHours: 48, botUsername: () => 'bot' })
 */
export function createAdminModule(deps: AdminModuleDeps): StaffCommandModule {
  const { staff, tickets, departments, messages, access, clock, logger } = deps;
  const audience = createAudience({
    staff,
    adminChats: [
      ...deps.adminTelegramIds.map((chatId) => ({ channel: 'telegram' as const, chatId })),
      ...(deps.adminWebIds ?? []).map((chatId) => ({ channel: 'web' as const, chatId })),
    ],
  });

  async function pendingInvites(lang: Language): Promise<Reply[]> {
    const now = clock.now();
    const list = await staff.pendingInvites(now);
    const usage = t('staff.invite_usage', { departments: await departments.codes() });
    if (list.length === 0) return [say('common.lines', { items: [t('staff.invites_none'), usage] })];
    const items = await Promise.all(
      list.map(async (i) =>
        t(i.needsConfirmation && !i.confirmedBy ? 'staff.invites_item_unconfirmed' : 'staff.invites_item', {
          code: i._id,
          ...(await roleWords(
            departments,
            { role: i.role, ...(i.department ? { department: i.department } : {}) },
            lang,
          )),
          expires: formatDateTime(i.expiresAt, lang),
        }),
      ),
    );
    return [
      say('common.lines', {
        items: [t('staff.invites_title', { count: list.length, items }), t('staff.invites_manage'), usage],
      }),
    ];
  }

  /**
   * The other administrators (staff records and configured chats) on the same
   * side as `identity` — the simulator's, or the real channels' — to confirm
   * an administrator invite: the simulator never vouches for a real channel.
   */
  async function otherAdmins(identity: StaffIdentity): Promise<AudienceMember[]> {
    const simulated = await access.inSimulator(identity.id);
    const sameSide = (channel: string) => (channel === 'web') === simulated;
    const self = (a: AudienceMember) =>
      (a.staffId ?? (a.channel === 'whatsapp' ? '' : configuredAdminId(a.channel, a.chatId))) === identity.id;
    return (await audience.admins()).filter((a) => !self(a) && sameSide(a.channel));
  }

  async function manageInvite(
    identity: StaffIdentity,
    what: 'cancel' | 'confirm',
    code: string | undefined,
  ): Promise<Answer> {
    if (!code) return { replies: [say('staff.invite_manage_usage')] };
    if (what === 'cancel') {
      const cancelled = await staff.cancelInvite(code, identity.id, clock.now());
      if (!cancelled) return { replies: [say('staff.invite_not_pending', { code: code.toUpperCase() })] };
      logger.info({ event: 'invite_cancelled', by: identity.id, role: cancelled.role }, 'invite cancelled');
      return { replies: [say('staff.invite_cancelled', { code: cancelled._id })] };
    }
    const pending = (await staff.pendingInvites(clock.now())).find((i) => i._id === code.toUpperCase());
    if (pending && (await access.inSimulator(pending.createdBy)) !== (await access.inSimulator(identity.id)))
      return forbidden();
    const confirmed = await staff.confirmInvite(code, identity.id, clock.now());
    if (!confirmed.ok) {
      const key =
        confirmed.reason === 'own'
          ? 'staff.invite_confirm_own'
          : confirmed.reason === 'not_needed'
            ? 'staff.invite_confirm_not_needed'
            : 'staff.invite_not_pending';
      return { replies: [say(key, { code: code.toUpperCase() })] };
    }
    logger.info(
      { event: 'invite_confirmed', by: identity.id, createdBy: confirmed.invite.createdBy },
      'administrator invite confirmed',
    );
    return { replies: [say('staff.invite_confirmed', { code: confirmed.invite._id })] };
  }

  async function invite({ identity, args, state }: StaffCommandContext): Promise<Answer> {
    const lang = state.language;
    const [roleRaw = '', deptRaw] = args;
    const role = roleRaw.toLowerCase();
    if (!roleRaw) return { replies: await pendingInvites(lang) };
    if (role === 'cancel' || role === 'confirm') return manageInvite(identity, role, deptRaw);
    const codes = await departments.codes();
    if (!isStaffRole(role)) return { replies: [say('staff.invite_usage', { departments: codes })] };
    let department: string | undefined;
    if (role === 'officer' || deptRaw) {
      const dept = deptRaw ? await departments.get(deptRaw) : undefined;
      if (!dept)
        return {
          replies: deptRaw
            ? [say('staff.unknown_department', { code: deptRaw, departments: codes })]
            : [say('staff.invite_usage', { departments: codes })],
        };
      department = dept.code;
    }
    const created = await staff.createInvite({
      role,
      ...(department ? { department } : {}),
      createdBy: identity.id,
      now: clock.now(),
      ttlHours: deps.inviteTtlHours,
    });
    const bot = deps.botUsername();
    logger.info({ event: 'invite_created', by: identity.id, role, department: department ?? null }, 'invite created');
    const replies = [
      say('staff.invite_created', {
        ...(await roleWords(departments, { role, ...(department ? { department } : {}) }, lang)),
        code: created._id,
        link: bot ? `https://t.me/${bot}?start=${created._id}` : '',
        expires: formatDateTime(created.expiresAt, lang),
      }),
    ];
    if (!created.needsConfirmation) return { replies };
    // Nobody becomes an administrator on one person's word: another administrator confirms.
    const others = await otherAdmins(identity);
    const items: OutboundItem[] = others.flatMap((person) =>
      messages.render(person.language, [say('staff.invite_confirm_request', { code: created._id })]).map((message) => ({
        channel: person.channel,
        chatId: person.chatId,
        message,
        dedupeKey: `invite-confirm:${created._id}:${person.channel}:${person.chatId}`,
      })),
    );
    replies.push(
      say(others.length > 0 ? 'staff.invite_needs_confirmation' : 'staff.invite_needs_confirmation_nobody', {
        code: created._id,
      }),
    );
    return { replies, effects: [{ type: 'notify', items }] };
  }

  /** Administrators only (README): one message, paged, everyone's name, role, department, chat and join date. */
  async function listStaff(lang: Language, pageWanted = 1): Promise<Reply[]> {
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
          ...(await roleWords(
            departments,
            { role: s.role, ...(s.department ? { department: s.department } : {}) },
            lang,
          )),
        }),
      ),
    );
    const reply = pageReply({
      scope: STAFF_PAGE_SCOPE,
      title: t('staff.list_title', { count: list.length }),
      items,
      page,
      total: list.length,
      valueFor: (p) => String(p),
    });
    return [reply];
  }

  /** Move a revoked officer's open tickets on; how many moved. Safe to run again. */
  async function moveTickets(actor: StaffIdentity, person: StaffDoc): Promise<number> {
    if (!deps.reassign) return 0;
    let moved = 0;
    const tried = new Set<string>();
    for (;;) {
      const batch = (await tickets.openTickets({ assignedTo: person._id }, REVOKE_BATCH)).filter(
        (x) => !tried.has(x.ref),
      );
      if (batch.length === 0) return moved;
      for (const ticket of batch) {
        tried.add(ticket.ref);
        const result = await deps.reassign(actor, ticket.ref, { department: ticket.department, orUnassigned: true });
        if (result.ok) moved += 1;
        else
          logger.warn(
            { event: 'revoke_ticket_not_moved', ref: ticket.ref, reason: result.reason },
            'a revoked officer kept a ticket',
          );
      }
    }
  }

  /**
   * End a person's role. Each step can be repeated: the record first (every
   * permission check reads it), then the conversation's copy, the open
   * tickets, the notice (keyed by the revocation time). `/revoke` on a
   * half-revoked person finishes what is left.
   */
  async function revoke({ identity, args }: StaffCommandContext): Promise<Answer> {
    const target = args[0];
    if (!target) return { replies: [say('staff.revoke_usage')] };
    const found = await staff.findForRevoke(target);
    if (!found) return { replies: [say('staff.not_found_staff')] };
    // The simulator's administrators have no rights over real channels' staff.
    if (found.channel !== 'web' && (await access.inSimulator(identity.id))) return forbidden();
    const revokedAt = found.active
      ? ((await staff.revoke(found._id, clock.now()))?.revokedAt ?? clock.now())
      : (found.revokedAt ?? found.joinedAt);
    access.forget(found._id);
    await staff.syncConversationRole(found.identityKey, null);
    const moved = await moveTickets(identity, found);
    const items: OutboundItem[] = messages.render(found.language, [say('staff.revoked_notice')]).map((message) => ({
      channel: found.channel,
      chatId: found.chatId,
      message,
      dedupeKey: `revoke:${found._id}:${revokedAt.getTime()}`,
    }));
    logger.info(
      { event: 'staff_revoked', staff: found._id, by: identity.id, moved, again: !found.active },
      'staff revoked',
    );
    return {
      replies: [
        say(found.active ? 'staff.revoked' : 'staff.revoked_finished', { name: found.name, id: found._id, moved }),
      ],
      effects: [{ type: 'notify', items }],
    };
  }

  /** One entry per command: adding an administrator's command is one line here. */
  const COMMANDS: Record<string, (ctx: StaffCommandContext) => Promise<Answer>> = {
    invite,
    staff: async ({ state }) => ({ replies: await listStaff(state.language) }),
    revoke,
  };

  return {
    commands: Object.keys(COMMANDS),
    helpKey: (identity) => (isAdmin(identity) ? 'staff.help_admin' : undefined),
    async handle(ctx) {
      const run = COMMANDS[ctx.name];
      const answer = !isAdmin(ctx.identity)
        ? forbidden()
        : run
          ? await run(ctx)
          : { replies: [say('staff.unknown_command')] };
      return { state: ctx.state, replies: answer.replies, ...(answer.effects ? { effects: answer.effects } : {}) };
    },
    buttonScopes: [STAFF_PAGE_SCOPE],
    async handleButton({ identity, state, value }) {
      if (!/^\d{1,4}$/.test(value)) return undefined;
      if (!isAdmin(identity)) return { state, replies: [say('staff.forbidden')] };
      return { state, replies: await listStaff(state.language, Number(value)) };
    },
  };
}
