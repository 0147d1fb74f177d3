import { randomBytes } from 'node:crypto';
import { hashToken } from './dashboard-auth';
import type { DashboardModels, SessionKind } from './dashboard-models';

/**
 * Server-side records of signed-in browsers (dashboard and simulator), so a
 * session can end before its expiry: logout deletes its record, and a request
 * whose record is gone is refused. Checked on every request by `_id`, which
 * is one indexed read.
 * @example
 * const sessions = createSessionStore(models);
 * const sid = await sessions.open('dashboard', staffId, expiresAt, now);
 * await sessions.isOpen(sid, now) // true until sessions.close(sid) or expiry
 */
export function createSessionStore(models: DashboardModels) {
  const { Session } = models;
  return {
    /** A new session id (goes into the signed cookie; only its hash is stored). Expired records go on the way. */
    async open(kind: SessionKind, staffId: string, expiresAt: Date, now: Date): Promise<string> {
      const sid = randomBytes(18).toString('base64url');
      await Session.create({ _id: hashToken(sid), kind, staffId, createdAt: now, expiresAt });
      await Session.deleteMany({ expiresAt: { $lt: now } });
      return sid;
    },
    /** Whether the session still has its record and has not expired. */
    async isOpen(sid: string, now: Date): Promise<boolean> {
      const doc = await Session.findById(hashToken(sid), { expiresAt: 1 }).lean();
      return !!doc && doc.expiresAt.getTime() > now.getTime();
    },
    /** End one session (logout). */
    async close(sid: string): Promise<void> {
      await Session.deleteOne({ _id: hashToken(sid) });
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
