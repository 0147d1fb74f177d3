import type { Channel, ChannelDefinition } from '../channel';
import { createCloudApi } from './cloud-api';
import { WHATSAPP_CLOUD_FILE_ID_RE } from './cloud-inbound';
import { loadCloudTemplates } from './cloud-templates';
import {
  createWhatsAppCloudChannel,
  WHATSAPP_CLOUD_WEBHOOK_PATH,
  type WhatsAppCloudChannel,
} from './whatsapp-cloud-channel';

/** The WhatsApp Business Cloud API as a registered channel. */
export interface WhatsAppCloudEntry extends Channel {
  readonly cloud: WhatsAppCloudChannel;
}

/** The Cloud API number, when its settings are configured (config.whatsappCloud): signed webhooks in, Graph API out. */
export const whatsappCloudDefinition: ChannelDefinition<WhatsAppCloudEntry> = {
  id: 'whatsapp-cloud',
  carries: 'whatsapp',
  replies: 'outbox',
  failWhenOff: true,
  async create(ctx) {
    const wc = ctx.config.whatsappCloud;
    if (!wc) return undefined;
    const cloud = await createWhatsAppCloudChannel({
      conn: ctx.conn,
      api: createCloudApi({ apiRoot: wc.apiRoot, phoneNumberId: wc.phoneNumberId, accessToken: wc.accessToken }),
      phoneNumberId: wc.phoneNumberId,
      appSecret: wc.appSecret,
      verifyToken: wc.verifyToken,
      templates: loadCloudTemplates(ctx.config.flowsDirAbs),
      handler: ctx.handler,
      deliveryReports: ctx.outbox,
      // Simulator uploads (and other channels' files) forwarded to WhatsApp.
      otherFiles: ctx.files,
      listButtonLabel: (language) => ctx.translator.t(language, 'whatsapp.list_button'),
      clock: ctx.clock,
      logger: ctx.logger.child({ channel: 'whatsapp-cloud' }),
    });
    return {
      name: 'whatsapp',
      cloud,
      sender: cloud.sender,
      files: { owns: (fileId) => WHATSAPP_CLOUD_FILE_ID_RE.test(fileId), get: (fileId) => cloud.file(fileId) },
      routes: { [WHATSAPP_CLOUD_WEBHOOK_PATH]: cloud.webhook },
      health: () => cloud.status(),
      start: () => cloud.start(),
      stop: () => cloud.stop(),
    };
  },
};
