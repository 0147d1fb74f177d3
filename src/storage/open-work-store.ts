import { Schema, type Model } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import { isFerretDb } from '../db/connect';
import { openEntry, openTicketOf, type OpenEntry, type OpenTicket, type OpenWorkSource } from '../domain/open-work';
import { createDocumentLock } from './document-lock';

/**
 * One shard of the open-work read model (collection `open_work`): `e` maps a
 * ticket reference to its compact entry (src/domain/open-work.ts). A fixed
 * number of shards ({@link OPEN_WORK_SHARDS}), keyed `open:<k>`, so every
 * question about open work reads that many documents by `_id` whatever the
 * history holds. Size: an entry takes about 100–150 bytes, so even 50,000
 * open tickets (years of a district's backlog) make 16 documents of about
 * 0.5 MB each, far below MongoDB's 16 MB document limit.
 */
export interface OpenWorkDoc {
  _id: string;
  e?: Record<string, OpenEntry>;
}

export const openWorkSchema = new Schema<OpenWorkDoc>(
  { _id: { type: String, required: true } },
  { versionKey: false, strict: false },
);

/** How many documents the read model is spread over. */
export const OPEN_WORK_SHARDS = 16;

/** Marker in `counters`: the open-work read model was built for this database. */
export const OPEN_WORK_BUILT = 'schema:open-work';

/** The shard document holding a ticket's entry (FNV-1a of the reference). */
export function shardOf(ref: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < ref.length; i++) h = Math.imul(h ^ ref.charCodeAt(i), 0x01000193) >>> 0;
  return `open:${h % OPEN_WORK_SHARDS}`;
}

const shardIds = Array.from({ length: OPEN_WORK_SHARDS }, (_, k) => `open:${k}`);

/** An entry's field (references hold no `.` or `$`; replaced all the same, as field paths forbid them). */
const fieldOf = (ref: string) => `e.${ref.replace(/[.$\0]/g, '_')}`;

/** One change of one entry: set it (or remove it, `entry` undefined) only where the stored one's version is at most `maxV`. */
interface EntryChange {
  ref: string;
  entry?: OpenEntry;
  maxV: number;
}

/** Whether two entries say the same (versions and tombstone times aside). */
const sameContent = (a: OpenEntry, b: OpenEntry) => {
  const plain = (e: OpenEntry) => JSON.stringify('x' in e ? { x: 1 } : { ...e, v: 0 });
  return plain(a) === plain(b);
};

/** The read model of open work: kept by the count relay, read by `/pending`, `/overdue`, reports and the dashboard. */
export interface OpenWorkStore {
  /** Record a snapshot of a ticket, unless a newer one (higher revision) is there already. */
  put(t: OpenWorkSource, at: Date): Promise<void>;
  /** Every open ticket (one read by `_id` per shard). */
  open(): Promise<OpenTicket[]>;
  /**
   * Make the read model agree with the live tickets (`live`, streamed):
   * missing or wrong entries are written (never over a newer one), entries of
   * tickets no longer live are removed (`lookup` by `_id` tells whether they
   * are), tombstones older than `pruneBefore` go. Returns what it changed.
   */
  reconcile(
    live: AsyncIterable<OpenWorkSource>,
    lookup: (ref: string) => Promise<OpenWorkSource | null>,
    now: Date,
    pruneBefore: Date,
  ): Promise<{ tickets: number; fixed: number; pruned: number }>;
  /** Bulk loading (the seed): snapshots of many tickets, a write per shard (on MongoDB per entry), never over a newer entry. */
  load(tickets: readonly OpenWorkSource[], at: Date): Promise<void>;
  /** Whether the read model was built (cached once it was); one with no live ticket to build from is marked built. */
  isBuilt(): Promise<boolean>;
  markBuilt(): Promise<void>;
}

/**
 * The store over `open_work`. Writes are per entry and conditional on its
 * version: on MongoDB one atomic update (`$set` of the entry's field where the
 * stored version is not newer); on FerretDB, whose update is a read and a
 * separate write, a read by `_id`, a check here and a write by `_id`, under
 * the shard's document lock shared by every process (createDocumentLock).
 */
