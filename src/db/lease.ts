import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from './duplicate-key';
import { modelOnce } from './model-once';

/** Something (a chat's updates, a document's change) is held by `owner` until `expiresAt`. */
export interface LeaseDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
}

const leaseSchema = new Schema<LeaseDoc>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/**
 * The model of a collection of leases, one per held key (reused when the
 * connection has it already).
 * @example const Lease = leaseModel(conn, 'InboxChatLease', 'inbox_chat_leases');
 */
export function leaseModel(conn: Connection, name: string, collection: string): Model<LeaseDoc> {
  return modelOnce<LeaseDoc>(conn, name, leaseSchema, collection);
}

/** Take and give back leases of one owner. */
export interface Leases {
  /** Take the lease of `key`: true when this owner holds it now, false when someone else does. */
  acquire(key: string): Promise<boolean>;
  /** Give the lease of `key` back (if this owner still holds it). */
  release(key: string): Promise<void>;
  /**
   * Renew the held lease of `key` every third of its length until `stop()`,
   * so work that runs long on a stalled machine is not taken over.
   */
  keep(key: string): KeptLease;
}

/** A lease being renewed while its work runs. */
export interface KeptLease {
  /** True once a renewal found the lease gone or under another owner: stop before the next piece of work. */
  readonly lost: boolean;
  /** Stop renewing, waiting for a renewal under way, so that none lands after the release that follows. */
  stop(): Promise<void>;
}

/**
 * Leases as uniquely keyed inserts: the one compare-and-set that MongoDB and
 * FerretDB 1.24 both make atomic (DESIGN.md "Atomicity"); a conditional
 * update is not, on FerretDB. A lease past its `expiresAt` (its holder
 * crashed) is removed by the one owner whose claim on it wins (another
 * uniquely keyed insert), exactly that one, and raced for again by insert.
 * The owner takes one key once at a time (its callers see to that): a lease
 * found already under its name is an insert whose answer was lost, and is its.
 * @example
 * const leases = createLeases(Lease, { owner: 'host:42:ab12', leaseMs: 20_000 });
 * if (await leases.acquire(key)) try { await work(); } finally { await leases.release(key); }
 */
export function createLeases(
  Lease: Model<LeaseDoc>,
  opts: { owner: string; leaseMs: number; now?: () => Date; onTakeOver?: () => void },
): Leases {
  const { owner, leaseMs } = opts;
  const now = opts.now ?? (() => new Date());
  const insert = async (key: string, at: Date): Promise<boolean> => {
    try {
      await Lease.create({ _id: key, owner, expiresAt: new Date(at.getTime() + leaseMs) });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return false;
    }
  };
  return {
    async acquire(key) {
      const at = now();
      if (await insert(key, at)) return true;
      const held = await Lease.findById(key).lean<LeaseDoc>().exec();
      if (held?.owner === owner) return true;
      if (held && held.expiresAt > at) return false;
      if (!held) return insert(key, at); // just released: race for it by insert
      // Expired: its holder crashed. Two owners can find the same expired lease, and FerretDB deletes by a
      // read and a separate delete, so the later one's delete could remove the lease the earlier one has just
      // taken. Only the owner whose claim on this expired lease (a uniquely keyed insert naming it) succeeds
      // removes it; the other finds the claim taken and waits.
      const claim = `${key}\u0000takeover\u0000${held.owner}\u0000${held.expiresAt.getTime()}`;
      if (!(await insert(claim, at))) return false;
      try {
        await Lease.deleteOne({ _id: key, owner: held.owner, expiresAt: held.expiresAt });
        const won = await insert(key, at);
        if (won) opts.onTakeOver?.();
        return won;
      } finally {
        await Lease.deleteOne({ _id: claim, owner }).catch(() => undefined);
      }
    },
    async release(key) {
      await Lease.deleteOne({ _id: key, owner });
    },
    keep(key) {
      let lost = false;
      let inFlight: Promise<void> = Promise.resolve();
      // FerretDB applies this update as a read and a separate write (DESIGN.md): a renewal still under way
      // when the lease is released could write it back after another owner has taken the key, leaving a
      // lease nobody releases. stop() waits for it, so the release always comes after the last renewal.
      const renew = async () => {
        const res = await Lease.updateOne(
          { _id: key, owner },
          { $set: { expiresAt: new Date(now().getTime() + leaseMs) } },
        ).exec();
        if (res.matchedCount === 0) lost = true;
      };
      const timer = setInterval(() => {
        inFlight = inFlight.then(renew).catch(() => undefined);
      }, leaseMs / 3);
      timer.unref();
      return {
        get lost() {
          return lost;
        },
        async stop() {
          clearInterval(timer);
          await inFlight;
        },
      };
    },
  };
}
