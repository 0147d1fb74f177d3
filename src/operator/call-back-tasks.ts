import type { Logger } from 'pino';
import type { Text } from '../core/messages';
import { isPhoneIntake, referenceIn } from '../domain/ticket';
import { createAudience, type AudienceDeps } from '../notify/audience';
import type { Notifier, OutboundItem } from '../core/outbound';
import type { GivenUpMessage } from '../outbox/outbox';
import type { TicketStore } from '../storage/ticket-store';
import type { TicketMessages } from '../tickets/ticket-messages';

/** Longest part of the undelivered notice quoted in the task. */
const MAX_NOTICE_CHARS = 600;

export interface CallBackTasksDeps {
  tickets: Pick<TicketStore, 'findByRef'>;
  staff: AudienceDeps['staff'];
  notifier: Notifier;
  messages: TicketMessages;
  logger: Logger;
}

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/**
 * The fallback for telephone callers: when a notice to the caller of a
 * phone ticket cannot be delivered (no WhatsApp here, or WhatsApp refused
 * it), every active operator and supervisor gets a task to call the caller
 * back, with the ticket reference, the number and what the notice said.
 * Notices to anyone else are left to /failed.
 * @example createOutbox({ ..., onGiveUp: createCallBackTasks(deps) })
 */
export function createCallBackTasks(deps: CallBackTasksDeps): (failed: GivenUpMessage) => Promise<void> {
  const audience = createAudience({ staff: deps.staff });
  return async function callBack(failed) {
    const ref = referenceIn(failed.dedupeKey);
    const ticket = ref ? await deps.tickets.findByRef(ref) : undefined;
    // Only the caller's own notices: a task about a failed staff message would be noise.
    if (
      !ticket ||
      !isPhoneIntake(ticket.intake) ||
      ticket.channel !== failed.channel ||
      ticket.chatId !== failed.chatId
    )
      return;
    const people = await audience.withRoles(['operator', 'supervisor']);
    const notice =
      failed.message.text.length > MAX_NOTICE_CHARS
        ? `${failed.message.text.slice(0, MAX_NOTICE_CHARS)}…`
        : failed.message.text;
    const items: OutboundItem[] = people.flatMap((p) =>
      deps.messages
        .render(p.language, [
          {
            text: t('operator.call_back', { ref: ticket.ref, phone: ticket.phone ?? t('operator.no_number'), notice }),
          },
        ])
        .map((message, i) => ({
          channel: p.channel,
          chatId: p.chatId,
          message,
          dedupeKey: `callback:${failed.dedupeKey}:${p.staffId}:${i}`,
        })),
    );
    if (items.length === 0) {
      deps.logger.warn(
        { event: 'call_back_nobody', ref: ticket.ref },
        'a caller must be called back, but no operator or supervisor is linked',
      );
      return;
    }
    await deps.notifier.enqueue(items);
    deps.logger.info(
      { event: 'call_back_task', ref: ticket.ref, reason: failed.reason, people: people.length },
      'call-back task sent',
    );
  };
}
