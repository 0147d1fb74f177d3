import type { Language } from '../i18n/create-i18n';
import { hashToken, type AuthFailure, type DashboardSigner, type DashboardViewer } from './dashboard-auth';
import type { DashboardModels } from './dashboard-models';

/** How long issued links are kept after they expire (for the log of who asked), before deletion. */
const KEEP_EXPIRED_MS = 24 * 3_600_000;

/** A redeemed link: who it was for and the language they asked in. */
export interface RedeemedLogin extends DashboardViewer {
  language: Language;
}

/**
 * One-time login links: issued to a supervisor or administrator, opened once.
 * @example
 * const logins = createDashboardLogins({ models, signer, ttlMs: 15 * 60_000 });
 * const { token } = await logins.issue({ staffId, role: 'supervisor', name: 'Asha' }, 'hi', now);
 * await logins.redeem(token, now) // { ok: true, login } the first time, { ok: false, reason: 'used' } after
 */
export function createDashboardLogins(deps: { models: DashboardModels; signer: DashboardSigner; ttlMs: number }) {
  const { Login } = deps.models;

  return {
    /** A new link token for a viewer; old expired links are deleted on the way. */
    async issue(viewer: DashboardViewer, language: Language, now: Date): Promise<{ token: string; expiresAt: Date }> {
      const { token, expiresAt } = deps.signer.loginToken(new Date(now.getTime() + deps.ttlMs));
      await Login.create({ _id: hashToken(token), ...viewer, language, createdAt: now, expiresAt });
      await Login.deleteMany({ expiresAt: { $lt: new Date(now.getTime() - KEEP_EXPIRED_MS) } });
      return { token, expiresAt };
    },

    /**
     * Use a token: refused when forged or altered, expired, or already used.
     * Marking it used is one conditional update, so of two openings racing
     * each other exactly one succeeds.
     */
    async redeem(
      token: string,
      now: Date,
    ): Promise<{ ok: true; login: RedeemedLogin } | { ok: false; reason: AuthFailure }> {
      const checked = deps.signer.checkLoginToken(token, now);
      if (!checked.ok) return checked;
      const id = hashToken(token);
      const before = await Login.findOneAndUpdate(
        { _id: id, usedAt: { $exists: false } },
        { $set: { usedAt: now } },
        { returnDocument: 'before' },
      ).lean();
      if (!before) return { ok: false, reason: (await Login.exists({ _id: id })) ? 'used' : 'invalid' };
      if (!(before.expiresAt.getTime() > now.getTime())) return { ok: false, reason: 'expired' };
      return {
        ok: true,
        login: { staffId: before.staffId, role: before.role, name: before.name, language: before.language },
      };
    },
  };
}

export type DashboardLogins = ReturnType<typeof createDashboardLogins>;
