import type { Logger } from 'pino';
import type { ChannelName } from '../../core/messages';
import type { Language, Translator } from '../../i18n/create-i18n';
import type { Notifier } from '../../core/outbound';
import type { WhatsAppDownReason } from './whatsapp-channel';

/** Someone to tell about WhatsApp's state. */
export interface AlertRecipient {
  channel: ChannelName;
  chatId: string;
  language?: Language;
}

/** What {@link createWhatsAppAlerts} needs. */
export interface WhatsAppAlertsDeps {
  notifier: Notifier;
  translator: Translator;
  /** Administrators (ADMIN_TELEGRAM_IDS, linked admins…); asked at each alert. WhatsApp chats are skipped: WhatsApp is what is down. */
  recipients: () => AlertRecipient[] | Promise<AlertRecipient[]>;
  logger: Logger;
}

/** The alert text for each reason (literal keys, so the locale test finds them). */
const DOWN_KEYS: Readonly<Record<WhatsAppDownReason, string>> = {
  start_failed: 'whatsapp.alert.start_failed',
  auth_failure: 'whatsapp.alert.auth_failure',
  disconnected: 'whatsapp.alert.disconnected',
  logged_out: 'whatsapp.alert.logged_out',
  login_required: 'whatsapp.alert.login_required',
  stalled: 'whatsapp.alert.stalled',
  banned: 'whatsapp.alert.banned',
};

/**
 * The WhatsApp channel's status callbacks as messages to administrators
 * through the outbox (so an alert survives a Telegram hiccup too).
 * @example
 * const alerts = createWhatsAppAlerts({ notifier: outbox, translator, logger, recipients: () => config.ADMIN_TELEGRAM_IDS.map((chatId) => ({ channel: 'telegram', chatId })) });
 * createWhatsAppChannel({ ...deps, onDown: alerts.onDown, onUp: alerts.onUp, onPairingCode: alerts.onPairingCode });
 */
export function createWhatsAppAlerts(deps: WhatsAppAlertsDeps) {
  async function send(key: string, params?: Record<string, unknown>): Promise<void> {
    const people = (await deps.recipients()).filter((r) => r.channel !== 'whatsapp');
    if (people.length === 0) {
      deps.logger.warn({ event: 'whatsapp_alert_nobody', key }, 'no administrator to tell about WhatsApp');
      return;
    }
    await deps.notifier.enqueue(
      people.map((r) => ({
        channel: r.channel,
        chatId: r.chatId,
        message: { text: deps.translator.t(r.language ?? 'hi', key, params) },
      })),
    );
    deps.logger.info(
      { event: 'whatsapp_alert_sent', key, recipients: people.length },
      'administrators told about WhatsApp',
    );
  }
  return {
    /** WhatsApp is down for `reason`. */
    onDown: (reason: WhatsAppDownReason) => send(DOWN_KEYS[reason]),
    /** WhatsApp is connected again. */
    onUp: () => send('whatsapp.alert.up'),
    /** A pairing code to enter on the bot's phone (the channel passes on only the first of a series). */
    onPairingCode: (code: string) => send('whatsapp.alert.pairing_code', { code }),
  };
}
