import type { RenderedMessage, ChannelName } from '../core/messages';
import type { Notifier, OutboundItem } from '../core/outbound';
import type { ScheduledJob } from './scheduler';

/** One message a report or summary builder wants sent. */
export interface BroadcastMessage {
  channel: ChannelName;
  chatId: string;
  message: RenderedMessage;
}

/**
 * Builds the messages of one firing (the shift hand-over summary, the daily
 * report); it is told the firing's scheduled time and the current time, and
 * may ignore them.
 */
export type BroadcastBuilder = (ctx: { firingTime: Date; now: Date }) => Promise<BroadcastMessage[]>;

/**
 * A job that sends what a builder returns through the outbox. Dedupe keys
 * name the job, the firing, the chat and the message's place in it, so a
 * firing that ran twice somehow still sends each message once.
 * @example createBroadcastJob({ name: 'daily-report', cron: '0 9 * * *', build: buildDailyReport, notifier: outbox })
 */
export function createBroadcastJob(deps: {
  name: string;
  cron: string | readonly string[];
  build: BroadcastBuilder;
  notifier: Notifier;
}): ScheduledJob {
  return {
    name: deps.name,
    cron: deps.cron,
    async run({ firingTime, now }) {
      const messages = await deps.build({ firingTime, now });
      const perChat = new Map<string, number>();
      const items: OutboundItem[] = messages.map((m) => {
        const chat = `${m.channel}:${m.chatId}`;
        const i = perChat.get(chat) ?? 0;
        perChat.set(chat, i + 1);
        return { ...m, dedupeKey: `${deps.name}:${firingTime.toISOString()}:${chat}:${i}` };
      });
      await deps.notifier.enqueue(items);
      return { messages: items.length, chats: perChat.size };
    },
  };
}
