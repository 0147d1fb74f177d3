import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Reply } from '../core/messages';
import { isOversight } from '../domain/roles';
import { formatDateTime } from '../i18n/format';
import type { StaffCommandModule } from '../conversation/staff-command';
import type { DashboardLogins } from './dashboard-logins';
import { DASHBOARD_PREFIX } from './dashboard-routes';

export interface DashboardCommandDeps {
  logins: DashboardLogins;
  /** The stored name of a staff member (configured administrators have none). */
  staffName: (staffId: string) => Promise<string | undefined>;
  clock: Clock;
  logger: Logger;
  /** Where people open the server, without a trailing slash (PUBLIC_BASE_URL or the bound address). */
  baseUrl: () => string;
}

/**
 * `/dashboard`: a supervisor or administrator gets a one-time login link to
 * the control-room dashboard. Other staff get a polite refusal, and the
 * attempt is logged. (Citizens never reach staff commands: for them the
 * citizen engine answers as for any unknown command.)
 * @example createStaffHandler({ …, modules: [dashboard.module] })
 */
export function createDashboardCommand(deps: DashboardCommandDeps): StaffCommandModule {
  return {
    commands: ['dashboard'],
    helpKey: (identity) => (isOversight(identity.role) ? 'dashboard.bot.help' : undefined),
    async handle({ identity, state, msg }) {
      const say = (key: string, params?: Record<string, string | number>): Reply => ({
        text: params ? { key, params } : { key },
      });
      if (!isOversight(identity.role)) {
        deps.logger.warn(
          { event: 'dashboard_link_refused', staff: identity.id, role: identity.role },
          'dashboard link refused: not a supervisor or administrator',
        );
        return { state, replies: [say('dashboard.bot.refused')] };
      }
      const now = deps.clock.now();
      const name = (await deps.staffName(identity.id)) ?? ((msg.firstName ?? '').trim().slice(0, 60) || identity.role);
      const { token, expiresAt } = await deps.logins.issue(
        { staffId: identity.id, role: identity.role, name },
        state.language,
        now,
      );
      // The token stays out of the log: it is a password until used.
      deps.logger.info(
        { event: 'dashboard_link_issued', staff: identity.id, role: identity.role, expiresAt },
        'dashboard login link issued',
      );
      const link = `${deps.baseUrl()}${DASHBOARD_PREFIX}/login?token=${token}`;
      const minutes = Math.round((expiresAt.getTime() - now.getTime()) / 60_000);
      return {
        state,
        replies: [
          say('dashboard.bot.link', { link, count: minutes, expires: formatDateTime(expiresAt, state.language) }),
        ],
      };
    },
  };
}
