import { mongo, Types, type QueryFilter } from 'mongoose';
import { isFerretDb } from '../db/connect';
import { duplicateWriteCount, duplicateWriteIndexes, isDuplicateKey } from '../db/duplicate-key';
import type { RenderedMessage } from '../core/messages';
import type { ChannelName } from '../core/messages';
import type { OutboxDoc, OutboxModels, OutboxStatus, StoredMessage } from './outbox-model';

/** A message as the dispatcher holds it after claiming it. */
export interface ClaimedMessage {
  id: Types.ObjectId;
  /** The claim's generation; every later write about this attempt is fenced by it. */
  gen: number;
  channel: ChannelName;
  chatId: string;
  chatKey: string;
  /** The name the message was enqueued under (e.g. `ALR-000017:ack:3:citizen`). */
  dedupeKey: string;
  message: RenderedMessage;
  /** Counted attempts including this one. */
  attempts: number;
  /** The claim took over a lease that had run out (a dispatcher died or hung mid-send). */
  reclaimed: boolean;
  /** The ticket this message is about (a card or a notice), if any. */
  ticketRef?: string;
}

/** The oldest unsent message of a chat, found due, in a chat free to receive it. */
export interface DueHead {
  id: Types.ObjectId;
  chatKey: string;
  claimGen: number;
  /** Last change to the message; a claim unrecorded for longer than a lease is looked into. */
  updatedAt: Date;
  /**
   * The message as found, when it was pending and carries no file. Nothing
   * changes a pending message but the holder of its next claim, so whoever
   * inserts that claim knows the message without reading it again.
   */
  pending?: Pick<
    OutboxDoc,
    '_id' | 'channel' | 'chatId' | 'chatKey' | 'dedupeKey' | 'message' | 'attempts' | 'ticketRef'
  > & {
    status: 'pending';
  };
}

/** A permanently failed message, for supervisors. */
export interface FailedMessage {
  id: string;
  channel: ChannelName;
  chatId: string;
  dedupeKey: string;
  reason: string;
  detail?: string;
  attempts: number;
  createdAt: Date;
  failedAt: Date;
}

/** Counts by state. */
export interface OutboxStats {
  pending: number;
  sending: number;
  sent: number;
  failed: number;
}

/** One new message with its place in its chat. */
export interface NewOutboxMessage {
  dedupeKey: string;
  channel: ChannelName;
  chatId: string;
  chatKey: string;
  seq: number;
  message: RenderedMessage;
  ticketRef?: string;
}

/** A delivered message to record as sent (see {@link OutboxStore.markSent}). */
export interface SentRecord {
  c: ClaimedMessage;
  at: Date;
  paceUntil: Date;
  platformMessageId?: string;
  via?: string;
}

/** `channel:chatId`, the key messages are ordered and paced by. */
export function chatKeyOf(channel: ChannelName, chatId: string): string {
  return `${channel}:${chatId}`;
}

// NUL cannot be stored by FerretDB; nothing a person should see contains one.
const stripNul = (s: string) => s.replace(/\u0000/g, '');

function toStored(m: RenderedMessage): StoredMessage {
  const out: StoredMessage = { text: stripNul(m.text) };
  if (m.buttons?.length) out.buttons = m.buttons.map((b) => ({ label: stripNul(b.label), data: stripNul(b.data) }));
  if (m.contactRequest) out.contactRequest = { label: stripNul(m.contactRequest.label) };
  if (m.media) out.media = { kind: m.media.kind, fileId: stripNul(m.media.fileId) };
  if (m.document)
    out.document = {
      fileName: stripNul(m.document.fileName),
      bytes: Buffer.from(m.document.bytes),
      mimeType: m.document.mimeType,
    };
  return out;
}

function toBuffer(bytes: unknown): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  if (bytes instanceof mongo.Binary) return Buffer.from(bytes.value());
  if (bytes instanceof Uint8Array) return Buffer.from(bytes);
  throw new TypeError('outbox: stored document bytes are not binary');
}

function toRendered(m: StoredMessage): RenderedMessage {
  const out: RenderedMessage = { text: m.text };
  if (m.buttons?.length) out.buttons = m.buttons.map((b) => ({ label: b.label, data: b.data }));
  if (m.contactRequest) out.contactRequest = { label: m.contactRequest.label };
  if (m.media) out.media = { kind: m.media.kind, fileId: m.media.fileId };
  if (m.document)
    out.document = { fileName: m.document.fileName, bytes: toBuffer(m.document.bytes), mimeType: m.document.mimeType };
  return out;
}

