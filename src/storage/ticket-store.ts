import { type HistoryEntry, type Ticket, type TicketStatus } from '../domain/ticket';
import { OPEN_STATUSES } from '../domain/ticket-lifecycle';
import type { Attachment } from '../core/messages';
import type { OwedNotices } from '../core/outbound';
import { isDuplicateKey } from '../db/duplicate-key';
import { randomBytes } from 'node:crypto';
import {
  CHANGING_COUNTED_FIELDS,
  countDelta,
  dayOfIn,
  storedCounts,
  type CountedTicket,
  type DayOf,
  type StoredCounts,
} from '../domain/ticket-counts';
import { TIME_ZONE } from '../i18n/format';
import { isFerretDb } from '../db/connect';
import { createDocumentLock } from './document-lock';
import type { Models, TicketDoc, TicketOwnerDoc } from './models';
import { createOfficerLoads, loadDelta } from './officer-loads';
import { OPEN_WORK_FIELDS, openWorkChanged, type OpenWorkSource } from '../domain/open-work';
import { allocateReference } from './reference-order';
import { createTicketWork, ROUTE_WORK } from './ticket-work';

/** How many references to try before giving up on a create. */
const MAX_REFERENCE_ATTEMPTS = 5;

/** What one change moves in the ticket counters, owed on the ticket until the count relay has applied it. */
export interface OwedCounts {
  key: string;
  delta: StoredCounts;
}

/** A live ticket whose changes still owe counts: the counts, and what the open-work read model keeps of it, as read together. */
export interface OwingTicket {
  ref: string;
  owedCounts: readonly OwedCounts[];
  ticket?: OpenWorkSource;
}

/** A ticket as stored, with the notices and counts its changes still owe. */
export type StoredTicket = Ticket & { owed?: OwedNotices[]; owedCounts?: OwedCounts[] };

/** One change of a ticket: status, fields, history line(s) and the notices it owes, written as one document update. */
export interface TicketChange {
  status: TicketStatus;
  set?: Partial<Ticket>;
  unset?: Array<keyof Ticket>;
  /** One history line, or several written together (a reopening that also escalates). */
  entry: HistoryEntry | HistoryEntry[];
  /** Recorded in the same write; the notice relay moves them to the outbox. */
  owed?: OwedNotices;
}

/** Tickets as the conversation needs them. */
export interface TicketStore {
  /** Insert a new ticket under the next reference; a repeated idempotency key returns the first ticket instead. */
  create(input: Omit<Ticket, 'ref'> & { idempotencyKey: string }): Promise<{ ticket: Ticket; created: boolean }>;
  findByRef(ref: string): Promise<Ticket | null>;
  /** A live ticket by reference (`_id`), with the work it owes; null when it is not live. */
  findLive(ref: string): Promise<StoredTicket | null>;
  /** The newest tickets of a citizen (or of several linked citizen ids). */
  recentForCitizen(citizenId: string | readonly string[], limit: number): Promise<Ticket[]>;
  /**
   * Apply one change if the ticket is still in `expected` status: set fields,
   * append the history line. Null when someone else changed it first.
   */
  transition(ref: string, expected: TicketStatus, change: TicketChange): Promise<StoredTicket | null>;
  /** Append a history line (and perhaps an attachment) without changing the status. */
  /** Add a history entry (and an attachment), with the notices it owes in the same write. */
  appendHistory(
    ref: string,
    entry: HistoryEntry,
    now: Date,
    attachment?: Attachment,
    owed?: OwedNotices,
  ): Promise<StoredTicket | null>;
  /** Updates about these citizens' unfinished tickets go out in `language` from now on. */
  setLanguage(citizenIds: readonly string[], language: 'hi' | 'en'): Promise<void>;
  /** Open tickets per assigned officer in a department (from the officer load documents, see officer-loads.ts). */
  openCountsByOfficer(department: string): Promise<Map<string, number>>;
  /** Recount the officer load documents from the live tickets (a clean-up job's work; mends a crash between a change and its load). */
  recountOfficerLoads(): Promise<number>;
  /** Open tickets of an officer (or of a whole department), oldest first. */
  openTickets(filter: { assignedTo?: string; department?: string }, limit: number): Promise<Ticket[]>;
  /** Tickets filed at or before `createdBefore` and still waiting to be routed, oldest first. */
  unrouted(createdBefore: Date, limit: number): Promise<Ticket[]>;
  /**
   * Whether any live ticket waits for the recovery pass: unrouted, or owing
   * notices or counts (one read of the live tickets, where the pass's three
   * questions would make three).
   */
  needsRecovery(): Promise<boolean>;
  /** Tickets whose changes still owe notices, with those notices. */
  owing(limit: number): Promise<Array<{ ref: string; owed: OwedNotices[] }>>;
  /** The owed notices `batch` are in the outbox now: take them off the ticket (exactly the batch as read). */
  settleOwed(ref: string, batch: OwedNotices): Promise<void>;
  /** Live tickets whose changes still owe counts, with those counts (and their open-work fields). */
  owingCounts(limit: number): Promise<OwingTicket[]>;
  /** The counts one live ticket still owes (read by `_id`), with its open-work fields; no counts when it owes none or is not live. */
  owedCountsOf(ref: string): Promise<OwingTicket>;
  /** The owed counts `batch` are in the counters now: take them off the ticket (exactly as read). */
  settleCounts(ref: string, batch: OwedCounts): Promise<void>;
}

