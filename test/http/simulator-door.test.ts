import { createFakeTelegramApi } from '../support/fake-telegram-api';
import { startTelegramTestApp, TEST_BOT_TOKEN } from '../support/telegram-test-app';
import { command } from '../support/telegram-updates';
import { createTestApp } from '../support/test-app';
import { clientId, makePng, startSimTestServer } from './sim-test-server';

jest.setTimeout(60_000);

const TG_USER = 9401;
const TG_ADMIN = 9400;
const TG_ADMIN_2 = 9403;

interface Answer {
  status: number;
  json: { messages?: Array<{ direction: string; message?: { text?: string } }>; error?: string; reason?: string };
  setCookie: string;
}

/** A request as a reverse proxy on the same machine would forward it: Host is 127.0.0.1:<port>. */
async function call(
  base: string,
  path: string,
  init: { method?: string; body?: unknown; cookie?: string } = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(init.cookie ? { cookie: init.cookie } : {}),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    // A page, not JSON.
  }
  return { status: res.status, json, setCookie: res.headers.get('set-cookie') ?? '' };
}

/** Poll until a database condition holds (10 s at most). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met');
}

const say = (chatId: string, text: string) => ({
  chatId,
  clientId: clientId(),
  firstName: chatId,
  ...(text.startsWith('/')
    ? { kind: 'command', command: text.slice(1).split(' ')[0], args: text.split(' ').slice(1).join(' ') }
    : { kind: 'text', text }),
});
const outTexts = (a: Answer) =>
  (a.json.messages ?? []).filter((m) => m.direction === 'out').map((m) => m.message?.text ?? '');

describe('the simulator behind a proxy in production, with a Telegram token', () => {
  it('is not served at all: a request with Host 127.0.0.1 is refused and no invite can be made through it', async () => {
    const s = await startTelegramTestApp({ NODE_ENV: 'production' });
    try {
      const base = s.t.app.http.url() ?? '';
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(s.t.app.http.simulatorEnabled).toBe(false);
      const invite = await call(base, '/sim/api/messages', { body: say('admin', '/invite admin') });
      expect(invite.status).toBe(404);
      expect((await call(base, '/sim/api/messages?chatId=admin&after=0')).status).toBe(404);
      expect((await call(base, '/sim/')).status).toBe(404);
      expect(await s.t.app.models.Invite.countDocuments({})).toBe(0);
      // The web "admin" chat is nobody's administrator when the simulator is off, whatever reaches it.
      const direct = await s.t.app.web.receive(say('admin', '/invite admin'));
      expect(direct.messages.map((m) => m.message?.text ?? '').join('\n')).not.toMatch(/[A-Z2-9]{13}/);
      expect(await s.t.app.models.Invite.countDocuments({})).toBe(0);
      expect((await call(base, '/healthz')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('an explicitly enabled simulator next to Telegram', () => {
  it('asks for a login; the start-up link opens it once; its invites do not work on Telegram', async () => {
    const s = await startTelegramTestApp({
      NODE_ENV: 'production',
      SIMULATOR_ENABLED: 'true',
      ADMIN_TELEGRAM_IDS: `${TG_ADMIN},${TG_ADMIN_2}`,
    });
    try {
      const base = s.t.app.http.url() ?? '';
      // Without a session: the page loads (to show the login notice), the API does not.
      expect((await call(base, '/sim/')).status).toBe(200);
      expect((await call(base, '/sim/api/messages', { body: say('admin', '/invite admin') })).status).toBe(401);
      expect((await call(base, '/sim/api/messages?chatId=admin&after=0')).status).toBe(401);
      expect((await call(base, '/sim/api/config')).status).toBe(401);
      expect(
        (await call(base, '/sim/api/messages', { body: say('admin', '/invite admin'), cookie: 'js_sim=forged.AAAA' }))
          .status,
      ).toBe(401);
      expect(await s.t.app.models.Invite.countDocuments({})).toBe(0);

      const line = s.t.logs().find((l) => l.includes('"event":"simulator_login_link"')) ?? '';
      const link = /"link":"([^"]+)"/.exec(line)?.[1] ?? '';
      expect(link).toMatch(new RegExp(`^${base}/sim/login\\?token=`));
      const token = new URL(link).searchParams.get('token') ?? '';
      const login = await call(base, '/sim/api/login', { body: { token } });
      expect(login.status).toBe(200);
      expect(login.setCookie).toMatch(/^js_sim=[A-Za-z0-9_.-]+; Path=\/sim; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
      const cookie = login.setCookie.split(';')[0] ?? '';
      expect((await call(base, '/sim/api/login', { body: { token } })).json.reason).toBe('used');

      const invite = await call(base, '/sim/api/messages', { body: say('admin', '/invite admin'), cookie });
      expect(invite.status).toBe(200);
      const code = /\b([A-Z2-9]{13})\n/.exec(outTexts(invite).join('\n'))?.[1] ?? '';
      expect(code).not.toBe('');

      // Redeemed on Telegram: refused, and nobody on Telegram became staff.
      s.api.pushUpdate(command(TG_USER, '/start', code));
      const [reply] = await s.api.waitForSent(TG_USER, 1);
      expect(String(reply?.params.text)).toBe(s.t.translator.t('hi', 'staff.invite_invalid'));
      expect(await s.t.app.models.Staff.countDocuments({ channel: 'telegram' })).toBe(0);
      expect(s.t.logs().some((l) => l.includes('"reason":"simulator_invite"'))).toBe(true);

      // The simulator's administrator cannot hand out entries; a Telegram administrator can, and the link works once.
      const fromWeb = await call(base, '/sim/api/messages', { body: say('admin', '/simulator'), cookie });
      expect(outTexts(fromWeb)).toEqual([s.t.translator.t('hi', 'staff.forbidden')]);
      s.api.pushUpdate(command(TG_ADMIN, '/simulator'));
      const [sent] = await s.api.waitForSent(TG_ADMIN, 1);
      const adminLink = /(http:\/\/\S+\/sim\/login\?token=\S+)/.exec(String(sent?.params.text))?.[1] ?? '';
      const adminToken = new URL(adminLink).searchParams.get('token') ?? '';
      expect((await call(base, '/sim/api/login', { body: { token: adminToken } })).status).toBe(200);
      expect((await call(base, '/sim/api/login', { body: { token: adminToken } })).status).toBe(401);
      expect(s.t.logs().join('\n')).not.toContain(adminToken);

      // A link from an administrator who is then removed stops working at once.
      const textsTo = (chatId: number) =>
        s.api.calls.filter((c) => String(c.params.chat_id) === String(chatId)).map((c) => String(c.params.text ?? ''));
      s.api.pushUpdate(command(TG_ADMIN, '/invite', 'admin'));
      const adminCode = await s.api.waitFor(() =>
        textsTo(TG_ADMIN)
          .map((x) => /\b([A-Z2-9]{13})\n/.exec(x)?.[1])
          .find(Boolean),
      );
      // An administrator invite needs a second administrator (of a real channel) to confirm it.
      s.api.pushUpdate(command(TG_ADMIN_2, '/invite', `confirm ${adminCode}`));
      const confirmed = s.t.translator.t('hi', 'staff.invite_confirmed', { code: adminCode });
      await s.api.waitFor(() => textsTo(TG_ADMIN_2).includes(confirmed));
      s.api.pushUpdate(command(9402, '/start', adminCode));
      await until(async () => (await s.t.app.models.Staff.exists({ chatId: '9402', active: true })) !== null);
      s.api.pushUpdate(command(9402, '/simulator'));
      const linkText = await s.api.waitFor(() =>
        s.api.calls
          .map((c) =>
            String(c.params.chat_id) === '9402'
              ? /(http:\/\/\S+\/sim\/login\?token=\S+)/.exec(String(c.params.text))?.[1]
              : undefined,
          )
          .find(Boolean),
      );
      const token2 = new URL(linkText).searchParams.get('token') ?? '';
      const admin2 = await s.t.app.models.Staff.findOne({ chatId: '9402', active: true }).lean();
      expect(admin2?.role).toBe('admin');
      const cookie2 = (await call(base, '/sim/api/login', { body: { token: token2 } })).setCookie.split(';')[0] ?? '';
      expect((await call(base, '/sim/api/config', { cookie: cookie2 })).status).toBe(200);
      // Nor can the simulator's administrator remove staff of a real channel.
      const simRevoke = await call(base, '/sim/api/messages', {
        body: say('admin', `/revoke ${admin2?._id ?? ''}`),
        cookie,
      });
      expect(outTexts(simRevoke)).toEqual([s.t.translator.t('hi', 'staff.forbidden')]);
      expect(await s.t.app.models.Staff.exists({ chatId: '9402', active: true })).not.toBeNull();
      s.api.pushUpdate(command(TG_ADMIN, '/revoke', admin2?._id ?? ''));
      await until(async () => (await s.t.app.models.Staff.exists({ chatId: '9402', active: false })) !== null);
      expect((await call(base, '/sim/api/config', { cookie: cookie2 })).status).toBe(401);
      expect((await call(base, '/sim/api/config', { cookie })).status).toBe(200);

      // In the simulator itself invites still work.
      const second = await call(base, '/sim/api/messages', { body: say('admin', '/invite officer FOOD'), cookie });
      const officerCode = /\b([A-Z2-9]{13})\n/.exec(outTexts(second).join('\n'))?.[1] ?? '';
      await call(base, '/sim/api/messages', { body: say('officer-1', `/start ${officerCode}`), cookie });
      expect(await s.t.app.models.Staff.countDocuments({ channel: 'web', role: 'officer', active: true })).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('limits refused logins per client: the 21st gets 429 with Retry-After, logged as simulator_login_throttled', async () => {
    const s = await startTelegramTestApp({ NODE_ENV: 'production', SIMULATOR_ENABLED: 'true' });
    try {
      const base = s.t.app.http.url() ?? '';
      for (let i = 0; i < 20; i++)
        expect((await call(base, '/sim/api/login', { body: { token: `made-up-${i}` } })).status).toBe(401);
      const res = await fetch(`${base}/sim/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: 'made-up' }),
      });
      expect(res.status).toBe(429);
      expect(await res.json()).toMatchObject({ error: 'too_many_attempts' });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(s.t.logs().filter((l) => l.includes('"event":"simulator_login_throttled"'))).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
});

describe('Telegram failing at start', () => {
  it('does not take the web channel down: getMe is retried in the background and /healthz says down meanwhile', async () => {
    const api = createFakeTelegramApi({ token: TEST_BOT_TOKEN });
    // grammY retries a 500 itself; a refusal it does not retry reaches our own back-off.
    api.failNext(2, { status: 403, description: 'Forbidden' }, { method: 'getMe' });
    api.failNext(2, { status: 500 }, { method: 'getMe' });
    const { apiRoot } = await api.start();
    const t = await createTestApp(
      { TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN, TELEGRAM_API_ROOT: apiRoot },
      { telegramStartBackoff: { baseMs: 200, maxMs: 200 } },
    );
    try {
      await t.app.start();
      const base = t.app.http.url() ?? '';
      const health = await call(base, '/healthz');
      expect(health.status).toBe(503);
      expect(health.json).toMatchObject({ channels: { telegram: 'down', web: 'up' } });
      const answer = await t.app.web.receive(say('citizen-1', '/start'));
      expect(answer.messages.some((m) => m.direction === 'out')).toBe(true);

      await api.waitFor(
        () => api.calls.filter((c) => c.method === 'getMe' && c.failed === undefined).length > 0,
        20_000,
      );
      const start = Date.now();
      let last = health;
      while (last.status !== 200 && Date.now() - start < 20_000) last = await call(base, '/healthz');
      expect(last.json).toMatchObject({ status: 'ok', channels: { telegram: 'up' } });
      expect(api.calls.filter((c) => c.method === 'getMe' && c.failed !== undefined)).toHaveLength(4);
      api.pushUpdate(command(TG_USER, '/start'));
      expect((await api.waitForSent(TG_USER, 1, 10_000)).length).toBeGreaterThan(0);
      expect(t.logs().filter((l) => l.includes('"event":"telegram_start_failed"'))).toHaveLength(2);
    } finally {
      await t.close();
      await api.stop();
    }
  });
});

describe('a public simulator (SIMULATOR_PUBLIC=true)', () => {
  it("gives each browser its own chats: another visitor's messages and files stay out of reach", async () => {
    const s = await startSimTestServer({
      config: { host: '127.0.0.1', port: 0, simulator: 'login', simulatorPublic: true },
    });
    try {
      const auth = s.auth;
      if (!auth) throw new Error('no simulator login');
      const browser = async () => {
        const { token } = await auth.issue('test', 'visitor');
        const res = await call(s.url, '/sim/api/login', { body: { token } });
        expect(res.status).toBe(200);
        return res.setCookie.split(';')[0] ?? '';
      };
      const a = await browser();
      const b = await browser();
      expect(a).not.toBe(b);

      const started = await call(s.url, '/sim/api/messages', { body: say('citizen-1', '/start'), cookie: a });
      expect(outTexts(started).length).toBeGreaterThan(0);
      const upload = await fetch(`${s.url}/sim/api/files?chatId=citizen-1`, {
        method: 'POST',
        headers: { 'Content-Type': 'image/png', cookie: a },
        body: new Uint8Array(makePng(4, 4)),
      });
      expect(upload.status).toBe(200);
      const { fileId } = (await upload.json()) as { fileId: string };

      // The same chat name in another browser is another chat: nothing of A's shows.
      const mine = await call(s.url, '/sim/api/messages?chatId=citizen-1&after=0', { cookie: a });
      const theirs = await call(s.url, '/sim/api/messages?chatId=citizen-1&after=0', { cookie: b });
      expect(mine.json.messages?.length).toBeGreaterThan(0);
      expect(theirs.json.messages).toEqual([]);
      expect((await fetch(`${s.url}/sim/api/files/${fileId}`, { headers: { cookie: a } })).status).toBe(200);
      expect((await fetch(`${s.url}/sim/api/files/${fileId}`, { headers: { cookie: b } })).status).toBe(404);
      expect((await fetch(`${s.url}/sim/api/files/${fileId}`)).status).toBe(401);
      expect((await call(s.url, '/sim/api/messages?chatId=citizen-1&after=0')).status).toBe(401);

      // Stored chats carry the browser's namespace; no browser can name one outside it.
      const stored = await s.db.conn.collection('web_messages').distinct('chatId');
      expect(stored.length).toBeGreaterThan(0);
      for (const chatId of stored) expect(chatId).toMatch(/^[0-9a-f]{12}-citizen-1$/);
      expect(
        (await call(s.url, `/sim/api/messages?chatId=${String(stored[0])}&after=0`, { cookie: b })).json.messages,
      ).toEqual([]);
      // No administrator chat in public.
      const invite = await call(s.url, '/sim/api/messages', { body: say('admin', '/invite admin'), cookie: b });
      expect(outTexts(invite).join('\n')).not.toMatch(/\b[A-Z2-9]{13}\n/);
      expect(await s.app.models.Invite.countDocuments({})).toBe(0);
    } finally {
      await s.close();
    }
  });
});
