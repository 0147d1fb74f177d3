import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { safeError } from '../../logger';
import type { Clock } from '../../clock';
import type { ReplyingHandler } from '../reply-policy';
import type { ChannelHealth } from '../../http/health';
import type { ChannelSender } from '../../outbox/channel-sender';
import { systemTimers, withTimeLimit, type TimerHandle, type Timers } from '../../timers';
import { createWhatsAppFileStore, MediaTooBigError, type WhatsAppFile } from './whatsapp-file-store';
import type { PendingMedia } from '../../conversation/types';
import { createWhatsAppIdentities, type WhatsAppPerson } from './whatsapp-identity';
import { menuNumberOf, whatsappChatOf, whatsappToInbound, type WhatsAppMenuOption } from './whatsapp-inbound';
import { createWhatsAppMenuStore } from './whatsapp-menu-store';
import { createWhatsAppSender, fetchMedia, ownMessageId } from './whatsapp-sender';
import type { WhatsAppClientLike, WhatsAppMessageLike } from './whatsapp-types';

/** Why WhatsApp is down, as administrators are told. */
export type WhatsAppDownReason =
  /** The browser or WhatsApp Web could not be started. */
  | 'start_failed'
  /** The saved session was refused. */
  | 'auth_failure'
  /** The connection dropped (or stopped answering). */
  | 'disconnected'
  /** The phone logged this device out (LOGOUT, UNPAIRED): a new QR scan is needed. */
  | 'logged_out'
  /** WhatsApp shows a login QR code (or pairing code): someone must link the phone. */
  | 'login_required'
  /** Starting got stuck: no ready, no fresh QR code or pairing code in time. The client was recreated. */
  | 'stalled'
  /** WhatsApp banned the number (TOS_BLOCK): not retried, people must act. */
  | 'banned';

/** Time limits of the WhatsApp client's life (all on the injected timers). */
export interface WhatsAppTimeouts {
  /** From starting to the first QR code, pairing code or login (3 min). */
  startMs?: number;
  /** From one QR code to the next (WhatsApp refreshes it about every 20 s; 2 min). */
  qrMs?: number;
  /** From one pairing code to the next (the library asks every 180 s; 4 min). */
  codeMs?: number;
  /** From login (`authenticated`) to `ready` (3 min). */
  readyMs?: number;
  /** For closing the browser (30 s); a browser that does not close is left behind. */
  destroyMs?: number;
  /** For listing chats at `ready` to catch up (60 s). */
  catchUpMs?: number;
}

/** What {@link createWhatsAppChannel} needs. */
export interface WhatsAppChannelDeps {
  /** A new client each time (a destroyed one cannot start again): `() => createWhatsAppClient(cfg)`, or a stand-in. */
  createClient: () => WhatsAppClientLike;
  /** The shared handler, which records the replies in the outbox (`replyThroughOutbox`): they go out paced like every WhatsApp message and wait while WhatsApp is down. */
  handler: ReplyingHandler;
  conn: Connection;
  clock: Clock;
  /** Timers for reconnects, the state check and every time-out (default: Node's). */
  timers?: Timers;
  logger: Logger;
  /** Show a login QR code (e.g. `createQrPrinter(logger)`); by default only an event is logged. */
  onQr?: (qr: string) => void;
  /** A pairing code arrived (WHATSAPP_PAIRING_PHONE set): the first of each down period; later ones on request ({@link WhatsAppChannel.pairingCode}). */
  onPairingCode?: (code: string) => unknown;
  /** WhatsApp went down, once per reason until it is up again (e.g. alert administrators). */
  onDown?: (reason: WhatsAppDownReason) => unknown;
  /** WhatsApp is up again after an `onDown`. */
  onUp?: () => unknown;
  /** Link a WhatsApp chat's phone number to the citizen behind it (see src/citizens/); once per chat and process. */
  linkCitizen?: (chatId: string, phone: string) => Promise<unknown>;
  /** Whether a chat id already has a conversation: when a person's id forms are first mapped, that form is kept. */
  knownChat?: (chatId: string) => Promise<boolean>;
  /** Waits between reconnect attempts: doubling from `initialMs` (5 s) up to `maxMs` (5 min), with jitter. */
  reconnect?: { initialMs?: number; maxMs?: number; random?: () => number };
  /** How often a connected client is asked for its state (60 s); two bad answers in a row count as a disconnect. 0 turns it off. */
  watchdogMs?: number;
  /** How long outbox messages wait while WhatsApp is down before the next try (15 s); such waits use up no attempts. */
  downRetryMs?: number;
  timeouts?: WhatsAppTimeouts;
  /** Waits before asking again for media WhatsApp Web did not hand over at once (1 s, then 3 s). */
  mediaRetryMs?: readonly number[];
  /** Most unread messages per chat read back at `ready` (20). */
  catchUpLimit?: number;
}

