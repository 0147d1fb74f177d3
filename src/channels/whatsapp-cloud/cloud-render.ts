import type { RenderedMessage } from '../../core/messages';
import { renderForWhatsApp } from '../whatsapp/whatsapp-render';
import type { WhatsAppMenuOption } from '../whatsapp/whatsapp-inbound';
import { CLOUD_CONTACT_BUTTON_ID } from './cloud-inbound';

/** The platform's limits on interactive messages (WhatsApp Cloud API reference). */
export const CLOUD_LIMITS = {
  replyButtons: 3,
  buttonTitle: 20,
  listRows: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  buttonId: 256,
  interactiveBody: 1024,
  textBody: 4096,
} as const;

/** A message body for the Cloud API's `/messages` endpoint, without `to` and `messaging_product`. */
export type CloudMessageBody =
  { type: 'text'; text: { body: string; preview_url: false } } | { type: 'interactive'; interactive: CloudInteractive };

type CloudInteractive =
  | {
      type: 'button';
      body: { text: string };
      action: { buttons: Array<{ type: 'reply'; reply: { id: string; title: string } }> };
    }
  | {
      type: 'list';
      body: { text: string };
      action: { button: string; sections: Array<{ rows: Array<{ id: string; title: string; description?: string }> }> };
    };

/** How one rendered message goes out, and the numbered menu a typed number then answers (empty for none). */
export interface CloudLayout {
  body: CloudMessageBody;
  menu: WhatsAppMenuOption[];
}

/**
 * Lay a rendered message out for the Cloud API: up to three short choices as
 * reply buttons, up to ten as a list, anything larger (or labels too long
 * for the platform) as numbered text the person answers by typing the number.
 * "Share my number" becomes a button too: the sender's id is their number.
 * @example layoutForCloud({ text: 'क्या यह सही है?', buttons: [{ label: 'हाँ', data: 'confirm|yes' }] }, 'विकल्प')
 */
export function layoutForCloud(msg: RenderedMessage, listButtonLabel: string): CloudLayout {
  const choices = [
    ...(msg.buttons ?? []).map((b) => ({ id: b.data, title: b.label })),
    ...(msg.contactRequest ? [{ id: CLOUD_CONTACT_BUTTON_ID, title: msg.contactRequest.label }] : []),
  ];
  const fits = (limit: number) =>
    choices.every((c) => [...c.title].length <= limit && c.id.length <= CLOUD_LIMITS.rowId);
  const length = (t: string) => [...t].length;
  if (choices.length > 0 && [...msg.text].length <= CLOUD_LIMITS.interactiveBody) {
    if (choices.length <= CLOUD_LIMITS.replyButtons && fits(CLOUD_LIMITS.buttonTitle)) {
      return {
        body: {
          type: 'interactive',
          interactive: {
            type: 'button',
            body: { text: msg.text },
            action: { buttons: choices.map((c) => ({ type: 'reply', reply: { id: c.id, title: c.title } })) },
          },
        },
        menu: [],
      };
    }
    // A label too long for a row's title is shortened there and shown whole as its description.
    if (choices.length <= CLOUD_LIMITS.listRows && fits(CLOUD_LIMITS.rowDescription)) {
      return {
        body: {
          type: 'interactive',
          interactive: {
            type: 'list',
            body: { text: msg.text },
            action: {
              button: truncate(listButtonLabel, CLOUD_LIMITS.buttonTitle),
              sections: [
                {
                  rows: choices.map((c) =>
                    length(c.title) <= CLOUD_LIMITS.rowTitle
                      ? { id: c.id, title: c.title }
                      : { id: c.id, title: truncate(c.title, CLOUD_LIMITS.rowTitle), description: c.title },
                  ),
                },
              ],
            },
          },
        },
        menu: [],
      };
    }
  }
  const { text, menu } = renderForWhatsApp(msg);
  return { body: { type: 'text', text: { body: truncate(text, CLOUD_LIMITS.textBody), preview_url: false } }, menu };
}

/**
 * A notice as one template body parameter: the platform refuses new lines,
 * tabs and more than four spaces in a row inside parameters.
 */
export function templateParameter(text: string, max = 1000): string {
  return truncate(
    text
      .replace(/\s*\n+\s*/g, ' · ')
      .replace(/\t/g, ' ')
      .replace(/ {2,}/g, ' ')
      .trim(),
    max,
  );
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
