import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { dayStart } from '../../src/dashboard/dashboard-periods';
import { periodRange } from '../../src/reports/report-periods';

/** The reporting module's week (the last seven district days), as the dashboard counts it. */
const weekStart = (at: Date) => periodRange('week', at, 'Asia/Kolkata').start;
import { findCategory } from '../../src/domain/catalog';
import { FIXED_START, REPO_ROOT } from '../support/test-app';
import { browserDescribe, launchChromium } from '../support/chromium';
import { fileComplaint, joinStaff, startDashboardKit, type DashboardKit } from './dashboard-kit';

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');

const describeInBrowser = browserDescribe('dashboard');

jest.setTimeout(180_000);

const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

describeInBrowser('the dashboard in headless Chromium', () => {
  let kit: DashboardKit;
  let browser: Browser;
  const problems: string[] = [];
  const hi = (key: string, params?: Record<string, unknown>) => kit.translator.t('hi', key, params);
  const en = (key: string, params?: Record<string, unknown>) => kit.translator.t('en', key, params);

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    kit = await startDashboardKit();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await kit?.close();
  });

  afterEach(() => {
    // Script errors and refused resources (CSP violations) show up here.
    expect(problems.splice(0)).toEqual([]);
  });

  async function newPage(options: BrowserContextOptions = PHONE): Promise<Page> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      // The refusal's own 401s are expected answers, not problems.
      if (msg.type() === 'error' && !/status of 401/.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    return page;
  }

  async function fitsWidth(page: Page): Promise<boolean> {
    return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  }

  async function text(page: Page, selector: string): Promise<string> {
    return ((await page.locator(selector).first().textContent()) ?? '').trim();
  }

  it('opens through a login link: the ticket is counted and charted, its history opens, the language switches, and it updates itself', async () => {
    // One complaint from Monday, long past its deadlines, and one from now (Saturday 10:00).
    kit.clock.set(new Date(FIXED_START.getTime() - 5 * 86_400_000));
    const old = await fileComplaint(kit, 'citizen-3', {
      category: 'stranded',
      description: 'मेरा बेटा इंदौर में फँसा है, घर नहीं आ पा रहा',
    });
    kit.clock.set(FIXED_START);
    const ref = await fileComplaint(kit, 'citizen-1', {
      category: 'ration',
      description: 'दो महीने से राशन की दुकान से गेहूँ नहीं मिला',
    });
    const link = await kit.link('admin');

    const page = await newPage();
    await page.goto(link);
    await page.waitForSelector('body[data-ready="true"]');
    // The token is gone from the address bar once used.
    expect(page.url()).not.toContain('token=');
    expect(await text(page, 'h1')).toBe(hi('dashboard.title'));
    const today = await kit.app.models.Ticket.countDocuments({ createdAt: { $gte: dayStart(FIXED_START) } });
    const week = await kit.app.models.Ticket.countDocuments({ createdAt: { $gte: weekStart(FIXED_START) } });
    expect(await text(page, '#kpi-today')).toBe(String(today));
    expect(await text(page, '#kpi-week')).toBe(String(week));
    expect(await text(page, '.chart-card[data-dim="category"] .counts li[data-key="ration"]')).toBe(
      `${hi('category.ration')}: 1`,
    );
    expect(await page.locator('.chart-card[data-dim="category"] .counts li[data-key="stranded"]').count()).toBe(0);
    // The old one is past its deadline, with its age and level.
    const dept = await kit.app.models.Department.findOne({
      code: findCategory(kit.catalog, 'stranded')?.department,
    }).lean();
    const late = await page.locator(`#overdue-table tr[data-ref="${old}"] td`).allTextContents();
    expect(late).toEqual([
      old,
      hi('category.stranded'),
      dept?.name.hi,
      hi('dashboard.level', { level: 1 }),
      hi('dashboard.duration.days', {
        days: hi('dashboard.duration.day', { count: 5 }),
        hours: hi('dashboard.duration.hour', { count: 0 }),
      }),
      expect.stringContaining(hi('dashboard.late.resolve')),
    ]);
    expect(await text(page, '#kpi-overdue')).toBe('1');
    // Chart.js drew every chart on a canvas of its own.
    const charts = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.chart-card canvas'), (c) => {
        const chart = (window as unknown as { Chart: { getChart(c: Element): unknown } }).Chart.getChart(c);
        return !!chart && (c as HTMLCanvasElement).width > 0;
      }),
    );
    expect(charts).toEqual([true, true, true, true]);
    expect(await page.locator(`#latest-table tr[data-ref="${ref}"]`).count()).toBe(1);
    expect(await fitsWidth(page)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-phone-hi.png'), fullPage: true });

    // A ticket's history on a tap.
    await page.locator(`#latest-table button.ref[data-ref="${ref}"]`).click();
    await page.waitForSelector(`#ticket[data-loaded="${ref}"]`);
    expect(await text(page, '#ticket-title')).toBe(ref);
    const steps = await page.locator('#ticket-history li').allTextContents();
    expect(steps[0]).toContain(hi('dashboard.history.action.created'));
    expect(steps[0]).toContain(hi('dashboard.history.by_citizen'));
    expect(await page.locator('#ticket-history li[data-action="assign"]').count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-ticket-hi.png') });
    await page.locator('#ticket-close').click();

    // "Last 7 days" counts Monday's complaint too.
    await page.locator('.period[data-period="week"]').click();
    expect(await text(page, '.chart-card[data-dim="category"] .counts li[data-key="stranded"]')).toBe(
      `${hi('category.stranded')}: 1`,
    );
    await page.locator(`#overdue-table button.ref[data-ref="${old}"]`).click();
    await page.waitForSelector(`#ticket[data-loaded="${old}"]`);
    expect(await text(page, '#ticket-note')).toBe(hi('dashboard.late.resolve'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-overdue-ticket-hi.png') });
    await page.locator('#ticket-close').click();

    // English: the page's words, the charts' labels and the history.
    await page.locator('.lang[data-lang="en"]').click();
    await page.waitForFunction((title) => document.querySelector('h1')?.textContent === title, en('dashboard.title'));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await text(page, '.chart-card[data-dim="category"] .counts li[data-key="ration"]')).toBe(
      `${en('category.ration')}: 1`,
    );
    expect(await text(page, '#latest-table th')).toBe(en('dashboard.col.ref'));

    // It updates itself: a complaint filed now appears without a reload.
    const before = Number(await text(page, '#kpi-today'));
    const second = await fileComplaint(kit, 'citizen-2', {
      category: 'travel',
      description: 'दूसरे ज़िले में जाने का पास चाहिए',
    });
    await page.waitForFunction((n) => document.getElementById('kpi-today')?.textContent === String(n), before + 1);
    await page.waitForSelector(`#latest-table tr[data-ref="${second}"]`);
    expect(await text(page, '.chart-card[data-dim="category"] .counts li[data-key="travel"]')).toBe(
      `${en('category.travel')}: 1`,
    );

    // A department filter narrows the lists; the export link carries it.
    await page.locator('#f-dept').selectOption('FOOD');
    await page.locator('#filters button[type="submit"]').click();
    await page.waitForFunction((r) => !document.querySelector(`#latest-table tr[data-ref="${r}"]`), second);
    expect(await page.locator(`#latest-table tr[data-ref="${ref}"]`).count()).toBe(1);
    expect(await page.locator('#export').getAttribute('href')).toBe('api/export.csv?dept=FOOD&lang=en');
    expect(page.url()).toContain('dept=FOOD');

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator('#f-clear').click();
    await page.waitForSelector(`#latest-table tr[data-ref="${second}"]`);
    expect(await fitsWidth(page)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-desktop-en.png'), fullPage: true });
    await page.context().close();
  });

  it('a supervisor invited by chat gets a link too; the page speaks the language of their chat', async () => {
    await joinStaff(kit, 'supervisor-1', 'supervisor');
    await kit.chat.send('supervisor-1', '/language en');
    const page = await newPage();
    await page.goto(await kit.link('supervisor-1'));
    await page.waitForSelector('body[data-ready="true"]');
    expect(await text(page, 'h1')).toBe(en('dashboard.title'));
    expect(await text(page, '#viewer')).toBe(
      en('dashboard.signed_in_as', { name: 'supervisor-1', role: en('staff.role.supervisor') }),
    );
    // Signing out leaves the refusal; the cookie no longer opens anything, not even a copy kept elsewhere.
    const kept = (await page.context().cookies()).find((c) => c.name === 'js_dashboard');
    expect(kept).toBeDefined();
    await page.locator('#sign-out').click();
    await page.waitForSelector('body[data-ready="refused"]');
    const replay = await fetch(`${kit.url}/dashboard/api/meta`, {
      headers: { cookie: `js_dashboard=${kept?.value ?? ''}` },
    });
    expect(replay.status).toBe(401);
    expect(await text(page, '#refused-reason')).toBe(en('dashboard.refused.reason.signed_out'));
    await page.reload();
    await page.waitForSelector('body[data-ready="refused"]');
    await page.context().close();
  });

  it('refuses without a valid link: no link, a used link, a made-up link', async () => {
    const page = await newPage();
    await page.goto(`${kit.url}/dashboard/`);
    await page.waitForSelector('body[data-ready="refused"]');
    expect(await page.locator('#board').isVisible()).toBe(false);
    expect(await text(page, '#refused h2')).toBe(hi('dashboard.refused.title'));
    expect(await text(page, '#refused-reason')).toBe(hi('dashboard.refused.reason.missing'));
    expect(await fitsWidth(page)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-refused-hi.png') });

    // A link opened once (here by another browser) does not open again.
    const link = await kit.link('admin');
    const first = await newPage();
    await first.goto(link);
    await first.waitForSelector('body[data-ready="true"]');
    await first.context().close();
    await page.goto(link);
    await page.waitForSelector('body[data-ready="refused"]');
    expect(await text(page, '#refused-reason')).toBe(hi('dashboard.refused.reason.used'));

    await page.goto(`${kit.url}/dashboard/login?token=not-a-real-token`);
    await page.waitForSelector('body[data-ready="refused"]');
    expect(await text(page, '#refused-reason')).toBe(hi('dashboard.refused.reason.invalid'));
    await page.locator('.lang[data-lang="en"]').click();
    await page.waitForFunction(
      (t) => document.getElementById('refused-reason')?.textContent === t,
      en('dashboard.refused.reason.invalid'),
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-refused-en.png') });
    await page.context().close();
  });
});
