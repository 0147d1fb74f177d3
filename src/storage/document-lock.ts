import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Connection } from 'mongoose';
import { ConcurrentUpdateError } from '../errors';
import { createKeyedLock } from './keyed-lock';
import { createLeases, leaseModel } from '../db/lease';

/** The collection of held document locks: one small document per change under way, removed when it is done. */
export const DOCUMENT_LOCKS_COLLECTION = 'document_locks';

/** Runs a read-check-write of one document while no other process (or call here) does the same. */
export interface DocumentLock {
  /** Run `work` holding the lock of document `id`; fails with ConcurrentUpdateError if it stays taken too long. */
  run<T>(id: string, work: () => Promise<T>): Promise<T>;
}

export interface DocumentLockOptions {
  /** Names the kind of document (`conversation`, `ticket`): locks are `<scope>:<id>`. */
  scope: string;
  /** Names this process in its locks; defaults to host, pid and a random suffix. */
  owner?: string;
  /** A lock held longer than this (its holder crashed) is taken over. Default 15 s: a change takes milliseconds. */
  leaseMs?: number;
  /** How long to wait for a lock another process holds before giving up. Default: a little more than `leaseMs`, so a crashed holder's lock is taken over rather than failed on. */
  maxWaitMs?: number;
  /** First pause between tries (doubling, jittered, up to 100 ms). Default 5 ms. */
  retryMs?: number;
}

const MAX_RETRY_MS = 100;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A lock per document shared by every process on one database, for servers
 * where a conditional update is not atomic across connections (FerretDB 1.24
 * applies `updateOne({_id, version})` as a read and a separate write, and a
 * filter other than `{_id}` reads the whole collection). Taking it is a
 * uniquely keyed insert into `document_locks` (see createLeases); a taken
 * lock is tried again shortly, with jitter, for a bounded time; a crashed
 * holder's lock expires and is taken over. Calls in this process queue on an
 * in-process lock first, so a process never polls the database for its own
 * contention. Use it only where the server is FerretDB: MongoDB's
 * conditional updates are atomic and need none of this.
 * @example
 * const lock = createDocumentLock(conn, { scope: 'conversation' });
 * await lock.run(key, async () => { const doc = await read(key); if (ok(doc)) await writeById(key); });
 */
export function createDocumentLock(conn: Connection, opts: DocumentLockOptions): DocumentLock {
  const Lock = leaseModel(conn, 'DocumentLock', DOCUMENT_LOCKS_COLLECTION);
  const leaseMs = opts.leaseMs ?? 15_000;
  const maxWaitMs = opts.maxWaitMs ?? leaseMs + 2_000;
  const retryMs = opts.retryMs ?? 5;
  const leases = createLeases(Lock, {
    owner: opts.owner ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    leaseMs,
  });
  const local = createKeyedLock();
  // Created now, once, rather than by two processes' first inserts at once, and not in the middle of someone's step.
  const ready = Lock.createCollection().catch(() => undefined);

  async function acquire(key: string): Promise<void> {
    await ready;
    const started = Date.now();
    for (let delay = retryMs; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      if (await leases.acquire(key)) return;
      if (Date.now() - started >= maxWaitMs) throw new ConcurrentUpdateError(`${opts.scope} locked by another process`);
      // Jittered so two processes waiting on each other do not retry in step.
      await pause(delay / 2 + Math.random() * delay);
    }
  }

  return {
    run(id, work) {
      const key = `${opts.scope}:${id}`;
      return local.run(key, async () => {
        await acquire(key);
        // A change takes milliseconds, but a stalled machine must not let another process take a held lock over.
        const kept = leases.keep(key);
        try {
          return await work();
        } finally {
          await kept.stop();
          // A lock left behind by a failed release expires; this process would also find it its own.
          await leases.release(key).catch(() => undefined);
        }
      });
    },
  };
}
