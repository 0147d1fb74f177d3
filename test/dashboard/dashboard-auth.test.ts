import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createDashboardSigner, hashToken, MIN_SECRET_LENGTH } from '../../src/dashboard/dashboard-auth';
import { createDashboardLogins } from '../../src/dashboard/dashboard-logins';
import { createDashboardModels, type DashboardModels } from '../../src/dashboard/dashboard-models';
import { resolveDashboardSecret, SECRET_SETTING_ID } from '../../src/dashboard/dashboard-secret';
import { openTestDb, type TestDb } from '../support/test-db';

const SECRET = randomBytes(32).toString('base64url');
const NOW = new Date('2026-11-28T04:30:00.000Z');
const MIN = 60_000;
const viewer = { staffId: 'S1', role: 'supervisor' as const, name: 'आशा' };

/** Replace one character of a string with a different one (a tampered credential). */
function flip(s: string, at: number): string {
  const c = s[at] === 'A' ? 'B' : 'A';
  return s.slice(0, at) + c + s.slice(at + 1);
}

describe('login tokens', () => {
  const signer = createDashboardSigner(SECRET);

  test('a fresh token checks out until its expiry, to the second', () => {
    const { token, expiresAt } = signer.loginToken(new Date(NOW.getTime() + 15 * MIN));
    expect(signer.checkLoginToken(token, NOW)).toEqual({ ok: true, expiresAt });
    expect(signer.checkLoginToken(token, new Date(expiresAt.getTime() - 1))).toMatchObject({ ok: true });
    expect(signer.checkLoginToken(token, expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });

  test('changing any part — nonce, expiry or signature — makes it invalid', () => {
    const { token } = signer.loginToken(new Date(NOW.getTime() + 15 * MIN));
    const [nonce = '', exp = '', sig = ''] = token.split('.');
    expect(signer.checkLoginToken(`${flip(nonce, 3)}.${exp}.${sig}`, NOW)).toEqual({ ok: false, reason: 'invalid' });
    // A longer life written into the link without the secret.
    const later = (parseInt(exp, 36) + 86_400).toString(36);
    expect(signer.checkLoginToken(`${nonce}.${later}.${sig}`, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(signer.checkLoginToken(`${nonce}.${exp}.${flip(sig, 10)}`, NOW)).toEqual({ ok: false, reason: 'invalid' });
    for (const junk of ['', 'x', `${nonce}.${exp}`, `${token}.extra`, token.toUpperCase(), `${token} `]) {
      expect(signer.checkLoginToken(junk, NOW)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  test('a token signed with another secret is invalid, and so is a session cookie passed as a token', () => {
    const other = createDashboardSigner(randomBytes(32).toString('base64url'));
    const { token } = other.loginToken(new Date(NOW.getTime() + 15 * MIN));
    expect(signer.checkLoginToken(token, NOW)).toEqual({ ok: false, reason: 'invalid' });
    const cookie = signer.sessionCookie(viewer, new Date(NOW.getTime() + 60 * MIN));
    expect(signer.checkLoginToken(cookie, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  test('short secrets are refused', () => {
    expect(() => createDashboardSigner('x'.repeat(MIN_SECRET_LENGTH - 1))).toThrow(/at least/);
  });
});

describe('session cookies', () => {
  const signer = createDashboardSigner(SECRET);
  const expiresAt = new Date(NOW.getTime() + 12 * 60 * MIN);

  test('round trip: the viewer and expiry come back; after expiry it is refused', () => {
    const cookie = signer.sessionCookie(viewer, expiresAt);
    expect(signer.checkSession(cookie, NOW)).toEqual({ ok: true, session: { ...viewer, expiresAt } });
    expect(signer.checkSession(cookie, expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });

  test('a payload rewritten without the secret (officer → admin, later expiry) is refused', () => {
    const cookie = signer.sessionCookie(viewer, expiresAt);
    const [, sig] = cookie.split('.');
    const forged = Buffer.from(
      JSON.stringify({ v: 1, sub: 'S1', role: 'admin', name: 'x', exp: expiresAt.getTime() * 2 }),
    ).toString('base64url');
    expect(signer.checkSession(`${forged}.${sig}`, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(signer.checkSession(flip(cookie, 5), NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(signer.checkSession(flip(cookie, cookie.length - 3), NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  test('a cookie from another secret, or a login token, is not a session', () => {
    const other = createDashboardSigner(randomBytes(32).toString('base64url'));
    expect(signer.checkSession(other.sessionCookie(viewer, expiresAt), NOW)).toEqual({ ok: false, reason: 'invalid' });
    const { token } = signer.loginToken(expiresAt);
    expect(signer.checkSession(token, NOW)).toEqual({ ok: false, reason: 'invalid' });
    for (const junk of ['', '.', 'abc', 'a.b', '....'])
      expect(signer.checkSession(junk, NOW)).toMatchObject({ ok: false });
  });
});

describe('one-time links in the database', () => {
  let db: TestDb;
  let models: DashboardModels;

  beforeAll(async () => {
    db = await openTestDb();
    models = await createDashboardModels(db.conn);
  });
  afterAll(() => db.close());

  function logins() {
    return createDashboardLogins({ models, signer: createDashboardSigner(SECRET), ttlMs: 15 * MIN });
  }

  test('a link works once; the database holds only its hash', async () => {
    const l = logins();
    const { token, expiresAt } = await l.issue(viewer, 'hi', NOW);
    expect(expiresAt).toEqual(new Date(NOW.getTime() + 15 * MIN));
    const stored = await models.Login.findById(hashToken(token)).lean();
    expect(stored).toMatchObject({ staffId: 'S1', role: 'supervisor', language: 'hi' });
    expect(JSON.stringify(await models.Login.find().lean())).not.toContain(token);

    expect(await l.redeem(token, new Date(NOW.getTime() + MIN))).toEqual({
      ok: true,
      login: { ...viewer, language: 'hi' },
    });
    expect(await l.redeem(token, new Date(NOW.getTime() + 2 * MIN))).toEqual({ ok: false, reason: 'used' });
  });

  test('of two openings at once, exactly one gets in', async () => {
    const l = logins();
    const { token } = await l.issue(viewer, 'en', NOW);
    const results = await Promise.all([l.redeem(token, NOW), l.redeem(token, NOW), l.redeem(token, NOW)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, reason: 'used' },
      { ok: false, reason: 'used' },
    ]);
  });

  test('expired, tampered and never-issued links are refused without being marked used', async () => {
    const l = logins();
    const { token, expiresAt } = await l.issue(viewer, 'hi', NOW);
    expect(await l.redeem(token, expiresAt)).toEqual({ ok: false, reason: 'expired' });
    expect(await l.redeem(flip(token, 0), NOW)).toEqual({ ok: false, reason: 'invalid' });
    // Signed with the right secret but never stored (e.g. deleted): not accepted.
    const unstored = createDashboardSigner(SECRET).loginToken(new Date(NOW.getTime() + MIN)).token;
    expect(await l.redeem(unstored, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect((await models.Login.findById(hashToken(token)).lean())?.usedAt).toBeUndefined();
    // …so the real one still works within its time.
    expect(await l.redeem(token, NOW)).toMatchObject({ ok: true });
  });

  test('issuing a link deletes links that expired more than a day ago', async () => {
    const l = logins();
    const old = await l.issue(viewer, 'hi', new Date(NOW.getTime() - 3 * 86_400_000));
    await l.issue(viewer, 'hi', NOW);
    expect(await models.Login.exists({ _id: hashToken(old.token) })).toBeNull();
  });
});

describe('the signing secret', () => {
  let db: TestDb;
  let models: DashboardModels;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    db = await openTestDb();
    models = await createDashboardModels(db.conn);
  });
  afterAll(() => db.close());

  test('generated once and kept in settings, so a restart (or a second instance) signs alike', async () => {
    const [a, b] = await Promise.all([
      resolveDashboardSecret({ models, now: NOW, logger }),
      resolveDashboardSecret({ models, now: NOW, logger }),
    ]);
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(MIN_SECRET_LENGTH);
    // A "restart": models registered again on the same connection.
    const again = await resolveDashboardSecret({ models: await createDashboardModels(db.conn), now: NOW, logger });
    expect(again).toBe(a);
    expect(await models.Setting.countDocuments({ _id: SECRET_SETTING_ID })).toBe(1);

    // A link signed before the restart still opens after it.
    const before = createDashboardLogins({ models, signer: createDashboardSigner(a), ttlMs: 15 * MIN });
    const { token } = await before.issue(viewer, 'hi', NOW);
    const after = createDashboardLogins({ models, signer: createDashboardSigner(again), ttlMs: 15 * MIN });
    expect(await after.redeem(token, NOW)).toMatchObject({ ok: true });
  });

  test('DASHBOARD_SECRET, when set, wins over the stored one', async () => {
    expect(await resolveDashboardSecret({ configured: SECRET, models, now: NOW, logger })).toBe(SECRET);
  });
});
