import type { ChannelName } from '../core/messages';

/** How fast one channel may deliver: per chat and for the whole channel. */
export interface ChannelPacing {
  /** Least time between two messages to the same chat. */
  perChatIntervalMs: number;
  /** Most messages per second on the channel from this process. */
  perSecond: number;
  /** Up to this much random extra time is added to each chat's interval (human-like pacing). */
  jitterMs: number;
}

/**
 * Telegram's documented limits (about one message a second per chat, thirty a
 * second overall); WhatsApp through a personal number must look like a person
 * typing, so it goes slower and irregularly.
 */
export const DEFAULT_PACING: Readonly<Record<ChannelName, ChannelPacing>> = {
  telegram: { perChatIntervalMs: 1000, perSecond: 30, jitterMs: 0 },
  whatsapp: { perChatIntervalMs: 3000, perSecond: 5, jitterMs: 2000 },
  web: { perChatIntervalMs: 0, perSecond: 100, jitterMs: 0 },
};

/** A channel's pacing: the defaults with any given fields replaced. */
export function resolvePacing(channel: ChannelName, given?: Partial<ChannelPacing>): ChannelPacing {
  const p = { ...DEFAULT_PACING[channel], ...given };
  if (!(p.perSecond > 0) || !Number.isFinite(p.perSecond))
    throw new RangeError(`outbox pacing for ${channel}: perSecond must be a positive number`);
  if (!(p.perChatIntervalMs >= 0) || !(p.jitterMs >= 0))
    throw new RangeError(`outbox pacing for ${channel}: intervals must not be negative`);
  return p;
}

/** The wait before a chat may receive its next message, jitter included. */
export function chatInterval(p: ChannelPacing, random: () => number): number {
  return p.perChatIntervalMs + (p.jitterMs > 0 ? Math.floor(random() * p.jitterMs) : 0);
}

/**
 * Spaces sends on one channel evenly at `perSecond` (a leaky bucket), which
 * keeps below the platform's overall limit without bursts.
 */
export interface RateGate {
  /** When the next send may start (ms since the epoch). */
  nextSlotAt(): number;
  /** Use up the slot at `now`. */
  take(now: number): void;
}

/** A {@link RateGate} for `perSecond` sends a second. */
export function createRateGate(perSecond: number): RateGate {
  const spacing = 1000 / perSecond;
  let next = 0;
  return {
    nextSlotAt: () => next,
    take(now: number) {
      next = Math.max(next, now) + spacing;
    },
  };
}
