import type { Text } from '../../core/messages';
import type { StaffCommandModule } from '../../conversation/staff-command';
import type { WhatsAppChannel } from './whatsapp-channel';

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/**
 * `/whatsapp` for administrators: whether WhatsApp is connected and, while it
 * waits to be linked by pairing code, the latest code. The channel sends only
 * the first code of a series to administrators (a new one comes every 180 s);
 * this is how the current one is asked for.
 * @example createStaffHandler({ ..., modules: [createWhatsAppAdminModule({ channel: () => whatsapp })] })
 */
export function createWhatsAppAdminModule(deps: {
  channel: () => Pick<WhatsAppChannel, 'status' | 'pairingCode'> | undefined;
}): StaffCommandModule {
  return {
    commands: ['whatsapp'],
    helpKey: (identity) => (identity.role === 'admin' ? 'whatsapp.admin.help' : undefined),
    async handle({ identity, state }) {
      if (identity.role !== 'admin') return { state, replies: [{ text: t('staff.forbidden') }] };
      const channel = deps.channel();
      const status = channel?.status() ?? 'off';
      const code = channel?.pairingCode();
      const replies = [{ text: t(`whatsapp.admin.status.${status}`) }];
      if (code) replies.push({ text: t('whatsapp.alert.pairing_code', { code }) });
      return { state, replies };
    },
  };
}
