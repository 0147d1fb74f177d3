import { parseButtonData } from '../../core/render';
import { sanitizeText } from '../../core/text-normalize';
import type { InboundContent, InboundMessage } from '../../conversation/types';
import { locationContent, textContent, type WhatsAppMenuOption } from '../whatsapp/whatsapp-inbound';
import type { CloudInboundMessage } from './cloud-types';

/** Button id that stands for "share my number": on the Cloud API the sender's id is their number. */
export const CLOUD_CONTACT_BUTTON_ID = 'contact|own';

/** File ids of media a citizen sent through the Cloud API: `wac:` and the platform's media id. */
export const WHATSAPP_CLOUD_FILE_ID_RE = /^wac:[0-9A-Za-z_.-]{1,128}$/;

const WA_ID = /^[0-9]{8,15}$/;

/**
 * The chat id of a Cloud API sender: the same `<number>@c.us` form the
 * whatsapp-web.js adapter uses, so tickets, staff and phone-call notices
 * find one person whichever WhatsApp adapter carries them. Null when `from`
 * is not a phone-number id.
 */
export function cloudChatIdOf(from: string | undefined): string | null {
  return from && WA_ID.test(from) ? `${from}@c.us` : null;
}

/** The number a chat id stands for, as the Cloud API wants it in `to` (digits only). */
export function cloudRecipientOf(chatId: string): string | null {
  const m = /^([0-9]{8,15})@c\.us$/.exec(chatId);
  return m?.[1] ?? null;
}

/** What the channel looked up for one message before turning it into ours. */
export interface CloudInboundContext {
  receivedAt: Date;
  /** The sender's profile name from the webhook's `contacts`. */
  profileName?: string;
  /** The numbered menu last sent to the chat, for a typed number. */
  menu?: readonly WhatsAppMenuOption[];
}

/**
 * Turn one Cloud API webhook message into a channel-neutral one; null when
 * it is nothing a person wrote to us (reactions, system notices, a sender
 * that is no phone number). Pure. The update key is the platform's message
 * id, which the platform repeats when it redelivers a webhook.
 * @example cloudToInbound(value.messages[0], { receivedAt: clock.now(), profileName })
 */
export function cloudToInbound(msg: CloudInboundMessage, ctx: CloudInboundContext): InboundMessage | null {
  const chatId = cloudChatIdOf(msg.from);
  if (!chatId || typeof msg.id !== 'string' || msg.id === '' || msg.id.length > 256) return null;
  const phone = `+${msg.from ?? ''}`;
  const content = contentOf(msg, { ...ctx, phone });
  if (!content) return null;
  const firstName = ctx.profileName ? sanitizeText(ctx.profileName).slice(0, 64) : '';
  return {
    channel: 'whatsapp',
    chatId,
    updateKey: `wac:${msg.id}`,
    receivedAt: ctx.receivedAt,
    ...(firstName ? { firstName } : {}),
    // A reply to one of our messages names it by the id the platform gave it when we sent it.
    ...(typeof msg.context?.id === 'string' && msg.context.id.length <= 256 ? { replyToId: msg.context.id } : {}),
    content,
  };
}

function contentOf(msg: CloudInboundMessage, ctx: CloudInboundContext & { phone: string }): InboundContent | null {
  switch (msg.type) {
    case 'text':
      return textContent(String(msg.text?.body ?? ''), { phone: ctx.phone, ...(ctx.menu ? { menu: ctx.menu } : {}) });
    case 'interactive': {
      const reply = msg.interactive?.button_reply ?? msg.interactive?.list_reply;
      return buttonContent(reply?.id, ctx.phone);
    }
    case 'button':
      // A quick-reply button of a template message carries our payload.
      return buttonContent(msg.button?.payload, ctx.phone);
    case 'location':
      return locationContent(msg.location?.latitude, msg.location?.longitude);
    case 'image': {
      const fileId = mediaFileId(msg.image?.id);
      if (!fileId) return { kind: 'unsupported', what: 'photo' };
      const caption = sanitizeText(msg.image?.caption ?? '');
      return { kind: 'photo', fileId, ...(caption ? { caption } : {}) };
    }
    case 'audio':
    case 'voice': {
      const fileId = mediaFileId(msg.audio?.id);
      return fileId ? { kind: 'voice', fileId } : { kind: 'unsupported', what: 'voice' };
    }
    case 'contacts': {
      const phone = msg.contacts?.[0]?.phones?.[0];
      const number = phone?.wa_id ? `+${phone.wa_id}` : (phone?.phone ?? '').trim();
      if (!number) return { kind: 'unsupported', what: 'contact' };
      const digits = (p: string) => p.replace(/\D/g, '');
      return { kind: 'contact', phone: number, own: digits(number) === digits(ctx.phone) };
    }
    case 'sticker':
      return { kind: 'unsupported', what: 'sticker' };
    case 'document':
      return { kind: 'unsupported', what: 'document' };
    case 'video':
      return { kind: 'unsupported', what: 'video' };
    case 'reaction':
    case 'system':
    case 'ephemeral':
    case 'request_welcome':
      return null;
    default:
      return { kind: 'unsupported', what: 'other' };
  }
}

function buttonContent(id: string | undefined, phone: string): InboundContent {
  if (id === CLOUD_CONTACT_BUTTON_ID) return { kind: 'contact', phone, own: true };
  const data = typeof id === 'string' ? parseButtonData(id) : undefined;
  // A button from a message we no longer understand is a stale button: the engine answers it politely.
  return data ? { kind: 'button', ...data } : { kind: 'button', scope: 'stale', value: 'stale' };
}

function mediaFileId(id: string | undefined): string | undefined {
  const fileId = typeof id === 'string' ? `wac:${id}` : undefined;
  return fileId && WHATSAPP_CLOUD_FILE_ID_RE.test(fileId) ? fileId : undefined;
}
