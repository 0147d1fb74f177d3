import type { Config } from '../config';
import type { Outbox } from '../outbox/outbox';
import { createDashboard, type Dashboard, type DashboardDeps } from './dashboard';

/** What {@link createConfiguredDashboard} needs: the dashboard's deps with its settings taken from the configuration. */
export interface DashboardSetupDeps extends Omit<DashboardDeps, 'config' | 'failedNotices' | 'configuredAdminIds'> {
  config: Pick<
    Config,
    | 'DASHBOARD_SECRET'
    | 'PUBLIC_BASE_URL'
    | 'DASHBOARD_LINK_TTL_MINUTES'
    | 'DASHBOARD_SESSION_HOURS'
    | 'TRUST_PROXY'
    | 'DISTRICT_CODE'
  >;
  /** The outbox, for the count of notices given up for good. */
  outbox: Pick<Outbox, 'stats'>;
  /** Staff ids of the administrators named in the configuration (`configuredAdminIds`, src/staff/configured-admins.ts). */
  adminIds: readonly string[];
  /** How often the page refreshes (tests use 1 s; default DASHBOARD_DEFAULTS.pollSeconds). */
  pollSeconds?: number;
}

/**
 * The dashboard with its settings from the configuration and the outbox's
 * failed count beside the ticket figures; the administrators named in the
 * configuration are let in without a staff record.
 * @example const dashboard = await createConfiguredDashboard({ ...deps, config, outbox, serverUrl: () => http.url() });
 */
export function createConfiguredDashboard(deps: DashboardSetupDeps): Promise<Dashboard> {
  const { config, outbox, pollSeconds, adminIds, ...rest } = deps;
  return createDashboard({
    ...rest,
    configuredAdminIds: adminIds,
    districtCode: config.DISTRICT_CODE,
    failedNotices: async () => (await outbox.stats()).failed,
    logger: deps.logger.child({ component: 'dashboard' }),
    config: {
      secret: config.DASHBOARD_SECRET,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      linkTtlMinutes: config.DASHBOARD_LINK_TTL_MINUTES,
      sessionHours: config.DASHBOARD_SESSION_HOURS,
      trustProxy: config.TRUST_PROXY,
      ...(pollSeconds ? { pollSeconds } : {}),
    },
  });
}
