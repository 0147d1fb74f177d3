import type { Logger } from 'pino';
import type { CitizenLinker } from '../citizens/citizen-linker';
import { withCitizenLinks } from '../citizens/citizen-linker';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Catalog } from '../domain/catalog';
import type { EffectRunner } from '../conversation/effect-runner';
import type { Flow } from '../conversation/flow-definition';
import { createInboundHandler, type InboundHandlerDeps } from '../conversation/inbound-handler';
import { limitInbound } from '../conversation/inbound-limiter';
import type { Translator } from '../i18n/create-i18n';
import { instrumentHandler, type AppMetrics } from '../metrics/app-metrics';
import type { Outbox } from '../outbox/outbox';
import type { ConversationStore } from '../storage/conversation-store';
import type { StaffStore } from '../storage/staff-store';
import { createReplyPolicy, type ReplyingHandler, type ReplyMode } from './reply-policy';

/** What {@link createInboundPipeline} needs. */
export interface InboundPipelineDeps {
  config: Config;
  flow: Flow;
  catalog: Catalog;
  translator: Translator;
  conversations: ConversationStore;
  staffStore: StaffStore;
  effects: EffectRunner;
  staff: InboundHandlerDeps['staff'];
  linker: CitizenLinker;
  metrics: AppMetrics;
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
}

/**
 * The path of every channel's message into the application, outermost first:
 * the reply policy (src/channels/reply-policy.ts), the per-chat allowance (a
 * flood gets a polite answer and never reaches the database), handling time
 * per channel, citizen links by shared number, and the inbound handler.
 * @example const replies = createInboundPipeline(deps); telegram({ handler: replies.direct })
 */
export function createInboundPipeline(deps: InboundPipelineDeps): Record<ReplyMode, ReplyingHandler> {
  const { config, clock, logger } = deps;
  const inner = createInboundHandler({
    flow: deps.flow,
    catalog: deps.catalog,
    translator: deps.translator,
    conversations: deps.conversations,
    effects: deps.effects,
    clock,
    logger,
    maxTicketsPerDay: config.MAX_TICKETS_PER_DAY,
    media: mediaLimitsOf(config),
    ...(deps.staff ? { staff: deps.staff } : {}),
  });
  const limited = limitInbound(instrumentHandler(withCitizenLinks(inner, deps.linker, logger), deps.metrics), {
    limits: {
      perMinute: config.RATE_LIMIT_PER_MINUTE,
      burst: config.RATE_LIMIT_BURST,
      staffPerMinute: config.RATE_LIMIT_STAFF_PER_MINUTE,
    },
    clock,
    translator: deps.translator,
    logger: logger.child({ component: 'limits' }),
    isStaff: async (msg) =>
      (msg.channel === 'telegram' && config.ADMIN_TELEGRAM_IDS.includes(msg.chatId)) ||
      (msg.channel === 'web' && config.adminWebIds.includes(msg.chatId)) ||
      (await deps.staffStore.findActive(msg.chatId).catch(() => null))?.channel === msg.channel,
  });
  return createReplyPolicy({
    handler: limited,
    outbox: deps.outbox,
    senderOf: (channel) => deps.outbox.senderOf(channel),
    settle: (msg) => deps.conversations.settleReplies(`${msg.channel}:${msg.chatId}`, msg.updateKey),
    logger: logger.child({ component: 'replies' }),
  });
}

/** MEDIA_MAX_MB and MEDIA_PER_DAY as the handler takes them. */
export function mediaLimitsOf(config: Pick<Config, 'MEDIA_MAX_MB' | 'MEDIA_PER_DAY'>): {
  maxBytes: number;
  perDay: number;
} {
  return { maxBytes: Math.round(config.MEDIA_MAX_MB * 1024 * 1024), perDay: config.MEDIA_PER_DAY };
}
