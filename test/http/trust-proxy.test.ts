import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSameOrigin, requestView } from '../../src/http/forwarded';
import { startDashboardKit, type DashboardKit } from '../dashboard/dashboard-kit';

jest.setTimeout(60_000);

/** What a reverse proxy in front of us adds to a browser's request that came in over HTTPS. */
const PROXIED = {
  'X-Forwarded-Proto': 'https',
  'X-Forwarded-Host': 'jansahayak.example.org',
  'X-Forwarded-For': '203.0.113.7',
};

/** A real request through a real socket, so the peer address is the socket's. */
async function viewOf(
  headers: Record<string, string>,
  trustProxy: boolean,
): Promise<{ view: ReturnType<typeof requestView>; same: boolean }> {
  let seen: { view: ReturnType<typeof requestView>; same: boolean } | undefined;
  const server = http.createServer((req, res) => {
    seen = { view: requestView(req, trustProxy), same: isSameOrigin(req, { trustProxy }) };
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!seen) throw new Error('no request seen');
  return seen;
}

describe('TRUST_PROXY', () => {
  it('off: X-Forwarded-* from a client are ignored (protocol, host, client address, origin)', async () => {
    const { view, same } = await viewOf({ ...PROXIED, Origin: 'https://jansahayak.example.org' }, false);
    expect(view.proto).toBe('http');
    expect(view.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(view.clientIp).toMatch(/127\.0\.0\.1$/);
    expect(same).toBe(false);
  });

  it("on: the proxy's headers are believed; the client address is the proxy's own (last) entry, not one a client wrote", async () => {
    const { view, same } = await viewOf(
      { ...PROXIED, 'X-Forwarded-For': '6.6.6.6, 203.0.113.7', Origin: 'https://jansahayak.example.org' },
      true,
    );
    expect(view).toEqual({ proto: 'https', host: 'jansahayak.example.org', clientIp: '203.0.113.7' });
    expect(same).toBe(true);
  });
});

describe('the dashboard behind a proxy', () => {
  async function loginVia(kit: DashboardKit, headers: Record<string, string>) {
    const token = new URL(await kit.link('admin')).searchParams.get('token') ?? '';
    const res = await fetch(`${kit.url}/dashboard/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ token }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    return { setCookie, cookie: setCookie.split(';')[0] ?? '' };
  }
  /** A login with a made-up token from a client the proxy names; its status. */
  const badLogin = async (kit: DashboardKit, clientIp: string) =>
    (
      await fetch(`${kit.url}/dashboard/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...PROXIED, 'X-Forwarded-For': clientIp },
        body: JSON.stringify({ token: 'made-up' }),
      })
    ).status;
  const logout = (kit: DashboardKit, cookie: string) =>
    fetch(`${kit.url}/dashboard/api/logout`, {
      method: 'POST',
      headers: { cookie, ...PROXIED, Origin: 'https://jansahayak.example.org' },
    });

  it('without TRUST_PROXY: no Secure cookie on a forwarded https, and a forwarded origin cannot log out', async () => {
    const kit = await startDashboardKit();
    try {
      const s = await loginVia(kit, PROXIED);
      expect(s.setCookie).not.toMatch(/Secure/);
      expect((await logout(kit, s.cookie)).status).toBe(403);

      // Refused logins are limited per client; a client cannot escape by writing another X-Forwarded-For.
      for (let i = 0; i < 20; i++) expect(await badLogin(kit, '198.51.100.1')).toBe(401);
      expect(await badLogin(kit, '198.51.100.1')).toBe(429);
      expect(await badLogin(kit, '198.51.100.2')).toBe(429);
    } finally {
      await kit.close();
    }
  });

  it('with TRUST_PROXY: the cookie is Secure behind an https proxy, and logout from the public origin works', async () => {
    const kit = await startDashboardKit({ TRUST_PROXY: 'true' });
    try {
      const plain = await loginVia(kit, {});
      expect(plain.setCookie).not.toMatch(/Secure/);
      const s = await loginVia(kit, PROXIED);
      expect(s.setCookie).toMatch(/; Secure/);
      expect((await logout(kit, s.cookie)).status).toBe(200);
      expect((await fetch(`${kit.url}/dashboard/api/meta`, { headers: { cookie: s.cookie } })).status).toBe(401);
      // Behind a proxy the simulator is never open without a login, even on loopback.
      expect((await fetch(`${kit.url}/sim/api/config`)).status).toBe(401);

      // The limit on refused logins counts the client the proxy names, each on its own.
      for (let i = 0; i < 20; i++) expect(await badLogin(kit, '198.51.100.1')).toBe(401);
      expect(await badLogin(kit, '198.51.100.1')).toBe(429);
      expect(await badLogin(kit, '198.51.100.2')).toBe(401);
      // The window passes (the test clock moves): the client may try again.
      kit.clock.set(new Date(kit.clock.now().getTime() + 16 * 60_000));
      expect(await badLogin(kit, '198.51.100.1')).toBe(401);
    } finally {
      await kit.close();
    }
  });
});
