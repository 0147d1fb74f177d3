import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { REPO_ROOT } from '../support/test-app';
import { browserDescribe, launchChromium } from '../support/chromium';
import { makePng, startSimTestServer, type SimTestServer } from './sim-test-server';

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const REF_RE = /[A-Z]{2,6}-\d{6}/;

const describeInBrowser = browserDescribe('simulator');

jest.setTimeout(180_000);

const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };

describeInBrowser('the simulator in headless Chromium', () => {
  let s: SimTestServer;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    s = await startSimTestServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  afterEach(() => {
    // Script errors and refused resources (CSP) show up here.
    expect(problems.splice(0)).toEqual([]);
  });

  async function open(options: BrowserContextOptions, query: string): Promise<Page> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    await page.goto(`${s.url}/sim/?${query}`);
    await page.waitForSelector('body[data-ready="true"]');
    return page;
  }

  const hi = (key: string, params?: Record<string, unknown>) => s.translator.t('hi', key, params);
  const en = (key: string, params?: Record<string, unknown>) => s.translator.t('en', key, params);

  /** Press the newest button with this label in a pane, as a person would. */
  async function press(page: Page, pane: string, label: string): Promise<void> {
    await page.locator(`${pane} .choice`, { hasText: label }).last().click();
  }

  async function type(page: Page, pane: string, text: string): Promise<void> {
    await page.locator(`${pane} .text-input`).fill(text);
    await page.locator(`${pane} .text-input`).press('Enter');
  }

  /** Wait until one of the pane's three newest bot messages contains `text`; returns that message. */
  async function botSays(page: Page, pane: string, text: string | RegExp): Promise<string> {
    const source = typeof text === 'string' ? { s: text } : { r: text.source };
    const handle = await page.waitForFunction(
      ([sel, src]) => {
        const texts = Array.from(document.querySelectorAll(`${sel} .msg.bot .text`), (e) => e.textContent ?? '').slice(
          -3,
        );
        const hit = texts.find((t) => (src.s !== undefined ? t.includes(src.s) : new RegExp(src.r ?? '').test(t)));
        return hit ?? false;
      },
      [pane, source] as const,
    );
    return (await handle.jsonValue()) as string;
  }

  async function fitsWidth(page: Page): Promise<boolean> {
    return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  }

  it('files a complaint in Hindi with buttons, typing, a photo and a shared number; staff see their message', async () => {
    const page = await open(DESKTOP, 'lang=hi&citizen=citizen-1&staff=officer-1');
    const citizen = '#pane-citizen';
    expect(await page.locator('h1').textContent()).toBe(hi('web.title'));
    expect(await page.title()).toBe(hi('web.title'));

    await page.locator(`${citizen} .start`).click();
    await botSays(page, citizen, hi('intake.category.prompt'));
    await press(page, citizen, hi('category.ration'));
    await botSays(page, citizen, hi('intake.block.prompt'));
    await press(page, citizen, hi('block.jobat'));
    await botSays(page, citizen, hi('intake.locality.prompt'));
    await type(page, citizen, 'वार्ड 5, बस स्टैंड के पास');
    await botSays(page, citizen, hi('intake.description.prompt', { min: 10 }));

    await page
      .locator(`${citizen} .photo-input`)
      .setInputFiles({ name: 'ration-shop.png', mimeType: 'image/png', buffer: makePng(160, 120) });
    await botSays(page, citizen, hi('intake.description.photo_saved'));
    await page.waitForFunction((sel) => {
      const img = document.querySelector<HTMLImageElement>(`${sel} img.photo`);
      return !!img && img.complete && img.naturalWidth === 160;
    }, citizen);

    await type(page, citizen, 'दो महीने से राशन की दुकान से गेहूँ और चावल नहीं मिला है।');
    await botSays(page, citizen, hi('intake.phone.prompt'));
    await page.locator(`${citizen} .choice.contact`).last().click();
    await press(page, citizen, hi('intake.summary.submit'));
    const confirmation = await botSays(page, citizen, REF_RE);
    const ref = REF_RE.exec(confirmation)?.[0] ?? '';

    const ticket = await s.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket).toMatchObject({ channel: 'web', chatId: 'citizen-1', category: 'ration', block: 'jobat' });
    expect(ticket?.attachments).toHaveLength(1);
    expect(ticket?.phone).toMatch(/^\+91\d{10}$/);

    // A notification for an officer, delivered the way the outbox will: through the web sender.
    await s.web.sender.send('officer-1', {
      text: `नई शिकायत ${ref}: राशन, जोबट`,
      buttons: [{ label: '👀 देख ली', data: `staff|ack:${ref}` }],
    });
    await botSays(page, '#pane-staff', ref);
    // …and the citizen's photo, forwarded by its file id.
    const photoId = ticket?.attachments[0]?.fileId ?? '';
    await s.web.sender.send('officer-1', { text: ref, media: { kind: 'photo', fileId: photoId } } as never);
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('#pane-staff .msg.bot img.photo');
      return !!img && img.complete && img.naturalWidth === 160;
    });
    // The staff pane is a chat of its own: a typed command gets the bot's answer there.
    const before = await page.locator('#pane-staff .msg.bot').count();
    await type(page, '#pane-staff', '/help');
    await page.waitForFunction(() => document.querySelectorAll('#pane-staff .msg.me').length === 1);
    await page.waitForFunction((n) => document.querySelectorAll('#pane-staff .msg.bot').length > n, before);

    expect(await fitsWidth(page)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'simulator-desktop-hi.png') });

    // A reload shows the same history from the database.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await botSays(page, citizen, REF_RE);
    expect(await page.locator(`${citizen} .msg`).count()).toBeGreaterThan(15);
    await page.context().close();
  });

  it('works in English on a phone: place picker, tabs, and switching the page to Hindi', async () => {
    const page = await open(PHONE, 'lang=en&citizen=citizen-2&staff=supervisor-1');
    const citizen = '#pane-citizen';
    expect(await page.locator('h1').textContent()).toBe(en('web.title'));
    expect(await page.locator('#pane-staff').isVisible()).toBe(false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'simulator-phone-en-empty.png') });

    await page.locator(`${citizen} .start`).click();
    await botSays(page, citizen, en('intake.category.prompt'));
    await press(page, citizen, en('category.health'));
    // Health offers a live counsellor first; this citizen files a complaint instead.
    await botSays(page, citizen, en('intake.counsellor.offer'));
    await press(page, citizen, en('intake.counsellor.complaint'));
    await botSays(page, citizen, en('intake.block.prompt'));
    await page.locator(`${citizen} .location-toggle`).click();
    await page.locator(`${citizen} .place`, { hasText: en('web.place.jobat') }).click();
    await botSays(page, citizen, en('intake.description.prompt', { min: 10 }));
    const sentPin = page.locator(`${citizen} .msg.me .text`).last();
    expect(await sentPin.textContent()).toContain(en('web.place.jobat'));
    await type(page, citizen, 'Fever and cough for three days in our village, no doctor visited.');
    await botSays(page, citizen, en('intake.phone.prompt'));
    await press(page, citizen, en('intake.phone.skip'));
    await press(page, citizen, en('intake.summary.submit'));
    const ref = REF_RE.exec(await botSays(page, citizen, REF_RE))?.[0] ?? '';
    const ticket = await s.app.models.Ticket.findOne({ ref }).lean();
    const jobat = s.places.find((p) => p.id === 'jobat');
    expect(ticket?.location).toEqual({ lat: jobat?.lat, lon: jobat?.lon });
    expect(ticket?.language).toBe('en');
    expect(await fitsWidth(page)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'simulator-phone-en-citizen.png') });

    // A message for staff while the citizen tab is shown marks the staff tab.
    await s.web.sender.send('supervisor-1', { text: `Escalation: ${ref} is overdue` });
    const dot = page.locator('.tab[data-pane="staff"] .dot');
    await dot.waitFor({ state: 'visible' });
    await page.locator('.tab[data-pane="staff"]').click();
    await botSays(page, '#pane-staff', ref);
    expect(await page.locator(citizen).isVisible()).toBe(false);
    expect(await dot.isVisible()).toBe(false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'simulator-phone-en-staff.png') });

    // Switching the page to Hindi switches the words and the citizen's conversation.
    await page.locator('.tab[data-pane="citizen"]').click();
    await page.locator('.lang[data-lang="hi"]').click();
    await page.waitForFunction((title) => document.querySelector('h1')?.textContent === title, hi('web.title'));
    await botSays(page, citizen, hi('language.changed'));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('hi');
    expect(await fitsWidth(page)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'simulator-phone-hi-citizen.png') });
    await page.context().close();
  });
});

describeInBrowser('the simulator behind a login, in headless Chromium', () => {
  it('says how to get in without a session; a login link opens it, leaves the address bar clean, and works once', async () => {
    const s = await startSimTestServer({
      config: { host: '127.0.0.1', port: 0, simulator: 'login', simulatorPublic: true },
    });
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext(PHONE)).newPage();
      await page.goto(`${s.url}/sim/`);
      await page.waitForSelector('body[data-ready="login"]');
      expect((await page.locator('.login-needed').textContent())?.trim()).toBe(
        s.translator.t('hi', 'web.login_needed'),
      );

      const { token } = (await s.auth?.issue('test', 'visitor')) ?? { token: '' };
      await page.goto(`${s.url}/sim/login?token=${token}`);
      await page.waitForSelector('body[data-ready="true"]');
      expect(new URL(page.url()).pathname).toBe('/sim/');
      expect(page.url()).not.toContain(token);

      // The same link in another browser finds it used.
      const other = await (await browser.newContext(PHONE)).newPage();
      await other.goto(`${s.url}/sim/login?token=${token}`);
      await other.waitForSelector('body[data-ready="login"]');
    } finally {
      await browser.close();
      await s.close();
    }
  });
});
