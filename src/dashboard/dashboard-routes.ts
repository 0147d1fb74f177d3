import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Catalog } from '../domain/catalog';
import { INTAKE_CHANNELS, TICKET_STATUSES } from '../domain/ticket';
import { STAFF_ROLES } from '../domain/roles';
import { isSameOrigin, requestView } from '../http/forwarded';
import { allow, HttpError, BASE_HEADERS, intParam, readJson, sendJson } from '../http/http-io';
import { admitLogin, createLoginThrottle } from '../http/login-throttle';
import { loadStaticAssets, serveAsset, type StaticAsset } from '../http/static-assets';
import { isLanguage, LANGUAGES, type Language, type Translator } from '../i18n/create-i18n';
import { TIME_ZONE } from '../i18n/format';
import type { AuthFailure, DashboardSession, DashboardSigner, DashboardViewer } from './dashboard-auth';
import { EXPORT_COLUMNS, exportHeader, exportRecord } from './dashboard-csv';
import type { DashboardLogins } from './dashboard-logins';
import type { SessionStore } from './dashboard-sessions';
import { dayText, nextDay, parseDay } from './dashboard-periods';
import type { DashboardFilter, DashboardQueries } from './dashboard-queries';

/** Where the dashboard lives. */
export const DASHBOARD_PREFIX = '/dashboard';
/** The session cookie's name. */
export const SESSION_COOKIE = 'js_dashboard';
/** The page's own files, beside this module. */
export const DASHBOARD_PUBLIC_DIR = path.join(__dirname, 'public');

const MAX_LOGIN_BODY = 1024;
const OVERDUE_LIMIT = 50;
const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

/**
 * The page loads only its own script, style and data; nothing it shows can
 * run as code even if it reached the DOM as markup (it never does: text is
 * set with textContent).
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface DashboardRoutesDeps {
  /** The district's time zone (days of the date filter, the CSV's name); Asia/Kolkata by default. */
  timeZone?: string;
  signer: DashboardSigner;
  logins: DashboardLogins;
  queries: DashboardQueries;
  translator: Translator;
  catalog: Catalog;
  clock: Clock;
  logger: Logger;
  /** Session length in ms. */
  sessionMs: number;
  /** How often the page refreshes, in ms. */
  pollMs: number;
  /** Mark the cookie Secure (the public base URL is https); also when a trusted proxy says https. */
  secureCookie: boolean;
  /** Server-side session records: logout and revocation end a session at once. */
  sessions: SessionStore;
  /** TRUST_PROXY: believe X-Forwarded-Proto/-Host (Secure cookie, same-origin check). */
  trustProxy?: boolean;
  /** How many notices could not be delivered (shown with the counts; absent: not shown). */
  failedNotices?: () => Promise<number>;
  /** PUBLIC_BASE_URL, an origin our own pages come from. */
  publicBaseUrl?: string;
  /** Whether a viewer may still look: still an active supervisor or administrator with the same role. */
  stillAllowed: (viewer: DashboardViewer) => Promise<boolean>;
  /** Chart.js's UMD build, served as the page's chart library; absent: the page shows numbers only. */
  chartScript?: Buffer;
  publicDir?: string;
}

/** Handles one request under {@link DASHBOARD_PREFIX}; throws {@link HttpError} for a refused one. */
export type DashboardRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/**
 * The control-room dashboard: a static page and the JSON it polls.
 *
 *   GET  /dashboard/                     the page (also at /dashboard/login?token=…)
 *   GET  /dashboard/api/i18n?lang=hi     the page's words (public: the refusal needs them too)
 *   POST /dashboard/api/login {token}    use a one-time link → session cookie
 *   POST /dashboard/api/logout           end the session (same-origin only)
 *   GET  /dashboard/api/meta             viewer, departments, lists, refresh interval
 *   GET  /dashboard/api/summary          today / week / chosen days counts, open and overdue
 *   GET  /dashboard/api/overdue          overdue tickets with age, lateness and level
 *   GET  /dashboard/api/tickets          newest tickets, paged (page, size)
 *   GET  /dashboard/api/tickets/:ref     one ticket with its history
 *   GET  /dashboard/api/export.csv       the filtered tickets as CSV (lang)
 *
 * Filters on the last five: dept (code), from and to (YYYY-MM-DD, Asia/Kolkata, inclusive).
 * Every api route except i18n and login answers 401 without a valid session cookie.
 * Each request checks the session's record and the staff record (both by
 * `_id`), so logout, revocation and a role change end a session at once.
 */