/**
 * What a change moves in the ticket counters (after − before), under a key of
 * its own, to be written in the change's own document update (`owedCounts`)
 * and applied by the count relay (src/tickets/count-relay.ts): a crash
 * between the change and the counters loses no count and counts none twice.
 * Undefined when nothing moves.
 */
export function countedChange(
  ref: string,
  before: CountedTicket,
  after: CountedTicket,
  dayOf: DayOf,
): OwedCounts | undefined {
  const delta = countDelta(before, after, dayOf);
  return delta ? { key: changeKey(ref), delta: storedCounts(delta) } : undefined;
}

const changeKey = (ref: string) => `${ref}:c:${randomBytes(6).toString('base64url')}`;

/**
 * What a change owes the count relay: the counts it moves, or, when it moves
 * none but changes what the open-work read model keeps of the ticket
 * (deadlines, an acknowledgement after a reopening), an empty delta, so the
 * relay still refreshes the ticket's entry (and the recovery pass finds it
 * after a crash). Undefined when it owes nothing.
 */
export function owedByChange(
  ref: string,
  before: CountedTicket & OpenWorkSource,
  after: CountedTicket & OpenWorkSource,
  dayOf: DayOf,
): OwedCounts | undefined {
  return (
    countedChange(ref, before, after, dayOf) ??
    (openWorkChanged(before, after) ? { key: changeKey(ref), delta: [] } : undefined)
  );
}

/** The projection of a ticket's open-work fields. */
const OPEN_WORK_PROJECTION = Object.fromEntries(OPEN_WORK_FIELDS.map((f) => [f, 1]));

/**
 * The write moving counters happens only if the counted fields are still as
 * read (the delta was worked out from them); a concurrent change in between
 * makes it a conflict, as a changed status already does.
 */
export function countGuard(before: CountedTicket): Record<string, unknown> {
  const guard: Record<string, unknown> = {};
  for (const field of CHANGING_COUNTED_FIELDS) {
    if (field === 'feedback') guard['feedback.at'] = before.feedback?.at ?? null;
    else guard[field] = before[field] ?? null;
  }
  return guard;
}

/** Whether a ticket as read has every field of `guard` as given (dotted paths; null matches a missing field, Dates by time, `$in` a list). */
function matches(doc: object, guard: Record<string, unknown>): boolean {
  return Object.entries(guard).every(([path, want]) => {
    const got = path
      .split('.')
      .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), doc);
    if (want === null || want === undefined) return got === null || got === undefined;
    if (want instanceof Date) return got instanceof Date && got.getTime() === want.getTime();
    if (want && typeof want === 'object' && Array.isArray((want as { $in?: unknown }).$in))
      return (want as { $in: unknown[] }).$in.includes(got);
    return got === want;
  });
}

/**
 * Conditional writes of one live ticket. On FerretDB a filter other than
 * `{_id}` reads the whole collection (and its conditional updates are a read
 * and a write anyway), so there a conditional change is a read by `_id`, a
 * check here and a write by `_id`, one at a time per ticket across every
 * process on the database (a lock document, see createDocumentLock). MongoDB
 * keeps its atomic conditional update. Shared by every module that changes
 * tickets conditionally (the ticket store, escalation).
 * @example const { updateIf } = createTicketWrites(models.Ticket); await updateIf(ref, { level: 1 }, { $set: { level: 2 } });
 */
