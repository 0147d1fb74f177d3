import { parseButtonData } from '../../core/render';
import { placeOnEarth } from '../../conversation/location-pin';
import { sanitizeName, sanitizeText, toLatinDigits } from '../../core/text-normalize';
import type { InboundContent, InboundMessage } from '../../conversation/types';
import { looksLikeReference } from '../../domain/ticket';
import type { WhatsAppMessageLike } from './whatsapp-types';

/** One numbered option of a menu sent to a chat: a button's data, or the "share my number" line. */
export interface WhatsAppMenuOption {
  n: number;
  /** Button data (`scope|value`) the number stands for. */
  data?: string;
  /** The number stands for "share my number". */
  contact?: boolean;
}

/** What the channel looked up for one message before turning it into ours. */
export interface WhatsAppInboundContext {
  /** The private chat it came from (see {@link whatsappChatOf}). */
  chatId: string;
  receivedAt: Date;
  /** The sender's phone in E.164, when known (from the id, or looked up for `@lid` chats). */
  phone?: string;
  /** The numbered menu a bare number answers: the quoted message's, else the chat's latest. */
  menu?: readonly WhatsAppMenuOption[];
  /** A bare number typed under one of our messages whose menu is not known: asked again, never guessed. */
  staleMenu?: boolean;
  /** The body of the quoted message. */
  quotedText?: string;
  /** The serialized id of the quoted message (as the sender got it back when sending). */
  quotedId?: string;
  /** Where the photo or voice note was stored; media without it is not accepted. */
  fileId?: string;
}

/**
 * Staff command words accepted without the slash, and what must follow for
 * the words to count as a command (otherwise they stay text for the citizen
 * engine). Kept small on purpose: each is a word a citizen is unlikely to
 * type in that shape.
 */
export const BARE_COMMANDS: Readonly<Record<string, 'ref' | 'ref-text' | 'ref-word-text' | 'nothing'>> = {
  ack: 'ref',
  ask: 'ref-text',
  update: 'ref-text',
  resolve: 'ref-text',
  transfer: 'ref-word-text',
  mine: 'nothing',
  status: 'ref',
};

/** `/status ALR-000001`, `/start ABCD2345`: a typed command, as on Telegram. */
const SLASH_COMMAND = /^\/([A-Za-z][A-Za-z0-9_]{0,31})(?:@\S+)?(?:\s+([\s\S]*))?$/;
/** A reply that is only a number (Latin or Devanagari digits), perhaps with a dot: "2", "२", "2." */
const MENU_NUMBER = /^(\d{1,2})[.)]?$/;
/** Person-to-person chats: a phone-number id or a linked id. */
const PRIVATE_CHAT = /^[0-9]{5,20}@(c\.us|lid)$/;

/**
 * Message types that are WhatsApp's own bookkeeping, not something the
 * person sent: ignored without an answer.
 */
const SYSTEM_TYPES = new Set([
  'e2e_notification',
  'notification',
  'notification_template',
  'gp2',
  'group_notification',
  'protocol',
  'call_log',
  'ciphertext',
  'revoked',
  'reaction',
  'debug',
  'broadcast_notification',
  'pinned_message',
  // Several photos sent at once: WhatsApp adds an `album` message before the photos themselves.
  'album',
]);

/** The button scope of a number typed under a message whose menu is gone: every handler answers an unknown scope with "old button" and asks again. */
export const STALE_MENU_SCOPE = 'wa-stale-menu';

/**
 * The chat id to answer, or null for anything that is not a person writing
 * to us privately: our own messages, groups (`@g.us`), status updates
 * (`status@broadcast`), broadcast lists, channels (`@newsletter`).
 */
export function whatsappChatOf(
  msg: Pick<WhatsAppMessageLike, 'from' | 'fromMe' | 'isStatus' | 'broadcast' | 'author'>,
): string | null {
  if (msg.fromMe || msg.isStatus || msg.broadcast || msg.author) return null;
  return PRIVATE_CHAT.test(msg.from) ? msg.from : null;
}

/**
 * The phone number in a phone-number chat id, in E.164: `919876543210@c.us`
 * → `+919876543210`. Linked ids (`@lid`) carry no number: undefined.
 */
export function phoneOfWhatsAppId(id: string): string | undefined {
  const m = /^([0-9]{8,15})@c\.us$/.exec(id);
  return m ? `+${m[1]}` : undefined;
}

/** The number a reply consists of, if that is all it is. */
export function menuNumberOf(body: string): number | undefined {
  const m = MENU_NUMBER.exec(toLatinDigits(body.trim()));
  return m ? Number(m[1]) : undefined;
}

/**
 * Turn a whatsapp-web.js message into a channel-neutral one, with what the
 * channel looked up beforehand; null when the message is not for the
 * conversation. Pure.
 *
 * The update key is `wa:` and the message's own id, without the chat part of
 * the serialized id (which holds the phone number and would reach the logs).
 * @example const inbound = whatsappToInbound(msg, { chatId, receivedAt: clock.now(), menu })
 */
