import fs from 'node:fs';
import path from 'node:path';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Catalog } from '../domain/catalog';
import { isOversight } from '../domain/roles';
import type { Translator } from '../i18n/create-i18n';
import type { StaffCommandModule } from '../conversation/staff-command';
import type { Models } from '../storage/models';
import type { TicketFigures } from '../reports/ticket-figures';
import { createDashboardSigner, type DashboardViewer } from './dashboard-auth';
import { createDashboardCommand } from './dashboard-command';
import { createDashboardLogins, type DashboardLogins } from './dashboard-logins';
import { createDashboardModels, type DashboardModels } from './dashboard-models';
import { createSessionStore, type SessionStore } from './dashboard-sessions';
import type { OpenWorkView } from '../storage/open-work-store';
import type { HistoryModels } from '../storage/history-models';
import { createDashboardQueries, type DashboardQueries } from './dashboard-queries';
import { createDashboardRoutes, type DashboardRoutes } from './dashboard-routes';
import { resolveDashboardSecret } from './dashboard-secret';
import { safeError } from '../logger';

/** Defaults of the dashboard's settings. */
export const DASHBOARD_DEFAULTS = { linkTtlMinutes: 15, sessionHours: 12, pollSeconds: 5 } as const;

export interface DashboardDeps {
  conn: Connection;
  /** Notices given up for good (the outbox's failed count), shown beside the ticket counts. */
  failedNotices?: () => Promise<number>;
  models: Models;
  /** Counts of tickets filed, from the ticket counters (the same figures as `/stats`). */
  figures: TicketFigures;
  /** The district's time zone (days and periods). */
  timeZone: string;
  /** The ticket collections over the history connection, for the CSV export (default: `models`). */
  history?: HistoryModels;
  /** The open-work read model the open and overdue figures and list are read from (src/storage/open-work-store.ts). */
  openWork?: OpenWorkView;
  /** DISTRICT_CODE, the tickets' reference prefix: the newest tickets are then found by reference. */
  districtCode?: string;
  translator: Translator;
  catalog: Catalog;
  clock: Clock;
  logger: Logger;
  config: {
    /** DASHBOARD_SECRET; unset: generated once and kept in the settings collection. */
    secret?: string;
    /** PUBLIC_BASE_URL: where people open the server (https behind a proxy makes the cookie Secure). */
    publicBaseUrl?: string;
    /** How long a login link works (default 15). */
    linkTtlMinutes?: number;
    /** How long a session lasts (default 12). */
    sessionHours?: number;
    /** How often the page refreshes (default 5). */
    pollSeconds?: number;
    /** TRUST_PROXY: believe X-Forwarded-Proto/-Host from the reverse proxy. */
    trustProxy?: boolean;
  };
  /**
   * The server's own address (`http://host:port`, the bound port once
   * listening), used in links when PUBLIC_BASE_URL is unset. Called only
   * when a link is made, so it may refer to a server created later.
   */
  serverUrl: () => string;
  /**
   * Staff ids that are administrators by configuration rather than by a
   * staff record (`tg-admin-<id>`, `web-admin-<id>` as the staff handler
   * names them); they keep access while configured.
   */
  configuredAdminIds?: readonly string[];
}

/** The dashboard: its `/dashboard` chat command and its HTTP routes. */
export interface Dashboard {
  module: StaffCommandModule;
  routes: DashboardRoutes;
  logins: DashboardLogins;
  queries: DashboardQueries;
  /** Server-side session records (also the simulator's). */
  sessions: SessionStore;
  /** The signing secret, shared by the simulator's login (with its own derived keys). */
  secret: string;
  /** Login links, sessions and settings, for the simulator's login. */
  authModels: DashboardModels;
}

/**
 * The read-only control-room dashboard for supervisors and administrators
 * (issue #7). Reads (or creates) its signing secret, so it is async.
 * @example
 * const dashboard = await createDashboard({ conn, models, translator, catalog, clock, logger, config: { secret: config.DASHBOARD_SECRET }, serverUrl: () => 'http://127.0.0.1:3000' });
 * createStaffHandler({ …, modules: [dashboard.module] });
 * createHttpServer({ …, dashboard: dashboard.routes });
 */
