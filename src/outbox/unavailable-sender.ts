import type { ChannelName } from '../core/messages';
import type { ChannelSender } from './channel-sender';

/** Why a message could not go: this deployment runs nothing that carries its channel. */
export const NO_CHANNEL_REASON = 'no_channel';

/**
 * The sender of a channel that is switched off here (WhatsApp without
 * WHATSAPP_ENABLED or a Cloud API number): every message for it fails at
 * once with {@link NO_CHANNEL_REASON}, so it shows in /failed and the
 * dashboard and its fallback (a call-back task) starts, instead of waiting
 * in the outbox forever.
 * @example outbox.registerSender(createUnavailableSender('whatsapp'))
 */
export function createUnavailableSender(channel: ChannelName): ChannelSender {
  return {
    channel,
    send() {
      return Promise.reject(new Error(`${channel} is not running in this deployment`));
    },
    classify: () => ({ retry: false, reason: NO_CHANNEL_REASON, code: NO_CHANNEL_REASON }),
  };
}
