import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { safeError } from '../logger';
import { createLeases, leaseModel } from '../db/lease';
import type { InboundInbox, InboxItem } from './inbound-inbox';

export interface InboxDispatcherDeps {
  conn: Connection;
  inbox: InboundInbox;
  /** Handle one recorded update; an error is logged and the update is not tried again (as with polling). */
  handle(item: InboxItem): Promise<void>;
  /**
   * Called before handling an update when a later update of the same chat is
   * already recorded: the person has answered since, so whatever replies of
   * this update are not yet known to be sent (its handler died between
   * sending and recording that) must not go out again, late and out of order.
   */
  superseded?(item: InboxItem): Promise<void>;
  logger: Logger;
  /** A lease held longer than this (its holder crashed) is taken over. Default 20 s: handling one update takes well under a second. */
  leaseMs?: number;
  /** How soon to look again at a chat another instance is handling. Default 200 ms. */
  retryMs?: number;
  /**
   * How long a chat's first update waits before it is handled, so that an
   * earlier update of the same person arriving at another instance at the
   * same moment is recorded first and handled in its place. Default 150 ms.
   */
  settleMs?: number;
  /** Names this instance in leases; defaults to host, pid and a random suffix. */
  owner?: string;
}

/** Hands recorded webhook updates to the handler, one chat at a time across every instance. */
export interface InboxDispatcher {
  /** Something was recorded for this chat: handle what it has, now or once its other handler is done. */
  submit(chatKey: string): void;
  /** Handle every chat that has updates left under `prefix` (at start-up). */
  resume(prefix: string, limit: number): Promise<number>;
  /** Stop taking new work; wait for what is being handled. */
  stop(): Promise<void>;
}

/**
 * With several instances behind a load balancer, one person's updates can
 * reach two instances at once. Whoever holds a chat's lease handles all of
 * that chat's recorded updates in arrival order; the lease is a uniquely
 * keyed insert, the one compare-and-set that MongoDB and FerretDB both make
 * atomic (DESIGN.md). An instance that finds the lease taken looks again
 * shortly, until the updates are gone (handled by the holder) or the lease
 * is free; a crashed holder's lease expires.
 * @example const dispatcher = createInboxDispatcher({ conn, inbox, handle, logger }); dispatcher.submit('telegram:42');
 */
export async function createInboxDispatcher(deps: InboxDispatcherDeps): Promise<InboxDispatcher> {
  const Lease = leaseModel(deps.conn, 'InboxChatLease', 'inbox_chat_leases');
  await Lease.createCollection().catch(() => undefined);
  const owner = deps.owner ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const leaseMs = deps.leaseMs ?? 20_000;
  const retryMs = deps.retryMs ?? 200;
  const settleMs = deps.settleMs ?? 150;
  const log = deps.logger;
  /** Chats this instance is draining now, and those asked for again meanwhile. */
  const active = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  // This process drains a chat once at a time (`active`), as the leases ask.
  const leases = createLeases(Lease, {
    owner,
    leaseMs,
    onTakeOver: () => log.warn({ event: 'inbox_lease_taken_over' }, 'took over a chat whose handler stopped'),
  });
  const acquire = (chatKey: string) => leases.acquire(chatKey);

  async function drain(chatKey: string): Promise<void> {
    for (;;) {
      if (stopped) return;
      if (!(await acquire(chatKey))) {
        // Another instance has this chat; if it leaves updates behind, they are ours next time.
        if (await deps.inbox.hasPending(chatKey)) later(chatKey);
        return;
      }
      // A drain goes on while the person keeps writing, and a step can stall on a busy machine: the lease is
      // renewed while we hold it, and if it was lost all the same (this process stalled past its expiry and
      // another took the chat over) we stop before the next update, so two instances never handle the same one.
      const kept = leases.keep(chatKey);
      try {
        for (;;) {
          const items = await deps.inbox.pendingOf(chatKey, 20);
          if (items.length === 0 || stopped) break;
          for (const [i, item] of items.entries()) {
            if (kept.lost) {
              log.warn({ event: 'inbox_lease_lost' }, 'another instance took this chat over; leaving it to them');
              return;
            }
            if (i < items.length - 1 && deps.superseded) {
              await deps
                .superseded(item)
                .catch((err: unknown) =>
                  log.warn(
                    { event: 'inbox_supersede_failed', error: safeError(err) },
                    'could not settle stale replies',
                  ),
                );
            }
            await deps
              .handle(item)
              .catch((err: unknown) =>
                log.error(
                  { event: 'inbox_update_failed', error: safeError(err) },
                  'a recorded update could not be handled',
                ),
              );
            await deps.inbox.done(item._id);
          }
        }
      } finally {
        await kept.stop();
        await leases.release(chatKey).catch(() => undefined);
      }
      // Something recorded between the last look and the release would otherwise wait for the next update.
      if (!(await deps.inbox.hasPending(chatKey))) return;
    }
  }

  /** Chats waiting to be looked at (settling, or held by another instance). */
  const waiting = new Set<string>();

  function later(chatKey: string, ms = retryMs): void {
    if (waiting.has(chatKey)) return;
    waiting.add(chatKey);
    const timer = setTimeout(() => {
      timers.delete(timer);
      waiting.delete(chatKey);
      start(chatKey);
    }, ms);
    timers.add(timer);
  }

  function submit(chatKey: string): void {
    if (stopped) return;
    if (active.has(chatKey)) {
      // The drain under way looks for more before it lets go.
      again.add(chatKey);
      return;
    }
    later(chatKey, settleMs);
  }

  function start(chatKey: string): void {
    if (stopped) return;
    if (active.has(chatKey)) {
      again.add(chatKey);
      return;
    }
    const run = drain(chatKey)
      .catch((err: unknown) => {
        log.error(
          { event: 'inbox_drain_failed', error: safeError(err) },
          'could not handle recorded updates; trying again shortly',
        );
        later(chatKey);
      })
      .finally(() => {
        active.delete(chatKey);
        if (again.delete(chatKey)) start(chatKey);
      });
    active.set(chatKey, run);
  }

  return {
    submit,
    async resume(prefix, limit) {
      const chats = new Set((await deps.inbox.pending(prefix, limit)).map((i) => i.chatKey));
      for (const chat of chats) start(chat);
      return chats.size;
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...active.values()]);
    },
  };
}