export function createDashboardRoutes(deps: DashboardRoutesDeps): DashboardRoutes {
  const { signer, clock, logger, translator } = deps;
  const zone = deps.timeZone ?? TIME_ZONE;
  const assets = loadStaticAssets(deps.publicDir ?? DASHBOARD_PUBLIC_DIR);
  const chart: StaticAsset | undefined = deps.chartScript
    ? {
        body: deps.chartScript,
        type: 'text/javascript; charset=utf-8',
        etag: `"${createHash('sha1').update(deps.chartScript).digest('hex').slice(0, 16)}"`,
      }
    : undefined;
  const trustProxy = deps.trustProxy ?? false;
  const throttle = createLoginThrottle({ clock });
  const cookieFlags = (req: IncomingMessage) =>
    `Path=${DASHBOARD_PREFIX}; HttpOnly; SameSite=Strict${deps.secureCookie || requestView(req, trustProxy).proto === 'https' ? '; Secure' : ''}`;
  const clearCookie = (req: IncomingMessage) => `${SESSION_COOKIE}=; ${cookieFlags(req)}; Max-Age=0`;

  async function authenticate(req: IncomingMessage): Promise<DashboardSession> {
    const value = cookieOf(req, SESSION_COOKIE);
    if (!value) throw new AuthError('missing');
    const now = clock.now();
    const checked = signer.checkSession(value, now);
    if (!checked.ok) throw new AuthError(checked.reason);
    const s = checked.session;
    // A cookie without a record (logged out, revoked, or from before records existed) opens nothing.
    if (!s.sid || !(await deps.sessions.isOpen(s.sid, now))) throw new AuthError('revoked');
    if (!(await deps.stillAllowed(s))) {
      await deps.sessions.close(s.sid);
      logger.warn(
        { event: 'dashboard_session_refused', staff: s.staffId, reason: 'revoked' },
        'dashboard session of a removed supervisor refused',
      );
      throw new AuthError('revoked');
    }
    return s;
  }

  async function logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A page elsewhere must not sign people out (nor learn anything by trying).
    if (!isSameOrigin(req, { trustProxy, publicBaseUrl: deps.publicBaseUrl }))
      throw new HttpError(403, 'forbidden', 'logout only from the dashboard page');
    const value = cookieOf(req, SESSION_COOKIE);
    const checked = value ? signer.checkSession(value, clock.now()) : undefined;
    if (checked?.ok && checked.session.sid) {
      await deps.sessions.close(checked.session.sid);
      logger.info({ event: 'dashboard_logout', staff: checked.session.staffId }, 'dashboard session ended by logout');
    }
    sendJson(res, 200, { ok: true }, { 'Set-Cookie': clearCookie(req) });
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const client = admitLogin(throttle, req, res, { name: 'dashboard', trustProxy, logger });
    if (client === undefined) return;
    const body = (await readJson(req, MAX_LOGIN_BODY)) as { token?: unknown } | null;
    const token = typeof body?.token === 'string' ? body.token : '';
    const now = clock.now();
    const result = await deps.logins.redeem(token, now);
    if (!result.ok) {
      throttle.refused(client);
      logger.warn({ event: 'dashboard_login_refused', reason: result.reason }, 'dashboard login link refused');
      return refuse(res, result.reason);
    }
    const { login: l } = result;
    if (!(await deps.stillAllowed(l))) {
      logger.warn(
        { event: 'dashboard_login_refused', staff: l.staffId, reason: 'revoked' },
        'dashboard login link refused',
      );
      return refuse(res, 'revoked');
    }
    const expiresAt = new Date(now.getTime() + deps.sessionMs);
    const sid = await deps.sessions.open('dashboard', l.staffId, expiresAt, now);
    const cookie = signer.sessionCookie({ staffId: l.staffId, role: l.role, name: l.name }, expiresAt, sid);
    logger.info({ event: 'dashboard_login', staff: l.staffId, role: l.role }, 'dashboard opened with a login link');
    sendJson(
      res,
      200,
      { ok: true, language: l.language },
      {
        'Set-Cookie': `${SESSION_COOKIE}=${cookie}; ${cookieFlags(req)}; Max-Age=${Math.floor(deps.sessionMs / 1000)}`,
      },
    );
  }

  function refuse(res: ServerResponse, reason: AuthFailure | 'missing', clearFrom?: IncomingMessage): void {
    // `reason` lets the page say why (link used, expired, signed out, …).
    sendJson(
      res,
      401,
      { error: 'unauthorized', message: 'ask the bot for a new link with /dashboard', reason },
      clearFrom ? { 'Set-Cookie': clearCookie(clearFrom) } : {},
    );
  }

  function words(lang: Language) {
    const bundle = translator.instance.getResourceBundle(lang, 'translation') as Record<string, unknown> | undefined;
    const tr = (key: string) => translator.t(lang, key);
    const map = <T>(items: readonly T[], id: (x: T) => string, key: (x: T) => string) =>
      Object.fromEntries(items.map((x) => [id(x), tr(key(x))]));
    return {
      lang,
      strings: bundle?.dashboard ?? {},
      labels: {
        status: map(
          TICKET_STATUSES,
          (s) => s,
          (s) => `ticket.status.${s}`,
        ),
        category: map(
          deps.catalog.categories,
          (c) => c.id,
          (c) => c.label,
        ),
        block: map(
          deps.catalog.district.blocks,
          (b) => b.id,
          (b) => b.label,
        ),
        role: map(
          STAFF_ROLES,
          (r) => r,
          (r) => `staff.role.${r}`,
        ),
        district: tr(deps.catalog.district.name),
        // History notes that are recorded codes: why a ticket was escalated.
        escalationReason: map(
          ['ack_overdue', 'resolve_overdue', 'level_overdue', 'reopened_again'],
          (r) => r,
          (r) => `escalation.reason.${r}`,
        ),
      },
    };
  }

  async function exportCsv(res: ServerResponse, url: URL, session: DashboardSession): Promise<void> {
    const filter = filterOf(url, zone);
    const lang = langOf(url);
    const now = clock.now();
    const [departments, staffNames] = await Promise.all([deps.queries.departments(), deps.queries.staffNames()]);
    const deptNames = new Map(departments.map((d) => [d.code, d.name[lang]]));
    const ctx = {
      lang,
      translator,
      now,
      staffNames,
      departmentName: (code: string) => deptNames.get(code) ?? code,
      categoryLabel: (id: string) => deps.catalog.categories.find((c) => c.id === id)?.label,
      blockLabel: (id: string) => deps.catalog.district.blocks.find((b) => b.id === id)?.label,
    };
    res.writeHead(200, {
      ...BASE_HEADERS,
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="jan-sahayak-${filter.department ?? 'all'}-${dayText(now, zone)}.csv"`,
      'Cache-Control': 'no-store',
    });
    res.write(exportHeader(lang, translator));
    let rows = 0;
    for await (const doc of deps.queries.exportCursor(filter)) {
      if (res.destroyed) break;
      rows += 1;
      if (!res.write(exportRecord(doc, ctx))) await drained(res);
    }
    res.end();
    logger.info(
      {
        event: 'dashboard_export',
        staff: session.staffId,
        rows,
        columns: EXPORT_COLUMNS.length,
        department: filter.department ?? null,
      },
      'dashboard CSV export',
    );
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL, p: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (p === '/i18n') {
      allow(method, ['GET']);
      return sendJson(res, 200, words(langOf(url)));
    }
    if (p === '/login') {
      allow(method, ['POST']);
      return login(req, res);
    }
    if (p === '/logout') {
      allow(method, ['POST']);
      return logout(req, res);
    }

    let session: DashboardSession;
    try {
      session = await authenticate(req);
    } catch (err) {
      if (err instanceof AuthError) return refuse(res, err.reason, err.reason !== 'missing' ? req : undefined);
      throw err;
    }
    const now = clock.now();

    if (p === '/meta') {
      allow(method, ['GET']);
      return sendJson(res, 200, {
        viewer: { name: session.name, role: session.role },
        sessionExpiresAt: session.expiresAt.toISOString(),
        pollMs: deps.pollMs,
        now: now.toISOString(),
        departments: await deps.queries.departments(),
        categories: deps.catalog.categories.map((c) => c.id),
        statuses: TICKET_STATUSES,
        channels: INTAKE_CHANNELS,
        languages: LANGUAGES,
      });
    }
    if (p === '/summary') {
      allow(method, ['GET']);
      const summary = await deps.queries.summary(filterOf(url, zone), now);
      return sendJson(
        res,
        200,
        deps.failedNotices ? { ...summary, failedNotices: await deps.failedNotices() } : summary,
      );
    }
    if (p === '/overdue') {
      allow(method, ['GET']);
      return sendJson(
        res,
        200,
        await deps.queries.overdue(filterOf(url, zone), now, intParam(url, 'limit', 1, 200, OVERDUE_LIMIT)),
      );
    }
    if (p === '/tickets') {
      allow(method, ['GET']);
      const page = intParam(url, 'page', 1, 100_000, 1);
      const size = intParam(url, 'size', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
      return sendJson(res, 200, await deps.queries.latest(filterOf(url, zone), page, size, now));
    }
    const one = /^\/tickets\/([A-Z]{2,6}-\d{6,})$/.exec(p);
    if (one) {
      allow(method, ['GET']);
      const ticket = await deps.queries.ticket(one[1] ?? '', now);
      if (!ticket) throw new HttpError(404, 'not_found', 'no such ticket');
      return sendJson(res, 200, ticket);
    }
    if (p === '/export.csv') {
      allow(method, ['GET']);
      return exportCsv(res, url, session);
    }
    throw new HttpError(404, 'not_found', 'no such route');
  }

  return async (req, res, url) => {
    const method = req.method ?? 'GET';
    const p = url.pathname.slice(DASHBOARD_PREFIX.length);
    if (p === '') {
      res.writeHead(302, { ...BASE_HEADERS, Location: `${DASHBOARD_PREFIX}/` });
      res.end();
      return;
    }
    if (p.startsWith('/api/')) return api(req, res, url, p.slice('/api'.length));
    allow(method, ['GET', 'HEAD']);
    if (p === '/vendor/chart.umd.js') {
      if (!chart) throw new HttpError(404, 'not_found', 'the chart library (npm package chart.js) is not installed');
      return serveAsset(req, res, chart, PAGE_CSP);
    }
    // The login link opens the page itself; its script sends the token with
    // POST. A link preview (Telegram, WhatsApp) only GETs, so it cannot use
    // up the one-time link before the person taps it.
    const name = p === '/' || p === '/login' ? 'index.html' : p.slice(1);
    const asset = assets.get(name);
    if (!asset) throw new HttpError(404, 'not_found', 'no such page');
    return serveAsset(req, res, asset, PAGE_CSP);
  };
}

/** A request without a usable session; answered 401 with the reason. */
class AuthError extends Error {
  constructor(readonly reason: AuthFailure | 'missing') {
    super(`dashboard session refused: ${reason}`);
    this.name = 'AuthError';
  }
}

/** The value of one cookie from the Cookie header. */
export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Department and days from the query string; 400 for malformed ones. */
export function filterOf(url: URL, timeZone: string = TIME_ZONE): DashboardFilter {
  const filter: DashboardFilter = {};
  const dept = url.searchParams.get('dept') ?? '';
  if (dept) {
    if (!/^[A-Z][A-Z0-9_]{0,31}$/.test(dept))
      throw new HttpError(400, 'bad_request', 'dept must be a department code such as FOOD');
    filter.department = dept;
  }
  const day = (name: 'from' | 'to') => {
    const raw = url.searchParams.get(name) ?? '';
    if (!raw) return undefined;
    const d = parseDay(raw, timeZone);
    if (!d) throw new HttpError(400, 'bad_request', `${name} must be a date written YYYY-MM-DD`);
    return { at: d, day: raw };
  };
  const from = day('from');
  const to = day('to');
  if (from) Object.assign(filter, { from: from.at, fromDay: from.day });
  if (to) Object.assign(filter, { to: nextDay(to.at, timeZone), toDay: to.day });
  if (from && to && to.at.getTime() < from.at.getTime())
    throw new HttpError(400, 'bad_request', 'to must not be before from');
  return filter;
}

function langOf(url: URL): Language {
  const lang = url.searchParams.get('lang') ?? 'hi';
  if (!isLanguage(lang)) throw new HttpError(400, 'bad_request', `lang must be one of ${LANGUAGES.join(', ')}`);
  return lang;
}

/** Wait until a response can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