const UNSENT: OutboxStatus[] = ['pending', 'sending'];

/** A platform's delivery report on a sent message. */
export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';
const DELIVERY_ORDER: readonly DeliveryStatus[] = ['sent', 'delivered', 'read'];
// A claim insert that meets a stale claim steps past it; more stale claims than this means something is badly wrong.
const MAX_GEN_SKIPS = 5;

/**
 * The outbox's reads and writes. Exclusive access to a message comes only from
 * inserting its claim (see `OutboxClaimDoc`); every other write is made by the
 * claim's holder and names the claim's generation. Marking sent or failed also
 * matches a message already in that state under the same claim, so a write
 * retried after a lost answer is recognised as done.
 */
export interface OutboxStore {
  /** Insert as `pending`; duplicates of an existing `dedupeKey` are skipped. */
  insert(messages: NewOutboxMessage[], now: Date): Promise<{ inserted: number; duplicates: number }>;
  /**
   * Due messages of a channel outside `excludeChats`, oldest first; of
   * them, the ones that are the oldest unsent message of their chat and whose
   * chat is past its pacing interval. `seenChats` lists every chat looked at,
   * so the caller can exclude them and look further unless `complete` says
   * there was nothing more; `pacedUntil` is the earliest moment a chat held
   * back by its interval becomes free.
   */
  dueHeads(
    channel: ChannelName,
    excludeChats: string[],
    now: Date,
    limit: number,
  ): Promise<{
    heads: DueHead[];
    seenChats: string[];
    complete: boolean;
    pacedUntil?: Date;
    /** Chats with a due message behind the one that comes first (it may go once that one is finished). */
    followed: string[];
  }>;
  /** Take a head for one attempt; undefined when another dispatcher has it or it is no longer due. */
  claim(head: DueHead, owner: string, now: Date, leaseMs: number): Promise<ClaimedMessage | undefined>;
  /** {@link OutboxStore.claim} for several heads at once (fewer round trips); the ones taken, in order. */
  claimMany(heads: readonly DueHead[], owner: string, now: Date, leaseMs: number): Promise<ClaimedMessage[]>;
  /** Mark delivered, holding the chat until `paceUntil`; false when a later claim had taken the message over. */
  markSent(
    c: ClaimedMessage,
    at: Date,
    paceUntil: Date,
    platformMessageId: string | undefined,
    via?: string,
  ): Promise<boolean>;
  /** {@link OutboxStore.markSent} for several messages at once (fewer round trips); one answer per item, in order. */
  markSentMany(items: readonly SentRecord[]): Promise<boolean[]>;
  /**
   * Record a delivery report from the platform on the message it sent as
   * `platformMessageId`: `delivered` and `read` are noted (never moving back),
   * `failed` turns a sent message into a failed one, shown in /failed.
   */
  recordDeliveryStatus(
    channel: ChannelName,
    platformMessageId: string,
    status: DeliveryStatus,
    at: Date,
    code?: string,
  ): Promise<boolean>;
  /** Hand claimed messages back unsent, as {@link OutboxStore.release}; how many were handed back. */
  releaseMany(cs: readonly ClaimedMessage[], now: Date): Promise<number>;
  /** Hand a claimed message back unsent (the dispatcher stops, or its lease is too short for a send now): pending at once, no attempt counted. */
  release(c: ClaimedMessage, now: Date): Promise<boolean>;
  /** Back to `pending` until `nextAttemptAt`; a rate-limit answer does not count as an attempt. */
  markRetry(c: ClaimedMessage, now: Date, nextAttemptAt: Date, code: string, throttled: boolean): Promise<boolean>;
  /** Give up for good, holding the chat until `paceUntil`. */
  markFailed(
    c: ClaimedMessage,
    now: Date,
    paceUntil: Date,
    reason: string,
    code: string,
    detail: string | undefined,
  ): Promise<boolean>;
  /** Who holds leases on messages being sent now (dispatcher names). */
  leaseOwners(): Promise<string[]>;
  /** Record that this dispatcher runs (`at`), or with `at` null that it stopped. */
  beat(owner: string, at: Date | null): Promise<void>;
  /** Dispatchers that beat at or after `since`. */
  liveDispatchers(since: Date): Promise<string[]>;
  /** End the leases of these dispatchers now (they are known to be dead), so their messages are taken up at once; returns how many. */
  expireLeases(owners: readonly string[], now: Date): Promise<number>;
  /** Channels that have a message waiting for them. */
  waitingChannels(): Promise<ChannelName[]>;
  /** Whether one of these channels has a message being sent, or one due before `until`. */
  hasDueWork(channels: ChannelName[], until: Date): Promise<boolean>;
  failedRecent(limit: number): Promise<FailedMessage[]>;
  stats(): Promise<OutboxStats>;
  /** Delete sent and failed messages finished before `before`, and claims made before it; returns how many messages. */
  purgeFinished(before: Date): Promise<number>;
  /**
   * Move messages sent before `before` to the archive (copied, then deleted
   * here), at most `limit`; returns how many moved. A crash between the two
   * leaves a copy in both, which the next run settles.
   */
  archiveSent(before: Date, limit: number): Promise<number>;
}