export function createTicketWrites(TicketModel: Models['Ticket']) {
  // Asked once, now, so no citizen's message waits for the answer.
  const byIdOnly = isFerretDb(TicketModel.db).catch(() => false);
  const locks = createDocumentLock(TicketModel.db, { scope: 'ticket' });
  // FerretDB applies even an update by `_id` as a read and a write of the whole document, so on it
  // every other write of a ticket holds the same lock too, or it could undo a change made meanwhile.
  const exclusive = async <T>(ref: string, work: () => Promise<T>): Promise<T> =>
    (await byIdOnly) ? locks.run(ref, work) : work();

  /**
   * Apply `update` to ticket `ref` if it still matches `guard` (plain field values, or `{$in: [...]}`; null:
   * missing). Null otherwise.
   * `beforeWrite` runs just before the write (the work marker of a change owing work).
   */
  async function updateIf(
    ref: string,
    guard: Record<string, unknown>,
    update: Record<string, unknown>,
    beforeWrite?: () => Promise<unknown>,
  ): Promise<{ before: TicketDoc; after: StoredTicket } | null> {
    const write = () =>
      TicketModel.findOneAndUpdate({ _id: ref }, update, { returnDocument: 'after' }).lean<StoredTicket>().exec();
    if (await byIdOnly) {
      return locks.run(ref, async () => {
        const before = await TicketModel.findOne({ _id: ref }).lean<TicketDoc>().exec();
        if (!before || !matches(before, guard)) return null;
        await beforeWrite?.();
        const after = await write();
        return after ? { before, after } : null;
      });
    }
    await beforeWrite?.();
    const before = await TicketModel.findOneAndUpdate({ _id: ref, ...guard }, update, { returnDocument: 'before' })
      .lean<TicketDoc>()
      .exec();
    if (!before) return null;
    const after = await TicketModel.findOne({ _id: ref }).lean<StoredTicket>().exec();
    return after ? { before, after } : null;
  }

  return { updateIf, exclusive };
}

/** How many owner entries past the newest one a listing reads, for entries whose ticket was never stored (a failed create). */
const OWNER_SLACK = 3;

/**
 * The ticket store. References come from one counter document per district;
 * the reference is the ticket's `_id`, so its uniqueness is the collection's
 * own (FerretDB's $inc is not atomic across connections) and a taken number
 * is simply skipped. Every lookup of one ticket is by `_id`, in the live
 * collection and then in the archive; a citizen's tickets are found through
 * their owner entries (see {@link TicketOwnerDoc}), also by `_id`.
 */