/** The WhatsApp channel: one browser session for one phone number. */
export interface WhatsAppChannel {
  readonly channel: 'whatsapp';
  /** Register on the outbox: `outbox.registerSender(channel.sender)`. Messages wait while WhatsApp is down. */
  readonly sender: ChannelSender;
  /** `up` when connected, `down` while starting, logged out or reconnecting, `off` before start and after stop (for /healthz). */
  status(): ChannelHealth;
  /** The latest pairing code while WhatsApp waits for one to be entered; undefined otherwise. */
  pairingCode(): string | undefined;
  /** Start connecting in the background; never throws, failures are retried with back-off. */
  start(): void;
  /** Stop reconnecting, let messages being handled finish, close the browser. */
  stop(): Promise<void>;
  /** Delete remembered menus and stored media older than their dates (for the scheduled clean-up job). */
  purgeOlderThan(before: { menus: Date; files: Date }): Promise<{ menus: number; files: number }>;
  /** A stored WhatsApp file with its bytes, fetched from WhatsApp now if they were not stored at intake. */
  file(fileId: string): Promise<WhatsAppFile | null>;
}

/** States a connected WhatsApp Web reports while it is fine. */
const HEALTHY_STATES = new Set(['CONNECTED', 'OPENING', 'PAIRING', 'TIMEOUT']);
/** Disconnect reasons that mean the phone unlinked this device. */
const LOGGED_OUT_STATES = new Set(['UNPAIRED', 'UNPAIRED_IDLE']);
/** Disconnect reasons that mean WhatsApp banned the number. */
const BANNED_STATES = new Set(['TOS_BLOCK', 'SMB_TOS_BLOCK']);
const WATCHDOG_MISSES = 2;
const PRIVATE_CHAT = /^[0-9]{5,20}@(c\.us|lid)$/;

/**
 * Build the WhatsApp channel over whatsapp-web.js (or anything shaped like
 * its Client). Incoming private messages go to the shared handler one at a
 * time per person (both of their id forms map to one chat id, see
 * {@link createWhatsAppIdentities}); the handler records the replies in the outbox;
 * groups, status updates, albums' bookkeeping and our own messages are
 * ignored.
 *
 * A failure to start, a logout, a ban or a dropped connection never throws
 * out of here: every call into the library is awaited or caught, every event
 * listener guarded. The channel reports `down`, calls `onDown`, and tries
 * again with growing waits, so the rest of the application carries on. What
 * the library itself leaves unawaited ends at the process guard
 * (src/process-guard.ts). Starting is bounded: no QR code, pairing code or
 * `ready` in time, and the client is recreated.
 * @example
 * const wa = await createWhatsAppChannel({ createClient: () => createWhatsAppClient(cfg), handler, conn, clock, logger, onQr: createQrPrinter(logger) });
 * outbox.registerSender(wa.sender);
 * wa.start();
 */
