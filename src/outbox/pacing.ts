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

/** The window over which a channel's `perSecond` is counted: a second, and a few milliseconds for clocks read a moment apart. */
export const RATE_WINDOW_MS = 1_005;

/**
 * Spaces sends on one channel evenly at `perSecond` (a leaky bucket), which
 * keeps below the platform's overall limit without bursts, and never lets
 * more than `perSecond` start within any {@link RATE_WINDOW_MS}.
 */
export interface RateGate {
  /** When the next send may start (ms since the epoch). */
  nextSlotAt(): number;
  /**
   * Use up the slot at `now`. With `creditMs`, for a send that had waited for
   * its slot and started late anyway (the process was busy), the slots after
   * it stay where they were by up to that much, so the time lost is made up
   * by the next sends, at up to twice the pace (still never more than
   * `perSecond` in a window).
   */
  take(now: number, creditMs?: number): void;
}

/** A {@link RateGate} for `perSecond` sends a second. */
export function createRateGate(perSecond: number): RateGate {
  const spacing = 1000 / perSecond;
  const perWindow = Math.max(1, Math.floor(perSecond));
  // Start times of the last `perWindow` sends, as a ring (oldest at `oldest` once full).
  const recent: number[] = [];
  let oldest = 0;
  let next = 0;
  // Time made up after a late start goes at up to twice the pace, not in one burst.
  let earliest = 0;
  return {
    nextSlotAt: () =>
      Math.max(next, earliest, recent.length < perWindow ? 0 : (recent[oldest] as number) + RATE_WINDOW_MS),
    take(now: number, creditMs = 0) {
      next = Math.max(next, now - Math.max(0, creditMs)) + spacing;
      earliest = now + spacing / 2;
      if (recent.length < perWindow) recent.push(now);
      else {
        recent[oldest] = now;
        oldest = (oldest + 1) % perWindow;
      }
    },
  };
}
