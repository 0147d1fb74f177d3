import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Language, Translator } from '../i18n/create-i18n';
import type { HandleResult, InboundHandler } from './inbound-handler';
import { renderReplies } from '../core/render';
import type { InboundMessage } from './types';

/** How many messages one chat may send: a steady rate with room for a burst. */
export interface InboundLimits {
  /** Messages a minute a citizen's chat may send, on average (RATE_LIMIT_PER_MINUTE). */
  perMinute: number;
  /** Messages a chat may send at once after a quiet spell (RATE_LIMIT_BURST). */
  burst: number;
  /** The same average for staff chats (RATE_LIMIT_STAFF_PER_MINUTE); their burst grows in proportion. */
  staffPerMinute: number;
}

export interface InboundLimiterDeps {
  limits: InboundLimits;
  clock: Clock;
  translator: Translator;
  logger: Logger;
  /**
   * Whether a chat belongs to staff (configured administrators, or an active
   * staff record). Asked once per chat and process, and only when a chat not
   * yet known as staff runs out of its allowance, so an officer's commands
   * queued while the service restarted are not mistaken for a citizen's flood
   * and no message pays for the look-up otherwise.
   */
  isStaff?: (msg: InboundMessage) => boolean | Promise<boolean>;
  /** Chats remembered at most (default 50,000); beyond it, chats whose allowance is full again are forgotten. */
  maxChats?: number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** The chat was told to slow down in this flood; cleared once its allowance is full again. */
  noticed: boolean;
  staff: boolean;
  /** Staff by configuration or record: stays staff whatever the handler says. */
  configured: boolean;
  /** {@link InboundLimiterDeps.isStaff} has been asked for this chat. */
  checked: boolean;
  language: Language;
}

/**
 * Put a per-chat token bucket in front of the shared handler: every channel
 * (Telegram, WhatsApp, the web) passes through it. A message within the
 * allowance goes on; one beyond it is dropped before it touches the database,
 * so a flooding chat costs others nothing, and the chat gets one polite
 * notice per flood (in the language it last spoke), then silence until its
 * allowance refills. Staff (known from the handler's answers, or configured
 * administrators) get a larger allowance.
 *
 * The buckets live in this process's memory: with several processes behind a
 * load balancer each enforces its own share, which bounds a flood all the same.
 * @example const handler = limitInbound(createInboundHandler(deps), { limits, clock, translator, logger })
 */
export function limitInbound(handler: InboundHandler, deps: InboundLimiterDeps): InboundHandler {
  const buckets = new Map<string, Bucket>();
  const maxChats = deps.maxChats ?? 50_000;
  const { perMinute, burst, staffPerMinute } = deps.limits;
  const shape = (staff: boolean) =>
    staff
      ? { rate: staffPerMinute / 60_000, capacity: Math.max(burst, Math.round((burst * staffPerMinute) / perMinute)) }
      : { rate: perMinute / 60_000, capacity: burst };

  function refill(b: Bucket, now: number): void {
    const { rate, capacity } = shape(b.staff);
    b.tokens = Math.min(capacity, b.tokens + Math.max(0, now - b.at) * rate);
    b.at = now;
    // A flood ends when the chat has been quiet long enough to fill its allowance again.
    if (b.tokens >= capacity) b.noticed = false;
  }

  /** Forget chats whose allowance is full again: they are as good as new. */
  function sweep(now: number): void {
    for (const [key, b] of buckets) {
      refill(b, now);
      if (b.tokens >= shape(b.staff).capacity && !b.staff) buckets.delete(key);
    }
  }

  /** A chat found to be staff gets the difference between the two allowances to use at once. */
  function becomeStaff(b: Bucket): void {
    b.tokens += shape(true).capacity - shape(false).capacity;
    b.staff = true;
  }

  return async function limited(msg) {
    const key = `${msg.channel}:${msg.chatId}`;
    const now = deps.clock.now().getTime();
    let b = buckets.get(key);
    if (!b) {
      if (buckets.size >= maxChats) sweep(now);
      b = {
        tokens: shape(false).capacity,
        at: now,
        noticed: false,
        staff: false,
        configured: false,
        checked: false,
        language: 'hi',
      };
      buckets.set(key, b);
    }
    refill(b, now);
    if (b.tokens < 1 && !b.staff && !b.checked && deps.isStaff) {
      b.checked = true;
      if (await deps.isStaff(msg)) {
        becomeStaff(b);
        b.configured = true;
      }
    }
    if (b.tokens < 1) {
      const first = !b.noticed;
      b.noticed = true;
      if (first)
        deps.logger.info(
          { event: 'rate_limited', channel: msg.channel, staff: b.staff },
          'a chat is sending too fast; its messages are dropped for a while',
        );
      return {
        messages: first
          ? renderReplies(deps.translator, b.language, [{ text: { key: 'limits.slow_down' } }], msg.channel)
          : [],
        duplicate: false,
        language: b.language,
      };
    }
    b.tokens -= 1;
    const result: HandleResult = await handler(msg);
    b.language = result.language;
    const staff = b.configured || (result.staff ?? b.staff);
    if (staff && !b.staff) becomeStaff(b);
    else if (!staff && b.staff) {
      b.staff = false;
      refill(b, now);
    }
    return result;
  };
}