/** Data access for the outbox on its models. */
export function createOutboxStore(models: OutboxModels): OutboxStore {
  const { Message, Claim, Archive, Dispatcher } = models;
  const releaseLease = { leaseUntil: 1, leaseOwner: 1 } as const;

  let ferretDb: Promise<boolean> | undefined;
  const onFerretDb = () =>
    (ferretDb ??= isFerretDb(Message.db).catch((err: unknown) => {
      ferretDb = undefined;
      throw err;
    }));

  /**
   * Update the message `id` if it still matches `filter`, and return it as it
   * was; undefined when it did not match. `holds` is the same condition in
   * code. FerretDB runs a conditional update as a read and a separate write
   * anyway (see DESIGN "Atomicity"), but reads the whole collection for any
   * filter other than exactly `{_id}`: a send's two bookkeeping writes then
   * cost two scans of a full outbox (120 ms each at 1,000 messages here). So
   * there the same two steps are made by `_id` alone, which its `_id` index
   * answers; MongoDB keeps the single conditional command.
   */
  async function updateIf(
    id: Types.ObjectId,
    filter: QueryFilter<OutboxDoc>,
    holds: (d: OutboxDoc) => boolean,
    update: mongo.UpdateFilter<OutboxDoc>,
  ): Promise<OutboxDoc | undefined> {
    if (!(await onFerretDb()))
      return (
        (await Message.findOneAndUpdate({ ...filter, _id: id }, update, {
          returnDocument: 'before',
        }).lean<OutboxDoc>()) ?? undefined
      );
    const before = await Message.findOne({ _id: id }).lean<OutboxDoc>();
    if (!before || !holds(before)) return undefined;
    const res = await Message.updateOne({ _id: id }, update);
    return res.matchedCount === 1 ? before : undefined;
  }

  /**
   * {@link updateIf} for several messages, in order. On FerretDB each is
   * read by `_id` and the ones that still hold are written in one command of
   * updates by `_id` (a round trip per message saved); MongoDB runs each
   * conditional command, side by side over its pool.
   */
  async function updateManyIf(
    items: ReadonlyArray<{
      id: Types.ObjectId;
      filter: QueryFilter<OutboxDoc>;
      holds: (d: OutboxDoc) => boolean;
      update: mongo.UpdateFilter<OutboxDoc>;
      /** The message as it is known to be, when no other writer can have changed it: on FerretDB not read again. */
      known?: OutboxDoc;
    }>,
  ): Promise<Array<OutboxDoc | undefined>> {
    if (items.length === 0) return [];
    if (!(await onFerretDb())) return Promise.all(items.map((i) => updateIf(i.id, i.filter, i.holds, i.update)));
    const found: Array<OutboxDoc | undefined> = [];
    for (const i of items) {
      const before = i.known ?? (await Message.findOne({ _id: i.id }).lean<OutboxDoc>());
      found.push(before && i.holds(before) ? before : undefined);
    }
    const ops = items.flatMap((i, k) => (found[k] ? [{ updateOne: { filter: { _id: i.id }, update: i.update } }] : []));
    if (ops.length === 0) return found;
    if (ops.length === 1) {
      const only = ops[0]!.updateOne;
      const res = await Message.updateOne(only.filter, only.update);
      return res.matchedCount === 1 ? found : found.map(() => undefined);
    }
    const res = await Message.bulkWrite(ops as never, { ordered: false });
    if (res.matchedCount === ops.length) return found;
    // Some message was deleted between the read and the write: only the ones still there were written.
    const left = new Set<string>();
    for (const i of items) if (await Message.exists({ _id: i.id })) left.add(String(i.id));
    return found.map((d) => (d && left.has(String(d._id)) ? d : undefined));
  }

  /** Insert the claim `<id>:<gen>`, stepping past claims whose lease ran out without being recorded on the message. */
  async function insertClaim(
    head: DueHead,
    owner: string,
    now: Date,
    leaseUntil: Date,
    leaseMs: number,
  ): Promise<number | undefined> {
    let gen = head.claimGen + 1;
    for (let skips = 0; skips <= MAX_GEN_SKIPS; skips += 1) {
      try {
        await Claim.create({
          _id: `${String(head.id)}:${gen}`,
          messageId: head.id,
          gen,
          owner,
          leaseUntil,
          createdAt: now,
        });
        return gen;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      // Usually another dispatcher has just won this message. Only when the message has not changed for a
      // whole lease can the winner have died before recording its claim; only then is the claim looked at.
      if (gen === head.claimGen + 1 && head.updatedAt.getTime() > now.getTime() - leaseMs) return undefined;
      const existing = await Claim.findById(`${String(head.id)}:${gen}`).lean();
      // Held by a live claimant, or purged: either way not ours to take now.
      if (!existing || existing.leaseUntil.getTime() > now.getTime()) return undefined;
      gen += 1;
    }
    return undefined;
  }

  const store: OutboxStore = {
    async insert(messages, now) {
      if (messages.length === 0) return { inserted: 0, duplicates: 0 };
      const docs = messages.map((m) => ({
        _id: new Types.ObjectId(),
        dedupeKey: m.dedupeKey,
        channel: m.channel,
        chatId: m.chatId,
        chatKey: m.chatKey,
        seq: m.seq,
        status: 'pending' as const,
        claimGen: 0,
        message: toStored(m.message),
        ...(m.ticketRef ? { ticketRef: m.ticketRef } : {}),
        attempts: 0,
        throttles: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      }));
      try {
        // Unordered, so one duplicate does not stop the rest of the batch.
        const res = await Message.collection.insertMany(docs, { ordered: false });
        return { inserted: res.insertedCount, duplicates: 0 };
      } catch (err) {
        // dedupeKey is the only unique field besides the fresh _id, so a unique violation is a repeated notification.
        const duplicates = duplicateWriteCount(err);
        if (duplicates === null) throw err;
        return { inserted: docs.length - duplicates, duplicates };
      }
    },

    async dueHeads(channel, excludeChats, now, limit) {
      const filter: QueryFilter<OutboxDoc> = {
        channel,
        $or: [
          { status: 'pending', nextAttemptAt: { $lte: now } },
          { status: 'sending', leaseUntil: { $lt: now } },
        ],
      };
      if (excludeChats.length > 0) filter.chatKey = { $nin: excludeChats };
      // Oldest first, in the chats' own order: a due head then always comes before its chat's
      // followers, so a batch cut short by the limit never hides the head of a chat it shows.
      // With what a claim needs to know of a pending message, except a file's bytes (such a message is read when claimed).
      const due = await Message.find(filter, {
        _id: 1,
        chatKey: 1,
        seq: 1,
        claimGen: 1,
        updatedAt: 1,
        status: 1,
        channel: 1,
        chatId: 1,
        dedupeKey: 1,
        attempts: 1,
        ticketRef: 1,
        'message.text': 1,
        'message.buttons': 1,
        'message.contactRequest': 1,
        'message.media': 1,
        'message.document.fileName': 1,
      })
        .sort({ seq: 1, _id: 1 })
        .limit(limit)
        .lean<OutboxDoc[]>();
      if (due.length === 0) return { heads: [], seenChats: [], complete: true, followed: [] };

      // The oldest due message of each chat, oldest chats first.
      const oldest = new Map<string, (typeof due)[number]>();
      const followed = new Set<string>();
      for (const d of due) {
        if (oldest.has(d.chatKey)) followed.add(d.chatKey);
        else oldest.set(d.chatKey, d);
      }
      const candidates = [...oldest.values()];
      // A candidate waits while an older message of its chat is unsent (retrying, or being sent),
      // or while the chat's last finished message still holds it (pacing). One plain query for the
      // candidates' chats, compared here: a filter of one clause per candidate took FerretDB over a
      // second to evaluate against a full outbox, once every few dozen sends.
      const others = await Message.find(
        { chatKey: { $in: [...oldest.keys()] }, $or: [{ status: { $in: UNSENT } }, { paceUntil: { $gt: now } }] },
        { chatKey: 1, seq: 1, status: 1, paceUntil: 1 },
      ).lean();
      const blocked = new Set<string>();
      const paced: number[] = [];
      for (const d of others) {
        const c = oldest.get(d.chatKey);
        if (!c) continue;
        const older = d.seq < c.seq || (d.seq === c.seq && String(d._id) < String(c._id));
        if ((UNSENT as readonly string[]).includes(d.status) && older) {
          blocked.add(d.chatKey);
          followed.add(d.chatKey);
        }
        if (d.paceUntil && d.paceUntil.getTime() > now.getTime()) {
          blocked.add(d.chatKey);
          paced.push(d.paceUntil.getTime());
        }
      }
      return {
        heads: candidates
          .filter((c) => !blocked.has(c.chatKey))
          .map((c) => ({
            id: c._id,
            chatKey: c.chatKey,
            claimGen: c.claimGen,
            updatedAt: c.updatedAt,
            ...(c.status === 'pending' &&
              !c.message.document && {
                pending: {
                  _id: c._id,
                  status: 'pending' as const,
                  channel: c.channel,
                  chatId: c.chatId,
                  chatKey: c.chatKey,
                  dedupeKey: c.dedupeKey,
                  message: c.message,
                  attempts: c.attempts,
                  ...(c.ticketRef !== undefined && { ticketRef: c.ticketRef }),
                },
              }),
          })),
        seenChats: [...oldest.keys()],
        followed: [...followed],
        complete: due.length < limit,
        ...(paced.length > 0 && { pacedUntil: new Date(Math.min(...paced)) }),
      };
    },

    async claim(head, owner, now, leaseMs) {
      return (await store.claimMany([head], owner, now, leaseMs))[0];
    },

    async claimMany(heads, owner, now, leaseMs) {
      if (heads.length === 0) return [];
      const leaseUntil = new Date(now.getTime() + leaseMs);
      // Each head's next claim, all in one insert; a refused one (usually another dispatcher won it) goes the long way.
      const gens: Array<number | undefined> = heads.map((h) => h.claimGen + 1);
      let refused: number[] = [];
      if (heads.length === 1) refused = [0];
      else {
        try {
          await Claim.collection.insertMany(
            heads.map((h) => ({
              _id: `${String(h.id)}:${h.claimGen + 1}`,
              messageId: h.id,
              gen: h.claimGen + 1,
              owner,
              leaseUntil,
              createdAt: now,
            })) as never[],
            { ordered: false },
          );
        } catch (err) {
          const dups = duplicateWriteIndexes(err);
          if (dups === null) throw err;
          refused = dups;
        }
      }
      for (const k of refused) gens[k] = await insertClaim(heads[k] as DueHead, owner, now, leaseUntil, leaseMs);
      const won = heads.flatMap((h, k) => (gens[k] === undefined ? [] : [{ h, gen: gens[k] as number }]));
      // Checked again after claiming: whatever an earlier holder recorded is visible now, and the
      // message must still be due. Only the holder of the newest claim writes, so read-then-write is safe.
      const due = (d: OutboxDoc) =>
        (d.status === 'pending' && d.nextAttemptAt.getTime() <= now.getTime()) ||
        (d.status === 'sending' && !!d.leaseUntil && d.leaseUntil.getTime() < now.getTime());
      const befores = await updateManyIf(
        won.map(({ h, gen }) => ({
          id: h.id,
          // Pending when found, and this is the claim right after the one it had: nobody else can have changed it.
          ...(h.pending &&
            gen === h.claimGen + 1 && {
              known: { ...h.pending, claimGen: h.claimGen, nextAttemptAt: now } as OutboxDoc,
            }),
          filter: {
            claimGen: { $lt: gen },
            $or: [
              { status: 'pending', nextAttemptAt: { $lte: now } },
              { status: 'sending', leaseUntil: { $lt: now } },
            ],
          },
          holds: (d: OutboxDoc) => d.claimGen < gen && due(d),
          update: {
            $set: { status: 'sending', claimGen: gen, leaseUntil, leaseOwner: owner, updatedAt: now },
            $inc: { attempts: 1 },
          },
        })),
      );
      return won.flatMap(({ gen }, k) => {
        const before = befores[k];
        if (!before) return [];
        return [
          {
            id: before._id,
            gen,
            channel: before.channel,
            chatId: before.chatId,
            chatKey: before.chatKey,
            dedupeKey: before.dedupeKey,
            message: toRendered(before.message),
            attempts: before.attempts + 1,
            reclaimed: before.status === 'sending',
            ...(before.ticketRef ? { ticketRef: before.ticketRef } : {}),
          },
        ];
      });
    },

    async markSent(c, at, paceUntil, platformMessageId, via) {
      const [done] = await store.markSentMany([
        {
          c,
          at,
          paceUntil,
          ...(platformMessageId !== undefined && { platformMessageId }),
          ...(via !== undefined && { via }),
        },
      ]);
      return done === true;
    },

    async markSentMany(items) {
      const done = await updateManyIf(
        items.map(({ c, at, paceUntil, platformMessageId, via }) => ({
          id: c.id,
          filter: { claimGen: c.gen, status: { $in: ['sending', 'sent'] } },
          holds: (d: OutboxDoc) => d.claimGen === c.gen && (d.status === 'sending' || d.status === 'sent'),
          update: {
            $set: {
              status: 'sent',
              sentAt: at,
              paceUntil,
              updatedAt: at,
              ...(platformMessageId !== undefined && { platformMessageId }),
              ...(via !== undefined && { via }),
            },
            $unset: releaseLease,
          },
        })),
      );
      return done.map((d) => d !== undefined);
    },

    async recordDeliveryStatus(channel, platformMessageId, status, at, code) {
      if (status === 'failed') {
        const res = await Message.updateOne(
          { channel, platformMessageId, status: 'sent' },
          {
            $set: {
              status: 'failed',
              failedAt: at,
              updatedAt: at,
              failReason: 'undeliverable',
              lastError: code ?? 'undelivered',
              deliveryStatus: status,
              deliveryStatusAt: at,
            },
          },
        );
        return res.matchedCount === 1;
      }
      // Reports may arrive out of order: a later one never replaces a further one.
      const further = DELIVERY_ORDER.slice(DELIVERY_ORDER.indexOf(status));
      const res = await Message.updateOne(
        { channel, platformMessageId, deliveryStatus: { $nin: further } },
        { $set: { deliveryStatus: status, deliveryStatusAt: at, updatedAt: at } },
      );
      return res.matchedCount === 1;
    },

    async release(c, now) {
      return (await store.releaseMany([c], now)) === 1;
    },

    async releaseMany(cs, now) {
      const done = await updateManyIf(
        cs.map((c) => ({
          id: c.id,
          filter: { claimGen: c.gen, status: 'sending' },
          holds: (d: OutboxDoc) => d.claimGen === c.gen && d.status === 'sending',
          update: {
            $set: { status: 'pending', nextAttemptAt: now, updatedAt: now },
            $unset: releaseLease,
            $inc: { attempts: -1 },
          },
        })),
      );
      return done.filter((d) => d !== undefined).length;
    },

    async markRetry(c, now, nextAttemptAt, code, throttled) {
      const done = await updateIf(
        c.id,
        { claimGen: c.gen, status: 'sending' },
        (d) => d.claimGen === c.gen && d.status === 'sending',
        {
          $set: { status: 'pending', nextAttemptAt, lastError: code, updatedAt: now },
          $unset: releaseLease,
          ...(throttled && { $inc: { attempts: -1, throttles: 1 } }),
        },
      );
      return done !== undefined;
    },

    async markFailed(c, now, paceUntil, reason, code, detail) {
      const done = await updateIf(
        c.id,
        { claimGen: c.gen, status: { $in: ['sending', 'failed'] } },
        (d) => d.claimGen === c.gen && (d.status === 'sending' || d.status === 'failed'),
        {
          $set: {
            status: 'failed',
            failedAt: now,
            paceUntil,
            updatedAt: now,
            failReason: reason,
            lastError: code,
            ...(detail !== undefined && { failDetail: detail }),
          },
          $unset: releaseLease,
        },
      );
      return done !== undefined;
    },

    async leaseOwners() {
      const docs = await Message.find({ status: 'sending' }, { _id: 0, leaseOwner: 1 }).lean<
        Array<{ leaseOwner?: string }>
      >();
      return [...new Set(docs.flatMap((d) => (d.leaseOwner ? [d.leaseOwner] : [])))];
    },
    async beat(owner, at) {
      if (at) await Dispatcher.updateOne({ _id: owner }, { $set: { seenAt: at } }, { upsert: true });
      else await Dispatcher.deleteOne({ _id: owner });
    },
    async liveDispatchers(since) {
      const docs = await Dispatcher.find({ seenAt: { $gte: since } }, { _id: 1 }).lean<Array<{ _id: string }>>();
      return docs.map((d) => d._id);
    },
    async expireLeases(owners, now) {
      if (!owners.length) return 0;
      // Only the lease ends: the claim generation stays, so the next claim fences out anything the dead holder might still write.
      const res = await Message.updateMany(
        { status: 'sending', leaseOwner: { $in: [...owners] } },
        { $set: { leaseUntil: new Date(now.getTime() - 1) } },
      );
      return res.modifiedCount;
    },
    async waitingChannels() {
      return (await Message.distinct('channel', { status: 'pending' })) as ChannelName[];
    },

    async hasDueWork(channels, until) {
      const n = await Message.countDocuments({
        channel: { $in: channels },
        $or: [{ status: 'sending' }, { status: 'pending', nextAttemptAt: { $lte: until } }],
      });
      return n > 0;
    },

    async failedRecent(limit) {
      const docs = await Message.find({ status: 'failed' }, { message: 0 }).sort({ failedAt: -1 }).limit(limit).lean();
      return docs.map((d) => ({
        id: String(d._id),
        channel: d.channel,
        chatId: d.chatId,
        dedupeKey: d.dedupeKey,
        reason: d.failReason ?? 'unknown',
        ...(d.failDetail !== undefined && { detail: d.failDetail }),
        attempts: d.attempts,
        createdAt: d.createdAt,
        failedAt: d.failedAt ?? d.updatedAt,
      }));
    },

    async stats() {
      const [pending, sending, sent, failed] = await Promise.all([
        Message.countDocuments({ status: 'pending' }),
        Message.countDocuments({ status: 'sending' }),
        Message.countDocuments({ status: 'sent' }),
        Message.countDocuments({ status: 'failed' }),
      ]);
      return { pending, sending, sent, failed };
    },

    async purgeFinished(before) {
      const res = await Message.deleteMany({
        $or: [
          { status: 'sent', sentAt: { $lt: before } },
          { status: 'failed', failedAt: { $lt: before } },
        ],
      });
      await Claim.deleteMany({ createdAt: { $lt: before } });
      const archived = await Archive.deleteMany({ sentAt: { $lt: before } });
      return res.deletedCount + archived.deletedCount;
    },

    async archiveSent(before, limit) {
      const docs = await Message.find({ status: 'sent', sentAt: { $lt: before } })
        .limit(limit)
        .lean<OutboxDoc[]>();
      if (docs.length === 0) return 0;
      try {
        await Archive.collection.insertMany(docs as never[], { ordered: false });
      } catch (err) {
        // Archived already by an earlier, interrupted pass: only duplicates are expected here.
        if (duplicateWriteCount(err) === null) throw err;
      }
      // Only what is still sent: a delivery report may have turned one into a failure meanwhile.
      const ids = docs.map((d) => d._id);
      const res = await Message.deleteMany({ _id: { $in: ids }, status: 'sent' });
      if (res.deletedCount < ids.length) {
        const left = await Message.find({ _id: { $in: ids } }, { _id: 1 }).lean();
        if (left.length) await Archive.deleteMany({ _id: { $in: left.map((d) => d._id) } });
      }
      return docs.length;
    },
  };
  return store;
}
