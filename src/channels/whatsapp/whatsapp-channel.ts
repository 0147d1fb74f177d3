import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { safeError } from '../../logger';
import type { Clock } from '../../clock';
import type { InboundHandler } from '../../conversation/inbound-handler';
import type { ChannelHealth } from '../../http/health';
import type { Notifier } from '../../notify/notifier';
import type { ChannelSender } from '../../outbox/channel-sender';
import { createWhatsAppFileStore } from './whatsapp-file-store';
import { menuNumberOf, phoneOfWhatsAppId, whatsappChatOf, whatsappToInbound, type WhatsAppMenuOption } from './whatsapp-inbound';
import { createWhatsAppMenuStore } from './whatsapp-menu-store';
import { createWhatsAppSender } from './whatsapp-sender';
import type { WhatsAppClientLike, WhatsAppMessageLike } from './whatsapp-types';

/** Why WhatsApp is down, as administrators are told. */
export type WhatsAppDownReason =
  /** The browser or WhatsApp Web could not be started. */
  | 'start_failed'
  /** The saved session was refused. */
  | 'auth_failure'
  /** The connection dropped (or stopped answering). */
  | 'disconnected'
  /** The phone logged this device out: a new QR scan is needed. */
  | 'logged_out'
  /** WhatsApp shows a login QR code (or pairing code): someone must link the phone. */
  | 'login_required';

/** What {@link createWhatsAppChannel} needs. */
export interface WhatsAppChannelDeps {
  /** A new client each time (a destroyed one cannot start again): `() => createWhatsAppClient(cfg)`, or a stand-in. */
  createClient: () => WhatsAppClientLike;
  handler: InboundHandler;
  /** The outbox: replies go out through it too, paced like every WhatsApp message and kept while WhatsApp is down. */
  notifier: Notifier;
  conn: Connection;
  clock: Clock;
  logger: Logger;
  /** Show a login QR code (e.g. `createQrPrinter(logger)`); by default only an event is logged. */
  onQr?: (qr: string) => void;
  /** A pairing code arrived (WHATSAPP_PAIRING_PHONE set): show it to whoever holds the phone. */
  onPairingCode?: (code: string) => unknown;
  /** WhatsApp went down, once per reason until it is up again (e.g. alert administrators). */
  onDown?: (reason: WhatsAppDownReason) => unknown;
  /** WhatsApp is up again after an `onDown`. */
  onUp?: () => unknown;
  /** Link a WhatsApp chat's phone number to the citizen behind it (see src/citizens/); once per chat and process. */
  linkCitizen?: (chatId: string, phone: string) => Promise<unknown>;
  /** Waits between reconnect attempts: doubling from `initialMs` (5 s) up to `maxMs` (5 min), with jitter. */
  reconnect?: { initialMs?: number; maxMs?: number; random?: () => number };
  /** How often a connected client is asked for its state (60 s); two bad answers in a row count as a disconnect. 0 turns it off. */
  watchdogMs?: number;
  /** How long outbox messages wait while WhatsApp is down before the next try (15 s); such waits use up no attempts. */
  downRetryMs?: number;
}

/** The WhatsApp channel: one browser session for one phone number. */
export interface WhatsAppChannel {
  readonly channel: 'whatsapp';
  /** Register on the outbox: `outbox.registerSender(channel.sender)`. Messages wait while WhatsApp is down. */
  readonly sender: ChannelSender;
  /** `up` when connected, `down` while starting, logged out or reconnecting, `off` before start and after stop (for /healthz). */
  status(): ChannelHealth;
  /** Start connecting in the background; never throws, failures are retried with back-off. */
  start(): void;
  /** Stop reconnecting, let messages being handled finish, close the browser. */
  stop(): Promise<void>;
  /** Delete remembered menus and stored media older than their dates (for the scheduled clean-up job). */
  purgeOlderThan(before: { menus: Date; files: Date }): Promise<{ menus: number; files: number }>;
}

/** States a connected WhatsApp Web reports while it is fine. */
const HEALTHY_STATES = new Set(['CONNECTED', 'OPENING', 'PAIRING', 'TIMEOUT']);
const WATCHDOG_MISSES = 2;

