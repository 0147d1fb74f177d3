import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Reply } from '../core/messages';
import type { StaffCommandModule } from '../conversation/staff-command';
import type { SimulatorAuth } from './simulator-auth';
import { SIM_LOGIN_PATH } from './simulator-auth';

export interface SimulatorCommandDeps {
  /** The simulator's login; absent when the simulator does not ask for one (off, or plain development). */
  auth?: SimulatorAuth;
  /** How long a link works, in ms (shown to the administrator in minutes). */
  linkTtlMs: number;
  clock: Clock;
  logger: Logger;
  /** Where people open the server (PUBLIC_BASE_URL or the bound address). */
  baseUrl: () => string;
}

/**
 * `/simulator`: an administrator on a real channel gets a one-time link that
 * opens the web simulator when it asks for a login. The simulator's own
 * administrator chats cannot hand out entries to it. Others: refused.
 * @example createStaffHandler({ …, modules: [createSimulatorCommand({ auth, linkTtlMs, clock, logger, baseUrl })] })
 */
export function createSimulatorCommand(deps: SimulatorCommandDeps): StaffCommandModule {
  return {
    commands: ['simulator'],
    helpKey: (identity) => (identity.role === 'admin' && deps.auth ? 'simulator.bot.help' : undefined),
    async handle({ identity, state, msg }) {
      const say = (key: string, params?: Record<string, string | number>): Reply => ({
        text: params ? { key, params } : { key },
      });
      if (identity.role !== 'admin' || msg.channel === 'web') {
        deps.logger.warn(
          { event: 'simulator_link_refused', staff: identity.id, role: identity.role, channel: msg.channel },
          'simulator link refused',
        );
        return { state, replies: [say('staff.forbidden')] };
      }
      if (!deps.auth) return { state, replies: [say('simulator.bot.unavailable')] };
      const { token, expiresAt } = await deps.auth.issue(
        identity.id,
        (msg.firstName ?? '').trim().slice(0, 60) || 'admin',
      );
      // The token stays out of the log: it is a password until used.
      deps.logger.info(
        { event: 'simulator_link_issued', staff: identity.id, expiresAt },
        'simulator login link issued',
      );
      const minutes = Math.round((expiresAt.getTime() - deps.clock.now().getTime()) / 60_000);
      return {
        state,
        replies: [
          say('simulator.bot.link', { link: `${deps.baseUrl()}${SIM_LOGIN_PATH}?token=${token}`, count: minutes }),
        ],
      };
    },
  };
}
