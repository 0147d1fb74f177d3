import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Location, MessageMedia, type MessageSendOptions } from 'whatsapp-web.js';
import type {
  WhatsAppChatLike,
  WhatsAppClientLike,
  WhatsAppMessageLike,
} from '../../src/channels/whatsapp/whatsapp-types';
import type { Timers } from '../../src/timers';

/**
 * A stand-in for whatsapp-web.js's `Client`, which cannot reach WhatsApp from
 * here. Same method names and events (qr, code, authenticated, auth_failure,
 * ready, disconnected, change_state, message) and Message objects shaped like
 * the library's (`id` with `_serialized`, `from`, `fromMe`, `type`, `body`
 * holding the caption for media, `hasMedia`/`downloadMedia`,
 * `hasQuotedMsg`/`getQuotedMessage`, `location` as the library's Location,
 * `_data.notifyName`). Test helpers: `receive` (a person writes), `ready`,
 * `disconnect`, `showQr`, and `sent`/`waitForSent` to read what the bot sent.
 *
 * It is as unkind as the real client (whatsapp-web.js 1.34.7, read from its
 * source): `ready` may come late, twice or never (`manual`, `authenticated`
 * behaviours); a LOGOUT keeps running after its event (the library re-injects
 * into the page, and fails unawaited if the browser was closed meanwhile);
 * the library's unawaited failures surface as stray rejections (`onStray`,
 * in production `process.on('unhandledRejection')`); one person has a
 * `@lid` and a `@c.us` id and writes from either ({@link FakeWhatsAppWorld});
 * a first message to a number whose linked id the page has not learnt fails
 * with "No LID for user"; `downloadMedia` may resolve undefined at first;
 * albums arrive as an extra `album` message; a pairing code comes every
 * 180 s; a QR code may stop refreshing.
 */

/** What a person's message is made of. */
export interface FakeMessageInit {
  from: string;
  body?: string;
  type?: string;
  fromMe?: boolean;
  author?: string;
  isStatus?: boolean;
  broadcast?: boolean;
  notifyName?: string;
  location?: { latitude: number; longitude: number };
  media?: { mimetype: string; data: string; filename?: string };
  duration?: number;
  vCards?: string[];
  quoted?: FakeWhatsAppMessage;
  /** `downloadMedia` resolves undefined this many times first (media still downloading on the phone). */
  mediaPendingTries?: number;
  /** The message's own id (a copy of a message as seen from another chat form keeps it). */
  ownId?: string;
}

let counter = 0;
function messageId(fromMe: boolean, remote: string, ownId?: string) {
  counter += 1;
  const id = ownId ?? `3EB0${randomBytes(8).toString('hex').toUpperCase()}${counter}`;
  return { fromMe, remote, id, _serialized: `${fromMe}_${remote}_${id}` };
}

/** A message as the library builds it from WhatsApp Web's model. */
export class FakeWhatsAppMessage implements WhatsAppMessageLike {
  readonly id: { fromMe: boolean; remote: string; id: string; _serialized: string };
  readonly ack = 1;
  readonly from: string;
  readonly to: string;
  readonly fromMe: boolean;
  readonly author: string | undefined;
  readonly type: string;
  readonly body: string;
  readonly timestamp = Math.floor(Date.now() / 1000);
  readonly isStatus: boolean;
  readonly broadcast: boolean;
  readonly hasMedia: boolean;
  readonly hasQuotedMsg: boolean;
  readonly location: Location | undefined;
  readonly duration: string | undefined;
  readonly vCards: string[];
  readonly _data: { notifyName?: string };
  /** The bot's own sends keep the options they were sent with. */
  readonly options: MessageSendOptions | undefined;
  private readonly media: MessageMedia | undefined;
  private readonly quoted: FakeWhatsAppMessage | undefined;
  private mediaPendingTries: number;
  /** How often `downloadMedia` was called. */
  downloads = 0;

