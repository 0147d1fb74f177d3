import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { RenderedMessage } from '../../core/messages';
import { AppError } from '../../errors';
import type { Language } from '../../i18n/create-i18n';
import type { ChannelSender, SendFailure } from '../../outbox/channel-sender';
import type { WhatsAppMenuStore } from '../whatsapp/whatsapp-menu-store';
import { renderForWhatsApp } from '../whatsapp/whatsapp-render';
import { CloudApiError, type CloudApi } from './cloud-api';
import { cloudRecipientOf } from './cloud-inbound';
import { layoutForCloud, templateParameter } from './cloud-render';
import type { CloudWindowStore } from './cloud-window-store';
import type { CloudTemplates } from './cloud-templates';
import { safeError } from '../../logger';

/** WhatsApp's customer-service window: free-form messages only this long after the person's last message. */
export const CLOUD_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A file to upload, found by the file id a rendered message names. */
export interface CloudFile {
  bytes: Buffer;
  fileName: string;
  mimeType: string;
}

export interface CloudSenderDeps {
  api: CloudApi;
  windows: CloudWindowStore;
  menus: WhatsAppMenuStore;
  templates: CloudTemplates;
  /** Bytes of a photo or voice note to forward (a citizen's, from any channel); null when out of reach. */
  resolveFile(fileId: string): Promise<CloudFile | null>;
  /** The label of the button that opens a list message, per language. */
  listButtonLabel(language: Language): string;
  clock: Clock;
  logger: Logger;
}

/** The chat id is no WhatsApp number: never deliverable. */
export class CloudRecipientError extends AppError {
  constructor() {
    super('CHANNEL_SEND_FAILED', 'not a WhatsApp number chat id');
    this.name = 'CloudRecipientError';
  }
}

/** Graph API error codes (WhatsApp Cloud API error reference), sorted by what the outbox does with them. */
const THROTTLED = new Set([4, 80007, 130429, 131048, 131056, 613]);
const NO_RECIPIENT = new Set([131026, 131030, 131021]);
const AUTH = new Set([190, 10, 200, 3, 131031]);
const TRANSIENT = new Set([1, 2, 131000, 131016, 133004]);
/** "Re-engagement message": the 24-hour window has closed. */
const WINDOW_CLOSED = 131047;
const DEVANAGARI = /[\u0900-\u097F]/;

/**
 * Delivers outbox messages through the WhatsApp Business Cloud API: inside
 * the 24-hour window as reply buttons, a list or numbered text (see
 * {@link layoutForCloud}), photos and files by upload; outside it as the
 * approved template of `flows/whatsapp-templates.yaml` carrying the notice.
 * Resolves with which of the two was used, for the outbox record.
 * @example outbox.registerSender(createCloudSender({ api, windows, menus, templates, resolveFile, listButtonLabel, clock, logger }))
 */
