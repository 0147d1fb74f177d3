import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client, LocalAuth } from 'whatsapp-web.js';
import { createWhatsAppChannel, type WhatsAppDownReason } from '../../../src/channels/whatsapp/whatsapp-channel';
import {
  CHROMIUM_ARGS,
  clearChromiumLocks,
  createQrPrinter,
  createWhatsAppClient,
  loadQrTerminal,
  whatsAppClientOptions,
} from '../../../src/channels/whatsapp/whatsapp-client';
import type { WhatsAppClientLike } from '../../../src/channels/whatsapp/whatsapp-types';
import { createFixedClock } from '../../../src/clock';
import { createLogger } from '../../../src/logger';
import { captureLogs, FIXED_START } from '../../support/test-app';
import { openTestDb, type TestDb } from '../../support/test-db';
import { eventually } from './whatsapp-test-app';

describe('the real whatsapp-web.js client, constructed as configured (no network)', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-client-'));
  });

  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('the library’s Client fits the channel’s client type', () => {
    // Type-level: this line stops compiling if the library's surface drifts from what the channel uses.
    const client: WhatsAppClientLike = new Client(
      whatsAppClientOptions({ dataDir, chromiumPath: '/usr/bin/chromium' }),
    );
    expect(client).toBeInstanceOf(Client);
  });

  test('the session is kept under DATA_DIR/whatsapp, the system browser runs headless with server switches', () => {
    const client = createWhatsAppClient({ dataDir, chromiumPath: '/usr/bin/chromium' });
    const options = (client as unknown as { options: Record<string, any> }).options;
    expect(options.authStrategy).toBeInstanceOf(LocalAuth);
    expect(options.authStrategy.dataPath).toBe(path.join(dataDir, 'whatsapp'));
    expect(options.puppeteer).toMatchObject({ executablePath: '/usr/bin/chromium', headless: true });
    expect(options.puppeteer.args).toEqual(CHROMIUM_ARGS);
    expect(options.puppeteer.args).toEqual(
      expect.arrayContaining(['--no-sandbox', '--disable-gpu', '--disable-background-networking']),
    );
    expect(options.webVersionCache).toEqual({ type: 'local', path: path.join(dataDir, 'whatsapp', 'web-cache') });
    // QR login unless a pairing number is set (the library's default keeps an empty number).
    expect(options.pairWithPhoneNumber.phoneNumber).toBe('');
  });

  test('a pairing phone number switches to pairing-code login, in the library’s digits-only form', () => {
    const client = createWhatsAppClient({
      dataDir,
      chromiumPath: '/usr/bin/chromium',
      pairingPhone: '+91 98765 43210',
    });
    const options = (client as unknown as { options: Record<string, any> }).options;
    expect(options.pairWithPhoneNumber).toEqual({
      phoneNumber: '919876543210',
      showNotification: true,
      intervalMs: 180000,
    });
  });

  test('a Chromium profile lock left by an unclean exit (naming another host) is removed before the client is made', () => {
    const profile = path.join(dataDir, 'whatsapp', 'session');
    fs.mkdirSync(profile, { recursive: true });
    // SingletonLock is a link to "<host>-<pid>", which does not exist here: a dangling link.
    fs.symlinkSync('old-container-1234', path.join(profile, 'SingletonLock'));
    fs.symlinkSync('/tmp/gone/SingletonSocket', path.join(profile, 'SingletonSocket'));
    fs.writeFileSync(path.join(profile, 'Preferences'), '{}');
    createWhatsAppClient({ dataDir, chromiumPath: '/usr/bin/chromium' });
    expect(fs.readdirSync(profile).sort()).toEqual(['Preferences']);
    expect(clearChromiumLocks(dataDir)).toEqual([]);
  });

  describe('through the channel', () => {
    let db: TestDb;
    beforeEach(async () => {
      db = await openTestDb();
    });
    afterEach(() => db.close());

    test('a browser that cannot be launched is reported and retried; the channel never throws', async () => {
      const logs = captureLogs();
      const logger = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
      const downs: WhatsAppDownReason[] = [];
      let created = 0;
      const channel = await createWhatsAppChannel({
        createClient: () => {
          created += 1;
          return createWhatsAppClient({ dataDir, chromiumPath: path.join(dataDir, 'no-such-chromium') });
        },
        handler: async () => ({ messages: [], duplicate: false, language: 'hi', replyKeys: [] }),
        conn: db.conn,
        clock: createFixedClock(FIXED_START),
        logger,
        reconnect: { initialMs: 5, maxMs: 20 },
        onDown: (reason) => downs.push(reason),
      });
      channel.start();
      await eventually(() => created >= 2);
      expect(downs).toEqual(['start_failed']);
      expect(channel.status()).toBe('down');
      await channel.stop();
      expect(channel.status()).toBe('off');
      // LocalAuth made the session folder under DATA_DIR before the launch failed.
      expect(fs.existsSync(path.join(dataDir, 'whatsapp', 'session'))).toBe(true);
      expect(
        logs.lines().some((l) => l.includes('"event":"whatsapp_down"') && l.includes('"reason":"start_failed"')),
      ).toBe(true);
    });
  });
});

describe('showing the login QR code', () => {
  function sink() {
    let text = '';
    return { stream: new Writable({ write: (c: Buffer, _e, cb) => ((text += c.toString()), cb()) }), text: () => text };
  }

  test('drawn in the terminal when qrcode-terminal is there, with an event logged (without the code)', () => {
    const logs = captureLogs();
    const out = sink();
    const drawn: string[] = [];
    const print = createQrPrinter(
      createLogger({ level: 'info', pretty: false, destination: logs.stream }),
      out.stream,
      {
        generate: (text, opts, cb) => {
          drawn.push(`${text}|${opts.small}`);
          cb('█▀▀▀█ QR █▀▀▀█');
        },
      },
    );
    print('2@qr-string');
    expect(drawn).toEqual(['2@qr-string|true']);
    expect(out.text()).toContain('█▀▀▀█ QR █▀▀▀█');
    const line = logs.lines().find((l) => l.includes('"event":"whatsapp_qr"'));
    expect(line).toContain('"printed":true');
    expect(line).not.toContain('2@qr-string');
  });

  test('never logged, not even when qrcode-terminal is missing: the log says how to log in instead', () => {
    const logs = captureLogs();
    const out = sink();
    createQrPrinter(
      createLogger({ level: 'info', pretty: false, destination: logs.stream }),
      out.stream,
      null,
    )('2@qr-string');
    expect(out.text()).toBe('');
    const line = logs.lines().find((l) => l.includes('"event":"whatsapp_qr"'));
    expect(line).toContain('"printed":false');
    expect(line).toContain('WHATSAPP_PAIRING_PHONE');
    expect(logs.lines().join('\n')).not.toContain('2@qr-string');
  });

  test('looking for qrcode-terminal never throws', () => {
    expect(() => loadQrTerminal()).not.toThrow();
  });
});
