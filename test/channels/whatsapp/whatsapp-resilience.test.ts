import type { Logger } from 'pino';
import { createWhatsAppAlerts } from '../../../src/channels/whatsapp/whatsapp-alerts';
import { createFakeTelegramApi, type FakeTelegramApi, type RecordedCall } from '../../support/fake-telegram-api';
import { createFakeWhatsAppFactory, type FakeWhatsAppClient } from '../../support/fake-whatsapp-client';
import { command } from '../../support/telegram-updates';
import type { TestApp } from '../../support/test-app';
import { attachWhatsApp, createWhatsAppTestApp, eventually, type AttachedWhatsApp } from './whatsapp-test-app';

const TOKEN = '123456789:WA-RES-token-abcdefghijklmnopqrstuvwxyz';
const ADMIN = 9001;
const TG_CITIZEN = 424242;
const WA_CITIZEN = '919876543210@c.us';

function textOf(call: RecordedCall | undefined): string {
  return String(call?.params.text ?? '');
}

describe('WhatsApp going down never stops the rest', () => {
  let api: FakeTelegramApi;
  let t: TestApp & { logger: Logger };
  let wa: AttachedWhatsApp | undefined;
  const hi = (key: string, params?: Record<string, unknown>) => t.translator.t('hi', key, params);

  beforeEach(async () => {
    api = createFakeTelegramApi({ token: TOKEN });
    const { apiRoot } = await api.start();
    t = await createWhatsAppTestApp({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      ADMIN_TELEGRAM_IDS: String(ADMIN),
    });
    await t.app.start();
  });

  afterEach(async () => {
    await wa?.channel.stop();
    wa = undefined;
    await t.close();
    await api.stop();
  });

  /** Administrators are told on Telegram, through the outbox. */
  function alertDeps() {
    const alerts = createWhatsAppAlerts({
      notifier: t.app.outbox,
      translator: t.translator,
      logger: t.logger,
      recipients: () => [
        { channel: 'telegram', chatId: String(ADMIN) },
        { channel: 'whatsapp', chatId: '919800000000@c.us' },
      ],
    });
    return { onDown: alerts.onDown, onUp: alerts.onUp, onPairingCode: alerts.onPairingCode };
  }

  const adminGot = (text: string) => api.waitFor(() => api.sent(ADMIN).find((c) => textOf(c) === text), 10_000);

  test('a browser that does not start is retried with back-off; Telegram answers meanwhile; waiting messages go out once it is up', async () => {
    const factory = createFakeWhatsAppFactory('manual');
    factory.behaviours.push('fail');
    wa = await attachWhatsApp(t, { wait: false, factory, deps: alertDeps() });
    await adminGot(hi('whatsapp.alert.start_failed'));
    const second = await factory.waitForClient(2);
    expect(wa.channel.status()).toBe('down');
    expect(factory.clients[0]?.initialized).toBe(false);

    // Telegram carries on.
    await api.exchange(command(TG_CITIZEN, '/start'), TG_CITIZEN, 1);

    // A notification for a WhatsApp citizen waits instead of failing.
    await t.app.outbox.enqueue([
      { channel: 'whatsapp', chatId: WA_CITIZEN, message: { text: 'आपकी शिकायत पर काम शुरू हुआ' } },
    ]);
    await eventually(() =>
      t.logs().some((l) => l.includes('"event":"outbox_retry"') && l.includes('"code":"whatsapp_down"')),
    );
    expect(second.sent(WA_CITIZEN)).toHaveLength(0);

    second.ready();
    const [delivered] = await second.waitForSent(WA_CITIZEN, 1);
    expect(delivered?.body).toBe('आपकी शिकायत पर काम शुरू हुआ');
    await adminGot(hi('whatsapp.alert.up'));
    expect(await t.app.outbox.failedRecent()).toHaveLength(0);
    // The WhatsApp administrator is not told on WhatsApp that WhatsApp is down.
    expect(second.sent('919800000000@c.us').map((m) => m.body)).not.toContain(hi('whatsapp.alert.start_failed'));
  });

  test('a dropped connection: down, administrators told, reconnect with a new client, nothing lost', async () => {
    const factory = createFakeWhatsAppFactory('manual');
    factory.behaviours.push('ready');
    wa = await attachWhatsApp(t, { factory, deps: alertDeps() });
    const first = factory.clients[0];
    first?.disconnect('NAVIGATION');
    expect(wa.channel.status()).toBe('down');
    await adminGot(hi('whatsapp.alert.disconnected'));
    await eventually(() => first?.destroyed === true);

    await t.app.outbox.enqueue([{ channel: 'whatsapp', chatId: WA_CITIZEN, message: { text: 'अधिकारी ने जवाब दिया' } }]);
    await eventually(() =>
      t.logs().some((l) => l.includes('"event":"outbox_retry"') && l.includes('"code":"whatsapp_down"')),
    );
    const second = await factory.waitForClient(2);
    // Events from the old client no longer count.
    first?.emit('ready');
    expect(wa.channel.status()).toBe('down');
    second.ready();
    expect(wa.channel.status()).toBe('up');
    await second.waitForSent(WA_CITIZEN, 1);
    expect(first?.sent(WA_CITIZEN)).toHaveLength(0);

    // The reconnected client serves citizens.
    second.receive({ from: WA_CITIZEN, body: '/start' });
    await second.waitForSent(WA_CITIZEN, 3);
  });

  test('logged out on the phone: the library shows a new QR code on the same page; administrators are told; up again after the scan', async () => {
    const qrs: string[] = [];
    const factory = createFakeWhatsAppFactory('ready');
    wa = await attachWhatsApp(t, { factory, deps: { ...alertDeps(), onQr: (qr) => qrs.push(qr) } });
    const client = factory.clients[0] as FakeWhatsAppClient;
    // The library goes on after the LOGOUT event (deletes the session, re-injects): the browser must stay open under it.
    client.logout();
    await adminGot(hi('whatsapp.alert.logged_out'));
    await eventually(() => qrs.length > 0);
    await adminGot(hi('whatsapp.alert.login_required'));
    expect(wa.channel.status()).toBe('down');
    expect(client.destroyed).toBe(false);
    expect(client.strays).toEqual([]);
    // The QR code refreshes; administrators are told once.
    client.showQr('2@another');
    client.ready();
    expect(wa.channel.status()).toBe('up');
    await adminGot(hi('whatsapp.alert.up'));
    expect(api.sent(ADMIN).filter((c) => textOf(c) === hi('whatsapp.alert.login_required'))).toHaveLength(1);
    expect(qrs).toEqual(['2@fakeQrString,abc=,def=,ghi=', '2@another']);
    expect(factory.clients).toHaveLength(1);
  });

  test('a pairing code is passed on to administrators', async () => {
    const factory = createFakeWhatsAppFactory('manual');
    wa = await attachWhatsApp(t, { wait: false, factory, deps: alertDeps() });
    const client = await factory.waitForClient(1);
    client.emit('code', 'ABCD1234');
    await adminGot(hi('whatsapp.alert.pairing_code', { code: 'ABCD1234' }));
  });

  test('a connection that stops answering is noticed by the state check and replaced', async () => {
    const factory = createFakeWhatsAppFactory('ready');
    wa = await attachWhatsApp(t, { factory, deps: { watchdogMs: 10 } });
    const first = factory.clients[0];
    if (first) first.state = 'UNPAIRED';
    const second = await factory.waitForClient(2);
    await eventually(() => wa?.channel.status() === 'up');
    expect(wa.downs).toEqual(['disconnected']);
    expect(first?.destroyed).toBe(true);
    expect(second.initialized).toBe(true);
  });

  test('stop closes the browser and reports off', async () => {
    wa = await attachWhatsApp(t);
    const client = wa.client();
    await wa.channel.stop();
    expect(wa.channel.status()).toBe('off');
    expect(client.destroyed).toBe(true);
    // A late event from the closed client changes nothing.
    client.emit('ready');
    expect(wa.channel.status()).toBe('off');
  });
});
