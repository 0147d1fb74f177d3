import type { Logger } from 'pino';
import type { HttpServer } from './http-server';
import type { SimulatorAuth } from './simulator-auth';
import { logStartupLink } from './simulator-login';

/**
 * The HTTP server as a part of the service's start and stop
 * (src/lifecycle.ts): it listens before the channels start (their webhooks
 * need it) and closes before they stop. Once listening, the simulator's
 * one-time login link is logged when the simulator asks for a login.
 * @example createLifecycle({ start: [ …, httpLifecycle({ http, logger }), channelsPart], stop: [httpPart, channelsPart, …] })
 */
export function httpLifecycle(deps: {
  http: Pick<HttpServer, 'listen' | 'close' | 'simulatorEnabled'>;
  simulatorAuth?: SimulatorAuth;
  /** PUBLIC_BASE_URL: where people open the server (else the address bound). */
  publicBaseUrl?: string;
  logger: Logger;
}) {
  const { http, simulatorAuth } = deps;
  return {
    name: 'http',
    async start() {
      const { url } = await http.listen();
      if (simulatorAuth && http.simulatorEnabled)
        await logStartupLink(simulatorAuth, deps.publicBaseUrl ?? url, deps.logger);
    },
    stop: () => http.close(),
  };
}