export async function createDashboard(deps: DashboardDeps): Promise<Dashboard> {
  const { clock, logger } = deps;
  const ttlMs = (deps.config.linkTtlMinutes ?? DASHBOARD_DEFAULTS.linkTtlMinutes) * 60_000;
  const dashboardModels = await createDashboardModels(deps.conn);
  const secret = await resolveDashboardSecret({
    ...(deps.config.secret ? { configured: deps.config.secret } : {}),
    models: dashboardModels,
    now: clock.now(),
    logger,
  });
  const signer = createDashboardSigner(secret);
  const logins = createDashboardLogins({ models: dashboardModels, signer, ttlMs });
  const queries = createDashboardQueries({
    models: deps.models,
    figures: deps.figures,
    timeZone: deps.timeZone,
    ...(deps.history ? { history: deps.history } : {}),
    ...(deps.openWork ? { openWork: deps.openWork } : {}),
    ...(deps.districtCode ? { districtCode: deps.districtCode } : {}),
  });
  const sessions = createSessionStore(dashboardModels);
  const configuredAdmins = new Set(deps.configuredAdminIds ?? []);

  // The role in the session must still be the person's role: a revoked or re-invited supervisor is out at once.
  async function stillAllowed(viewer: DashboardViewer): Promise<boolean> {
    if (!isOversight(viewer.role)) return false;
    if (configuredAdmins.has(viewer.staffId)) return viewer.role === 'admin';
    return (await queries.activeRole(viewer.staffId)) === viewer.role;
  }

  const publicBase = deps.config.publicBaseUrl?.replace(/\/+$/, '');
  let warned = false;
  const base = () => {
    if (publicBase) return publicBase;
    const own = deps.serverUrl().replace(/\/+$/, '');
    // 0.0.0.0 / :: is where the server listens, not an address anyone can open.
    if (!warned && /^https?:\/\/(0\.0\.0\.0|\[::\])(:|$)/.test(own)) {
      warned = true;
      logger.warn(
        { event: 'dashboard_base_url_unset', url: own },
        'dashboard links point at the listening address; set PUBLIC_BASE_URL to the address people open',
      );
    }
    return own;
  };
  const chartScript = readChartScript(logger);
  const routes = createDashboardRoutes({
    timeZone: deps.timeZone,
    signer,
    logins,
    queries,
    translator: deps.translator,
    catalog: deps.catalog,
    clock,
    logger,
    sessionMs: (deps.config.sessionHours ?? DASHBOARD_DEFAULTS.sessionHours) * 3_600_000,
    pollMs: (deps.config.pollSeconds ?? DASHBOARD_DEFAULTS.pollSeconds) * 1000,
    secureCookie: publicBase?.startsWith('https://') ?? false,
    sessions,
    trustProxy: deps.config.trustProxy ?? false,
    ...(deps.failedNotices ? { failedNotices: deps.failedNotices } : {}),
    ...(publicBase ? { publicBaseUrl: publicBase } : {}),
    stillAllowed,
    ...(chartScript ? { chartScript } : {}),
  });
  const module = createDashboardCommand({
    logins,
    staffName: (id) => queries.staffName(id),
    clock,
    logger,
    baseUrl: base,
  });
  return { module, routes, logins, queries, sessions, secret, authModels: dashboardModels };
}

/**
 * Chart.js's self-contained browser build from node_modules, served by the
 * dashboard itself: no CDN, no build step. Missing package: the page still
 * works and shows the numbers without charts.
 */
export function readChartScript(logger: Logger): Buffer | undefined {
  try {
    // The package's `exports` do not list dist/chart.umd.js, so find it beside the main entry.
    const file = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');
    return fs.readFileSync(file);
  } catch (err) {
    logger.warn(
      { event: 'dashboard_charts_missing', err: safeError(err) },
      'the npm package chart.js is not installed: the dashboard shows numbers without charts',
    );
    return undefined;
  }
}