export function createCloudSender(deps: CloudSenderDeps): ChannelSender {
  async function uploadOf(fileId: string): Promise<{ id: string; mimeType: string } | undefined> {
    const file = await deps.resolveFile(fileId).catch(() => null);
    if (!file) return undefined;
    return { id: await deps.api.uploadMedia(file.bytes, file.mimeType, file.fileName), mimeType: file.mimeType };
  }

  async function freeForm(to: string, chatId: string, message: RenderedMessage): Promise<string> {
    if (message.document) {
      const id = await deps.api.uploadMedia(
        message.document.bytes,
        message.document.mimeType,
        message.document.fileName,
      );
      return (
        await deps.api.sendMessage(to, {
          type: 'document',
          document: { id, filename: message.document.fileName, caption: message.text },
        })
      ).id;
    }
    if (message.media?.kind === 'photo') {
      const media = await uploadOf(message.media.fileId);
      if (media)
        return (await deps.api.sendMessage(to, { type: 'image', image: { id: media.id, caption: message.text } })).id;
    }
    const language: Language = DEVANAGARI.test(message.text) ? 'hi' : 'en';
    const { body, menu } = layoutForCloud(message, deps.listButtonLabel(language));
    const sent = await deps.api.sendMessage(to, body);
    if (message.media?.kind === 'voice') {
      // A voice note shows no caption, so the words went first; its own failure is only logged.
      await uploadOf(message.media.fileId)
        .then((media) => media && deps.api.sendMessage(to, { type: 'audio', audio: { id: media.id } }))
        .catch((err: unknown) =>
          deps.logger.warn(
            { event: 'whatsapp_cloud_voice_forward_failed', error: safeError(err) },
            'voice note not forwarded',
          ),
        );
    }
    await remember(chatId, sent.id, menu);
    return sent.id;
  }

  async function template(to: string, chatId: string, message: RenderedMessage): Promise<string> {
    const language: Language = DEVANAGARI.test(message.text) ? 'hi' : 'en';
    const t = deps.templates.pick(language);
    // The choices ride in the one parameter as numbered text; a typed number answers them.
    const { text, menu } = renderForWhatsApp(message);
    const sent = await deps.api.sendMessage(to, {
      type: 'template',
      template: {
        name: t.name,
        language: { code: t.language },
        components: [{ type: 'body', parameters: [{ type: 'text', text: templateParameter(text) }] }],
      },
    });
    await remember(chatId, sent.id, menu);
    return sent.id;
  }

  async function remember(
    chatId: string,
    messageId: string,
    menu: Parameters<WhatsAppMenuStore['remember']>[2],
  ): Promise<void> {
    // The message is out; losing its menu must not make the outbox send it again.
    await deps.menus.remember(chatId, messageId, menu, deps.clock.now()).catch((err: unknown) => {
      deps.logger.warn(
        { event: 'whatsapp_cloud_menu_not_saved', error: safeError(err) },
        'menu of a sent message not saved',
      );
    });
  }

  return {
    channel: 'whatsapp',
    async send(chatId, message) {
      const to = cloudRecipientOf(chatId);
      if (!to) throw new CloudRecipientError();
      const last = await deps.windows.lastInboundAt(chatId);
      const open = last !== undefined && deps.clock.now().getTime() - last.getTime() < CLOUD_WINDOW_MS;
      if (!open) return { messageId: await template(to, chatId, message), via: 'template' };
      try {
        return { messageId: await freeForm(to, chatId, message), via: 'text' };
      } catch (err) {
        // Our clock and WhatsApp's may disagree at the edge of the window: the platform's word decides.
        if (err instanceof CloudApiError && err.apiCode === WINDOW_CLOSED)
          return { messageId: await template(to, chatId, message), via: 'template' };
        throw err;
      }
    },
    classify: classifyCloudError,
  };
}

/**
 * The Cloud API's failures, sorted: throttling waits and retries without
 * using up attempts; a number that is no WhatsApp account or a message the
 * platform refuses fails for good (and shows in /failed); a bad or expired
 * token keeps messages waiting for the administrator to fix it; network and
 * server errors retry with back-off.
 */
export function classifyCloudError(err: unknown): SendFailure {
  if (err instanceof CloudRecipientError)
    return { retry: false, reason: 'chat_not_found', code: 'whatsapp_cloud_no_number' };
  if (!(err instanceof CloudApiError)) {
    const name = err instanceof Error ? err.name : '';
    return {
      retry: true,
      code: name === 'AbortError' || name === 'TimeoutError' ? 'whatsapp_cloud_timeout' : 'whatsapp_cloud_error',
    };
  }
  const code = err.apiCode;
  const tag = `whatsapp_cloud_${code ?? err.status}`;
  if (err.status === 0) return { retry: true, code: 'whatsapp_cloud_network' };
  if (err.status === 429 || (code !== undefined && THROTTLED.has(code)))
    return { retry: true, afterMs: code === 131056 ? 60_000 : 30_000, code: tag };
  if (code !== undefined && NO_RECIPIENT.has(code))
    return { retry: false, reason: 'chat_not_found', code: tag, detail: err.message };
  if (code !== undefined && AUTH.has(code)) return { retry: true, afterMs: 5 * 60_000, code: tag };
  if (err.status >= 500 || (code !== undefined && TRANSIENT.has(code))) return { retry: true, code: tag };
  return { retry: false, reason: 'rejected', code: tag, detail: err.message };
}