/**
 * Build the WhatsApp channel over whatsapp-web.js (or anything shaped like
 * its Client). Incoming private messages go to the shared handler one at a
 * time per chat; replies are enqueued on the outbox; groups, status updates
 * and our own messages are ignored. A failure to start, a logout or a
 * dropped connection never throws out of here: the channel reports `down`,
 * calls `onDown`, and tries again with growing waits, so the rest of the
 * application (Telegram) carries on.
 * @example
 * const wa = await createWhatsAppChannel({ createClient: () => createWhatsAppClient(cfg), handler, notifier: outbox, conn, clock, logger, onQr: createQrPrinter(logger) });
 * outbox.registerSender(wa.sender);
 * wa.start();
 */
export async function createWhatsAppChannel(deps: WhatsAppChannelDeps): Promise<WhatsAppChannel> {
  const [menus, files] = await Promise.all([createWhatsAppMenuStore(deps.conn), createWhatsAppFileStore(deps.conn)]);
  const log = deps.logger;
  const initialMs = deps.reconnect?.initialMs ?? 5_000;
  const maxMs = deps.reconnect?.maxMs ?? 5 * 60_000;
  const random = deps.reconnect?.random ?? Math.random;
  const watchdogMs = deps.watchdogMs ?? 60_000;

  let running = false;
  let health: ChannelHealth = 'off';
  let current: WhatsAppClientLike | undefined;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let watchdogMisses = 0;
  /** Reasons already reported in this down period; cleared when up again. */
  const reported = new Set<WhatsAppDownReason>();
  const tails = new Map<string, Promise<void>>();
  const linked = new Set<string>();
  /** Phone numbers behind linked ids (`@lid`), looked up once per process; null when unknown. */
  const lidPhones = new Map<string, string | null>();

  const sender = createWhatsAppSender({
    client: () => (health === 'up' ? current : undefined),
    menus,
    files,
    clock: deps.clock,
    logger: log,
    ...(deps.downRetryMs !== undefined ? { downRetryMs: deps.downRetryMs } : {}),
  });

  /** Run a callback given by the host without letting it break the channel. */
  function notify(what: string, fn: (() => unknown) | undefined): void {
    if (!fn) return;
    void Promise.resolve()
      .then(fn)
      .catch((err: unknown) => log.error({ event: 'whatsapp_callback_failed', what, error: safeError(err) }, 'WhatsApp status callback failed'));
  }

  function reportDown(reason: WhatsAppDownReason): void {
    if (reported.has(reason)) return;
    reported.add(reason);
    notify('onDown', deps.onDown && (() => deps.onDown?.(reason)));
  }

  function stopWatchdog(): void {
    if (watchdog) clearInterval(watchdog);
    watchdog = undefined;
    watchdogMisses = 0;
  }

  async function teardown(client: WhatsAppClientLike | undefined): Promise<void> {
    if (!client) return;
    client.removeAllListeners();
    // A client that never got its browser up throws here; it is gone either way.
    await client.destroy().catch((err: unknown) => log.debug({ event: 'whatsapp_destroy_failed', error: safeError(err) }, 'closing the WhatsApp client failed'));
  }

  function scheduleReconnect(): void {
    if (!running || retryTimer) return;
    const step = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 20));
    const delay = Math.round(step / 2 + random() * (step / 2));
    failures += 1;
    log.info({ event: 'whatsapp_reconnect_scheduled', attempt: failures, delayMs: delay }, 'WhatsApp will reconnect');
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, delay);
    retryTimer.unref?.();
  }

  /** The client `client` failed for `reason`: report, close it, try a new one later. */
  function fail(client: WhatsAppClientLike | undefined, reason: WhatsAppDownReason, err?: unknown): void {
    if (client !== current) return;
    log.warn({ event: 'whatsapp_down', reason, ...(err !== undefined ? { error: safeError(err) } : {}) }, 'WhatsApp is down');
    health = running ? 'down' : 'off';
    stopWatchdog();
    current = undefined;
    reportDown(reason);
    void teardown(client).finally(scheduleReconnect);
  }

  function startWatchdog(client: WhatsAppClientLike): void {
    stopWatchdog();
    if (watchdogMs <= 0) return;
    watchdog = setInterval(() => {
      void checkState(client);
    }, watchdogMs);
    watchdog.unref?.();
  }

  async function checkState(client: WhatsAppClientLike): Promise<void> {
    if (client !== current || health !== 'up') return;
    let state: string | null | undefined;
    try {
      state = await withTimeout(client.getState(), Math.max(1_000, Math.floor(watchdogMs / 2)));
    } catch {
      state = undefined;
    }
    if (client !== current) return;
    if (state && HEALTHY_STATES.has(state)) {
      watchdogMisses = 0;
      return;
    }
    watchdogMisses += 1;
    log.warn({ event: 'whatsapp_state_check_failed', state: state ?? null, misses: watchdogMisses }, 'WhatsApp did not report a healthy state');
    if (watchdogMisses >= WATCHDOG_MISSES) fail(client, 'disconnected');
  }

  function wire(client: WhatsAppClientLike): void {
    const mine = () => client === current;
    client.on('qr', (qr: string) => {
      if (!mine()) return;
      if (deps.onQr) deps.onQr(qr);
      else log.warn({ event: 'whatsapp_qr', printed: false }, 'WhatsApp needs a QR scan');
      reportDown('login_required');
    });
    client.on('code', (code: string) => {
      if (!mine()) return;
      log.warn({ event: 'whatsapp_pairing_code', code }, 'WhatsApp pairing code: enter it on the phone (Linked devices → Link with phone number)');
      notify('onPairingCode', deps.onPairingCode && (() => deps.onPairingCode?.(code)));
      reportDown('login_required');
    });
    client.on('authenticated', () => {
      if (mine()) log.info({ event: 'whatsapp_authenticated' }, 'WhatsApp session accepted');
    });
    client.on('auth_failure', () => fail(client, 'auth_failure'));
    client.on('ready', () => {
      if (!mine()) return;
      const wasReported = reported.size > 0;
      health = 'up';
      failures = 0;
      reported.clear();
      startWatchdog(client);
      log.info({ event: 'whatsapp_ready' }, 'WhatsApp connected');
      if (wasReported) notify('onUp', deps.onUp);
    });
    client.on('disconnected', (reason: unknown) => {
      if (mine()) log.warn({ event: 'whatsapp_disconnected', state: String(reason) }, 'WhatsApp Web reported a disconnect');
      fail(client, reason === 'LOGOUT' ? 'logged_out' : 'disconnected');
    });
    client.on('change_state', (state: unknown) => {
      if (mine()) log.info({ event: 'whatsapp_state', state: String(state) }, 'WhatsApp connection state changed');
    });
    client.on('message', (msg: WhatsAppMessageLike) => {
      if (mine()) receive(client, msg);
    });
  }

  function connect(): void {
    if (!running || current) return;
    let client: WhatsAppClientLike;
    try {
      client = deps.createClient();
    } catch (err) {
      log.error({ event: 'whatsapp_down', reason: 'start_failed', error: safeError(err) }, 'could not create the WhatsApp client');
      health = 'down';
      reportDown('start_failed');
      scheduleReconnect();
      return;
    }
    current = client;
    health = 'down';
    wire(client);
    log.info({ event: 'whatsapp_starting', attempt: failures + 1 }, 'WhatsApp starting');
    client.initialize().then(
      () => log.debug({ event: 'whatsapp_initialized' }, 'WhatsApp Web loaded'),
      (err: unknown) => fail(client, 'start_failed', err),
    );
  }

  // ---- incoming ---------------------------------------------------------

  /** One message at a time per chat, in arrival order, as the person wrote them. */
  function receive(client: WhatsAppClientLike, msg: WhatsAppMessageLike): void {
    let chatId: string | null;
    try {
      chatId = whatsappChatOf(msg);
    } catch {
      chatId = null;
    }
    if (!chatId) {
      log.debug({ event: 'whatsapp_ignored', type: String(msg?.type) }, 'not a private message to us');
      return;
    }
    const key = chatId;
    const run = (tails.get(key) ?? Promise.resolve())
      .then(() => handleOne(client, key, msg))
      .catch((err: unknown) => log.error({ event: 'whatsapp_message_failed', chat: chatTag(key), error: safeError(err) }, 'could not handle a WhatsApp message'));
    tails.set(key, run);
    void run.then(() => {
      if (tails.get(key) === run) tails.delete(key);
    });
  }

  async function phoneOf(client: WhatsAppClientLike, chatId: string): Promise<string | undefined> {
    const direct = phoneOfWhatsAppId(chatId);
    if (direct || !chatId.endsWith('@lid')) return direct;
    if (!lidPhones.has(chatId)) {
      const found = await client.getContactLidAndPhone([chatId]).catch(() => []);
      const pn = found.find((f) => f.lid === chatId)?.pn ?? found[0]?.pn;
      lidPhones.set(chatId, (pn && phoneOfWhatsAppId(pn)) || null);
    }
    return lidPhones.get(chatId) ?? undefined;
  }

  async function handleOne(client: WhatsAppClientLike, chatId: string, msg: WhatsAppMessageLike): Promise<void> {
    const now = deps.clock.now();
    const phone = await phoneOf(client, chatId);
    let quoted: WhatsAppMessageLike | undefined;
    if (msg.hasQuotedMsg) {
      quoted = await msg.getQuotedMessage().catch((err: unknown) => {
        log.warn({ event: 'whatsapp_quote_unavailable', error: safeError(err) }, 'could not read the quoted message');
        return undefined;
      });
    }
    let menu: WhatsAppMenuOption[] | undefined;
    if (msg.type === 'chat' && menuNumberOf(msg.body ?? '') !== undefined) {
      menu = (quoted ? await menus.ofMessage(quoted.id._serialized) : undefined) ?? (await menus.latest(chatId));
    }
    const kind = msg.type === 'image' ? 'photo' : msg.type === 'ptt' || msg.type === 'audio' ? 'voice' : undefined;
    const fileId = kind && msg.hasMedia ? await files.saveFrom(msg, kind, now) : undefined;
    const inbound = whatsappToInbound(msg, {
      chatId,
      receivedAt: now,
      ...(phone ? { phone } : {}),
      ...(menu ? { menu } : {}),
      ...(quoted ? { quotedText: quoted.body ?? '' } : {}),
      ...(fileId ? { fileId } : {}),
    });
    if (!inbound) return;
    const result = await deps.handler(inbound);
    log.info({ event: 'whatsapp_message', chat: chatTag(chatId), kind: inbound.content.kind, duplicate: result.duplicate, replies: result.messages.length }, 'WhatsApp message handled');
    if (!result.duplicate && result.messages.length) {
      await deps.notifier.enqueue(
        result.messages.map((message, i) => ({ channel: 'whatsapp' as const, chatId, message, dedupeKey: `wa-reply:${inbound.updateKey}:${i}` })),
      );
    }
    if (phone && deps.linkCitizen && !linked.has(chatId)) {
      await deps.linkCitizen(chatId, phone).then(
        () => linked.add(chatId),
        (err: unknown) => log.warn({ event: 'whatsapp_citizen_link_failed', error: safeError(err) }, 'could not link the WhatsApp number to its citizen'),
      );
    }
  }

  return {
    channel: 'whatsapp',
    sender,
    status: () => health,
    start() {
      if (running) return;
      running = true;
      health = 'down';
      failures = 0;
      connect();
    },
    async stop() {
      running = false;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      stopWatchdog();
      const client = current;
      current = undefined;
      await Promise.allSettled([...tails.values()]);
      await teardown(client);
      health = 'off';
      log.info({ event: 'whatsapp_stopped' }, 'WhatsApp stopped');
    },
    async purgeOlderThan(before) {
      const [m, f] = await Promise.all([menus.purgeOlderThan(before.menus), files.purgeOlderThan(before.files)]);
      return { menus: m, files: f };
    },
  };
}

/** A short stable tag for a chat in logs: the chat id holds a phone number, the tag does not. */
export function chatTag(chatId: string): string {
  return createHash('sha256').update(chatId).digest('hex').slice(0, 10);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}


/**
 * The clean-up of WhatsApp's menus and media without the channel: data left
 * from a time WhatsApp was enabled still expires when it is off now.
 */
export async function createWhatsAppRetention(conn: Connection): Promise<Pick<WhatsAppChannel, 'purgeOlderThan'>> {
  const [menus, files] = await Promise.all([createWhatsAppMenuStore(conn), createWhatsAppFileStore(conn)]);
  return {
    async purgeOlderThan(before) {
      const [m, f] = await Promise.all([menus.purgeOlderThan(before.menus), files.purgeOlderThan(before.files)]);
      return { menus: m, files: f };
    },
  };
}
