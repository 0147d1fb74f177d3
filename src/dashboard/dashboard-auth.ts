import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StaffRole } from '../domain/roles';

/** Shortest secret accepted from DASHBOARD_SECRET (a generated one is 43 characters). */
export const MIN_SECRET_LENGTH = 32;

/** Why a login link or a session cookie was refused. */
export type AuthFailure = 'invalid' | 'expired' | 'used' | 'revoked';

/** Who a session belongs to: a supervisor or an administrator. */
export interface DashboardViewer {
  /** Staff id (or the configured administrator's id). */
  staffId: string;
  role: StaffRole;
  /** Shown in the page's header. */
  name: string;
}

/** A verified session cookie. */
export interface DashboardSession extends DashboardViewer {
  expiresAt: Date;
  /** The server-side session record it names (absent only in cookies made without one). */
  sid?: string;
}

const B64URL = /^[A-Za-z0-9_-]+$/;
const LOGIN_TOKEN = /^([A-Za-z0-9_-]{32})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;

/**
 * Signs and checks the dashboard's two credentials with keys derived from
 * one secret, so a login link can never pass as a session cookie or the
 * other way round.
 *
 * - A login token is `nonce.expiry.signature`: 24 random bytes, the expiry
 *   in seconds (base 36), and an HMAC-SHA256 over both. The signature lets a
 *   forged or altered link be refused without touching the database; the
 *   database (which stores only a hash of the token) makes it work once.
 * - A session is `payload.signature`, the payload a small JSON object
 *   (viewer, expiry and the id of its server-side record) in base64url.
 *
 * `purpose` separates doors sharing one secret: a simulator link or cookie
 * never opens the dashboard, nor the other way round.
 * @example
 * const signer = createDashboardSigner(secret);
 * const { token } = signer.loginToken(new Date(Date.now() + 15 * 60_000));
 * signer.checkLoginToken(token, new Date()) // { ok: true, expiresAt }
 */
export function createDashboardSigner(secret: string, purpose: 'dashboard' | 'simulator' = 'dashboard') {
  if (secret.length < MIN_SECRET_LENGTH)
    throw new Error(`the dashboard secret must be at least ${MIN_SECRET_LENGTH} characters`);
  const loginKey = createHmac('sha256', secret).update(`jan-sahayak ${purpose} login v1`).digest();
  const sessionKey = createHmac('sha256', secret).update(`jan-sahayak ${purpose} session v1`).digest();
  const mac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest('base64url');

  return {
    /** A fresh login token valid until `expiresAt` (whole seconds). */
    loginToken(expiresAt: Date): { token: string; expiresAt: Date } {
      const nonce = randomBytes(24).toString('base64url');
      const exp = Math.floor(expiresAt.getTime() / 1000);
      const body = `${nonce}.${exp.toString(36)}`;
      return { token: `${body}.${mac(loginKey, body)}`, expiresAt: new Date(exp * 1000) };
    },

    /** Whether a token is one this secret signed, and not past its expiry. Says nothing about earlier use. */
    checkLoginToken(token: string, now: Date): { ok: true; expiresAt: Date } | { ok: false; reason: AuthFailure } {
      const m = LOGIN_TOKEN.exec(token);
      if (!m) return { ok: false, reason: 'invalid' };
      const body = `${m[1]}.${m[2]}`;
      if (!sameText(m[3] ?? '', mac(loginKey, body))) return { ok: false, reason: 'invalid' };
      const expiresAt = new Date(parseInt(m[2] ?? '', 36) * 1000);
      if (!(expiresAt.getTime() > now.getTime())) return { ok: false, reason: 'expired' };
      return { ok: true, expiresAt };
    },

    /** The cookie value for a session ending at `expiresAt`, naming its server-side record `sid`. */
    sessionCookie(viewer: DashboardViewer, expiresAt: Date, sid?: string): string {
      const payload = Buffer.from(
        JSON.stringify({
          v: 1,
          sub: viewer.staffId,
          role: viewer.role,
          name: viewer.name,
          exp: expiresAt.getTime(),
          ...(sid ? { sid } : {}),
        }),
        'utf8',
      ).toString('base64url');
      return `${payload}.${mac(sessionKey, payload)}`;
    },

    /** The session a cookie value carries, if this secret signed it and it has not expired. */
    checkSession(
      value: string,
      now: Date,
    ): { ok: true; session: DashboardSession } | { ok: false; reason: AuthFailure } {
      const dot = value.indexOf('.');
      const payload = value.slice(0, dot);
      const sig = value.slice(dot + 1);
      if (dot <= 0 || !B64URL.test(payload) || !B64URL.test(sig) || value.length > 2048)
        return { ok: false, reason: 'invalid' };
      if (!sameText(sig, mac(sessionKey, payload))) return { ok: false, reason: 'invalid' };
      let parsed: { v?: unknown; sub?: unknown; role?: unknown; name?: unknown; exp?: unknown; sid?: unknown };
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed;
      } catch {
        return { ok: false, reason: 'invalid' };
      }
      const { v, sub, role, name, exp, sid } = parsed;
      if (
        v !== 1 ||
        typeof sub !== 'string' ||
        (role !== 'supervisor' && role !== 'admin') ||
        typeof name !== 'string' ||
        typeof exp !== 'number'
      ) {
        return { ok: false, reason: 'invalid' };
      }
      if (sid !== undefined && typeof sid !== 'string') {
        return { ok: false, reason: 'invalid' };
      }
      if (!(exp > now.getTime())) return { ok: false, reason: 'expired' };
      return { ok: true, session: { staffId: sub, role, name, expiresAt: new Date(exp), ...(sid ? { sid } : {}) } };
    },
  };
}

export type DashboardSigner = ReturnType<typeof createDashboardSigner>;

/** What the database stores instead of a login token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compare two strings in time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
