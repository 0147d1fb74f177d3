import type { App } from '../../src/app';
import { createWebChannel, type WebChannel } from '../../src/channels/web/web-channel';
import { loadPlaces } from '../../src/channels/web/web-places';
import { loadFlow } from '../../src/conversation/flow-definition';
import { createInboundHandler, type InboundHandler } from '../../src/conversation/inbound-handler';
import { createDashboard, type Dashboard } from '../../src/dashboard/dashboard';
import { loadCatalog } from '../../src/domain/catalog-loader';
import type { Catalog } from '../../src/domain/catalog';
import { createHttpServer, type HttpServer } from '../../src/http/http-server';
import { createLogger } from '../../src/logger';
import { createAppMetrics } from '../../src/metrics/app-metrics';
import { createStaffHandler } from '../../src/staff/staff-handler';
import { createConversationStore } from '../../src/storage/conversation-store';
import { createStaffStore } from '../../src/storage/staff-store';
import { createTicketStore } from '../../src/storage/ticket-store';
import { createDepartmentDirectory } from '../../src/tickets/department-directory';
import { createTicketMessages } from '../../src/tickets/ticket-messages';
import { captureLogs, createTestApp, type TestApp } from '../support/test-app';
import { webChats } from '../support/web-chats';

/** The real application with the dashboard beside it, and an HTTP server on a free loopback port. */
export interface DashboardKit extends TestApp {
  dashboard: Dashboard;
  catalog: Catalog;
  web: WebChannel;
  http: HttpServer;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Web chats through the same handler the page's simulator would use (citizens, staff, `/dashboard`). */
  chat: ReturnType<typeof webChats>;
  /** Log lines of the dashboard and its HTTP server. */
  dashLogs: () => string[];
  /** Send `/dashboard` from a chat and return the login link it answers with. */
  link(chatId: string): Promise<string>;
}

export const LINK_RE = /(https?:\/\/\S+\/dashboard\/login\?token=[A-Za-z0-9_.-]+)/;

/**
 * Stands in for the app.ts wiring of the dashboard (which the integrator
 * adds): the real app handles every message except `/dashboard`, which goes
 * to a staff handler carrying the dashboard's command module over the same
 * conversations, staff and tickets. The HTTP server mounts the dashboard's
 * routes as app.ts will.
 */
export async function startDashboardKit(opts: { pollSeconds?: number } = {}): Promise<DashboardKit> {
  const t = await createTestApp();
  await t.app.start();
  const logs = captureLogs();
  const logger = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
  const catalog = loadCatalog(t.config.flowsDirAbs);
  const flow = loadFlow(t.config.flowsDirAbs, 'citizen-intake');
  const { models } = t.app;

  const dashboard = await createDashboard({
    conn: t.db.conn,
    models,
    translator: t.translator,
    catalog,
    clock: t.clock,
    logger,
    config: { pollSeconds: opts.pollSeconds ?? 1 },
    // As in app.ts: the server is made later; the link is made only when someone asks.
    serverUrl: () => server.url() ?? 'http://127.0.0.1:0',
    configuredAdminIds: t.config.adminWebIds.map((id) => `web-admin-${id}`),
  });

  const staffStore = createStaffStore(models);
  const staff = createStaffHandler({
    staff: staffStore,
    tickets: createTicketStore(models, t.config.DISTRICT_CODE),
    ticketService: t.app.tickets,
    departments: createDepartmentDirectory(staffStore, t.clock),
    messages: createTicketMessages({ translator: t.translator, catalog }),
    notifier: t.app.outbox,
    clock: t.clock,
    logger,
    adminTelegramIds: t.config.ADMIN_TELEGRAM_IDS,
    adminWebIds: t.config.adminWebIds,
    inviteTtlHours: t.config.INVITE_TTL_HOURS,
    botUsername: () => undefined,
    modules: [dashboard.module],
  });
  const dashboardHandler = createInboundHandler({
    flow,
    catalog,
    translator: t.translator,
    conversations: createConversationStore(models),
    // `/dashboard` has no effects; a citizen typing it gets the engine's "unknown command".
    effects: { run: async () => [] },
    clock: t.clock,
    logger,
    maxTicketsPerDay: t.config.MAX_TICKETS_PER_DAY,
    staff,
  });
  const handler: InboundHandler = (msg) =>
    msg.content.kind === 'command' && msg.content.command === 'dashboard' ? dashboardHandler(msg) : t.app.handler(msg);

  const web = await createWebChannel({ conn: t.db.conn, handler, clock: t.clock, logger, places: loadPlaces(t.config.flowsDirAbs) });
  const server = createHttpServer({
    config: { host: '127.0.0.1', port: 0, simulatorPublic: false },
    conn: t.db.conn,
    web,
    translator: t.translator,
    logger,
    metrics: createAppMetrics().registry,
    dashboard: dashboard.routes,
  });
  const { url } = await server.listen();
  const chat = webChats({ ...t.app, web } as App);

  return {
    ...t,
    dashboard,
    catalog,
    web,
    http: server,
    url,
    chat,
    dashLogs: logs.lines,
    async link(chatId) {
      const replies = await chat.send(chatId, '/dashboard');
      const found = replies.map((r) => LINK_RE.exec(r)?.[1]).find(Boolean);
      if (!found) throw new Error(`no dashboard link in the answer to /dashboard: ${JSON.stringify(replies)}`);
      return found;
    },
    async close() {
      await server.close();
      await t.close();
    },
  };
}

/** A citizen files a complaint through the web chat; returns its reference. */
export async function fileComplaint(kit: DashboardKit, chatId: string, c: { category: string; block?: string; locality?: string; description: string }): Promise<string> {
  const done = await kit.chat.script(chatId, [
    '/new',
    `[category|${c.category}]`,
    `[block|${c.block ?? 'jobat'}]`,
    c.locality ?? 'वार्ड 5, बस स्टैंड के पास',
    c.description,
    '[phone|skip]',
    '[summary|submit]',
  ]);
  const ref = done.map((r) => /\b([A-Z]{2,6}-\d{6})\b/.exec(r)?.[1]).find(Boolean);
  if (!ref) throw new Error(`no reference in the answer to submit: ${JSON.stringify(done)}`);
  return ref;
}

/** Invite a staff member from the web "admin" chat and redeem it in `chatId`. */
export async function joinStaff(kit: DashboardKit, chatId: string, invite: string): Promise<void> {
  const [answer] = await kit.chat.send('admin', `/invite ${invite}`);
  const code = /([A-Z2-9]{8})\n/.exec(answer ?? '')?.[1];
  if (!code) throw new Error(`no invite code in ${JSON.stringify(answer)}`);
  await kit.chat.send(chatId, `/start ${code}`);
}