export function whatsappToInbound(msg: WhatsAppMessageLike, ctx: WhatsAppInboundContext): InboundMessage | null {
  const content = contentOf(msg, ctx);
  if (!content) return null;
  const firstName = pushNameOf(msg);
  const quoted = ctx.quotedText !== undefined ? sanitizeText(ctx.quotedText) : undefined;
  return {
    channel: 'whatsapp',
    chatId: ctx.chatId,
    updateKey: `wa:${msg.id.id}`,
    receivedAt: ctx.receivedAt,
    ...(firstName ? { firstName } : {}),
    ...(quoted !== undefined ? { replyToText: quoted } : {}),
    ...(ctx.quotedId ? { replyToId: ctx.quotedId } : {}),
    content,
  };
}

function contentOf(msg: WhatsAppMessageLike, ctx: WhatsAppInboundContext): InboundContent | null {
  if (SYSTEM_TYPES.has(msg.type)) return null;
  switch (msg.type) {
    case 'chat':
      return textContent(msg.body, ctx);
    case 'location':
      return locationContent(msg.location?.latitude, msg.location?.longitude);
    case 'image': {
      if (!ctx.fileId) return { kind: 'unsupported', what: 'photo' };
      const caption = sanitizeText(msg.body ?? '');
      return { kind: 'photo', fileId: ctx.fileId, ...(caption ? { caption } : {}) };
    }
    case 'ptt':
    case 'audio': {
      if (!ctx.fileId) return { kind: 'unsupported', what: 'voice' };
      const seconds = Number(msg.duration);
      return {
        kind: 'voice',
        fileId: ctx.fileId,
        ...(Number.isFinite(seconds) && seconds >= 0 ? { durationSec: Math.round(seconds) } : {}),
      };
    }
    case 'vcard':
    case 'multi_vcard':
      return contactCard(msg.vCards ?? [], ctx.phone);
    case 'sticker':
      return { kind: 'unsupported', what: 'sticker' };
    case 'document':
      return { kind: 'unsupported', what: 'document' };
    case 'video':
      return { kind: 'unsupported', what: 'video' };
    default:
      return { kind: 'unsupported', what: 'other' };
  }
}

/** A shared location pin as ours; coordinates that are no place on Earth are an unsupported message. Shared by both WhatsApp adapters. */
export function locationContent(latitude: unknown, longitude: unknown): InboundContent {
  return placeOnEarth({ kind: 'location', lat: Number(latitude), lon: Number(longitude) });
}

/**
 * A typed WhatsApp text as ours: a slash or bare staff command, a number
 * answering the menu in `ctx`, or plain words. Shared by both WhatsApp adapters.
 */
export function textContent(
  body: string,
  ctx: Pick<WhatsAppInboundContext, 'menu' | 'phone' | 'staleMenu'>,
): InboundContent | null {
  const text = sanitizeText(body ?? '');
  if (!text) return null;
  const slash = SLASH_COMMAND.exec(text);
  if (slash) return { kind: 'command', command: (slash[1] ?? '').toLowerCase(), args: (slash[2] ?? '').trim() };
  const bare = bareCommand(text);
  if (bare) return bare;
  const n = menuNumberOf(text);
  if (n !== undefined && ctx.staleMenu) return { kind: 'button', scope: STALE_MENU_SCOPE, value: String(n) };
  const option = n !== undefined ? ctx.menu?.find((o) => o.n === n) : undefined;
  if (option?.contact) {
    // The person chose "share my number": the number is the one WhatsApp
    // delivered the message from, so it is their own. Without it (a linked
    // id whose number could not be looked up) the words go on as typed and
    // the engine asks for the number.
    return ctx.phone ? { kind: 'contact', phone: ctx.phone, own: true } : { kind: 'text', text };
  }
  const data = option?.data ? parseButtonData(option.data) : undefined;
  if (data) return { kind: 'button', ...data };
  return { kind: 'text', text };
}

/** `resolve ALR-000123 done` → the command resolve, when the words after it fit. */
function bareCommand(text: string): InboundContent | undefined {
  const [first = '', ...rest] = text.split(/\s+/);
  const shape = BARE_COMMANDS[first.toLowerCase()];
  if (!shape) return undefined;
  const ref = (rest[0] ?? '').toUpperCase();
  const fits =
    shape === 'nothing'
      ? rest.length === 0
      : looksLikeReference(ref) &&
        (shape === 'ref' ? rest.length === 1 : shape === 'ref-text' ? rest.length >= 2 : rest.length >= 3);
  if (!fits) return undefined;
  return { kind: 'command', command: first.toLowerCase(), args: text.slice(first.length).trim() };
}

/**
 * A shared contact card: the first telephone number in it, and whether it is
 * the sender's own (WhatsApp puts the account's id in `waid=`).
 */
function contactCard(vCards: readonly string[], senderPhone: string | undefined): InboundContent {
  for (const card of vCards) {
    const tel = /^TEL[^:\n]*:(.+)$/im.exec(card);
    if (!tel) continue;
    const waid = /waid=(\d{8,15})/i.exec(tel[0])?.[1];
    const phone = waid ? `+${waid}` : (tel[1] ?? '').trim();
    const digits = (p: string) => p.replace(/\D/g, '');
    return { kind: 'contact', phone, own: senderPhone !== undefined && digits(phone) === digits(senderPhone) };
  }
  return { kind: 'unsupported', what: 'contact' };
}

/** The sender's WhatsApp display name, which the library keeps in its raw data. */
function pushNameOf(msg: WhatsAppMessageLike): string {
  const raw = (msg as { _data?: { notifyName?: unknown } })._data?.notifyName;
  return typeof raw === 'string' ? sanitizeName(raw) : '';
}
