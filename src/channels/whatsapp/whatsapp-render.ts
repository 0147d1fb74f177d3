import type { RenderedMessage } from '../../core/messages';
import type { WhatsAppMenuOption } from './whatsapp-inbound';

/** A rendered message laid out for WhatsApp: one text, and what each number in it stands for. */
export interface WhatsAppText {
  text: string;
  /** Empty when the message offers no choices. */
  menu: WhatsAppMenuOption[];
}

/**
 * Lay a rendered message out as WhatsApp text. whatsapp-web.js no longer
 * delivers buttons or lists, so choices become numbered lines ("1. …") that
 * the person answers by typing the number; the "share my number" request
 * becomes the last numbered line. It comes after the buttons so that, should
 * the menu be forgotten, a typed "1" still means the engine's first choice.
 * @example renderForWhatsApp({ text: 'आप क्या करना चाहेंगे?', buttons: [{ label: '📝 नई शिकायत', data: 'menu|new' }] })
 * // { text: 'आप क्या करना चाहेंगे?\n\n1. 📝 नई शिकायत', menu: [{ n: 1, data: 'menu|new' }] }
 */
export function renderForWhatsApp(msg: RenderedMessage): WhatsAppText {
  const menu: WhatsAppMenuOption[] = [];
  const lines: string[] = [];
  for (const b of msg.buttons ?? []) {
    const n = menu.length + 1;
    menu.push({ n, data: b.data });
    lines.push(`${n}. ${b.label}`);
  }
  if (msg.contactRequest) {
    const n = menu.length + 1;
    menu.push({ n, contact: true });
    lines.push(`${n}. ${msg.contactRequest.label}`);
  }
  const text = lines.length ? `${msg.text}\n\n${lines.join('\n')}` : msg.text;
  return { text, menu };
}