export function createOpenWorkStore(models: {
  OpenWork: Model<OpenWorkDoc>;
  Counter: Model<{ _id: string; seq: number }>;
  /** The live tickets: with none, there is nothing to build (a new database is built at once). */
  Ticket: Pick<Model<{ _id?: string }>, 'findOne'>;
}): OpenWorkStore {
  const coll = models.OpenWork.collection;
  const byIdOnly = isFerretDb(models.OpenWork.db).catch(() => false);
  const locks = createDocumentLock(models.OpenWork.db, { scope: 'open_work' });
  let built = false;

  async function markBuilt(): Promise<void> {
    await models.Counter.updateOne({ _id: OPEN_WORK_BUILT }, { $set: { seq: 1 } }, { upsert: true }).exec();
    built = true;
  }

  const readShard = async (id: string) =>
    (await models.OpenWork.findOne({ _id: id }).lean<OpenWorkDoc>().exec())?.e ?? {};

  /** Apply changes to one shard, each only where its condition holds; returns how many were applied. */
  async function change(shard: string, changes: readonly EntryChange[]): Promise<number> {
    if (changes.length === 0) return 0;
    if (await byIdOnly) {
      return locks.run(shard, async () => {
        const doc = await models.OpenWork.findOne(
          { _id: shard },
          Object.fromEntries(changes.map((c) => [fieldOf(c.ref), 1])),
        )
          .lean<OpenWorkDoc>()
          .exec();
        const $set: Record<string, OpenEntry> = {};
        const $unset: Record<string, ''> = {};
        for (const c of changes) {
          const cur = doc?.e?.[fieldOf(c.ref).slice(2)];
          if (cur && cur.v > c.maxV) continue;
          if (c.entry) $set[fieldOf(c.ref)] = c.entry;
          else if (cur) $unset[fieldOf(c.ref)] = '';
        }
        const n = Object.keys($set).length + Object.keys($unset).length;
        if (n === 0) return 0;
        await coll.updateOne(
          { _id: shard } as never,
          { ...(Object.keys($set).length ? { $set } : {}), ...(Object.keys($unset).length ? { $unset } : {}) } as never,
          { upsert: true },
        );
        return n;
      });
    }
    let n = 0;
    for (const c of changes) {
      const f = fieldOf(c.ref);
      const filter = { _id: shard, $or: [{ [f]: { $exists: false } }, { [`${f}.v`]: { $lte: c.maxV } }] };
      try {
        const res = c.entry
          ? await coll.updateOne(filter as never, { $set: { [f]: c.entry } } as never, { upsert: true })
          : await coll.updateOne(filter as never, { $unset: { [f]: '' } } as never);
        n += res.modifiedCount + res.upsertedCount;
      } catch (err) {
        // The shard exists with a newer entry: the upsert's insert met the shard's `_id`.
        if (!isDuplicateKey(err)) throw err;
      }
    }
    return n;
  }

  return {
    async put(t, at) {
      const entry = openEntry(t, at);
      await change(shardOf(t.ref), [{ ref: t.ref, entry, maxV: entry.v - 1 }]);
    },
    async open() {
      const out: OpenTicket[] = [];
      for (const shard of await Promise.all(shardIds.map(readShard))) {
        for (const [ref, e] of Object.entries(shard)) {
          const t = openTicketOf(ref, e);
          if (t) out.push(t);
        }
      }
      return out;
    },
    async reconcile(live, lookup, now, pruneBefore) {
      // What the live tickets say, by shard (tombstones for those no longer open).
      const want = new Map<string, Map<string, OpenEntry>>(shardIds.map((id) => [id, new Map()]));
      let tickets = 0;
      for await (const t of live) {
        want.get(shardOf(t.ref))?.set(t.ref, openEntry(t, now));
        tickets++;
      }
      let fixed = 0;
      let pruned = 0;
      for (const shard of shardIds) {
        const have = await readShard(shard);
        const wanted = want.get(shard) ?? new Map<string, OpenEntry>();
        const changes: EntryChange[] = [];
        for (const [ref, w] of wanted) {
          const cur = have[ref];
          if ('x' in w) {
            // No longer open: only an open entry needs its tombstone.
            if (cur && !('x' in cur) && cur.v <= w.v) changes.push({ ref, entry: w, maxV: w.v });
          } else if (!cur || (cur.v <= w.v && !sameContent(cur, w))) {
            changes.push({ ref, entry: w, maxV: w.v });
          }
        }
        const prunes: EntryChange[] = [];
        for (const [ref, cur] of Object.entries(have)) {
          if ('x' in cur) {
            if (cur.x.getTime() < pruneBefore.getTime()) prunes.push({ ref, maxV: cur.v });
            continue;
          }
          if (wanted.has(ref)) continue;
          // Filed after the stream passed it, or gone from the live tickets: ask by `_id`.
          const t = await lookup(ref);
          if (!t) changes.push({ ref, maxV: cur.v });
          else if (!sameContent(cur, openEntry(t, now)))
            changes.push({ ref, entry: openEntry(t, now), maxV: Math.max(cur.v, t.rev ?? 0) });
        }
        fixed += await change(shard, changes);
        pruned += await change(shard, prunes);
      }
      return { tickets, fixed, pruned };
    },
    async load(tickets, at) {
      const byShard = new Map<string, EntryChange[]>();
      for (const t of tickets) {
        const entry = openEntry(t, at);
        // A ticket no longer open needs no tombstone in a fresh load.
        if ('x' in entry) continue;
        const list = byShard.get(shardOf(t.ref)) ?? [];
        list.push({ ref: t.ref, entry, maxV: entry.v });
        byShard.set(shardOf(t.ref), list);
      }
      for (const [shard, changes] of byShard) await change(shard, changes);
    },
    async isBuilt() {
      if (built) return true;
      if ((await models.Counter.findOne({ _id: OPEN_WORK_BUILT }).lean().exec()) !== null) return (built = true);
      // No live ticket: nothing to build (every ticket filed from now on is relayed into it).
      if ((await models.Ticket.findOne({}, { _id: 1 }).lean().exec()) === null) await markBuilt();
      return built;
    },
    markBuilt,
  };
}

/** Open work as the queries read it. */
export interface OpenWorkView {
  /**
   * Every open ticket, once what this process's own changes owe has been
   * applied (so a supervisor sees their officer's `/ack` at once; another
   * instance's changes arrive with the recovery pass, within a minute).
   * Undefined while the read model is not built yet (then the queries read
   * the tickets themselves).
   */
  current(): Promise<OpenTicket[] | undefined>;
}

/**
 * The view over the store; `settle` applies what this process's changes owe
 * (the count relay's `relayNoted`). A failure to settle is not fatal: the
 * read model is then as the last relay left it.
 * @example createOpenWorkView(store, () => countRelay.relayNoted())
 */
export function createOpenWorkView(
  store: Pick<OpenWorkStore, 'open' | 'isBuilt'>,
  settle?: () => Promise<unknown>,
): OpenWorkView {
  return {
    async current() {
      if (!(await store.isBuilt())) return undefined;
      await settle?.().catch(() => undefined);
      return store.open();
    },
  };
}
