import { createAudience } from '../../notify/audience';
import type { Channel, ChannelDefinition, ChannelFile } from '../channel';
import { createWhatsAppAlerts } from './whatsapp-alerts';
import { createWhatsAppChannel, type WhatsAppChannel } from './whatsapp-channel';
import { createQrPrinter, createWhatsAppClient, loadQrTerminal } from './whatsapp-client';
import { createWhatsAppFileStore, WHATSAPP_FILE_ID_RE, type WhatsAppFile } from './whatsapp-file-store';

/** WhatsApp through whatsapp-web.js as a registered channel; `client` is undefined while it is switched off. */
export interface WhatsAppWebEntry extends Channel {
  readonly client?: WhatsAppChannel;
}

/**
 * WhatsApp Web (a linked phone, whatsapp-web.js) when WHATSAPP_ENABLED. When
 * it is off, the entry still hands out the WhatsApp files stored earlier (a
 * photo forwarded to a Telegram officer later), and nothing sends: WhatsApp
 * notices then fail at once unless the Cloud API carries them.
 */
export const whatsappWebDefinition: ChannelDefinition<WhatsAppWebEntry> = {
  id: 'whatsapp-web',
  carries: 'whatsapp',
  replies: 'outbox',
  failWhenOff: true,
  async create(ctx) {
    const { config } = ctx;
    const owns = (fileId: string) => WHATSAPP_FILE_ID_RE.test(fileId);
    if (!config.WHATSAPP_ENABLED) {
      const stored = await createWhatsAppFileStore(ctx.conn);
      return {
        name: 'whatsapp',
        files: { owns, get: async (fileId) => asChannelFile(await stored.get(fileId)) },
        health: () => 'off',
        start: async () => undefined,
        stop: async () => undefined,
      };
    }
    const logger = ctx.logger.child({ channel: 'whatsapp' });
    const alerts = createWhatsAppAlerts({
      notifier: ctx.outbox,
      translator: ctx.translator,
      logger,
      recipients: createAudience({
        staff: ctx.staff,
        adminChats: [
          ...config.ADMIN_TELEGRAM_IDS.map((chatId) => ({ channel: 'telegram' as const, chatId })),
          ...config.adminWebIds.map((chatId) => ({ channel: 'web' as const, chatId })),
        ],
      }).admins,
    });
    const qrText = `${ctx.translator.t('hi', 'whatsapp.qr_scan')}\n${ctx.translator.t('en', 'whatsapp.qr_scan')}`;
    const client = await createWhatsAppChannel({
      createClient: () =>
        createWhatsAppClient({
          dataDir: config.dataDirAbs,
          chromiumPath: config.CHROMIUM_PATH,
          ...(config.WHATSAPP_PAIRING_PHONE ? { pairingPhone: config.WHATSAPP_PAIRING_PHONE } : {}),
        }),
      handler: ctx.handler,
      conn: ctx.conn,
      clock: ctx.clock,
      logger,
      onQr: createQrPrinter(logger, process.stdout, loadQrTerminal(), qrText),
      onDown: alerts.onDown,
      onUp: alerts.onUp,
      onPairingCode: alerts.onPairingCode,
      linkCitizen: (chatId, phone) => ctx.linker.linkChat({ channel: 'whatsapp', chatId, phone }),
      knownChat: async (chatId) => (await ctx.conversations.load(`whatsapp:${chatId}`)) !== null,
    });
    return {
      name: 'whatsapp',
      client,
      sender: client.sender,
      // A WhatsApp photo not downloaded at intake is fetched from WhatsApp now.
      files: { owns, get: async (fileId) => asChannelFile(await client.file(fileId)) },
      health: () => client.status(),
      // Never throws: a WhatsApp that cannot start retries in the background.
      start: async () => client.start(),
      stop: () => client.stop(),
    };
  },
};

/** A stored WhatsApp file with its bytes, in the shape every channel hands out. */
function asChannelFile(f: WhatsAppFile | null): ChannelFile | null {
  if (!f?.bytes) return null;
  return { bytes: f.bytes, fileName: f.fileName ?? f.fileId, mimeType: f.mimeType ?? 'application/octet-stream' };
}
