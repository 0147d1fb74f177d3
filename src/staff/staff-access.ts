import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { InboundMessage } from '../conversation/types';
import type { StaffIdentity } from '../domain/roles';
import type { StaffDoc } from '../storage/staff-models';
import type { StaffStore } from '../storage/staff-store';

/** How long a staff record read is trusted: a revocation reaches other processes within this. */
const STAFF_CACHE_MS = 5_000;
/** Staff records remembered at once; the oldest reads go first. */
const CACHE_SIZE = 500;

const ADMIN_ID_PREFIX: Record<'telegram' | 'web', string> = { telegram: 'tg-admin-', web: 'web-admin-' };

/** The staff id of an administrator by configuration (ADMIN_TELEGRAM_IDS, ADMIN_WEB_IDS), who has no staff record. */
export function configuredAdminId(channel: 'telegram' | 'web', chatId: string): string {
  return `${ADMIN_ID_PREFIX[channel]}${chatId}`;
}

/** Whether `id` is a configured administrator's (no staff record behind it). */
export function isConfiguredAdminId(id: string): boolean {
  return Object.values(ADMIN_ID_PREFIX).some((p) => id.startsWith(p));
}

/** What {@link createStaffAccess} needs. */
export interface StaffAccessDeps {
  staff: Pick<StaffStore, 'findById'>;
  clock: Clock;
  logger: Logger;
  /** Telegram chat ids that are administrators by configuration. */
  adminTelegramIds: readonly string[];
  /** Simulator chat ids that are administrators by configuration. */
  adminWebIds?: readonly string[];
  /** How long a staff record read is trusted (default 5 s). */
  staffCacheMs?: number;
}

/** Who a chat is now, by its staff record; see {@link createStaffAccess}. */
export interface CurrentIdentity {
  identity?: StaffIdentity;
  /** The copy to write back to the conversation when it differs (null: none any more). */
  change?: StaffIdentity | null;
  /** A remembered role is gone (revoked, or the record now names another chat). */
  ended?: boolean;
}

/**
 * The staff router's access check: a chat's role comes from its staff record
 * (read through a short cache) or from the configured administrator ids,
 * never from the conversation's copy alone.
 * @example const access = createStaffAccess({ staff, clock, logger, adminTelegramIds: ['9000'] });
 */
export function createStaffAccess(deps: StaffAccessDeps) {
  const { staff, clock, logger } = deps;
  const cacheMs = deps.staffCacheMs ?? STAFF_CACHE_MS;
  const records = new Map<string, { doc: StaffDoc | null; at: number }>();

  function configuredIdentity(msg: InboundMessage): StaffIdentity | undefined {
    if (msg.channel === 'telegram' && deps.adminTelegramIds.includes(msg.chatId)) {
      return { id: configuredAdminId('telegram', msg.chatId), role: 'admin' };
    }
    if (msg.channel === 'web' && deps.adminWebIds?.includes(msg.chatId)) {
      return { id: configuredAdminId('web', msg.chatId), role: 'admin' };
    }
    return undefined;
  }

  async function staffRecord(id: string): Promise<StaffDoc | null> {
    const now = clock.now().getTime();
    const hit = records.get(id);
    if (hit && now >= hit.at && now - hit.at < cacheMs) return hit.doc;
    const doc = await staff.findById(id);
    records.delete(id);
    records.set(id, { doc, at: now });
    if (records.size > CACHE_SIZE) records.delete(records.keys().next().value as string);
    return doc;
  }

  return {
    /**
     * Who this chat is now, by its staff record (the conversation's copy may be
     * stale: revoked, or another role or department since).
     */
    async current(msg: InboundMessage, stored: StaffIdentity | undefined): Promise<CurrentIdentity> {
      const configured = configuredIdentity(msg);
      if (configured) return { identity: configured };
      if (!stored) return {};
      const doc = await staffRecord(stored.id);
      if (!doc || !doc.active || doc.identityKey !== `${msg.channel}:${msg.chatId}`) {
        logger.warn(
          { event: 'staff_role_ended', staff: stored.id },
          'a chat acted with a role its staff record no longer gives',
        );
        return { change: null, ended: true };
      }
      const identity: StaffIdentity = {
        id: doc._id,
        role: doc.role,
        ...(doc.department ? { department: doc.department } : {}),
      };
      const same = identity.role === stored.role && identity.department === stored.department;
      return same ? { identity } : { identity, change: identity };
    },
    /** Drop a cached record after this process changed it (joined, revoked). */
    forget(id: string): void {
      records.delete(id);
    },
    /** Whether an invite or an action was made from a simulator (web) chat: a configured simulator administrator or web staff. */
    async inSimulator(staffId: string): Promise<boolean> {
      if (staffId.startsWith(ADMIN_ID_PREFIX.web)) return true;
      if (isConfiguredAdminId(staffId)) return false;
      return (await staff.findById(staffId))?.channel === 'web';
    },
  };
}

export type StaffAccess = ReturnType<typeof createStaffAccess>;