export async function createWhatsAppChannel(deps: WhatsAppChannelDeps): Promise<WhatsAppChannel> {
  const timers = deps.timers ?? systemTimers;
  const [menus, files, identities] = await Promise.all([
    createWhatsAppMenuStore(deps.conn),
    createWhatsAppFileStore(deps.conn),
    createWhatsAppIdentities({
      conn: deps.conn,
      clock: deps.clock,
      timers,
      ...(deps.knownChat ? { knownChat: deps.knownChat } : {}),
    }),
  ]);
  const log = deps.logger;
  const initialMs = deps.reconnect?.initialMs ?? 5_000;
  const maxMs = deps.reconnect?.maxMs ?? 5 * 60_000;
  const random = deps.reconnect?.random ?? Math.random;
  const watchdogMs = deps.watchdogMs ?? 60_000;
  const limits = {
    startMs: deps.timeouts?.startMs ?? 3 * 60_000,
    qrMs: deps.timeouts?.qrMs ?? 2 * 60_000,
    codeMs: deps.timeouts?.codeMs ?? 4 * 60_000,
    readyMs: deps.timeouts?.readyMs ?? 3 * 60_000,
    destroyMs: deps.timeouts?.destroyMs ?? 30_000,
    catchUpMs: deps.timeouts?.catchUpMs ?? 60_000,
  };
  const mediaRetry = {
    waitsMs: deps.mediaRetryMs ?? [1_000, 3_000],
    sleep: (ms: number) => new Promise<void>((r) => timers.setTimeout(r, ms)),
  };
  const catchUpLimit = deps.catchUpLimit ?? 20;

  let running = false;
  let health: ChannelHealth = 'off';
  let current: WhatsAppClientLike | undefined;
  let failures = 0;
  let retryTimer: TimerHandle | undefined;
  let watchdog: TimerHandle | undefined;
  let watchdogMisses = 0;
  /** The time-out for the next sign of progress while starting. */
  let stallTimer: TimerHandle | undefined;
  /** The latest pairing code, and whether one was passed on in this down period. */
  let latestCode: string | undefined;
  let codeForwarded = false;
  /** Reasons already reported in this down period; cleared when up again. */
  const reported = new Set<WhatsAppDownReason>();
  /** Work per person (by their one chat id), and per id form while the person is being looked up. */
  const tails = new Map<string, Promise<void>>();
  const lookups = new Map<string, Promise<void>>();
  const linked = new Set<string>();

  const sender = createWhatsAppSender({
    client: () => (health === 'up' ? current : undefined),
    menus,
    files,
    clock: deps.clock,
    logger: log,
    onBrowserGone: () => {
      const client = current;
      if (client) void checkState(client);
    },
    ...(deps.downRetryMs !== undefined ? { downRetryMs: deps.downRetryMs } : {}),
  });

  /** Run a callback given by the host without letting it break the channel. */
  function notify(what: string, fn: (() => unknown) | undefined): void {
    if (!fn) return;
    void Promise.resolve()
      .then(fn)
      .catch((err: unknown) =>
        log.error(
          { event: 'whatsapp_callback_failed', what, error: safeError(err) },
          'WhatsApp status callback failed',
        ),
      );
  }

  function reportDown(reason: WhatsAppDownReason): void {
    if (reported.has(reason)) return;
    reported.add(reason);
    notify('onDown', deps.onDown && (() => deps.onDown?.(reason)));
  }

  function stopWatchdog(): void {
    timers.clearTimeout(watchdog);
    watchdog = undefined;
    watchdogMisses = 0;
  }

  function clearStall(): void {
    timers.clearTimeout(stallTimer);
    stallTimer = undefined;
  }

  /** Until `ready`, the next sign of progress (`what`) must come within `ms`, else the client is recreated. */
  function expectProgress(client: WhatsAppClientLike, what: string, ms: number): void {
    clearStall();
    stallTimer = timers.setTimeout(() => {
      stallTimer = undefined;
      if (client !== current || health === 'up') return;
      log.warn(
        { event: 'whatsapp_stalled', waitingFor: what, afterMs: ms },
        'WhatsApp did not make progress in time; starting a new client',
      );
      fail(client, 'stalled');
    }, ms);
  }

  async function teardown(client: WhatsAppClientLike | undefined): Promise<void> {
    if (!client) return;
    client.removeAllListeners();
    // A client that never got its browser up throws here, and a browser may
    // never close: it is left behind after the time limit.
    await withTimeLimit(
      Promise.resolve().then(() => client.destroy()),
      limits.destroyMs,
      timers,
      'closing the browser',
    ).catch((err: unknown) =>
      log.warn({ event: 'whatsapp_destroy_failed', error: safeError(err) }, 'closing the WhatsApp client failed'),
    );
  }

  function scheduleReconnect(): void {
    if (!running || retryTimer) return;
    const step = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 20));
    const delay = Math.round(step / 2 + random() * (step / 2));
    failures += 1;
    log.info({ event: 'whatsapp_reconnect_scheduled', attempt: failures, delayMs: delay }, 'WhatsApp will reconnect');
    retryTimer = timers.setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, delay);
  }

  /** The client `client` failed for `reason`: report, close it, try a new one later (unless banned). */
  function fail(client: WhatsAppClientLike | undefined, reason: WhatsAppDownReason, err?: unknown): void {
    if (client !== current) return;
    const level = reason === 'banned' ? 'error' : 'warn';
    log[level](
      { event: 'whatsapp_down', reason, ...(err !== undefined ? { error: safeError(err) } : {}) },
      'WhatsApp is down',
    );
    health = running ? 'down' : 'off';
    stopWatchdog();
    clearStall();
    current = undefined;
    reportDown(reason);
    void teardown(client).finally(() => {
      // A banned number stays down until someone acts and restarts.
      if (reason !== 'banned') scheduleReconnect();
    });
  }

  function startWatchdog(client: WhatsAppClientLike): void {
    stopWatchdog();
    scheduleCheck(client);
  }

  /** The next state check; each is scheduled after the previous one finished, so slow answers never pile up. */
  function scheduleCheck(client: WhatsAppClientLike): void {
    if (watchdogMs <= 0) return;
    watchdog = timers.setTimeout(() => {
      watchdog = undefined;
      void checkState(client).finally(() => {
        if (client === current && health === 'up' && !watchdog) scheduleCheck(client);
      });
    }, watchdogMs);
  }

  async function checkState(client: WhatsAppClientLike): Promise<void> {
    if (client !== current || health !== 'up') return;
    let state: string | null | undefined;
    try {
      state = await withTimeLimit(
        Promise.resolve().then(() => client.getState()),
        Math.max(1_000, Math.floor(watchdogMs / 2)),
        timers,
        'state check',
      );
    } catch {
      state = undefined;
    }
    if (client !== current) return;
    if (state && HEALTHY_STATES.has(state)) {
      watchdogMisses = 0;
      return;
    }
    watchdogMisses += 1;
    log.warn(
      { event: 'whatsapp_state_check_failed', state: state ?? null, misses: watchdogMisses },
      'WhatsApp did not report a healthy state',
    );
    if (watchdogMisses >= WATCHDOG_MISSES) fail(client, 'disconnected');
  }

  /** A listener that can never throw into the library (which calls it from inside the page bridge). */
  function listen(client: WhatsAppClientLike, event: string, fn: (...args: unknown[]) => void): void {
    client.on(event, (...args: unknown[]) => {
      if (client !== current) return;
      try {
        fn(...args);
      } catch (err) {
        log.error(
          { event: 'whatsapp_listener_failed', what: event, error: safeError(err) },
          'a WhatsApp event could not be handled',
        );
      }
    });
  }

  function disconnected(client: WhatsAppClientLike, reason: unknown): void {
    const state = String(reason);
    log.warn({ event: 'whatsapp_disconnected', state }, 'WhatsApp Web reported a disconnect');
    if (state === 'LOGOUT') {
      // The library goes on by itself (Client.js framenavigated): it deletes
      // the session and re-injects into the same page, which then shows a new
      // QR code. Closing the browser under it now would make that fail
      // unawaited, so the client is kept; if no QR code follows in time, the
      // stall time-out replaces it.
      health = 'down';
      stopWatchdog();
      latestCode = undefined;
      reportDown('logged_out');
      expectProgress(client, 'qr_after_logout', limits.startMs);
      return;
    }
    if (BANNED_STATES.has(state)) return fail(client, 'banned');
    fail(client, LOGGED_OUT_STATES.has(state) ? 'logged_out' : 'disconnected');
  }

  function ready(client: WhatsAppClientLike): void {
    clearStall();
    const again = health === 'up';
    const wasReported = reported.size > 0;
    health = 'up';
    failures = 0;
    reported.clear();
    latestCode = undefined;
    codeForwarded = false;
    startWatchdog(client);
    log.info({ event: 'whatsapp_ready', again }, 'WhatsApp connected');
    if (wasReported) notify('onUp', deps.onUp);
    void catchUp(client);
  }

  function wire(client: WhatsAppClientLike): void {
    listen(client, 'qr', (qr) => {
      if (deps.onQr) deps.onQr(String(qr));
      else log.warn({ event: 'whatsapp_qr', printed: false }, 'WhatsApp needs a QR scan');
      health = 'down';
      reportDown('login_required');
      expectProgress(client, 'qr_refresh', limits.qrMs);
    });
    listen(client, 'code', (code) => {
      latestCode = String(code);
      log.warn(
        { event: 'whatsapp_pairing_code', code: latestCode, forwarded: !codeForwarded },
        'WhatsApp pairing code: enter it on the phone (Linked devices → Link with phone number)',
      );
      // The library asks for a new code every 180 s: only the first goes to
      // the administrators, later ones on request (/whatsapp).
      if (!codeForwarded) {
        codeForwarded = true;
        const first = latestCode;
        notify('onPairingCode', deps.onPairingCode && (() => deps.onPairingCode?.(first)));
      }
      health = 'down';
      reportDown('login_required');
      expectProgress(client, 'pairing_code', limits.codeMs);
    });
    listen(client, 'authenticated', () => {
      log.info({ event: 'whatsapp_authenticated' }, 'WhatsApp session accepted');
      if (health !== 'up') expectProgress(client, 'ready', limits.readyMs);
    });
    listen(client, 'auth_failure', () => fail(client, 'auth_failure'));
    listen(client, 'ready', () => ready(client));
    listen(client, 'disconnected', (reason) => disconnected(client, reason));
    listen(client, 'change_state', (state) =>
      log.info({ event: 'whatsapp_state', state: String(state) }, 'WhatsApp connection state changed'),
    );
    listen(client, 'message', (msg) => receive(client, msg as WhatsAppMessageLike));
  }

  function connect(): void {
    if (!running || current) return;
    let client: WhatsAppClientLike;
    try {
      client = deps.createClient();
    } catch (err) {
      log.error(
        { event: 'whatsapp_down', reason: 'start_failed', error: safeError(err) },
        'could not create the WhatsApp client',
      );
      health = 'down';
      reportDown('start_failed');
      scheduleReconnect();
      return;
    }
    current = client;
    health = 'down';
    wire(client);
    log.info({ event: 'whatsapp_starting', attempt: failures + 1 }, 'WhatsApp starting');
    // initialize() resolves before ready (or never, or throws a string such as 'auth timeout').
    expectProgress(client, 'first_sign', limits.startMs);
    Promise.resolve()
      .then(() => client.initialize())
      .then(
        () => log.debug({ event: 'whatsapp_initialized' }, 'WhatsApp Web loaded'),
        (err: unknown) => fail(client, 'start_failed', err),
      );
  }

  // ---- incoming ---------------------------------------------------------

  /**
   * Messages that arrived while no client was listening wait as unread in
   * WhatsApp Web: read them back at `ready`. The handler ignores those it has
   * already seen (same message id), so a message both delivered and read back
   * is answered once.
   */
  async function catchUp(client: WhatsAppClientLike): Promise<void> {
    try {
      const chats = await withTimeLimit(
        Promise.resolve().then(() => client.getChats()),
        limits.catchUpMs,
        timers,
        'listing chats',
      );
      let count = 0;
      for (const chat of chats) {
        if (client !== current) return;
        const id = chat?.id?._serialized ?? '';
        if (chat.isGroup || !PRIVATE_CHAT.test(id) || !(chat.unreadCount > 0)) continue;
        const messages = await chat.fetchMessages({ limit: Math.min(chat.unreadCount, catchUpLimit) }).catch(() => []);
        for (const msg of messages) {
          if (msg.fromMe || client !== current) continue;
          count += 1;
          receive(client, msg);
        }
      }
      if (count)
        log.info(
          { event: 'whatsapp_caught_up', messages: count },
          'WhatsApp messages that arrived while down are being handled',
        );
    } catch (err) {
      log.warn(
        { event: 'whatsapp_catch_up_failed', error: safeError(err) },
        'could not read back messages that arrived while down',
      );
    }
  }

  /** Chain `work` after what is queued under `key`, so each queue runs in arrival order. */
  function enqueue(queues: Map<string, Promise<void>>, key: string, work: () => Promise<void>): Promise<void> {
    const run = (queues.get(key) ?? Promise.resolve()).then(work);
    const settled = run.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return run;
  }

  /** One message at a time per person, in arrival order, as they wrote them. */
  function receive(client: WhatsAppClientLike, msg: WhatsAppMessageLike): void {
    let from: string | null;
    try {
      from = whatsappChatOf(msg);
    } catch {
      from = null;
    }
    if (!from) {
      log.debug({ event: 'whatsapp_ignored', type: String(msg?.type) }, 'not a private message to us');
      return;
    }
    const id = from;
    void enqueue(lookups, id, async () => {
      const person = await identities.resolve(client, id);
      if (person.chatId !== id)
        log.debug(
          { event: 'whatsapp_id_mapped', chat: chatTag(person.chatId) },
          'message from another id form of a known person',
        );
      await enqueue(tails, person.chatId, () => handleOne(client, person, msg));
    }).catch((err: unknown) =>
      log.error(
        { event: 'whatsapp_message_failed', chat: chatTag(id), error: safeError(err) },
        'could not handle a WhatsApp message',
      ),
    );
  }

  async function handleOne(
    client: WhatsAppClientLike,
    person: WhatsAppPerson,
    msg: WhatsAppMessageLike,
  ): Promise<void> {
    const now = deps.clock.now();
    const { chatId, phone } = person;
    let quoted: WhatsAppMessageLike | undefined;
    if (msg.hasQuotedMsg) {
      quoted = await msg.getQuotedMessage().catch((err: unknown) => {
        log.warn({ event: 'whatsapp_quote_unavailable', error: safeError(err) }, 'could not read the quoted message');
        return undefined;
      });
    }
    let menu: WhatsAppMenuOption[] | undefined;
    let staleMenu = false;
    if (msg.type === 'chat' && menuNumberOf(msg.body ?? '') !== undefined) {
      if (quoted) {
        // The quoted message's own menu, by the message's own id; a number
        // typed under one of our messages whose menu is not known is asked
        // again, never read against another menu.
        menu = await menus.ofMessage(ownMessageId(quoted.id));
        staleMenu = !menu && quoted.fromMe === true;
      } else {
        menu = await menus.latest(chatId);
      }
    }
    const kind = msg.type === 'image' ? 'photo' : msg.type === 'ptt' || msg.type === 'audio' ? 'voice' : undefined;
    // Media are downloaded only if the handler finds the current step takes them (see takeMedia).
    const pendingId = `pending:${msg.id.id}`;
    const media: PendingMedia | undefined =
      kind && msg.hasMedia
        ? {
            ...declaredSize(msg),
            fetch: async (maxBytes) => {
              try {
                return { fileId: await files.saveFrom(msg, kind, now, mediaRetry, maxBytes) };
              } catch (err) {
                if (err instanceof MediaTooBigError) return { tooBig: true };
                throw err;
              }
            },
          }
        : undefined;
    const fileId = media ? pendingId : undefined;
    const inbound = whatsappToInbound(msg, {
      chatId,
      receivedAt: now,
      ...(phone ? { phone } : {}),
      ...(menu ? { menu } : {}),
      ...(staleMenu ? { staleMenu } : {}),
      ...(quoted ? { quotedText: quoted.body ?? '', quotedId: ownMessageId(quoted.id) } : {}),
      ...(fileId ? { fileId } : {}),
    });
    if (!inbound) return;
    const result = await deps.handler(media ? { ...inbound, media } : inbound);
    log.info(
      {
        event: 'whatsapp_message',
        chat: chatTag(chatId),
        kind: inbound.content.kind,
        duplicate: result.duplicate,
        replies: result.messages.length,
      },
      'WhatsApp message handled',
    );
    if (phone && deps.linkCitizen && !linked.has(chatId)) {
      await deps.linkCitizen(chatId, phone).then(
        () => linked.add(chatId),
        (err: unknown) =>
          log.warn(
            { event: 'whatsapp_citizen_link_failed', error: safeError(err) },
            'could not link the WhatsApp number to its citizen',
          ),
      );
    }
  }

  return {
    channel: 'whatsapp',
    sender,
    status: () => health,
    pairingCode: () => (health === 'up' ? undefined : latestCode),
    start() {
      if (running) return;
      running = true;
      health = 'down';
      failures = 0;
      connect();
    },
    async stop() {
      running = false;
      timers.clearTimeout(retryTimer);
      retryTimer = undefined;
      stopWatchdog();
      clearStall();
      const client = current;
      current = undefined;
      await Promise.allSettled([...lookups.values(), ...tails.values()]);
      // A finished lookup may have queued its message for handling meanwhile.
      await Promise.allSettled([...tails.values()]);
      await teardown(client);
      health = 'off';
      log.info({ event: 'whatsapp_stopped' }, 'WhatsApp stopped');
    },
    async purgeOlderThan(before) {
      const [m, f] = await Promise.all([menus.purgeOlderThan(before.menus), files.purgeOlderThan(before.files)]);
      return { menus: m, files: f };
    },
    file(fileId) {
      const client = health === 'up' ? current : undefined;
      return files.withBytes(fileId, async (messageId) => (client ? fetchMedia(client, messageId) : undefined));
    },
  };
}

/** A short stable tag for a chat in logs: the chat id holds a phone number, the tag does not. */
export function chatTag(chatId: string): string {
  return createHash('sha256').update(chatId).digest('hex').slice(0, 10);
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

/** The size WhatsApp Web declares for a media message before it is downloaded, when it does. */
function declaredSize(msg: WhatsAppMessageLike): { size?: number } {
  const size = (msg as { _data?: { size?: unknown } })._data?.size;
  return typeof size === 'number' && Number.isFinite(size) && size > 0 ? { size } : {};
}
