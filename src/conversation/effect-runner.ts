import { findBlock, findCategory, type Catalog } from '../domain/catalog';
import type { Ticket } from '../domain/ticket';
import type { TicketIntake } from '../tickets/ticket-intake';
import { feedbackReply, type FeedbackService } from '../feedback/feedback-service';
import { satisfiedByRating } from '../feedback/feedback-question';
import { isOpen } from '../domain/ticket-lifecycle';
import { formatDateTime } from '../i18n/format';
import type { Language } from '../i18n/create-i18n';
import type { TicketStore } from '../storage/ticket-store';
import { AppError } from '../errors';
import type { Notifier, OutboundItem } from '../core/outbound';
import type { Effect, InboundMessage } from './types';
import type { Attachment, Reply, Text } from '../core/messages';

/** How many tickets /status lists: the latest, so the list fits a basic phone's screen or two (400 characters). */
export const STATUS_LIST_LIMIT = 3;

export interface EffectRunnerDeps {
  tickets: TicketStore;
  catalog: Catalog;
  /** Files tickets and routes them. */
  intake: Pick<TicketIntake, 'file'>;
  /** Ratings, closing and reopening after a resolution. */
  feedback?: Pick<FeedbackService, 'recordFeedback' | 'reopenTicket'>;
  /** Days after closure in which a citizen may reopen (for the "too late" answer). */
  reopenDays?: number;
  /** Every citizen id linked to this one (the same phone on Telegram and WhatsApp). */
  citizenIds?: (citizenId: string) => Promise<string[]>;
  /** The health counsellor relay; without it the offer is answered as unavailable. */
  counsellor?: CounsellorGateway;
  /** Pass a citizen's answer to an officer's question on; false when the ticket is not theirs. */
  /** WhatsApp runs here, so a telephone caller with a number is answered there; otherwise the operators call back. */
  whatsappForCallers?: boolean;
  /** Where `notify` effects go (the outbox). */
  notifier?: Pick<Notifier, 'enqueue'>;
  onCitizenAnswer?: (
    ref: string,
    citizenIds: readonly string[],
    content: { text?: string; attachment?: Attachment },
    deliveryKey: string,
  ) => Promise<boolean>;
}

/**
 * What the counsellor relay answers a citizen's step with: the citizen's replies, and the
 * notices to other chats (the counsellor, a waiting citizen now connected), which the
 * runner queues exactly as a `notify` effect's items.
 */
export interface CounsellorAnswer {
  replies: Reply[];
  notices: OutboundItem[];
}

/** What the conversation needs of the counsellor relay. */
export interface CounsellorGateway {
  request(citizen: {
    channel: InboundMessage['channel'];
    chatId: string;
    citizenId: string;
    language: Language;
  }): Promise<CounsellorAnswer>;
  /** `deliveryKey` names the citizen's message, so a retried handling relays it once. */
  relay(
    citizenKey: string,
    content: { text?: string; attachment?: Attachment },
    deliveryKey: string,
  ): Promise<CounsellorAnswer>;
  leave(citizenKey: string): Promise<CounsellorAnswer>;
}

/** Who the effects are for. */
export interface EffectContext {
  msg: InboundMessage;
  citizenId: string;
  language: Language;
}

/** The one place where the conversation's effects touch the database. */
export interface EffectRunner {
  run(effects: readonly Effect[], ctx: EffectContext): Promise<Reply[]>;
}

