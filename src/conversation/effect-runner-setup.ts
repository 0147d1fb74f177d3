import type { Config } from '../config';
import type { FeedbackService } from '../feedback/feedback-service';
import type { TicketService } from '../tickets/ticket-service';
import { createEffectRunner, type CounsellorGateway, type EffectRunner, type EffectRunnerDeps } from './effect-runner';

/** What {@link createConfiguredEffectRunner} needs. */
export interface EffectRunnerSetupDeps extends Pick<EffectRunnerDeps, 'tickets' | 'catalog' | 'intake'> {
  config: Pick<Config, 'WHATSAPP_ENABLED' | 'whatsappCloud'>;
  /** Every citizen id linked to one (the same phone on Telegram and WhatsApp). */
  citizens: { ticketOwnersOf(citizenId: string): Promise<string[]> };
  counsellor: { gateway: CounsellorGateway };
  feedback: Pick<FeedbackService, 'recordFeedback' | 'reopenTicket'>;
  /** The escalation policy, for the days after closure in which a citizen may reopen. */
  escalationPolicy: { feedback: { reopenDays: number } };
  /** Passes a citizen's answer to an officer's question on. */
  ticketService: Pick<TicketService, 'citizenReply'>;
  /** Where `notify` effects go. */
  outbox: NonNullable<EffectRunnerDeps['notifier']>;
}

/**
 * The effect runner as the service runs it: telephone callers answered on
 * WhatsApp when a WhatsApp channel is configured, citizens' answers passed to
 * the ticket service, `notify` effects into the outbox.
 * @example const effects = createConfiguredEffectRunner(deps); createInboundPipeline({ effects, ... })
 */
export function createConfiguredEffectRunner(deps: EffectRunnerSetupDeps): EffectRunner {
  const { config, ticketService } = deps;
  return createEffectRunner({
    tickets: deps.tickets,
    catalog: deps.catalog,
    citizenIds: (id) => deps.citizens.ticketOwnersOf(id),
    intake: deps.intake,
    whatsappForCallers: config.WHATSAPP_ENABLED || config.whatsappCloud !== undefined,
    counsellor: deps.counsellor.gateway,
    feedback: deps.feedback,
    reopenDays: deps.escalationPolicy.feedback.reopenDays,
    onCitizenAnswer: (ref, citizenIds, content, key) => ticketService.citizenReply(ref, citizenIds, content, key),
    notifier: deps.outbox,
  });
}
