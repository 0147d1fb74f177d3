import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { ChannelName } from '../core/messages';
import { createOutbox, type Outbox, type OutboxDeps } from './outbox';
import { createOutboxModel } from './outbox-model';

/** What {@link createConfiguredOutbox} needs. */
export interface OutboxSetupDeps {
  conn: Connection;
  clock: Clock;
  logger: Logger;
  /** Where delivered cards and notices remember their platform ids (the message-ref store; typed here, since storage/ imports outbox/). */
  messageRefs: {
    record(input: { channel: ChannelName; chatId: string; messageId: string; ref: string; at: Date }): Promise<void>;
  };
  /** The delivery-latency histogram and the queue-depth gauge (src/metrics/app-metrics.ts). */
  metrics: {
    outboxDeliverySeconds: { observe(labels: { channel: string }, seconds: number): void };
    outboxDepth: { collectWith(count: () => Promise<number>): void };
  };
  /** What becomes of a message given up for good (call-back tasks for the operators). */
  onGiveUp: NonNullable<OutboxDeps['onGiveUp']>;
  /** Tuning (tests use faster pacing than Telegram's 1 message/s per chat). */
  outboxOptions?: Pick<OutboxDeps, 'pacing' | 'pollIntervalMs' | 'backoff'> | undefined;
}

/**
 * The outbox as the service runs it: a delivered card or notice is recorded
 * against its ticket (a staff reply to it then finds the ticket), delivery
 * latency and queue depth go to the metrics, and a message given up goes to
 * `onGiveUp`.
 * @example const outbox = await createConfiguredOutbox({ conn, clock, logger, messageRefs, metrics, onGiveUp });
 */
export async function createConfiguredOutbox(deps: OutboxSetupDeps): Promise<Outbox> {
  const { clock, metrics, messageRefs } = deps;
  const outbox = createOutbox({
    models: await createOutboxModel(deps.conn),
    logger: deps.logger,
    // Cards and notices remember their platform ids: a staff reply to one of them updates its ticket.
    onSent: (sent) =>
      messageRefs.record({
        channel: sent.channel,
        chatId: sent.chatId,
        messageId: sent.messageId,
        ref: sent.ticketRef,
        at: clock.now(),
      }),
    ...(deps.outboxOptions ?? {}),
    onGiveUp: deps.onGiveUp,
    onDelivered: (d) =>
      metrics.outboxDeliverySeconds.observe(
        { channel: d.channel },
        Math.max(0, d.sentAt.getTime() - d.recordedAt.getTime()) / 1000,
      ),
  });
  metrics.outboxDepth.collectWith(async () => {
    const s = await outbox.stats();
    return s.pending + s.sending;
  });
  return outbox;
}
