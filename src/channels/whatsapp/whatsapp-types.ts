import type { MessageMedia, MessageSendOptions } from 'whatsapp-web.js';

/**
 * The part of a whatsapp-web.js `Message` the adapter reads. The library's
 * own `Message` satisfies it, and so does the test stand-in; nothing else of
 * the library's large surface is relied on.
 */
export interface WhatsAppMessageLike {
  id: { _serialized: string; id: string; fromMe?: boolean; remote?: string };
  /** The chat it came from: `<number>@c.us` or `<lid>@lid` for a person, `…@g.us` for a group, `status@broadcast`. */
  from: string;
  fromMe: boolean;
  /** `chat`, `image`, `ptt`, `audio`, `location`, `vcard`, `sticker`, `document`, `video`, … */
  type: string;
  /** Text, or a media message's caption. */
  body: string;
  isStatus?: boolean;
  broadcast?: boolean;
  /** In a group: who wrote it. Set only for group messages. */
  author?: string;
  hasMedia: boolean;
  hasQuotedMsg: boolean;
  /** The library types the coordinates as strings but fills them with numbers. */
  location?: { latitude: number | string; longitude: number | string } | undefined;
  /** Seconds, for voice notes (a string in the library's types). */
  duration?: string | number;
  vCards?: string[];
  downloadMedia(): Promise<MessageMedia | undefined>;
  getQuotedMessage(): Promise<WhatsAppMessageLike | undefined>;
}

/** The part of a whatsapp-web.js `Chat` read when catching up. */
export interface WhatsAppChatLike {
  id: { _serialized: string };
  isGroup: boolean;
  unreadCount: number;
  fetchMessages(searchOptions: { limit?: number; fromMe?: boolean }): Promise<WhatsAppMessageLike[]>;
}

/** What `sendMessage` resolves with; undefined when WhatsApp Web found no such chat. */
export interface WhatsAppSentLike {
  id: { _serialized: string; id?: string };
}

/**
 * The part of whatsapp-web.js's `Client` the channel uses. Typed as the
 * minimum so the real `Client` and a local stand-in both fit (a type-level
 * test assigns `new Client(opts)` to it), and so an official WhatsApp
 * Business API client could be wrapped to fit later.
 */
export interface WhatsAppClientLike {
  /** Launch the browser, open WhatsApp Web, log in (QR, pairing code or saved session). */
  initialize(): Promise<void>;
  /** Close the browser. */
  destroy(): Promise<void>;
  /** The connection state (`CONNECTED`, `OPENING`, `UNPAIRED`, …); null before the page is up. */
  getState(): Promise<string | null>;
  sendMessage(
    chatId: string,
    content: string | MessageMedia,
    options?: MessageSendOptions,
  ): Promise<WhatsAppSentLike | undefined>;
  getMessageById(messageId: string): Promise<WhatsAppMessageLike | undefined | null>;
  /**
   * Both forms of a person's id, given either (`…@lid` or `…@c.us`). Either
   * may come back undefined or empty when WhatsApp Web does not know it.
   */
  getContactLidAndPhone(userIds: string[]): Promise<Array<{ lid: string; pn: string }>>;
  /**
   * The registered WhatsApp id of a phone number (`919876543210` or
   * `…@c.us`), null when the number has no WhatsApp account. Asking also
   * teaches WhatsApp Web the person's linked id, which a first message to
   * someone who never wrote needs ("No LID for user" otherwise).
   */
  getNumberId(number: string): Promise<{ _serialized: string } | null>;
  /** The chats WhatsApp Web holds, for catching up on unread messages at `ready`. */
  getChats(): Promise<WhatsAppChatLike[]>;
  /**
   * Events used: qr, code, authenticated, auth_failure, ready, disconnected,
   * change_state, message. Payloads are untyped at this boundary (as in the
   * library's own generic overload); the channel checks what it reads.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
  removeAllListeners(event?: string): unknown;
}