/** Build the effect runner. */
export function createEffectRunner(deps: EffectRunnerDeps): EffectRunner {
  const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

  function placeOf(ticket: Ticket): Text {
    if (ticket.location) {
      return t('intake.summary.place_pin', {
        lat: ticket.location.lat.toFixed(5),
        lon: ticket.location.lon.toFixed(5),
      });
    }
    const block = findBlock(deps.catalog, ticket.block);
    return t('intake.summary.place_text', {
      block: block ? t(block.label) : t('common.none'),
      locality: ticket.locality ?? '',
    });
  }

  function categoryText(ticket: Ticket): Text {
    return t(findCategory(deps.catalog, ticket.category)?.label ?? 'category.other');
  }

  async function createTicket(
    effect: Extract<Effect, { type: 'create_ticket' }>,
    ctx: EffectContext,
  ): Promise<Reply[]> {
    const a = effect.answers;
    const category = findCategory(deps.catalog, a.category);
    if (!category || !a.description) {
      throw new AppError('INVALID_TRANSITION', 'submit without category or description');
    }
    const onBehalf = effect.onBehalf;
    // The number the summary showed (taken from /call, changed or skipped there), nothing else.
    const phone = a.phone;
    // A caller is answered on WhatsApp at their number; without a number, the
    // updates go to the operator's chat so someone can call back.
    const reach =
      onBehalf && phone
        ? { citizenId: `phone:${phone}`, channel: 'whatsapp' as const, chatId: `${phone.replace(/\D/g, '')}@c.us` }
        : onBehalf
          ? { citizenId: `call:${ctx.msg.updateKey}`, channel: ctx.msg.channel, chatId: ctx.msg.chatId }
          : { citizenId: ctx.citizenId, channel: ctx.msg.channel, chatId: ctx.msg.chatId };
    const replyVia: Ticket['replyVia'] = onBehalf
      ? phone
        ? deps.whatsappForCallers
          ? 'whatsapp'
          : 'callback'
        : 'operator_chat'
      : undefined;
    const { ticket } = await deps.intake.file({
      // One submission, one ticket: a submit retried after an apology, redelivered, or sent twice at once
      // (different update ids, the same saved state) carries the same submission id.
      idempotencyKey: `${ctx.msg.channel}:${ctx.msg.chatId}:${effect.submissionId ?? ctx.msg.updateKey}`,
      category,
      ...reach,
      language: ctx.language,
      intake: onBehalf?.line ?? ctx.msg.channel,
      createdBy: onBehalf
        ? { kind: 'staff', id: onBehalf.operatorId, role: 'operator' }
        : { kind: 'citizen', id: ctx.citizenId },
      description: a.description,
      ...(a.block ? { block: a.block } : {}),
      ...(a.locality ? { locality: a.locality } : {}),
      ...(a.location ? { location: a.location } : {}),
      attachments: a.attachments,
      ...(phone ? { phone } : {}),
      ...(onBehalf ? { loggedBy: onBehalf.operatorId, note: onBehalf.line } : {}),
      ...(replyVia ? { replyVia } : {}),
    });
    const date = formatDateTime(ticket.createdAt, ctx.language);
    // The operator filed it for someone else: theirs to read out to the caller.
    if (!onBehalf) return [{ text: t('intake.submitted', { ref: ticket.ref, date }) }];
    return [
      {
        text: t('intake.submitted_caller', {
          ref: ticket.ref,
          date,
          reach: t(`intake.caller_reach.${ticket.replyVia ?? replyVia}`),
        }),
      },
    ];
  }

  /** The citizen's own ticket (or a linked chat's); another citizen's is treated as missing. */
  async function ownTicket(ref: string, ctx: EffectContext): Promise<Ticket | undefined> {
    const ids = deps.citizenIds ? await deps.citizenIds(ctx.citizenId) : [ctx.citizenId];
    const ticket = await deps.tickets.findByRef(ref);
    return ticket && ids.includes(ticket.citizenId) ? ticket : undefined;
  }

  async function showStatus(effect: Extract<Effect, { type: 'show_status' }>, ctx: EffectContext): Promise<Reply[]> {
    const ids = deps.citizenIds ? await deps.citizenIds(ctx.citizenId) : [ctx.citizenId];
    if (effect.ref) {
      const ticket = await ownTicket(effect.ref, ctx);
      if (!ticket) return [{ text: t('status.not_found', { ref: effect.ref }) }];
      const reply: Reply = {
        text: t('status.detail', {
          ref: ticket.ref,
          category: categoryText(ticket),
          place: placeOf(ticket),
          status: t(`ticket.status.${ticket.status}`),
          created: formatDateTime(ticket.createdAt, ctx.language),
          updated: formatDateTime(ticket.updatedAt, ctx.language),
        }),
      };
      // A resolved or closed complaint can be reopened from here (the feedback rules decide whether it is too late).
      if (deps.feedback && !isOpen(ticket.status)) {
        reply.buttons = { scope: 'ro', options: [{ value: ticket.ref, label: t('status.reopen') }] };
      }
      return [reply];
    }
    const list = await deps.tickets.recentForCitizen(ids, STATUS_LIST_LIMIT);
    if (list.length === 0) return [{ text: t('status.none') }];
    const items = list.map((ticket) =>
      t('status.item', {
        ref: ticket.ref,
        category: categoryText(ticket),
        status: t(`ticket.status.${ticket.status}`),
        date: formatDateTime(ticket.createdAt, ctx.language),
      }),
    );
    return [{ text: t('status.list', { items }) }];
  }

  async function answerQuestion(
    effect: Extract<Effect, { type: 'answer_question' }>,
    ctx: EffectContext,
  ): Promise<Reply[]> {
    const passed = deps.onCitizenAnswer
      ? await deps.onCitizenAnswer(
          effect.ref,
          deps.citizenIds ? await deps.citizenIds(ctx.citizenId) : [ctx.citizenId],
          {
            ...(effect.text ? { text: effect.text } : {}),
            ...(effect.attachment ? { attachment: effect.attachment } : {}),
          },
          `${ctx.msg.channel}:${ctx.msg.chatId}:${ctx.msg.updateKey}`,
        )
      : false;
    // A ticket that is gone or not theirs: the words were not an answer after all.
    return [{ text: t(passed ? 'notify.answer_forwarded' : 'menu.prompt', { ref: effect.ref }) }];
  }

  async function feedback(
    effect: Extract<Effect, { type: 'feedback' | 'reopen' }>,
    ctx: EffectContext,
  ): Promise<Reply[]> {
    const ticket = deps.feedback ? await ownTicket(effect.ref, ctx) : undefined;
    if (!ticket || !deps.feedback) return [{ text: t('status.not_found', { ref: effect.ref }) }];
    const days = deps.reopenDays ?? 7;
    if (effect.type === 'feedback') {
      const result = await deps.feedback.recordFeedback(ticket.ref, effect.rating, satisfiedByRating(effect.rating));
      return [feedbackReply(result, ticket.ref, days)];
    }
    const result = await deps.feedback.reopenTicket(ticket.ref, { by: { kind: 'citizen', id: ctx.citizenId } });
    if (result.ok)
      return [{ text: t(result.escalated ? 'feedback.reopened_escalated' : 'feedback.reopened', { ref: ticket.ref }) }];
    if (result.reason === 'too_late')
      return [{ text: t('feedback.reopen_too_late', { ref: ticket.ref, count: days }) }];
    if (result.reason === 'not_resolved') return [{ text: t('status.still_open', { ref: ticket.ref }) }];
    return [{ text: t('error.generic') }];
  }

  /** The one way this runner queues messages for other chats: `notify` effects and the counsellor relay's notices. */
  async function notify(items: OutboundItem[]): Promise<void> {
    if (items.length === 0) return;
    if (!deps.notifier) throw new AppError('CONFIG_INVALID', 'notify effect without a notifier');
    await deps.notifier.enqueue(items);
  }

  async function counselling(
    effect: Extract<Effect, { type: `counsellor_${string}` }>,
    ctx: EffectContext,
  ): Promise<Reply[]> {
    if (!deps.counsellor) return [{ text: t('counsellor.unavailable') }];
    const answer = await askCounsellor(deps.counsellor, effect, ctx);
    await notify(answer.notices);
    return answer.replies;
  }

  function askCounsellor(
    counsellor: CounsellorGateway,
    effect: Extract<Effect, { type: `counsellor_${string}` }>,
    ctx: EffectContext,
  ): Promise<CounsellorAnswer> {
    const key = `${ctx.msg.channel}:${ctx.msg.chatId}`;
    if (effect.type === 'counsellor_request') {
      return counsellor.request({
        channel: ctx.msg.channel,
        chatId: ctx.msg.chatId,
        citizenId: ctx.citizenId,
        language: ctx.language,
      });
    }
    if (effect.type === 'counsellor_relay') {
      return counsellor.relay(
        key,
        {
          ...(effect.text ? { text: effect.text } : {}),
          ...(effect.attachment ? { attachment: effect.attachment } : {}),
        },
        `${key}:${ctx.msg.updateKey}`,
      );
    }
    return counsellor.leave(key);
  }

  return {
    async run(effects, ctx) {
      const replies: Reply[] = [];
      for (const effect of effects) {
        if (effect.type === 'create_ticket') replies.push(...(await createTicket(effect, ctx)));
        else if (effect.type === 'show_status') replies.push(...(await showStatus(effect, ctx)));
        else if (effect.type === 'answer_question') replies.push(...(await answerQuestion(effect, ctx)));
        else if (effect.type === 'feedback' || effect.type === 'reopen') replies.push(...(await feedback(effect, ctx)));
        else if (effect.type === 'notify') await notify(effect.items);
        else if (effect.type === 'language_changed') {
          // Officers' updates reach the citizen in the language they now speak.
          const ids = deps.citizenIds ? await deps.citizenIds(ctx.citizenId) : [ctx.citizenId];
          await deps.tickets.setLanguage(ids, effect.language);
        } else replies.push(...(await counselling(effect, ctx)));
      }
      return replies;
    },
  };
}
