import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { Client, LocalAuth, type ClientOptions } from 'whatsapp-web.js';

/** What the real whatsapp-web.js client is built from (config values). */
export interface WhatsAppClientConfig {
  /** DATA_DIR, absolute: the session lives in `<dataDir>/whatsapp`, so a restart needs no new QR scan. */
  dataDir: string;
  /** CHROMIUM_PATH: the system browser puppeteer drives (none is downloaded). */
  chromiumPath: string;
  /** WHATSAPP_PAIRING_PHONE: log in with a pairing code sent for this number instead of a QR code. */
  pairingPhone?: string;
}

/**
 * Browser switches for a server: no sandbox (containers run as root), no GPU,
 * no shared-memory reliance (/dev/shm is tiny in containers), nothing fetched
 * in the background.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-setuid-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-extensions',
  '--no-first-run',
  '--no-default-browser-check',
  '--mute-audio',
];

/** The folder under DATA_DIR that holds the WhatsApp session and the cached WhatsApp Web page. */
export function whatsAppDataDir(dataDir: string): string {
  return path.join(dataDir, 'whatsapp');
}

/**
 * The options the real client is constructed with: a session kept on disk
 * (LocalAuth), the system Chromium, headless, and a pairing code instead of
 * the QR code when a phone number is configured.
 * @example new Client(whatsAppClientOptions({ dataDir: '/srv/data', chromiumPath: '/usr/bin/chromium' }))
 */
export function whatsAppClientOptions(cfg: WhatsAppClientConfig): ClientOptions {
  const dir = whatsAppDataDir(cfg.dataDir);
  const phone = cfg.pairingPhone?.replace(/\D/g, '');
  return {
    authStrategy: new LocalAuth({ dataPath: dir }),
    puppeteer: { executablePath: cfg.chromiumPath, headless: true, args: [...CHROMIUM_ARGS] },
    // The library's default cache folder is relative to the working directory.
    webVersionCache: { type: 'local', path: path.join(dir, 'web-cache') },
    ...(phone ? { pairWithPhoneNumber: { phoneNumber: phone, showNotification: true } } : {}),
  };
}

/** Chromium's profile lock files: `SingletonLock` is a link naming the host and process that hold the profile. */
const CHROMIUM_LOCKS = ['SingletonLock', 'SingletonSocket', 'SingletonCookie'];

/**
 * Remove Chromium's profile lock from the WhatsApp session folder. After an
 * unclean exit (a killed container) the lock still names the old host and
 * process, and every later launch refuses the profile. Only this process
 * uses the folder (one browser per number), so a lock found before launch is
 * stale. Returns the files removed.
 */
export function clearChromiumLocks(dataDir: string): string[] {
  const profile = path.join(whatsAppDataDir(dataDir), 'session');
  const removed: string[] = [];
  for (const name of CHROMIUM_LOCKS) {
    const file = path.join(profile, name);
    try {
      // lstat, not exists: the lock is a symbolic link to nowhere.
      fs.lstatSync(file);
    } catch {
      continue;
    }
    fs.rmSync(file, { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * A new real whatsapp-web.js client; nothing starts until `initialize()`.
 * The channel calls this again for every reconnect (a destroyed client
 * cannot be started again), after our own browser is gone, so a profile
 * lock left in the session folder is stale and removed first.
 */
export function createWhatsAppClient(cfg: WhatsAppClientConfig): Client {
  clearChromiumLocks(cfg.dataDir);
  return new Client(whatsAppClientOptions(cfg));
}

/** The parts of the optional `qrcode-terminal` package used here. */
interface QrTerminal {
  generate(text: string, opts: { small: boolean }, cb: (drawn: string) => void): void;
}

/** `qrcode-terminal` when installed; it is optional (whatsapp-web.js does not depend on it). */
export function loadQrTerminal(): QrTerminal | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('qrcode-terminal') as QrTerminal | { default?: QrTerminal };
    const qr = 'generate' in mod ? mod : mod.default;
    return qr && typeof qr.generate === 'function' ? qr : null;
  } catch {
    return null;
  }
}

/**
 * What to do with each login QR code: draw it in the terminal for the
 * operator to scan when `qrcode-terminal` is installed; otherwise say how to
 * log in (install it, or WHATSAPP_PAIRING_PHONE). The QR string itself is
 * never logged: whoever has it can link their phone as the bot. Either way
 * an event is logged.
 * @example channel deps: { onQr: createQrPrinter(logger) }
 */
export function createQrPrinter(
  logger: Logger,
  out: NodeJS.WritableStream = process.stdout,
  qrTerminal: QrTerminal | null = loadQrTerminal(),
  /** The line above the code, from locales (how to scan it). */
  heading = '',
): (qr: string) => void {
  return (qr) => {
    if (qrTerminal) {
      qrTerminal.generate(qr, { small: true }, (drawn) => {
        out.write(`\n${heading}\n${drawn}\n`);
      });
      logger.warn(
        { event: 'whatsapp_qr', printed: true },
        'WhatsApp needs a QR scan: the code is printed in the terminal',
      );
      return;
    }
    // The raw QR string logs in whoever scans it: it never goes to the log, which may be shipped elsewhere.
    logger.warn(
      { event: 'whatsapp_qr', printed: false },
      'WhatsApp needs a QR scan but qrcode-terminal is not installed: install it (npm install qrcode-terminal) or set WHATSAPP_PAIRING_PHONE to log in by pairing code',
    );
  };
}
