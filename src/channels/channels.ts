import type { ChannelDefinition } from './channel';
import { telegramDefinition } from './telegram/telegram-definition';
import { webDefinition } from './web/web-definition';
import { whatsappWebDefinition } from './whatsapp/whatsapp-definition';
import { whatsappCloudDefinition } from './whatsapp-cloud/cloud-definition';

/**
 * Every channel the application knows, one line each, in start order; each
 * decides from the configuration whether it runs. Adding a channel: a folder
 * under src/channels/ with its definition, and one line here.
 */
export const CHANNELS: readonly ChannelDefinition[] = [
  webDefinition,
  telegramDefinition,
  whatsappWebDefinition,
  whatsappCloudDefinition,
];