  constructor(init: FakeMessageInit & { to?: string; options?: MessageSendOptions; mediaObject?: MessageMedia }) {
    const fromMe = init.fromMe ?? false;
    this.fromMe = fromMe;
    this.from = init.from;
    this.to = init.to ?? 'me@c.us';
    this.id = messageId(fromMe, fromMe ? this.to : init.from, init.ownId);
    this.author = init.author;
    this.media =
      init.mediaObject ??
      (init.media ? new MessageMedia(init.media.mimetype, init.media.data, init.media.filename ?? null) : undefined);
    this.hasMedia = this.media !== undefined;
    this.type = init.type ?? (this.hasMedia ? 'image' : init.location ? 'location' : 'chat');
    this.body = init.body ?? '';
    this.isStatus = init.isStatus ?? init.from === 'status@broadcast';
    this.broadcast = init.broadcast ?? false;
    this.location = init.location ? new Location(init.location.latitude, init.location.longitude) : undefined;
    this.duration = init.duration !== undefined ? String(init.duration) : undefined;
    this.vCards = init.vCards ?? [];
    this.quoted = init.quoted;
    this.hasQuotedMsg = init.quoted !== undefined;
    this._data = init.notifyName ? { notifyName: init.notifyName } : {};
    this.options = init.options;
    this.mediaPendingTries = init.mediaPendingTries ?? 0;
  }

  /** This message as WhatsApp Web shows it once the chat goes by another id form (`@lid` for `@c.us`): same own id, other serialized id. */
  inChat(chatId: string): FakeWhatsAppMessage {
    return new FakeWhatsAppMessage({
      from: this.fromMe ? this.from : chatId,
      to: this.fromMe ? chatId : this.to,
      fromMe: this.fromMe,
      type: this.type,
      body: this.body,
      ownId: this.id.id,
    });
  }

  async downloadMedia(): Promise<MessageMedia | undefined> {
    this.downloads += 1;
    if (this.media && this.mediaPendingTries > 0) {
      this.mediaPendingTries -= 1;
      return undefined;
    }
    return this.media;
  }

  async getQuotedMessage(): Promise<FakeWhatsAppMessage | undefined> {
    return this.quoted;
  }
}

/**
 * What the client does when initialized: `ready` soon after; `qr` shows QR
 * codes (refreshed every 20 s on the factory's timers, see
 * {@link FakeWhatsAppWorld.qrRefreshes}); `pairing` shows a pairing code now
 * and every 180 s; `authenticated` logs in but never gets ready; `fail`
 * cannot launch the browser; `manual` does nothing until the test says so.
 */
export type FakeStartBehaviour = 'ready' | 'qr' | 'pairing' | 'authenticated' | 'fail' | 'manual';

/** How often the library asks WhatsApp Web for a new pairing code (its `intervalMs` default). */
export const PAIRING_CODE_INTERVAL_MS = 180_000;
/** How often WhatsApp Web refreshes the login QR code. */
export const QR_REFRESH_MS = 20_000;

/** One person as WhatsApp knows them: a phone-number id and, nowadays, a linked id. */
export interface FakePerson {
  pn: string;
  lid?: string;
}

/**
 * What every client of one factory shares, as the clients of one account
 * share WhatsApp's servers: who exists, and who wrote while no client ran.
 */
export class FakeWhatsAppWorld {
  readonly people: FakePerson[] = [];
  /** Numbers (`…@c.us`) with no WhatsApp account: getNumberId resolves null, sends fail. */
  readonly notOnWhatsApp = new Set<string>();
  /** Chats and their messages as WhatsApp Web would load them at start. */
  readonly chats = new Map<string, { messages: FakeWhatsAppMessage[]; unreadCount: number }>();
  /** Lookups of linked ids fail with a page error while this is more than 0 (counts down per call). */
  lidLookupFailures = 0;
  /** A QR behaviour stops refreshing after this many codes (a dead QR); Infinity by default. */
  qrRefreshes = Infinity;

  /** Add someone with both ids. */
  person(pn: string, lid?: string): FakePerson {
    const p: FakePerson = { pn, ...(lid ? { lid } : {}) };
    this.people.push(p);
    return p;
  }

  personOf(id: string): FakePerson | undefined {
    return this.people.find((p) => p.pn === id || p.lid === id);
  }

  /** A person wrote; the chat holds it as unread until the bot answers (sendSeen). */
  record(chatId: string, msg: FakeWhatsAppMessage): void {
    const chat = this.chats.get(chatId) ?? { messages: [], unreadCount: 0 };
    chat.messages.push(msg);
    if (!msg.fromMe) chat.unreadCount += 1;
    else chat.unreadCount = 0;
    this.chats.set(chatId, chat);
  }
}