export function createTicketStore(
  models: Models,
  districtCode: string,
  opts: {
    timeZone?: string;
    /** Told of each ticket this store has just written counts owed by (the count relay settles those by `_id`). */
    onOwedCounts?: (ref: string) => void;
  } = {},
): TicketStore {
  const { Ticket: TicketModel, TicketArchive, TicketOwner, Counter } = models;
  const owners = createOwnerIndex(TicketOwner);
  const dayOf = dayOfIn(opts.timeZone ?? TIME_ZONE);
  const loads = createOfficerLoads(TicketModel);
  // Each change that leaves work owed is announced by a marker first, so the recovery pass reads the markers, not the tickets.
  const work = createTicketWork(models);
  const { updateIf, exclusive } = createTicketWrites(TicketModel);

  /** One ticket by reference: live first, then the archive. */
  async function findByRef(ref: string): Promise<Ticket | null> {
    return (
      (await TicketModel.findOne({ _id: ref }).lean<TicketDoc>().exec()) ??
      (await TicketArchive.findOne({ _id: ref }).lean<TicketDoc>().exec())
    );
  }

  return {
    async create(input) {
      for (let attempt = 1; ; attempt++) {
        const ref = await allocateReference(Counter, districtCode, input.createdAt);
        // The owner entry first: a ticket is never stored without it (an entry without its ticket is skipped when listing).
        await owners.add(input.citizenId, ref, input.createdAt);
        try {
          // The new ticket's counts are owed in the same insert; the count relay applies them (see countedChange).
          const counts = countDelta(undefined, input, dayOf);
          const owedCounts: OwedCounts[] | undefined = counts
            ? [{ key: `${ref}:c:filed`, delta: storedCounts(counts) }]
            : undefined;
          if (input.routePending || owedCounts)
            await work.mark(ref, [input.routePending ? ROUTE_WORK : undefined, owedCounts?.[0]?.key], input.createdAt);
          const saved = await TicketModel.create({ ...input, _id: ref, ref, ...(owedCounts ? { owedCounts } : {}) });
          if (owedCounts) opts.onOwedCounts?.(ref);
          return { ticket: saved.toObject<TicketDoc>(), created: true };
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          // A retried delivery of the same submit: the first ticket stands.
          const existing = await TicketModel.findOne({ idempotencyKey: input.idempotencyKey }).lean<TicketDoc>().exec();
          if (existing) return { ticket: existing, created: false };
          // The reference is taken (a counter behind the data, or two servers
          // racing on it): the unique index keeps references unique, so take
          // the next number.
          if (attempt >= MAX_REFERENCE_ATTEMPTS) throw err;
        }
      }
    },
    findByRef,
    findLive: (ref) => TicketModel.findOne({ _id: ref }).lean<StoredTicket>().exec(),
    async recentForCitizen(citizenId, limit) {
      const ids = typeof citizenId === 'string' ? [citizenId] : [...new Set(citizenId)];
      const found = new Map<string, Ticket>();
      for (const id of ids) {
        for (const ref of await owners.newest(id, limit + OWNER_SLACK)) {
          if (found.has(ref)) continue;
          const t = await findByRef(ref);
          // An entry whose insert won but whose ticket did not (the reference was taken) points at someone else's ticket.
          if (t && ids.includes(t.citizenId)) found.set(ref, t);
        }
      }
      return [...found.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, limit);
    },
    async transition(ref, expected, { status, set, unset, entry, owed: notices }) {
      const before = await TicketModel.findOne({ _id: ref }).lean<TicketDoc>().exec();
      if (!before || before.status !== expected) return null;
      const after: CountedTicket & OpenWorkSource = { ...before, ...(set ?? {}), status };
      for (const key of unset ?? []) delete (after as Partial<Ticket>)[key];
      const counts = owedByChange(ref, before, after, dayOf);
      const entries = Array.isArray(entry) ? entry : [entry];
      const at = entries.at(-1)?.at;
      const push: Record<string, unknown> = { history: { $each: entries } };
      if (notices) push.owed = notices;
      if (counts) push.owedCounts = counts;
      const update: Record<string, unknown> = {
        $set: { ...(set ?? {}), status, ...(at ? { updatedAt: at } : {}) },
        $push: push,
        // The ticket's revision: its open-work entry is replaced only by a newer snapshot.
        $inc: { rev: 1 },
      };
      if (unset?.length) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
      const owes = notices || counts;
      const done = await updateIf(
        ref,
        { ...countGuard(before), status: expected },
        update,
        owes ? () => work.mark(ref, [notices?.key, counts?.key], at ?? before.updatedAt) : undefined,
      );
      if (!done) return null;
      if (counts) opts.onOwedCounts?.(ref);
      // The officers' open-ticket counts follow the change (by _id; the clean-up job's recount mends a crash in between).
      await loads.apply(loadDelta(done.before, done.after));
      return done.after;
    },
    async appendHistory(ref, entry, now, attachment, owed) {
      const push = { history: entry, ...(attachment ? { attachments: attachment } : {}), ...(owed ? { owed } : {}) };
      return exclusive(ref, async () => {
        if (owed) await work.mark(ref, [owed.key], now);
        return TicketModel.findOneAndUpdate(
          { _id: ref },
          { $set: { updatedAt: now }, $push: push },
          { returnDocument: 'after' },
        )
          .lean<TicketDoc>()
          .exec();
      });
    },
    async setLanguage(citizenIds, language) {
      await TicketModel.updateMany(
        { citizenId: { $in: [...citizenIds] }, status: { $ne: 'closed' } },
        { $set: { language } },
      ).exec();
    },
    async openCountsByOfficer(department) {
      return loads.of(department);
    },
    recountOfficerLoads: () => loads.recount(),
    async openTickets(filter, limit) {
      return TicketModel.find({ ...filter, status: { $in: [...OPEN_STATUSES] } })
        .sort({ createdAt: 1 })
        .limit(limit)
        .lean<TicketDoc[]>()
        .exec();
    },
    async unrouted(createdBefore, limit) {
      return TicketModel.find({ routePending: true, createdAt: { $lte: createdBefore } })
        .sort({ createdAt: 1 })
        .limit(limit)
        .lean<TicketDoc[]>()
        .exec();
    },
    async needsRecovery() {
      const one = await TicketModel.findOne(
        { $or: [{ routePending: true }, { 'owed.0': { $exists: true } }, { 'owedCounts.0': { $exists: true } }] },
        { _id: 1 },
      )
        .lean()
        .exec();
      return one !== null;
    },
    async owing(limit) {
      const rows = await TicketModel.find({ 'owed.0': { $exists: true } }, { ref: 1, owed: 1 })
        .limit(limit)
        .lean<Array<{ ref: string; owed: OwedNotices[] }>>()
        .exec();
      return rows.map((r) => ({ ref: r.ref, owed: r.owed }));
    },
    async owingCounts(limit) {
      const rows = await TicketModel.find(
        { 'owedCounts.0': { $exists: true } },
        { ...OPEN_WORK_PROJECTION, owedCounts: 1 },
      )
        .limit(limit)
        .lean<Array<OpenWorkSource & { owedCounts: OwedCounts[] }>>()
        .exec();
      return rows.map(({ owedCounts, ...ticket }) => ({ ref: ticket.ref, owedCounts, ticket }));
    },
    async owedCountsOf(ref) {
      const doc = await TicketModel.findOne({ _id: ref }, { ...OPEN_WORK_PROJECTION, owedCounts: 1 })
        .lean<OpenWorkSource & { owedCounts?: OwedCounts[] }>()
        .exec();
      if (!doc) return { ref, owedCounts: [] };
      const { owedCounts, ...ticket } = doc;
      return { ref, owedCounts: owedCounts ?? [], ticket };
    },
    async settleCounts(ref, batch) {
      await exclusive(ref, () =>
        TicketModel.collection.updateOne({ _id: ref } as never, { $pull: { owedCounts: batch } } as never),
      );
    },
    async settleOwed(ref, batch) {
      // FerretDB's $pull removes only elements equal to the given value, so the batch is passed back exactly as read
      // (through the driver, past mongoose's casting).
      await exclusive(ref, () =>
        TicketModel.collection.updateOne({ _id: ref } as never, { $pull: { owed: batch } } as never),
      );
    },
  };
}

