import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { WebChannel } from '../channels/web/web-channel';
import type { Translator } from '../i18n/create-i18n';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/app-metrics';
import { checkHealth, type HealthCheck } from './health';
import { HttpError, sendBytes, sendError, sendJson } from './http-io';
import { DASHBOARD_PREFIX, type DashboardRoutes } from '../dashboard/dashboard-routes';
import { baseUrl, isLoopbackHost, isLoopbackHostHeader } from './loopback';
import { createSimulatorRoutes, SIM_PREFIX } from './simulator-routes';
import { safeError } from '../logger';
import type { SimulatorAuth } from './simulator-auth';
import type { SimulatorMode } from '../config';

/** Default longest long poll of the simulator page. */
export const DEFAULT_MAX_POLL_WAIT_MS = 20_000;

export interface HttpServerDeps {
  config: {
    host: string;
    port: number;
    /** Whether the simulator is served, and with or without a login (see simulatorMode in config.ts). */
    simulator: SimulatorMode;
    /** Serve the simulator on a non-loopback address too, one set of chats per browser (SIMULATOR_PUBLIC). */
    simulatorPublic: boolean;
  };
  /** The simulator's login; required when `config.simulator` is `login`. */
  simulatorAuth?: SimulatorAuth;
  /** The database connection /healthz pings. */
  conn: Connection;
  /** The web channel the simulator talks to; the outbox shares its sender. */
  web: WebChannel;
  translator: Translator;
  logger: Logger;
  /** Rendered at /metrics. */
  metrics: { render(): Promise<string> };
  /** Channel states reported by /healthz, by channel name. */
  healthChecks?: Readonly<Record<string, HealthCheck>>;
  /** Longest long poll in ms (default 20 s); tests shorten it. */
  maxPollWaitMs?: number;
  /** Folder of the simulator's static files (default: src/http/public). */
  publicDir?: string;
  /** The control-room dashboard, served under /dashboard on any host (it has its own login). */
  dashboard?: DashboardRoutes;
  /** Further routes by exact path (channel webhooks), each checking its own caller. */
  routes?: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>>>;
}

/** The running (or ready to run) HTTP server. */
export interface HttpServer {
  readonly server: http.Server;
  /** Whether /sim is served at all with this configuration. */
  readonly simulatorEnabled: boolean;
  /** Start listening; resolves with the address actually bound (port 0 picks a free one). */
  listen(): Promise<{ url: string; port: number }>;
  /** The address bound by {@link listen} (`http://host:port`); undefined before. */
  url(): string | undefined;
  /** Stop accepting, end pending long polls and open connections, and wait for the close. */
  close(): Promise<void>;
}

/**
 * The product's one HTTP server: `/healthz`, `/metrics`, the local web
 * simulator under `/sim/`, and (when given) the control-room dashboard under
 * `/dashboard/`, which has its own login and is served on any address. The
 * simulator is served only when the configuration turns it on and the server
 * listens on loopback (or `simulatorPublic` says so); otherwise its routes
 * answer 404 and health, metrics and the dashboard still work. No right comes
 * from a request's Host header or address: in plain development (no login)
 * a foreign Host is only refused, which keeps out web pages that rebind their
 * own name to 127.0.0.1.
 * @example
 * const http = createHttpServer({ config: { host: '127.0.0.1', port: 3000, simulator: 'dev', simulatorPublic: false }, conn, web, translator, logger, metrics: appMetrics.registry });
 * await http.listen(); // logs "http://127.0.0.1:3000/sim/"
 */