/** Options for a stand-in client beyond its start behaviour. */
export interface FakeClientOptions {
  world?: FakeWhatsAppWorld;
  /** Timers for the QR refresh and the pairing code interval; without them only the first is shown. */
  timers?: Timers;
  /** Where the library's unawaited failures go (in production: the process's unhandledRejection). */
  onStray?: (reason: unknown) => void;
}

let codeCounter = 0;

/** A stand-in Client. */
export class FakeWhatsAppClient extends EventEmitter implements WhatsAppClientLike {
  initialized = false;
  destroyed = false;
  /** destroy() never finishes (a browser that does not close). */
  destroyHangs = false;
  state: string | null = null;
  /** Chats WhatsApp Web does not know: `sendMessage` resolves undefined, as the library does. */
  readonly unknownChats = new Set<string>();
  /** The next sends throw these, one each. */
  readonly sendFailures: unknown[] = [];
  /** `@lid` → `…@c.us` for getContactLidAndPhone (a person added to the world without ceremony). */
  readonly lidPhones = new Map<string, string>();
  /** Failures the library let go unawaited, when no `onStray` is given. */
  readonly strays: unknown[] = [];
  /** Pairing codes shown so far. */
  readonly codes: string[] = [];
  /** Numbers asked with getNumberId, in order. */
  readonly numberLookups: string[] = [];
  readonly world: FakeWhatsAppWorld;
  private readonly outgoing: FakeWhatsAppMessage[] = [];
  private readonly received = new Map<string, FakeWhatsAppMessage>();
  /** Linked ids this page has learnt (a person wrote, or their number was looked up). */
  private readonly knownLids = new Set<string>();
  private qrShown = 0;
  // Test notifications live apart from the client's own events, which the channel removes on teardown.
  private readonly probe = new EventEmitter();

  constructor(
    private readonly behaviour: FakeStartBehaviour = 'ready',
    private readonly opts: FakeClientOptions = {},
  ) {
    super();
    this.world = opts.world ?? new FakeWhatsAppWorld();
    this.probe.setMaxListeners(100);
  }

  async initialize(): Promise<void> {
    if (this.behaviour === 'fail')
      throw new Error('Failed to launch the browser process! /usr/bin/chromium: not found');
    this.initialized = true;
    // Like the library, initialize() resolves before ready: events follow.
    if (this.behaviour === 'ready') setImmediate(() => this.ready());
    if (this.behaviour === 'qr') setImmediate(() => this.refreshQr());
    if (this.behaviour === 'pairing') setImmediate(() => this.nextPairingCode());
    if (this.behaviour === 'authenticated') setImmediate(() => this.emit('authenticated'));
  }

  async destroy(): Promise<void> {
    if (this.destroyHangs) return new Promise(() => undefined);
    if (!this.initialized) throw new TypeError("Cannot read properties of null (reading 'close')");
    this.destroyed = true;
    this.state = null;
  }

  async getState(): Promise<string | null> {
    if (this.destroyed) throw new Error('Protocol error (Runtime.callFunctionOn): Target closed.');
    return this.state;
  }

  async sendMessage(
    chatId: string,
    content: string | MessageMedia,
    options?: MessageSendOptions,
  ): Promise<FakeWhatsAppMessage | undefined> {
    if (this.destroyed)
      throw new Error('Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has been closed.');
    if (this.sendFailures.length) throw this.sendFailures.shift();
    if (this.unknownChats.has(chatId)) return undefined;
    if (this.world.notOnWhatsApp.has(chatId)) throw new Error('No LID for user');
    const person = this.world.personOf(chatId);
    // WhatsApp Web cannot open a chat by phone number for someone whose linked id it has not learnt.
    if (person?.lid && chatId === person.pn && !this.knownLids.has(person.lid)) throw new Error('No LID for user');
    const media = content instanceof MessageMedia ? content : undefined;
    const type = !media
      ? 'chat'
      : options?.sendMediaAsDocument
        ? 'document'
        : options?.sendAudioAsVoice
          ? 'ptt'
          : 'image';
    const msg = new FakeWhatsAppMessage({
      from: 'me@c.us',
      to: chatId,
      fromMe: true,
      type,
      body: typeof content === 'string' ? content : (options?.caption ?? ''),
      ...(options ? { options } : {}),
      ...(media ? { mediaObject: media } : {}),
    });
    this.outgoing.push(msg);
    this.received.set(msg.id._serialized, msg);
    // sendMessage marks the chat as seen (the library's sendSeen default).
    this.world.record(chatId, msg);
    this.probe.emit('sent', msg);
    return msg;
  }

