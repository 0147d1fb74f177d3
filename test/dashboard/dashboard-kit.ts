import type { WebChannel } from '../../src/channels/web/web-channel';
import type { Dashboard } from '../../src/dashboard/dashboard';
import { loadCatalog } from '../../src/domain/catalog-loader';
import type { Catalog } from '../../src/domain/catalog';
import type { HttpServer } from '../../src/http/http-server';
import { createTestApp, type TestApp } from '../support/test-app';
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

/** The real app (its own handler, dashboard and HTTP server on a free loopback port), started. */
export async function startDashboardKit(env: Record<string, string> = {}): Promise<DashboardKit> {
  const t = await createTestApp(env);
  await t.app.start();
  const url = t.app.http.url();
  if (!url) throw new Error('the HTTP server did not start');
  const chat = webChats(t.app);
  return {
    ...t,
    dashboard: t.app.dashboard,
    catalog: loadCatalog(t.config.flowsDirAbs),
    web: t.app.web,
    http: t.app.http,
    url,
    chat,
    dashLogs: t.logs,
    async link(chatId) {
      const replies = await chat.send(chatId, '/dashboard');
      const found = replies.map((r) => LINK_RE.exec(r)?.[1]).find(Boolean);
      if (!found) throw new Error(`no dashboard link in the answer to /dashboard: ${JSON.stringify(replies)}`);
      return found;
    },
  };
}

/** A citizen files a complaint through the web chat; returns its reference. */
export async function fileComplaint(
  kit: DashboardKit,
  chatId: string,
  c: { category: string; block?: string; locality?: string; description: string },
): Promise<string> {
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
  const code = /([A-Z2-9]{13})\n/.exec(answer ?? '')?.[1];
  if (!code) throw new Error(`no invite code in ${JSON.stringify(answer)}`);
  await kit.chat.send(chatId, `/start ${code}`);
}
