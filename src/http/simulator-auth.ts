import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { createDashboardSigner } from '../dashboard/dashboard-auth';
import { createDashboardLogins } from '../dashboard/dashboard-logins';
import type { DashboardModels } from '../dashboard/dashboard-models';
import { cookieOf } from '../dashboard/dashboard-routes';
import type { SessionStore } from '../dashboard/dashboard-sessions';
import { requestView } from './forwarded';
import { readJson, sendJson } from './http-io';
import { admitLogin, createLoginThrottle } from './login-throttle';

/** The simulator's session cookie. */
export const SIM_COOKIE = 'js_sim';
/** Where the simulator's login link opens (its page reads the token and POSTs it). */
export const SIM_LOGIN_PATH = '/sim/login';
const MAX_LOGIN_BODY = 1024;
/** Who "asked" for the link printed in the start-up log: whoever runs the service. */
export const STARTUP_LINK_BY = 'startup';

/** A signed-in simulator browser. */
export interface SimulatorSession {
  sid: string;
  /** Short, stable per session: prefixes this browser's chat ids when the simulator is public. */
  namespace: string;
}

export interface SimulatorAuthDeps {
  /** The dashboard's secret; the simulator derives its own keys from it. */
  secret: string;
  models: DashboardModels;
  sessions: SessionStore;
  clock: Clock;
  logger: Logger;
  linkTtlMs: number;
  sessionMs: number;
  /** PUBLIC_BASE_URL is https: always mark the cookie Secure. */
  secureCookie: boolean;
  /** TRUST_PROXY: a proxy's X-Forwarded-Proto https also marks it Secure. */
  trustProxy: boolean;
  /** Whether whoever asked for the link may still open the simulator (a revoked administrator may not); default: yes. */
  stillAllowed?: (staffId: string) => Promise<boolean>;
}

/**
 * The simulator's login, whenever it is not the plain local development
 * start: the dashboard's one-time signed link scheme with keys of its own
 * (a dashboard link never opens the simulator), then an HttpOnly, SameSite
 * cookie naming a server-side session record.
 * @example
 * const auth = createSimulatorAuth({ secret, models, sessions, clock, logger, linkTtlMs, sessionMs, secureCookie: false, trustProxy: false });
 * const { token } = await auth.issue('startup', 'start-up log');
 */
export function createSimulatorAuth(deps: SimulatorAuthDeps) {
  const signer = createDashboardSigner(deps.secret, 'simulator');
  const logins = createDashboardLogins({ models: deps.models, signer, ttlMs: deps.linkTtlMs });
  const throttle = createLoginThrottle({ clock: deps.clock });
  const flags = (req: IncomingMessage) =>
    `Path=/sim; HttpOnly; SameSite=Strict${deps.secureCookie || requestView(req, deps.trustProxy).proto === 'https' ? '; Secure' : ''}`;

  return {
    /** A one-time login token for whoever asked (`by` is a staff id, or {@link STARTUP_LINK_BY}). */
    async issue(by: string, name: string): Promise<{ token: string; expiresAt: Date }> {
      return logins.issue({ staffId: by, role: 'admin', name }, 'hi', deps.clock.now());
    },

    /** POST /sim/api/login {token}: a session cookie, or 401 with the reason. */
    async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const client = admitLogin(throttle, req, res, {
        name: 'simulator',
        trustProxy: deps.trustProxy,
        logger: deps.logger,
      });
      if (client === undefined) return;
      const body = (await readJson(req, MAX_LOGIN_BODY)) as { token?: unknown } | null;
      const now = deps.clock.now();
      const result = await logins.redeem(typeof body?.token === 'string' ? body.token : '', now);
      if (!result.ok) {
        throttle.refused(client);
        deps.logger.warn({ event: 'simulator_login_refused', reason: result.reason }, 'simulator login link refused');
        return sendJson(res, 401, {
          error: 'unauthorized',
          message: 'the simulator needs a login link',
          reason: result.reason,
        });
      }
      const expiresAt = new Date(now.getTime() + deps.sessionMs);
      const sid = await deps.sessions.open('simulator', result.login.staffId, expiresAt, now);
      const cookie = signer.sessionCookie(
        { staffId: result.login.staffId, role: 'admin', name: result.login.name },
        expiresAt,
        sid,
      );
      deps.logger.info({ event: 'simulator_login', by: result.login.staffId }, 'simulator opened with a login link');
      sendJson(
        res,
        200,
        { ok: true },
        { 'Set-Cookie': `${SIM_COOKIE}=${cookie}; ${flags(req)}; Max-Age=${Math.floor(deps.sessionMs / 1000)}` },
      );
    },

    /** The request's session, or undefined (no cookie, forged, expired or ended). */
    async session(req: IncomingMessage): Promise<SimulatorSession | undefined> {
      const value = cookieOf(req, SIM_COOKIE);
      if (!value) return undefined;
      const now = deps.clock.now();
      const checked = signer.checkSession(value, now);
      if (!checked.ok || !checked.session.sid) return undefined;
      if (!(await deps.sessions.isOpen(checked.session.sid, now))) return undefined;
      if (deps.stillAllowed && !(await deps.stillAllowed(checked.session.staffId))) {
        await deps.sessions.close(checked.session.sid);
        deps.logger.warn(
          { event: 'simulator_session_refused', by: checked.session.staffId, reason: 'revoked' },
          'simulator session of a removed administrator refused',
        );
        return undefined;
      }
      const namespace = createHash('sha256').update(checked.session.sid).digest('hex').slice(0, 12);
      return { sid: checked.session.sid, namespace };
    },
  };
}

export type SimulatorAuth = ReturnType<typeof createSimulatorAuth>;