  async getMessageById(id: string): Promise<FakeWhatsAppMessage | undefined> {
    return this.received.get(id);
  }

  async getContactLidAndPhone(userIds: string[]): Promise<Array<{ lid: string; pn: string }>> {
    if (this.world.lidLookupFailures > 0) {
      this.world.lidLookupFailures -= 1;
      throw new Error("Evaluation failed: TypeError: Cannot read properties of undefined (reading 'id')");
    }
    // The library's shape: undefined where WhatsApp Web does not know a form.
    return userIds.map((id) => {
      const p = this.world.personOf(id);
      const lid = p?.lid ?? (id.endsWith('@lid') ? id : undefined);
      const pn = p?.pn ?? this.lidPhones.get(id) ?? (id.endsWith('@c.us') ? id : undefined);
      return { lid, pn } as { lid: string; pn: string };
    });
  }

  async getNumberId(number: string): Promise<{ server: string; user: string; _serialized: string } | null> {
    const id = number.endsWith('@c.us') ? number : `${number}@c.us`;
    this.numberLookups.push(id);
    if (this.world.notOnWhatsApp.has(id)) return null;
    const person = this.world.personOf(id);
    if (person?.lid) this.knownLids.add(person.lid);
    const user = id.slice(0, -'@c.us'.length);
    return { server: 'c.us', user, _serialized: id };
  }

  async getChats(): Promise<WhatsAppChatLike[]> {
    if (this.destroyed) throw new Error('Protocol error (Runtime.callFunctionOn): Target closed.');
    return [...this.world.chats.entries()].map(([chatId, chat]) => ({
      id: { _serialized: chatId },
      isGroup: chatId.endsWith('@g.us'),
      unreadCount: chat.unreadCount,
      fetchMessages: async (opts: { limit?: number }) => chat.messages.slice(-(opts.limit ?? chat.messages.length)),
    }));
  }

  // ---- test helpers ------------------------------------------------------

  /** A person writes to the bot; the message event fires as the library fires it. */
  receive(init: FakeMessageInit): FakeWhatsAppMessage {
    const msg = this.arrive(init);
    this.emit('message', msg);
    return msg;
  }

  /** A person wrote while this client was not listening: WhatsApp Web holds it as unread, no event fires. */
  receiveUnseen(init: FakeMessageInit): FakeWhatsAppMessage {
    return this.arrive(init);
  }

  /** Several photos at once: WhatsApp Web adds an `album` message before the photos. */
  receiveAlbum(from: string, photos: Array<{ mimetype: string; data: string }>): FakeWhatsAppMessage[] {
    const album = this.receive({ from, type: 'album' });
    return [album, ...photos.map((media) => this.receive({ from, media }))];
  }

  /** Ready (again, if called twice: the library emits ready after every re-injection). */
  ready(): void {
    this.state = 'CONNECTED';
    this.emit('authenticated');
    this.emit('ready');
  }

  showQr(qr: string): void {
    this.emit('qr', qr);
  }

  /** WhatsApp Web drops the session, as the library reports it ('LOGOUT', 'NAVIGATION', 'CONFLICT', …). */
  disconnect(reason: string): void {
    this.state = null;
    this.emit('disconnected', reason);
  }

  /**
   * Logged out from the phone, as the library handles it (Client.js
   * framenavigated): the event fires, then the library goes on deleting the
   * session and re-injecting into the page without anyone awaiting it. If the
   * browser was closed meanwhile that fails as a stray rejection; otherwise
   * the page shows a fresh QR code.
   */
  logout(): void {
    this.disconnect('LOGOUT');
    setImmediate(() => {
      if (this.destroyed)
        this.stray(
          new Error('Protocol error (Runtime.evaluate): Session closed. Most likely the page has been closed.'),
        );
      else this.refreshQr();
    });
  }

  /**
   * WhatsApp Web reports a connection state (change_state). As the library
   * does, a state outside CONNECTED/OPENING/PAIRING/TIMEOUT is a disconnect
   * with that state as reason, followed by an unawaited destroy().
   */
  changeState(state: string): void {
    this.state = state;
    this.emit('change_state', state);
    if (['CONNECTED', 'OPENING', 'PAIRING', 'TIMEOUT'].includes(state)) return;
    this.emit('disconnected', state);
    this.destroy().catch((err: unknown) => this.stray(err));
  }