/**
 * A citizen's tickets as numbered owner entries `<citizenId>#1`, `#2`, …:
 * the newest number is found by probing `_id`s (doubling, then halving), so
 * both filing and listing cost a few `_id` lookups and one insert, whatever
 * the size of the collection. Two processes filing for one citizen at once
 * meet on the unique `_id` and the loser takes the next number.
 */
export function createOwnerIndex(TicketOwner: Models['TicketOwner']) {
  const key = (citizenId: string, k: number) => `${citizenId}#${k}`;
  const exists = async (citizenId: string, k: number) =>
    (await TicketOwner.findOne({ _id: key(citizenId, k) }, { _id: 1 })
      .lean()
      .exec()) !== null;

  /** The highest k with an entry (0 when none). */
  async function last(citizenId: string): Promise<number> {
    let lo = 0;
    let hi = 1;
    while (await exists(citizenId, hi)) {
      lo = hi;
      hi *= 2;
    }
    // Entries are dense: lo exists (or is 0), hi does not.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await exists(citizenId, mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  return {
    last,
    async add(citizenId: string, ref: string, createdAt: Date): Promise<void> {
      for (let k = (await last(citizenId)) + 1; ; k++) {
        try {
          await TicketOwner.create({ _id: key(citizenId, k), ref, createdAt } satisfies TicketOwnerDoc);
          return;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
    },
    /** References of the newest `n` entries, newest first. */
    async newest(citizenId: string, n: number): Promise<string[]> {
      const top = await last(citizenId);
      const refs: string[] = [];
      for (let k = top; k > 0 && k > top - n; k--) {
        const doc = await TicketOwner.findOne({ _id: key(citizenId, k) }, { ref: 1 })
          .lean<Pick<TicketOwnerDoc, 'ref'>>()
          .exec();
        if (doc) refs.push(doc.ref);
      }
      return refs;
    },
  };
}
