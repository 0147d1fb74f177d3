import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Dashboard } from '../dashboard/dashboard';
import { createSimulatorAuth, SIM_LOGIN_PATH, STARTUP_LINK_BY, type SimulatorAuth } from './simulator-auth';

/** How long a simulator login link works (once): the start-up one and those /simulator gives. */
export const SIMULATOR_LINK_TTL_MS = 24 * 3_600_000;

/** What {@link createSimulatorLogin} needs. */
export interface SimulatorLoginDeps {
  config: Pick<Config, 'simulator' | 'DASHBOARD_SESSION_HOURS' | 'PUBLIC_BASE_URL' | 'TRUST_PROXY'>;
  /** The dashboard, whose secret, login links and sessions the simulator's login shares. */
  dashboard: Pick<Dashboard, 'secret' | 'authModels' | 'sessions' | 'queries'>;
  /** Staff ids of the administrators named in the configuration (`configuredAdminIds`, src/staff/configured-admins.ts). */
  adminIds: readonly string[];
  clock: Clock;
  logger: Logger;
}

/**
 * The simulator's login when the configuration asks for one (SIMULATOR=login),
 * else undefined. A link works only while whoever asked for it is still an
 * administrator (by configuration or by staff record).
 * @example const simulatorAuth = createSimulatorLogin({ config, dashboard, clock, logger });
 */
export function createSimulatorLogin(deps: SimulatorLoginDeps): SimulatorAuth | undefined {
  const { config, dashboard } = deps;
  if (config.simulator !== 'login') return undefined;
  return createSimulatorAuth({
    secret: dashboard.secret,
    models: dashboard.authModels,
    sessions: dashboard.sessions,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'simulator' }),
    linkTtlMs: SIMULATOR_LINK_TTL_MS,
    sessionMs: config.DASHBOARD_SESSION_HOURS * 3_600_000,
    secureCookie: config.PUBLIC_BASE_URL?.startsWith('https://') ?? false,
    trustProxy: config.TRUST_PROXY,
    // A link from /simulator works only while its administrator still is one.
    stillAllowed: async (by) =>
      by === STARTUP_LINK_BY || deps.adminIds.includes(by) || (await dashboard.queries.activeRole(by)) === 'admin',
  });
}

/**
 * Log the one-time simulator login link at start-up (once the server listens):
 * whoever runs the service opens the simulator with it (it works once, for a day).
 * @example await logStartupLink(simulatorAuth, `${config.PUBLIC_BASE_URL ?? url}`, logger)
 */
export async function logStartupLink(auth: SimulatorAuth, base: string, logger: Logger): Promise<void> {
  const { token, expiresAt } = await auth.issue(STARTUP_LINK_BY, 'start-up log');
  const link = `${base}${SIM_LOGIN_PATH}?token=${token}`;
  logger.warn(
    { event: 'simulator_login_link', link, expiresAt },
    `simulator login link (one-time, until ${expiresAt.toISOString()}): ${link}`,
  );
}
