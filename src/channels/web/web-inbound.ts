import { z } from 'zod';
import { parseButtonData } from '../../core/render';
import { sanitizeName, sanitizeText } from '../../core/text-normalize';
import type { InboundContent, InboundMessage } from '../../conversation/types';
import { WEB_FILE_ID_RE } from './web-file-store';
import type { WebInputView } from './web-message-store';
import type { WebPlace } from './web-places';

/** A web chat id: what the page names a simulated person by (`citizen-1`, `officer-2`). */
export const WEB_CHAT_ID_RE = /^[A-Za-z0-9_-]{1,40}$/;
/** The page's id for one send; a repeat of the same id is the same message. */
export const WEB_CLIENT_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

const base = {
  chatId: z.string().regex(WEB_CHAT_ID_RE),
  clientId: z.string().regex(WEB_CLIENT_ID_RE),
  firstName: z.string().max(64).optional(),
};

/** The body of `POST /sim/api/messages`. */
export const webInboundSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('text'), text: z.string().min(1).max(4096) }),
  z.object({
    ...base,
    kind: z.literal('command'),
    command: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/),
    args: z.string().max(256).default(''),
  }),
  z.object({
    ...base,
    kind: z.literal('button'),
    data: z.string().min(1).max(128),
    label: z.string().max(256).optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('location'),
    placeId: z.string().max(40).optional(),
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
  }),
  z.object({ ...base, kind: z.literal('contact') }),
  z.object({
    ...base,
    kind: z.literal('photo'),
    fileId: z.string().regex(WEB_FILE_ID_RE),
    caption: z.string().max(1024).optional(),
  }),
]);

export type WebInboundRequest = z.infer<typeof webInboundSchema>;

/** A request the page should not have sent; the message says which field. */
export class WebRequestError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 413 | 415 = 400,
  ) {
    super(message);
    this.name = 'WebRequestError';
  }
}

/** A typed `/status ALR-000001` (optionally `/status@Bot …`) is a command, as on Telegram. */
const TYPED_COMMAND_RE = /^\/([A-Za-z][A-Za-z0-9_]{0,31})(?:@\S+)?(?:\s+([\s\S]*))?$/;

/**
 * Validate a page's request and turn it into the channel-neutral message plus
 * the view of it that the chat shows. Pure; the caller checks that a photo's
 * file exists.
 * @example const { inbound, input } = webRequestToInbound(body, places, clock.now())
 */
export function webRequestToInbound(
  body: unknown,
  places: readonly WebPlace[],
  receivedAt: Date,
): { inbound: InboundMessage; input: WebInputView } {
  const parsed = webInboundSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WebRequestError(`invalid request: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim());
  }
  const req = parsed.data;
  const { content, input } = contentOf(req, places);
  const firstName = req.firstName ? sanitizeName(req.firstName) : '';
  return {
    inbound: {
      channel: 'web',
      chatId: req.chatId,
      updateKey: req.clientId,
      receivedAt,
      ...(firstName ? { firstName } : {}),
      content,
    },
    input,
  };
}

function contentOf(
  req: WebInboundRequest,
  places: readonly WebPlace[],
): { content: InboundContent; input: WebInputView } {
  switch (req.kind) {
    case 'text': {
      const text = sanitizeText(req.text);
      if (!text) throw new WebRequestError('invalid request: text is empty');
      const typed = TYPED_COMMAND_RE.exec(text);
      if (typed) {
        const args = (typed[2] ?? '').trim();
        return {
          content: { kind: 'command', command: (typed[1] ?? '').toLowerCase(), args },
          input: { kind: 'command', text },
        };
      }
      return { content: { kind: 'text', text }, input: { kind: 'text', text } };
    }
    case 'command': {
      const args = sanitizeText(req.args);
      return {
        content: { kind: 'command', command: req.command, args },
        input: { kind: 'command', text: args ? `/${req.command} ${args}` : `/${req.command}` },
      };
    }
    case 'button': {
      const parsed = parseButtonData(req.data);
      const label = sanitizeText(req.label ?? '') || req.data;
      return {
        content: parsed ? { kind: 'button', ...parsed } : { kind: 'unsupported', what: 'button' },
        input: { kind: 'button', label },
      };
    }
    case 'location': {
      if (req.placeId !== undefined) {
        const place = places.find((p) => p.id === req.placeId);
        if (!place) throw new WebRequestError('invalid request: placeId is not a known place');
        return {
          content: { kind: 'location', lat: place.lat, lon: place.lon },
          input: { kind: 'location', placeId: place.id, lat: place.lat, lon: place.lon },
        };
      }
      if (req.lat === undefined || req.lon === undefined)
        throw new WebRequestError('invalid request: location needs placeId, or lat and lon');
      return {
        content: { kind: 'location', lat: req.lat, lon: req.lon },
        input: { kind: 'location', lat: req.lat, lon: req.lon },
      };
    }
    case 'contact': {
      const phone = fakePhoneFor(req.chatId);
      return { content: { kind: 'contact', phone, own: true }, input: { kind: 'contact', phone } };
    }
    case 'photo': {
      const caption = req.caption ? sanitizeText(req.caption) : '';
      return {
        content: { kind: 'photo', fileId: req.fileId, ...(caption ? { caption } : {}) },
        input: { kind: 'photo', fileId: req.fileId, ...(caption ? { caption } : {}) },
      };
    }
  }
}

/**
 * The simulated person's "own number": a valid-looking Indian mobile number
 * derived from the chat id, the same every time for the same simulated
 * person. Nobody real is behind it; it only exercises the contact step.
 * @example fakePhoneFor('citizen-1') // '+9198…' (12 digits after +)
 */
export function fakePhoneFor(chatId: string): string {
  // FNV-1a: small, stable, and spreads similar ids apart.
  let h = 0x811c9dc5;
  for (const ch of chatId) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `+9198${String(h % 100_000_000).padStart(8, '0')}`;
}
