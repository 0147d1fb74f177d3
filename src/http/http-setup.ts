import type { Config } from '../config';
import type { ChannelRegistry } from '../channels/channel-registry';
import type { Dashboard } from '../dashboard/dashboard';
import { createHttpServer, type HttpServer, type HttpServerDeps } from './http-server';

/** What {@link createConfiguredHttpServer} needs. */
export interface HttpSetupDeps extends Pick<
  HttpServerDeps,
  'conn' | 'web' | 'translator' | 'logger' | 'metrics' | 'simulatorAuth'
> {
  config: Pick<Config, 'HTTP_HOST' | 'HTTP_PORT' | 'simulator' | 'SIMULATOR_PUBLIC'>;
  dashboard: Pick<Dashboard, 'routes'>;
  /** The channels' webhooks and health checks. */
  channels: Pick<ChannelRegistry, 'healthChecks' | 'routes'>;
}

/**
 * The one HTTP server as the service runs it: address and simulator door from
 * the configuration, the dashboard's routes, and each channel's webhooks and
 * health check.
 * @example const http = createConfiguredHttpServer({ config, conn, web, translator, logger, metrics, dashboard, channels });
 */
export function createConfiguredHttpServer(deps: HttpSetupDeps): HttpServer {
  const { config } = deps;
  return createHttpServer({
    config: {
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      simulator: config.simulator,
      simulatorPublic: config.SIMULATOR_PUBLIC,
    },
    ...(deps.simulatorAuth ? { simulatorAuth: deps.simulatorAuth } : {}),
    conn: deps.conn,
    web: deps.web,
    translator: deps.translator,
    logger: deps.logger.child({ component: 'http' }),
    metrics: deps.metrics,
    dashboard: deps.dashboard.routes,
    healthChecks: deps.channels.healthChecks,
    routes: deps.channels.routes,
  });
}
