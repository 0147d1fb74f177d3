import { findCategory } from '../../src/domain/catalog';
import { OPEN_STATUSES } from '../../src/domain/ticket-lifecycle';
import { dayStart } from '../../src/dashboard/dashboard-periods';
import { periodRange } from '../../src/reports/report-periods';

/** The reporting module's week (the last seven district days), as the dashboard counts it. */
const weekStart = (at: Date) => periodRange('week', at, 'Asia/Kolkata').start;
import { FIXED_START } from '../support/test-app';
import { fileComplaint, joinStaff, startDashboardKit, type DashboardKit } from './dashboard-kit';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const CALLER = '98765 43210';
/** What a caller's or citizen's number can look like in any answer. */
const PHONE_TRACES = ['9876543210', '98765', '+91', 'phone:', '@c.us'];

interface Seed {
  ref: string;
  category: string;
  intake: string;
  createdAt: Date;
}

/** Use a login link as the page does; the session cookie (name=value) when it worked. */
async function login(
  kit: DashboardKit,
  link: string,
): Promise<{ status: number; body: { reason?: string; language?: string }; setCookie: string; cookie: string }> {
  const token = new URL(link).searchParams.get('token') ?? '';
  const res = await fetch(`${kit.url}/dashboard/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { status: res.status, body: (await res.json()) as never, setCookie, cookie: setCookie.split(';')[0] ?? '' };
}

function tally(seeds: readonly Seed[], key: (s: Seed) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of seeds) out[key(s)] = (out[key(s)] ?? 0) + 1;
  return out;
}

describe('the dashboard API on the real app', () => {
  let kit: DashboardKit;
  let cookie: string;
  const seeds: Seed[] = [];
  const statusOf = new Map<string, string>();
  const ackedAt = new Map<string, Date | undefined>();
  const now = FIXED_START;

  async function get(path: string, withCookie = cookie): Promise<Response> {
    return fetch(`${kit.url}/dashboard/api/${path}`, { headers: withCookie ? { cookie: withCookie } : {} });
  }
  async function json<T>(path: string): Promise<T> {
    const res = await get(path);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
  const departmentOf = (category: string) => findCategory(kit.catalog, category)?.department ?? '?';

  async function fileAt(iso: string, chatId: string, category: string, description: string): Promise<string> {
    kit.clock.set(new Date(iso));
    const ref = await fileComplaint(kit, chatId, { category, description });
    seeds.push({ ref, category, intake: 'web', createdAt: new Date(iso) });
    return ref;
  }

  beforeAll(async () => {
    kit = await startDashboardKit();
    await joinStaff(kit, 'officer-1', 'officer FOOD');
    await joinStaff(kit, 'supervisor-1', 'supervisor');
    await joinStaff(kit, 'operator-1', 'operator');

    // FIXED_START is Saturday 28 Nov 2026, 10:00 in Alirajpur; the week began Monday 23 Nov.
    await fileAt('2026-11-20T04:30:00Z', 'citizen-b', 'travel', 'पास के लिए तीन दिन से चक्कर लगा रहे हैं');
    await fileAt('2026-11-23T04:30:00Z', 'citizen-a', 'ration', 'दो महीने से राशन की दुकान बंद है');
    await fileAt('2026-11-27T14:30:00Z', 'citizen-c', 'stranded', 'मेरा बेटा इंदौर में फँसा है, घर नहीं आ पा रहा');
    const acked = await fileAt(
      FIXED_START.toISOString(),
      'citizen-d',
      'ration',
      `राशन की दुकान "बंद" है, मेरा नंबर ${CALLER} है`,
    );
    await fileAt(FIXED_START.toISOString(), 'citizen-e', 'other', 'गाँव में पीने का पानी नहीं आ रहा है');
    await fileAt(FIXED_START.toISOString(), 'citizen-f', 'travel', 'दूसरे ज़िले में जाने का पास चाहिए');
    await kit.chat.send('officer-1', `/ack ${acked}`);

    // A telephone call logged by the operator: the ticket holds the caller's number.
    await kit.chat.send('operator-1', '/call');
    await kit.chat.send('operator-1', '[call|phone181]');
    await kit.chat.send('operator-1', CALLER);
    await kit.chat.script('operator-1', [
      '[category|ration]',
      'जोबट',
      'फलिया नवापाड़ा',
      'कॉलर को तीन महीने से राशन नहीं मिला',
    ]);
    await kit.chat.send('operator-1', '[phone|skip]');
    const done = await kit.chat.send('operator-1', '[summary|submit]');
    const phoneRef = /\b(ALR-\d{6})\b/.exec(done.join('\n'))?.[1] ?? '';
    seeds.push({ ref: phoneRef, category: 'ration', intake: 'phone181', createdAt: FIXED_START });

    for (const t of await kit.app.models.Ticket.find({}, { ref: 1, status: 1, acknowledgedAt: 1, phone: 1 }).lean()) {
      statusOf.set(t.ref, t.status);
      ackedAt.set(t.ref, t.acknowledgedAt);
    }
    // The fixture is what the test thinks it is: every ticket seeded, one with the caller's number.
    expect(statusOf.size).toBe(seeds.length);
    expect(await kit.app.models.Ticket.countDocuments({ phone: '+919876543210' })).toBe(1);
    expect(statusOf.get(acked)).toBe('acknowledged');

    const signedIn = await login(kit, await kit.link('supervisor-1'));
    expect(signedIn.status).toBe(200);
    cookie = signedIn.cookie;
  });

  afterAll(() => kit?.close());

  test('every data route refuses without a session, and a forged cookie is cleared', async () => {
    const ref = seeds[0]?.ref ?? '';
    for (const path of ['meta', 'summary', 'overdue', 'tickets', `tickets/${ref}`, 'export.csv', 'summary?dept=FOOD']) {
      const res = await get(path, '');
      expect([path, res.status]).toEqual([path, 401]);
      expect(await res.json()).toMatchObject({ error: 'unauthorized', reason: 'missing' });
    }
    const forged = await get(
      'summary',
      `js_dashboard=${Buffer.from('{"v":1,"sub":"x","role":"admin","name":"x","exp":9999999999999}').toString('base64url')}.AAAA`,
    );
    expect(forged.status).toBe(401);
    expect(forged.headers.get('set-cookie')).toMatch(/^js_dashboard=; .*Max-Age=0/);

    // The page and its words are public: the refusal has to be shown in words.
    const page = await fetch(`${kit.url}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${kit.url}/dashboard/api/i18n?lang=en`)).status).toBe(200);
    const bare = await fetch(`${kit.url}/dashboard`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([302, '/dashboard/']);
  });

  test('a login link sets a strict, HttpOnly cookie once; a preview GET does not use it; reused, tampered or expired links are refused', async () => {
    const link = await kit.link('supervisor-1');
    expect(link.startsWith(`${kit.url}/dashboard/login?token=`)).toBe(true);
    // A chat app's link preview fetches the link: the page comes back, the link stays unused.
    const preview = await fetch(link);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('set-cookie')).toBeNull();

    const first = await login(kit, link);
    expect(first.status).toBe(200);
    expect(first.body.language).toBe('hi');
    expect(first.setCookie).toMatch(
      /^js_dashboard=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Path=\/dashboard; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    expect((await get('meta', first.cookie)).status).toBe(200);

    const again = await login(kit, link);
    expect([again.status, again.body.reason, again.setCookie]).toEqual([401, 'used', '']);

    const fresh = await kit.link('supervisor-1');
    const token = new URL(fresh).searchParams.get('token') ?? '';
    const tampered = `${kit.url}/dashboard/login?token=${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await login(kit, tampered)).toMatchObject({ status: 401, body: { reason: 'invalid' } });

    kit.clock.set(new Date(now.getTime() + 16 * 60_000));
    expect(await login(kit, fresh)).toMatchObject({ status: 401, body: { reason: 'expired' } });
    kit.clock.set(now);
    expect(
      kit.dashLogs().some((l) => l.includes('"event":"dashboard_login_refused"') && l.includes('"reason":"used"')),
    ).toBe(true);
    // Tokens never reach the log.
    expect(kit.dashLogs().join('\n')).not.toContain(token);
  });

  test("today's and this week's counts match the tickets filed, by status, category, department and channel", async () => {
    type B = {
      total: number;
      byStatus: Record<string, number>;
      byCategory: Record<string, number>;
      byDepartment: Record<string, number>;
      byChannel: Record<string, number>;
    };
    const expectFor = (list: Seed[]): B => ({
      total: list.length,
      byStatus: tally(list, (s) => statusOf.get(s.ref) ?? '?'),
      byCategory: tally(list, (s) => s.category),
      byDepartment: tally(list, (s) => departmentOf(s.category)),
      byChannel: tally(list, (s) => s.intake),
    });
    const since = (d: Date) => seeds.filter((s) => s.createdAt >= d && s.createdAt <= now);
    const summary = await json<{ today: B; week: B; open: number; overdue: number; range?: B }>('summary');
    expect(summary.today).toMatchObject(expectFor(since(dayStart(now))));
    expect(summary.week).toMatchObject(expectFor(since(weekStart(now))));
    expect(summary.today.total).toBeGreaterThan(0);
    expect(summary.week.total).toBeGreaterThan(summary.today.total);
    expect(summary.range).toBeUndefined();
    expect(summary.open).toBe(
      seeds.filter((s) => (OPEN_STATUSES as readonly string[]).includes(statusOf.get(s.ref) ?? '')).length,
    );

    const food = await json<{ today: B; week: B }>('summary?dept=FOOD');
    expect(food.week).toMatchObject(
      expectFor(since(weekStart(now)).filter((s) => departmentOf(s.category) === 'FOOD')),
    );

    // Chosen days, inclusive, in district dates: 20 to 23 November.
    const range = await json<{ range?: B }>('summary?from=2026-11-20&to=2026-11-23');
    const inRange = seeds.filter(
      (s) => s.createdAt >= new Date('2026-11-19T18:30:00Z') && s.createdAt < new Date('2026-11-23T18:30:00Z'),
    );
    expect(range.range).toMatchObject(expectFor(inRange));
  });

  test('overdue: exactly the open tickets past a deadline, oldest first, with age, lateness and level', async () => {
    const expected = seeds
      .map((s) => {
        const sla = findCategory(kit.catalog, s.category)?.sla ?? { acknowledgeHours: 0, resolveHours: 0 };
        const ackDue = s.createdAt.getTime() + sla.acknowledgeHours * HOUR;
        const resolveDue = s.createdAt.getTime() + sla.resolveHours * HOUR;
        const late =
          resolveDue < now.getTime() ? 'resolve' : !ackedAt.get(s.ref) && ackDue < now.getTime() ? 'ack' : undefined;
        const due = late === 'resolve' ? resolveDue : ackDue;
        return {
          ref: s.ref,
          late,
          ageMinutes: (now.getTime() - s.createdAt.getTime()) / 60_000,
          lateMinutes: (now.getTime() - due) / 60_000,
          level: 1,
        };
      })
      .filter((x) => x.late);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const overdue = await json<{ total: number; items: Array<Record<string, unknown>> }>('overdue');
    expect(overdue.total).toBe(expected.length);
    expect(overdue.items).toEqual(expected.map((e) => expect.objectContaining(e)));
    const summary = await json<{ overdue: number }>('summary');
    expect(summary.overdue).toBe(expected.length);
  });

  test('latest tickets: newest first, a page at a time, filtered by department and dates', async () => {
    const newestFirst = [...seeds]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.ref.localeCompare(a.ref))
      .map((s) => s.ref);
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const res = await json<{ total: number; items: Array<{ ref: string }> }>(`tickets?page=${page}&size=2`);
      expect(res.total).toBe(seeds.length);
      if (res.items.length === 0) break;
      seen.push(...res.items.map((i) => i.ref));
    }
    expect(seen).toEqual(newestFirst);

    const food = await json<{ items: Array<{ ref: string; department: string }> }>('tickets?dept=FOOD');
    expect(food.items.map((i) => i.ref)).toEqual(
      newestFirst.filter((r) => departmentOf(seeds.find((s) => s.ref === r)?.category ?? '') === 'FOOD'),
    );
    const today = await json<{ items: Array<{ ref: string }> }>('tickets?from=2026-11-28&to=2026-11-28');
    expect(today.items.map((i) => i.ref).sort()).toEqual(
      seeds
        .filter((s) => s.createdAt >= dayStart(now))
        .map((s) => s.ref)
        .sort(),
    );
  });

  test("one ticket with its history: staff by name and role, citizens only as 'citizen', the description without the number", async () => {
    const seed = seeds[3] as Seed;
    const officer = await kit.app.models.Staff.findOne({ chatId: 'officer-1' }).lean();
    const t = await json<{
      ref: string;
      status: string;
      description: string;
      assignedTo?: string;
      history: Array<{ action: string; by: Record<string, string> }>;
    }>(`tickets/${seed.ref}`);
    expect(t).toMatchObject({ ref: seed.ref, status: 'acknowledged', assignedTo: officer?.name });
    expect(t.description).toBe('राशन की दुकान "बंद" है, मेरा नंबर •••••••••• है');
    expect(t.history.map((h) => h.action)).toEqual(expect.arrayContaining(['created', 'assign', 'acknowledge']));
    expect(t.history.find((h) => h.action === 'created')?.by).toEqual({ kind: 'citizen' });
    expect(t.history.find((h) => h.action === 'acknowledge')?.by).toEqual({
      kind: 'staff',
      role: 'officer',
      name: officer?.name,
    });
    expect(JSON.stringify(t)).not.toContain(officer?._id ?? '?');
    expect((await get('tickets/ALR-999999')).status).toBe(404);
  });

  test('CSV export: BOM, one header and one RFC 4180 record per filtered ticket', async () => {
    const res = await get('export.csv?dept=FOOD&lang=en');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="jan-sahayak-FOOD-2026-11-28\.csv"$/);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split('\r\n').filter(Boolean);
    const food = seeds.filter((s) => departmentOf(s.category) === 'FOOD');
    expect(lines[0]?.startsWith(`${kit.translator.t('en', 'dashboard.csv.ref')},`)).toBe(true);
    expect(lines).toHaveLength(food.length + 1);
    for (const s of food) expect(lines.filter((l) => l.startsWith(`${s.ref},`))).toHaveLength(1);
    // The description with a comma and quotes is one quoted field, quotes doubled.
    expect(text).toContain('"राशन की दुकान ""बंद"" है, मेरा नंबर •••••••••• है"');

    const all = await get('export.csv');
    const allText = await all.text();
    expect(allText.split('\r\n').filter(Boolean)).toHaveLength(seeds.length + 1);
    expect(allText).toContain(kit.translator.t('hi', 'dashboard.csv.ref'));
  });

  test('no phone number reaches the dashboard: not in counts, lists, details or the export', async () => {
    const answers = [
      await (await get('summary')).text(),
      await (await get('overdue')).text(),
      await (await get('tickets?size=100')).text(),
      await (await get('export.csv')).text(),
      await (await get('export.csv?lang=en')).text(),
      ...(await Promise.all(seeds.map(async (s) => (await get(`tickets/${s.ref}`)).text()))),
    ];
    for (const trace of PHONE_TRACES) expect(answers.filter((a) => a.includes(trace))).toEqual([]);
    // The phone-line ticket is there, counted by its channel.
    expect(answers[2]).toContain('"intake":"phone181"');
  });

  test('malformed filters answer 400', async () => {
    for (const q of [
      'dept=food',
      'from=2026-02-30',
      'from=28-11-2026',
      'from=2026-11-28&to=2026-11-27',
      'page=0',
      'size=1000',
    ]) {
      expect([q, (await get(`tickets?${q}`)).status]).toEqual([q, 400]);
    }
  });

  test('officers are refused a link, politely and on the record; citizens do not have the command', async () => {
    expect(await kit.chat.send('officer-1', '/dashboard')).toEqual([kit.translator.t('hi', 'dashboard.bot.refused')]);
    expect(
      kit.dashLogs().some((l) => l.includes('"event":"dashboard_link_refused"') && l.includes('"role":"officer"')),
    ).toBe(true);
    const citizen = await kit.chat.send('citizen-z', '/dashboard');
    expect(citizen.join('\n')).not.toMatch(/dashboard\/login/);
  });

  test('logout: only a same-origin POST, and it ends the session on the server at once', async () => {
    const s = await login(kit, await kit.link('admin'));
    const post = (headers: Record<string, string>) =>
      fetch(`${kit.url}/dashboard/api/logout`, { method: 'POST', headers: { cookie: s.cookie, ...headers } });
    expect((await fetch(`${kit.url}/dashboard/api/logout`, { headers: { cookie: s.cookie } })).status).toBe(405);
    expect((await post({ Origin: 'https://attacker.example' })).status).toBe(403);
    expect((await post({ 'Sec-Fetch-Site': 'cross-site', Origin: kit.url })).status).toBe(403);
    // Neither header: not a browser on our page (every browser sends Origin on a POST).
    expect((await post({})).status).toBe(403);
    // A forwarded host is not believed without TRUST_PROXY.
    expect(
      (
        await post({
          Origin: 'https://attacker.example',
          'X-Forwarded-Host': 'attacker.example',
          'X-Forwarded-Proto': 'https',
        })
      ).status,
    ).toBe(403);
    expect((await get('meta', s.cookie)).status).toBe(200);

    const out = await post({ Origin: kit.url, 'Sec-Fetch-Site': 'same-origin' });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^js_dashboard=; .*Max-Age=0/);
    // The old cookie, kept by someone, opens nothing any more.
    const after = await get('meta', s.cookie);
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ reason: 'revoked' });
  });

  test('a role change ends a session at once', async () => {
    await joinStaff(kit, 'supervisor-2', 'supervisor');
    const s = await login(kit, await kit.link('supervisor-2'));
    expect((await get('meta', s.cookie)).status).toBe(200);
    await joinStaff(kit, 'supervisor-2', 'officer FOOD');
    const refused = await get('meta', s.cookie);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ reason: 'revoked' });
  });

  test('sessions end: after their hours, and at once when the supervisor is removed', async () => {
    const admin = await login(kit, await kit.link('admin'));
    expect((await get('meta', admin.cookie)).status).toBe(200);
    kit.clock.set(new Date(now.getTime() + 12 * HOUR));
    expect(await (await get('meta', admin.cookie)).json()).toMatchObject({ reason: 'expired' });
    kit.clock.set(now);

    const supervisor = await kit.app.models.Staff.findOne({ chatId: 'supervisor-1' }).lean();
    expect((await get('meta')).status).toBe(200);
    await kit.chat.send('admin', `/revoke ${supervisor?._id}`);
    const refused = await get('meta');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ reason: 'revoked' });
  });
});