export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const { config, logger } = deps;
  const loopbackOnly = isLoopbackHost(config.host);
  const simulatorEnabled = config.simulator !== 'off' && (loopbackOnly || config.simulatorPublic);
  const login = config.simulator === 'login';
  if (simulatorEnabled && login && !deps.simulatorAuth)
    throw new Error('the simulator needs a login here, but no simulatorAuth was given');
  const closing = new AbortController();
  const simulator = createSimulatorRoutes({
    web: deps.web,
    translator: deps.translator,
    logger,
    maxPollWaitMs: deps.maxPollWaitMs ?? DEFAULT_MAX_POLL_WAIT_MS,
    closing: closing.signal,
    ...(deps.publicDir ? { publicDir: deps.publicDir } : {}),
    ...(login && deps.simulatorAuth ? { auth: deps.simulatorAuth } : {}),
    isolate: config.simulatorPublic,
  });
  const healthChecks = deps.healthChecks ?? {};
  /** Answers not yet finished (long polls, mostly). */
  const pending = new Set<ServerResponse>();
  let boundUrl: string | undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const p = url.pathname;

    if (p === '/healthz') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'use GET');
      const report = await checkHealth(deps.conn, healthChecks);
      return sendJson(res, report.status === 'ok' ? 200 : 503, report);
    }
    if (p === '/metrics') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'use GET');
      return sendBytes(res, 200, await deps.metrics.render(), PROMETHEUS_CONTENT_TYPE, { 'Cache-Control': 'no-store' });
    }
    // With a login the session cookie is the guard; without one (plain development) a foreign Host is refused.
    const simulatorHere = simulatorEnabled && (login || isLoopbackHostHeader(req.headers.host));
    if (p === '/' && simulatorHere) {
      res.writeHead(302, { Location: `${SIM_PREFIX}/` });
      res.end();
      return;
    }
    if ((p === SIM_PREFIX || p.startsWith(`${SIM_PREFIX}/`)) && simulatorHere) return simulator(req, res, url);
    const extra = deps.routes?.[p];
    if (extra) return extra(req, res, url);
    if (deps.dashboard && (p === DASHBOARD_PREFIX || p.startsWith(`${DASHBOARD_PREFIX}/`)))
      return deps.dashboard(req, res, url);
    throw new HttpError(404, 'not_found', 'no such route');
  }

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    // Once closing, every answer ends its connection, so close() need not wait for keep-alive.
    if (closing.signal.aborted) res.setHeader('Connection', 'close');
    pending.add(res);
    res.on('close', () => pending.delete(res));
    route(req, res)
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (err instanceof HttpError) return sendError(res, err);
        // The one boundary for unexpected failures: logged once, answered plainly.
        logger.error(
          { event: 'http_request_failed', method: req.method, path: pathOf(req), err: safeError(err) },
          'HTTP request failed',
        );
        sendError(res, new HttpError(500, 'internal', 'internal error'));
      })
      .finally(() => {
        logger.debug(
          {
            event: 'http_request',
            method: req.method,
            path: pathOf(req),
            status: res.statusCode,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
          },
          'http request',
        );
      });
  });

  return {
    server,
    simulatorEnabled,
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const port = (server.address() as AddressInfo).port;
          const url = baseUrl(config.host, port);
          boundUrl = url;
          if (simulatorEnabled && login) {
            logger.warn(
              { event: 'simulator_login_required', url },
              `the simulator on ${url}${SIM_PREFIX}/ asks for a login: open the one-time link below, or ask for one with /simulator as an administrator`,
            );
          }
          if (simulatorEnabled) {
            logger.info(
              { event: 'http_started', url, simulator: `${url}${SIM_PREFIX}/` },
              `Jan Sahayak simulator: ${url}${SIM_PREFIX}/ (health ${url}/healthz, metrics ${url}/metrics)`,
            );
          } else {
            logger.info(
              { event: 'http_started', url, simulator: false },
              config.simulator === 'off'
                ? `HTTP server on ${url} (health /healthz, metrics /metrics); the simulator is off (production or a real channel; SIMULATOR_ENABLED=true turns it on, with a login)`
                : `HTTP server on ${url} (health /healthz, metrics /metrics); the simulator is off because ${config.host} is not loopback — set SIMULATOR_PUBLIC=true to serve it there`,
            );
          }
          resolve({ url, port });
        });
      });
    },
    url() {
      return boundUrl;
    },
    close() {
      // Long polls still pending answer now, and their connections close after.
      for (const res of pending) if (!res.headersSent) res.setHeader('Connection', 'close');
      closing.abort();
      return new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((err) => (err ? reject(err) : resolve()));
        // Idle keep-alive sockets would otherwise hold close() open.
        server.closeIdleConnections();
      });
    },
  };
}

/** The request path without its query (chat ids and such stay out of the log line's path). */
function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}