  /** A failure inside the library that nobody awaits (`throw 'auth timeout'`, a failed requestPairingCode). */
  stray(reason: unknown): void {
    if (this.opts.onStray) this.opts.onStray(reason);
    else this.strays.push(reason);
  }

  private arrive(init: FakeMessageInit): FakeWhatsAppMessage {
    const msg = new FakeWhatsAppMessage(init);
    this.received.set(msg.id._serialized, msg);
    const person = this.world.personOf(init.from);
    if (person?.lid) this.knownLids.add(person.lid);
    if (!init.fromMe && !init.author && !init.isStatus) this.world.record(init.from, msg);
    return msg;
  }

  private refreshQr(): void {
    if (this.destroyed || this.state === 'CONNECTED' || this.qrShown >= this.world.qrRefreshes) return;
    this.qrShown += 1;
    this.showQr(this.qrShown === 1 ? '2@fakeQrString,abc=,def=,ghi=' : `2@fakeQrString${this.qrShown},abc=,def=,ghi=`);
    this.opts.timers?.setTimeout(() => this.refreshQr(), QR_REFRESH_MS);
  }

  private nextPairingCode(): void {
    if (this.destroyed || this.state === 'CONNECTED') return;
    codeCounter += 1;
    const code = `PAIR${String(codeCounter).padStart(4, '0')}`;
    this.codes.push(code);
    this.emit('code', code);
    this.opts.timers?.setTimeout(() => this.nextPairingCode(), PAIRING_CODE_INTERVAL_MS);
  }

  /** Messages the bot sent to a chat, oldest first. */
  sent(chatId: string): FakeWhatsAppMessage[] {
    return this.outgoing.filter((m) => m.to === chatId);
  }

  /** Resolves once the chat holds `count` messages from the bot; rejects after `timeoutMs` (a guard, not a timing check). */
  waitForSent(chatId: string, count: number, timeoutMs = 10_000): Promise<FakeWhatsAppMessage[]> {
    return waitUntil(
      this.probe,
      'sent',
      () => (this.sent(chatId).length >= count ? this.sent(chatId) : undefined),
      timeoutMs,
      `${count} messages to ${chatId}`,
    );
  }

  /** Resolves with the first message to `chatId` that `match` accepts. */
  waitForText(chatId: string, match: (body: string) => boolean, timeoutMs = 10_000): Promise<FakeWhatsAppMessage> {
    return waitUntil(
      this.probe,
      'sent',
      () => this.sent(chatId).find((m) => match(m.body)),
      timeoutMs,
      `a matching message to ${chatId}`,
    );
  }
}

/** Makes a new client for each (re)connect of the channel and keeps them for the test to drive. */
export interface FakeWhatsAppFactory {
  create: () => FakeWhatsAppClient;
  clients: FakeWhatsAppClient[];
  /** What the clients share (people, chats). */
  world: FakeWhatsAppWorld;
  /** How the next clients start, in order; after the list runs out, `fallback`. */
  behaviours: FakeStartBehaviour[];
  /** Resolves with the `n`-th client (1-based) once it exists. */
  waitForClient(n: number, timeoutMs?: number): Promise<FakeWhatsAppClient>;
}

export function createFakeWhatsAppFactory(
  fallback: FakeStartBehaviour = 'ready',
  opts: Omit<FakeClientOptions, 'world'> = {},
): FakeWhatsAppFactory {
  const probe = new EventEmitter();
  const world = new FakeWhatsAppWorld();
  const factory: FakeWhatsAppFactory = {
    clients: [],
    behaviours: [],
    world,
    create() {
      const client = new FakeWhatsAppClient(factory.behaviours.shift() ?? fallback, { ...opts, world });
      factory.clients.push(client);
      probe.emit('created');
      return client;
    },
    waitForClient(n, timeoutMs = 10_000) {
      return waitUntil(probe, 'created', () => factory.clients[n - 1], timeoutMs, `client #${n}`);
    },
  };
  return factory;
}

/** Resolve with `check()` once it gives something, re-checking on each `event`. */
export function waitUntil<T>(
  emitter: EventEmitter,
  event: string,
  check: () => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const now = check();
    if (now !== undefined) return resolve(now);
    const onEvent = () => {
      const v = check();
      if (v === undefined) return;
      cleanup();
      resolve(v);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      emitter.off(event, onEvent);
    };
    emitter.on(event, onEvent);
  });
}
