import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Location, MessageMedia, type MessageSendOptions } from 'whatsapp-web.js';
import type { WhatsAppClientLike, WhatsAppMessageLike } from '../../src/channels/whatsapp/whatsapp-types';

/**
 * A stand-in for whatsapp-web.js's `Client`, which cannot reach WhatsApp from
 * here. Same method names and events (qr, code, authenticated, auth_failure,
 * ready, disconnected, change_state, message) and Message objects shaped like
 * the library's (`id` with `_serialized`, `from`, `fromMe`, `type`, `body`
 * holding the caption for media, `hasMedia`/`downloadMedia`,
 * `hasQuotedMsg`/`getQuotedMessage`, `location` as the library's Location,
 * `_data.notifyName`). Test helpers: `receive` (a person writes), `ready`,
 * `disconnect`, `showQr`, and `sent`/`waitForSent` to read what the bot sent.
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
}

let counter = 0;
function messageId(fromMe: boolean, remote: string) {
  counter += 1;
  const id = `3EB0${randomBytes(8).toString('hex').toUpperCase()}${counter}`;
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

  constructor(init: FakeMessageInit & { to?: string; options?: MessageSendOptions; mediaObject?: MessageMedia }) {
    const fromMe = init.fromMe ?? false;
    this.fromMe = fromMe;
    this.from = init.from;
    this.to = init.to ?? 'me@c.us';
    this.id = messageId(fromMe, fromMe ? this.to : init.from);
    this.author = init.author;
    this.media = init.mediaObject ?? (init.media ? new MessageMedia(init.media.mimetype, init.media.data, init.media.filename ?? null) : undefined);
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
  }

  async downloadMedia(): Promise<MessageMedia | undefined> {
    return this.media;
  }

  async getQuotedMessage(): Promise<FakeWhatsAppMessage | undefined> {
    return this.quoted;
  }
}

/** What the client does when initialized. */
export type FakeStartBehaviour = 'ready' | 'qr' | 'fail' | 'manual';

/** A stand-in Client. */
export class FakeWhatsAppClient extends EventEmitter implements WhatsAppClientLike {
  initialized = false;
  destroyed = false;
  state: string | null = null;
  /** Chats WhatsApp Web does not know: `sendMessage` resolves undefined, as the library does. */
  readonly unknownChats = new Set<string>();
  /** The next sends throw these, one each. */
  readonly sendFailures: unknown[] = [];
  /** `@lid` → `…@c.us` for getContactLidAndPhone. */
  readonly lidPhones = new Map<string, string>();
  private readonly outgoing: FakeWhatsAppMessage[] = [];
  private readonly received = new Map<string, FakeWhatsAppMessage>();
  // Test notifications live apart from the client's own events, which the channel removes on teardown.
  private readonly probe = new EventEmitter();

  constructor(private readonly behaviour: FakeStartBehaviour = 'ready') {
    super();
    this.probe.setMaxListeners(100);
  }

  async initialize(): Promise<void> {
    if (this.behaviour === 'fail') throw new Error('Failed to launch the browser process! /usr/bin/chromium: not found');
    this.initialized = true;
    if (this.behaviour === 'ready') setImmediate(() => this.ready());
    if (this.behaviour === 'qr') setImmediate(() => this.showQr('2@fakeQrString,abc=,def=,ghi='));
  }

  async destroy(): Promise<void> {
    if (!this.initialized) throw new TypeError("Cannot read properties of null (reading 'close')");
    this.destroyed = true;
    this.state = null;
  }

  async getState(): Promise<string | null> {
    return this.state;
  }

  async sendMessage(chatId: string, content: string | MessageMedia, options?: MessageSendOptions): Promise<FakeWhatsAppMessage | undefined> {
    if (this.sendFailures.length) throw this.sendFailures.shift();
    if (this.unknownChats.has(chatId)) return undefined;
    const media = content instanceof MessageMedia ? content : undefined;
    const type = !media ? 'chat' : options?.sendMediaAsDocument ? 'document' : options?.sendAudioAsVoice ? 'ptt' : 'image';
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
    this.probe.emit('sent', msg);
    return msg;
  }

  async getMessageById(id: string): Promise<FakeWhatsAppMessage | undefined> {
    return this.received.get(id);
  }

  async getContactLidAndPhone(userIds: string[]): Promise<Array<{ lid: string; pn: string }>> {
    return userIds.map((lid) => ({ lid, pn: this.lidPhones.get(lid) ?? '' }));
  }

  // ---- test helpers ------------------------------------------------------

  /** A person writes to the bot; the message event fires as the library fires it. */
  receive(init: FakeMessageInit): FakeWhatsAppMessage {
    const msg = new FakeWhatsAppMessage(init);
    this.received.set(msg.id._serialized, msg);
    this.emit('message', msg);
    return msg;
  }

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

  /** Messages the bot sent to a chat, oldest first. */
  sent(chatId: string): FakeWhatsAppMessage[] {
    return this.outgoing.filter((m) => m.to === chatId);
  }

  /** Resolves once the chat holds `count` messages from the bot; rejects after `timeoutMs` (a guard, not a timing check). */
  waitForSent(chatId: string, count: number, timeoutMs = 10_000): Promise<FakeWhatsAppMessage[]> {
    return waitUntil(this.probe, 'sent', () => (this.sent(chatId).length >= count ? this.sent(chatId) : undefined), timeoutMs, `${count} messages to ${chatId}`);
  }

  /** Resolves with the first message to `chatId` that `match` accepts. */
  waitForText(chatId: string, match: (body: string) => boolean, timeoutMs = 10_000): Promise<FakeWhatsAppMessage> {
    return waitUntil(this.probe, 'sent', () => this.sent(chatId).find((m) => match(m.body)), timeoutMs, `a matching message to ${chatId}`);
  }
}

/** Makes a new client for each (re)connect of the channel and keeps them for the test to drive. */
export interface FakeWhatsAppFactory {
  create: () => FakeWhatsAppClient;
  clients: FakeWhatsAppClient[];
  /** How the next clients start, in order; after the list runs out, `fallback`. */
  behaviours: FakeStartBehaviour[];
  /** Resolves with the `n`-th client (1-based) once it exists. */
  waitForClient(n: number, timeoutMs?: number): Promise<FakeWhatsAppClient>;
}

export function createFakeWhatsAppFactory(fallback: FakeStartBehaviour = 'ready'): FakeWhatsAppFactory {
  const probe = new EventEmitter();
  const factory: FakeWhatsAppFactory = {
    clients: [],
    behaviours: [],
    create() {
      const client = new FakeWhatsAppClient(factory.behaviours.shift() ?? fallback);
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
export function waitUntil<T>(emitter: EventEmitter, event: string, check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
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
