import type { Reply, Text } from '../core/messages';
import { isOversight } from '../domain/roles';
import { referenceIn } from '../domain/ticket';
import { formatDateTime } from '../i18n/format';
import type { Outbox } from '../outbox/outbox';
import { NO_CHANNEL_REASON } from '../outbox/unavailable-sender';
import type { StaffCommandModule } from '../conversation/staff-command';

const LIMIT = 15;
const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/**
 * `/failed`: notifications the platforms refused for good (a citizen who
 * blocked the bot, a chat that no longer exists), so the control room can
 * reach those people another way. Shows the complaint and the channel, never
 * the chat id (on WhatsApp that is a phone number).
 */
export function createFailedDeliveriesModule(deps: { outbox: Pick<Outbox, 'failedRecent'> }): StaffCommandModule {
  return {
    commands: ['failed'],
    helpKey: (identity) => (isOversight(identity.role) ? 'supervisor.failed.help' : undefined),
    async handle({ identity, state }) {
      if (!isOversight(identity.role)) return { state, replies: [{ text: t('staff.forbidden') }] };
      const failed = await deps.outbox.failedRecent(LIMIT);
      if (failed.length === 0) return { state, replies: [{ text: t('supervisor.failed.none') }] };
      const items = failed.map((f) =>
        t('supervisor.failed.item', {
          ref: referenceIn(f.dedupeKey) ?? '—',
          channel: t(`supervisor.failed.channel.${f.channel}`),
          reason: t(`supervisor.failed.reason.${REASONS.includes(f.reason) ? f.reason : 'other'}`),
          when: formatDateTime(f.failedAt, state.language),
        }),
      );
      const reply: Reply = { text: t('supervisor.failed.title', { count: failed.length, items }) };
      return { state, replies: [reply] };
    },
  };
}

const REASONS = ['blocked', 'forbidden', 'chat_not_found', 'rejected', 'max_attempts', NO_CHANNEL_REASON];
