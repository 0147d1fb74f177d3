import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { InboundMessage, StaffOutcome } from '../conversation/types';
import type { ConversationState } from '../core/conversation-state';
import type { Reply } from '../core/messages';
import type { StaffIdentity } from '../domain/roles';
import type { Language } from '../i18n/create-i18n';
import type { StaffStore } from '../storage/staff-store';
import type { DepartmentDirectory } from '../tickets/department-directory';
import { roleWords } from './role-words';
import type { StaffAccess } from './staff-access';
import { say, t } from './reply-text';

/** Wrong invite codes one chat may try per window before it is asked to wait. */
const INVITE_TRIES = 5;
const INVITE_TRY_WINDOW_MS = 60 * 60_000;

/** What {@link createInviteRedemption} needs. */
export interface InviteRedemptionDeps {
  staff: Pick<StaffStore, 'claimInvite' | 'upsertStaff' | 'markInviteUsed'>;
  departments: Pick<DepartmentDirectory, 'name'>;
  access: Pick<StaffAccess, 'forget' | 'inSimulator'>;
  /** /help for the new staff member. */
  help: (identity: StaffIdentity, lang: Language) => Promise<Reply[]>;
  clock: Clock;
  logger: Logger;
}

/**
 * `/start <code>` from any chat: an invite code makes the chat staff. Wrong
 * codes are counted in the chat's own state (a few an hour, then a polite
 * wait); a code made in the simulator works only there.
 * @example const redeem = createInviteRedemption({ staff, departments, access, help, clock, logger }); await redeem(msg, 'K7P2QX', state)
 */
export function createInviteRedemption(deps: InviteRedemptionDeps) {
  const { staff, clock, logger } = deps;

  return async function redeem(msg: InboundMessage, code: string, state: ConversationState): Promise<StaffOutcome> {
    const now = clock.now();
    const by = `${msg.channel}:${msg.chatId}`;
    const since = state.inviteTries ? Date.parse(state.inviteTries.since) : NaN;
    const tries =
      Number.isFinite(since) && now.getTime() - since < INVITE_TRY_WINDOW_MS && now.getTime() >= since
        ? (state.inviteTries?.count ?? 0)
        : 0;
    if (tries >= INVITE_TRIES) {
      logger.warn({ event: 'invite_throttled', channel: msg.channel }, 'too many invite attempts from one chat');
      return { state, replies: [say('staff.invite_throttled')] };
    }
    // The simulator's administrators have no rights over real channels: their codes work only in the simulator
    // (checked before the claim, so such a code stays usable in the simulator).
    const claim = await staff.claimInvite(code, by, now, async (invite) =>
      msg.channel !== 'web' && (await deps.access.inSimulator(invite.createdBy)) ? 'simulator_invite' : undefined,
    );
    if (!claim.ok) {
      logger.warn({ event: 'invite_rejected', channel: msg.channel, reason: claim.reason }, 'invite code not usable');
      const inviteTries = {
        since: tries === 0 ? now.toISOString() : (state.inviteTries?.since ?? now.toISOString()),
        count: tries + 1,
      };
      return {
        state: { ...state, inviteTries },
        replies: [say(claim.reason === 'unconfirmed' ? 'staff.invite_unconfirmed' : 'staff.invite_invalid')],
      };
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
    deps.access.forget(doc._id);
    const identity: StaffIdentity = {
      id: doc._id,
      role: doc.role,
      ...(doc.department ? { department: doc.department } : {}),
    };
    logger.info(
      { event: 'staff_joined', staff: doc._id, role: doc.role, department: doc.department ?? null },
      'staff joined',
    );
    const next = { ...state };
    delete next.flow;
    delete next.inviteTries;
    return {
      state: next,
      staffChange: identity,
      replies: [
        say('common.lines', {
          items: [
            t('staff.joined', await roleWords(deps.departments, identity, state.language)),
            ...(identity.role === 'officer' ? [t('staff.joined_officer')] : []),
          ],
        }),
        ...(await deps.help(identity, state.language)),
      ],
    };
  };
}
