import { renderReplies, translate } from '../core/render';
import type { RenderedMessage, Reply, Text } from '../core/messages';
import { findBlock, findCategory, type Catalog } from '../domain/catalog';
import { IN_VOICE, type Ticket } from '../domain/ticket';
import type { Language, Translator } from '../i18n/create-i18n';
import { formatAge, formatDateTime } from '../i18n/format';

/** Button scope of the actions on a ticket card; value is `action:REF`. */
export const TICKET_SCOPE = 'tk';
/** Button scope of the department list when transferring; value is `REF:DEPT`. */
export const TRANSFER_SCOPE = 'tkx';
export const CARD_ACTIONS = ['ack', 'ask', 'update', 'resolve', 'transfer'] as const;

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/** Words shared by the messages about tickets, bound to translations and the catalogue. */
export function createTicketMessages(deps: { translator: Translator; catalog: Catalog }) {
  const { translator, catalog } = deps;

  function categoryText(ticket: Pick<Ticket, 'category'>): Text {
    return t(findCategory(catalog, ticket.category)?.label ?? 'category.other');
  }

  function placeText(ticket: Pick<Ticket, 'location' | 'block' | 'locality'>): Text {
    if (ticket.location) {
      const { lat, lon } = ticket.location;
      return t('intake.summary.place_pin', { lat: lat.toFixed(5), lon: lon.toFixed(5) });
    }
    const block = findBlock(catalog, ticket.block);
    const locality = ticket.locality === IN_VOICE ? t('staff.ticket.in_voice') : (ticket.locality ?? '');
    return t('intake.summary.place_text', { block: block ? t(block.label) : t('common.none'), locality });
  }

  function render(lang: Language, replies: Reply[]): RenderedMessage[] {
    return renderReplies(translator, lang, replies);
  }

  /**
   * The officer's card: everything needed to act from a phone, with action
   * buttons, then the citizen's photos and voice notes as media.
   */
  function card(ticket: Ticket, lang: Language, header: Text, now: Date, departmentName: string): RenderedMessage[] {
    const mapUrl = ticket.location
      ? `https://maps.google.com/?q=${ticket.location.lat},${ticket.location.lon}`
      : undefined;
    // The map link is a plain URL line under the place, tappable on a phone.
    const place = mapUrl
      ? `${translate(translator, lang, placeText(ticket))}\n${translator.t(lang, 'staff.ticket.map', { url: mapUrl })}`
      : placeText(ticket);
    const photos = ticket.attachments.filter((a) => a.kind === 'photo').length;
    const reply: Reply = {
      text: t('staff.ticket.card', {
        header,
        category: categoryText(ticket),
        department: departmentName,
        place,
        // Given only by voice note: the card says so, and the note follows as media.
        description: ticket.description === IN_VOICE ? t('staff.ticket.in_voice') : ticket.description,
        attachments: t('intake.summary.attachments', { photos, voices: ticket.attachments.length - photos }),
        phone: ticket.phone ?? t('staff.ticket.phone_hidden'),
        age: formatAge(ticket.createdAt, now, lang),
        created: formatDateTime(ticket.createdAt, lang),
      }),
      buttons: {
        scope: TICKET_SCOPE,
        options: CARD_ACTIONS.map((a) => ({ value: `${a}:${ticket.ref}`, label: t(`staff.button.${a}`) })),
      },
    };
    const [text] = render(lang, [reply]);
    const media = ticket.attachments.map((a) => ({
      text: translator.t(lang, 'staff.ticket.citizen_media', { ref: ticket.ref }),
      media: { kind: a.kind, fileId: a.fileId },
    }));
    return [...(text ? [text] : []), ...media];
  }

  return { categoryText, placeText, card, render };
}

export type TicketMessages = ReturnType<typeof createTicketMessages>;
