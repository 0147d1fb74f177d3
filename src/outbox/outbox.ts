import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import { safeError } from '../logger';
import type { RenderedMessage } from '../core/messages';
import type { ChannelName } from '../core/messages';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import type { ChannelSender, SendFailure } from './channel-sender';
import type { OutboxModels } from './outbox-model';
import {
  chatKeyOf,
  createOutboxStore,
  type ClaimedMessage,
  type DueHead,
  type DeliveryStatus,
  type FailedMessage,
  type NewOutboxMessage,
  type OutboxStats,
  type SentRecord,
} from './outbox-store';
import {
  chatInterval,
  createRateGate,
  DEFAULT_PACING,
  resolvePacing,
  type ChannelPacing,
  type RateGate,
} from './pacing';
import { createWakeSignal } from './wake-signal';
import { systemTimers, type TimerHandle, type Timers } from '../timers';

/** One notification to deliver. */
export interface OutboxItem {
  channel: ChannelName;
  chatId: string;
  message: RenderedMessage;
  /**
   * Names the notification (e.g. `ticket:ALR-17:assigned:officer-3`): enqueuing
   * the same key again does nothing, so a retried caller never sends twice.
   */
  dedupeKey?: string;
  /** The ticket this message is about (an officer's card, a notice): reported to `onSent` with the platform's id. */
  ticketRef?: string;
}

/** A sent message that was about a ticket, with the platform's id for it. */
export interface SentTicketMessage {
  channel: ChannelName;
  chatId: string;
  messageId: string;
  ticketRef: string;
}

/** What {@link createOutbox} needs. */
export interface OutboxDeps {
  /** From `createOutboxModel(conn)`. */
  models: OutboxModels;
  logger: Logger;
  /** Senders known at start; more can be added with `registerSender` (e.g. WhatsApp once its session is ready). */
  senders?: ChannelSender[];
  /** Per channel pacing; unset fields keep {@link DEFAULT_PACING}. */
  pacing?: Partial<Record<ChannelName, Partial<ChannelPacing>>>;
  backoff?: Partial<BackoffOptions>;
  /** Attempts before a message that keeps failing is given up; default 10. Rate-limit answers do not count. */
  maxAttempts?: number;
  /** How long a claim holds a message; another process takes it over after. Default 60 s; must exceed `sendTimeoutMs`. */
  leaseMs?: number;
  /** A send still unanswered after this is aborted and retried. Default 30 s. */
  sendTimeoutMs?: number;
  /** How often the collection is checked for work from other processes and due retries. Default 500 ms. */
  pollIntervalMs?: number;
  /** How often channels with waiting messages but no sender are looked for (to warn once). Default 5 s. */
  senderCheckIntervalMs?: number;
  /** Most sends awaiting the platform's answer at once in this process (their recording is not counted). Default 16. */
  concurrency?: number;
  /**
   * The clock; wall-clock time by default. Scheduling needs time that moves:
   * a fixed clock is passed only together with `timers` that it drives.
   */
  now?: () => Date;
  /** Timers for every wait (polls, pacing, retries, drain); tests pass manual timers on their clock. */
  timers?: Timers;
  /** Source of jitter; tests may make it deterministic. */
  random?: () => number;
  /** Names this dispatcher in leases; defaults to host, pid and a random suffix. */
  owner?: string;
  /** Told of each delivered message that carries a `ticketRef` (to recognise replies to it); a failure here is logged, never retried as a send. */
  onSent?: (sent: SentTicketMessage) => Promise<void>;
  /** Called after each delivery is recorded, with when the message was recorded for delivery (metrics). */
  onDelivered?: (d: { channel: ChannelName; recordedAt: Date; sentAt: Date }) => void;
  /**
   * Called once for each message given up for good (after it is recorded as
   * failed), so a fallback can start, e.g. a call-back task for a telephone
   * caller. Its errors are logged, never retried.
   */
  onGiveUp?: (failed: GivenUpMessage) => Promise<void>;
}

/** A message the outbox gave up on, as {@link OutboxDeps.onGiveUp} receives it. */
export interface GivenUpMessage {
  channel: ChannelName;
  chatId: string;
  dedupeKey: string;
  message: RenderedMessage;
  reason: string;
}

/**
 * One chat's deliveries held in this process while a message of that chat is
 * handled (see {@link Outbox.holdChat}).
 */
export interface ChatHold {
  /** Let the chat's messages go again (idempotent). */
  release(): void;
}

/** Replies recorded under one hold go before anything recorded for the chat during it, up to this many. */
const HOLD_SLOTS = 64;

/** The one delivery path for outgoing notifications. */
export interface Outbox {
  /**
   * Record messages for delivery (before anything is sent); returns how many were new and how many repeated a dedupeKey.
   * With `hold` (for the replies to the message being handled) they are ordered before whatever was
   * recorded for that chat since the hold began.
   */
  enqueue(items: OutboxItem[], opts?: { hold?: ChatHold }): Promise<{ enqueued: number; duplicates: number }>;
  /**
   * Hold a chat while one of its messages is handled: this process sends it
   * nothing until `release()`, and the replies then recorded with the hold go
   * first, so a citizen reads "registered, reference …" before the notice the
   * filing queued for them. (Another instance may still send such a notice
   * first; the hold lasts only while the message is handled.)
   */
  holdChat(channel: ChannelName, chatId: string): ChatHold;
  /** Add or replace the sender of a channel; its waiting messages start moving. */
  registerSender(sender: ChannelSender): void;
  /** The sender registered for a channel (replies sent at once use it too). */
  senderOf(channel: ChannelName): ChannelSender | undefined;
  /** Start dispatching; a no-op when running. */
  start(): void;
  /** Stop claiming new messages and wait for sends in flight to finish and be recorded. */
  stop(): Promise<void>;
  /**
   * Resolves `true` once nothing on a registered channel is being sent or falls
   * due before `timeoutMs` from now; `false` if that is not so in time (a
   * message waiting behind an older one of its chat counts as due).
   */
  drain(timeoutMs: number): Promise<boolean>;
  /** The most recently failed messages, newest first, for supervisors. */
  failedRecent(limit?: number): Promise<FailedMessage[]>;
  /** Counts by state (`pending` includes messages waiting behind an older one in their chat). */
  stats(): Promise<OutboxStats>;
  /** Delete sent and failed messages finished before `before` (for a scheduled clean-up job); returns how many. */
  purgeFinished(before: Date): Promise<number>;
  /** Move messages sent before `before` to the archive, at most `limit`; see OutboxStore.archiveSent. */
  archiveSent(before: Date, limit: number): Promise<number>;
  /** A platform's delivery report (WhatsApp Cloud status callbacks); false when no sent message has that id. */
  recordDeliveryStatus(
    channel: ChannelName,
    platformMessageId: string,
    status: DeliveryStatus,
    at: Date,
    code?: string,
  ): Promise<boolean>;
}

const CHANNELS = Object.keys(DEFAULT_PACING) as ChannelName[];
// Post-send bookkeeping is retried a little: losing it would make another process resend after the lease.
const RECORD_TRIES = 3;
const RECORD_RETRY_MS = 200;
const DRAIN_CHECK_MS = 100;
// Due messages looked at per query; chats already looked at are excluded from the next one, so no chat starves another.
const SCAN_BATCH = 200;
// How long due heads found but not yet claimed are kept for the next round (see pumpChannel).
const HEAD_CACHE_MS = 10_000;
// Messages are claimed up to this far ahead of their slot (capped by MAX_CLAIMED_AHEAD), so a slow
// round trip or a look for due work (a scan of the outbox on FerretDB) never makes a send miss its slot.
const CLAIM_AHEAD_MS = 1_000;
const MAX_CLAIMED_AHEAD = 32;
// A send that waited for its slot yet started up to this late (the process or the machine was busy, a timer
// fired late) leaves the slots after it where they were, so the next sends make up the time; the rate gate
// still lets no more than perSecond start within any second.
const LATE_SLOT_CREDIT_MS = 250;
// Most deliveries recorded in one write.
const SENT_BATCH = 50;
// Each running dispatcher records that it lives this often; one silent for DEAD_AFTER_MS is taken for dead.
const HEARTBEAT_MS = 2_000;
const DEAD_AFTER_MS = 15_000;
// While the database is down, one error line per this period is enough.
const ERROR_LOG_EVERY_MS = 60_000;

/**
 * Creates the outbox: `enqueue` records messages, the dispatcher started by
 * `start()` delivers them in order per chat, within each channel's pace,
 * retrying failures with back-off and giving up on chats that refuse for good.
 *
 * Ordering: messages of one chat go out one at a time in enqueue order; the
 * next waits until the previous is sent or failed. Several processes may
 * dispatch one collection: each attempt is claimed by inserting a uniquely
 * named claim, which the database grants to exactly one of them. Delivery is
 * at least once in principle: a process that dies after the platform accepted
 * a message but before recording it leaves the message to be sent again after
 * its lease.
 *
 * @example
 * const outbox = createOutbox({ models: await createOutboxModel(conn), logger, senders: [createTelegramSender({ api: bot.api })] });
 * outbox.start();
 * await outbox.enqueue([{ channel: 'telegram', chatId: '42', message: { text: 'नमस्ते' }, dedupeKey: 'ticket:ALR-1:created' }]);
 */
export function createOutbox(deps: OutboxDeps): Outbox {
  const store = createOutboxStore(deps.models);
  const logger = deps.logger.child({ component: 'outbox' });
  const nowDate = deps.now ?? (() => new Date());
  const nowMs = () => nowDate().getTime();
  const random = deps.random ?? Math.random;
  const timers = deps.timers ?? systemTimers;
  const sleep = (ms: number) => new Promise<void>((resolve) => timers.setTimeout(resolve, ms));
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...deps.backoff };
  const maxAttempts = deps.maxAttempts ?? 10;
  const sendTimeoutMs = deps.sendTimeoutMs ?? 30_000;
  const leaseMs = deps.leaseMs ?? 60_000;
  const pollIntervalMs = deps.pollIntervalMs ?? 500;
  const senderCheckIntervalMs = deps.senderCheckIntervalMs ?? 5_000;
  const concurrency = deps.concurrency ?? 16;
  const owner = deps.owner ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  if (leaseMs <= sendTimeoutMs)
    throw new RangeError(
      'outbox: leaseMs must be longer than sendTimeoutMs, or a slow send could be taken over and sent twice',
    );
  if (!(maxAttempts >= 1) || !(concurrency >= 1))
    throw new RangeError('outbox: maxAttempts and concurrency must be at least 1');

  const pacing = new Map<ChannelName, ChannelPacing>(CHANNELS.map((c) => [c, resolvePacing(c, deps.pacing?.[c])]));
  const gates = new Map<ChannelName, RateGate>(CHANNELS.map((c) => [c, createRateGate(pacing.get(c)?.perSecond ?? 1)]));
  const senders = new Map<ChannelName, ChannelSender>();
  for (const s of deps.senders ?? []) senders.set(s.channel, s);

  const waker = createWakeSignal(nowMs, timers);
  const inFlight = new Set<Promise<void>>();
  const inFlightChats = new Set<string>();
  /** Sends the platform has not answered yet (what `concurrency` limits; their recording may still follow). */
  let awaitingAnswer = 0;
  /** When each chat may next receive a message, as this process last set it (saves a round trip on the busiest chats). */
  const chatReadyAt = new Map<string, number>();
  const warnedNoSender = new Set<ChannelName>();
  /** Per channel: due heads found but not yet claimed, and until when they may be used. */
  const headCache = new Map<ChannelName, { heads: DueHead[]; until: number }>();
  /** Per channel: messages claimed ahead of their slot, oldest claim first, with when their lease ends. */
  const claimedAhead = new Map<ChannelName, Array<{ c: ClaimedMessage; leaseEndsAt: number }>>();
  /** Chats with a message in `claimedAhead` (not to be looked for again meanwhile). */
  const claimedChats = new Set<string>();
  /** Per channel: the timer that launches the next claimed message at its slot. */
  const slotTimers = new Map<ChannelName, TimerHandle>();
  /** Channels whose last send left claimed messages waiting: the next one was due at its slot. */
  const backlogged = new Set<ChannelName>();
  /**
   * When the outbox is next looked through for due messages. After a look
   * that found everything due, the next waits for the poll interval unless
   * this process learns of new work sooner (an enqueue, a retry falling due,
   * a chat whose next message may go): each look reads the collection.
   */
  const nextLookAt = new Map<ChannelName, number>();
  /** Chats seen with a message waiting behind the one being sent: its end lets the next one go. */
  const followedChats = new Set<string>();
  const lookBy = (atMs: number) => {
    for (const [channel, at] of nextLookAt) if (atMs < at) nextLookAt.set(channel, atMs);
    waker.wakeAt(atMs);
  };
  let running = false;
  let loopDone: Promise<void> | undefined;
  let lastErrorLogAt = 0;
  let failing = false;
  // Strictly increasing per process; microseconds of wall time keep processes roughly in step.
  let lastSeq = 0;

  const pacingOf = (channel: ChannelName) => pacing.get(channel) ?? resolvePacing(channel);
  const nextSeq = () => (lastSeq = Math.max(lastSeq + 1, nowMs() * 1000));
  /** Chats held while one of their messages is handled (how many holds each), with the first seq of each hold's block. */
  const held = new Map<string, number>();
  const holdSeqs = new WeakMap<ChatHold, { chatKey: string; next: number; end: number }>();

  function holdChat(channel: ChannelName, chatId: string): ChatHold {
    const chatKey = chatKeyOf(channel, chatId);
    // A block of seqs kept for the replies: everything recorded from now on sorts after them.
    const first = nextSeq();
    lastSeq = first + HOLD_SLOTS;
    held.set(chatKey, (held.get(chatKey) ?? 0) + 1);
    let released = false;
    const hold: ChatHold = {
      release() {
        if (released) return;
        released = true;
        const n = (held.get(chatKey) ?? 1) - 1;
        if (n > 0) held.set(chatKey, n);
        else held.delete(chatKey);
        // A message of the chat claimed before the hold may be waiting for its slot.
        sendClaimed(channel);
        lookBy(0);
        waker.wake();
      },
    };
    holdSeqs.set(hold, { chatKey, next: first, end: first + HOLD_SLOTS });
    return hold;
  }

  /** The seq of one item: from its hold's block when it is for the held chat and the block has room. */
  function seqFor(chatKey: string, hold: ChatHold | undefined): number {
    const block = hold ? holdSeqs.get(hold) : undefined;
    if (!block || block.chatKey !== chatKey || block.next >= block.end) return nextSeq();
    return block.next++;
  }

  // ---- enqueue ----------------------------------------------------------------

  async function enqueue(
    items: OutboxItem[],
    opts: { hold?: ChatHold } = {},
  ): Promise<{ enqueued: number; duplicates: number }> {
    if (items.length === 0) return { enqueued: 0, duplicates: 0 };
    const rows: NewOutboxMessage[] = items.map((item) => {
      if (!CHANNELS.includes(item.channel)) throw new RangeError(`outbox: unknown channel ${String(item.channel)}`);
      if (typeof item.chatId !== 'string' || item.chatId === '')
        throw new RangeError('outbox: chatId must be a non-empty string');
      if (item.dedupeKey !== undefined && item.dedupeKey === '')
        throw new RangeError('outbox: dedupeKey must not be empty');
      const chatKey = chatKeyOf(item.channel, item.chatId);
      return {
        dedupeKey: item.dedupeKey ?? randomUUID(),
        channel: item.channel,
        chatId: item.chatId,
        chatKey,
        seq: seqFor(chatKey, opts.hold),
        message: item.message,
        ...(item.ticketRef ? { ticketRef: item.ticketRef } : {}),
      };
    });
    const result = await store.insert(rows, nowDate());
    logger.info(
      { event: 'outbox_enqueued', count: result.inserted, duplicates: result.duplicates },
      'messages recorded for delivery',
    );
    lookBy(0);
    waker.wake();
    return { enqueued: result.inserted, duplicates: result.duplicates };
  }

  // ---- delivery ----------------------------------------------------------------

  /** Run a bookkeeping write, retrying briefly: the send has already happened. */
  async function record<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= RECORD_TRIES) throw err;
        logger.warn(
          { event: 'outbox_record_retry', what, attempt, err: safeError(err) },
          'outbox bookkeeping failed; retrying',
        );
        await sleep(RECORD_RETRY_MS * attempt);
      }
    }
  }

  /** When the chat may next receive a message after one finished at `at`; remembered here too, to spare a query. */
  function paceChat(c: ClaimedMessage, at: Date): Date {
    const ready = at.getTime() + chatInterval(pacingOf(c.channel), random);
    chatReadyAt.set(c.chatKey, ready);
    if (followedChats.delete(c.chatKey)) lookBy(ready);
    else waker.wakeAt(ready);
    return new Date(ready);
  }

  async function deliver(c: ClaimedMessage, sender: ChannelSender, answered: () => void): Promise<void> {
    const ctx = { id: String(c.id), channel: c.channel, attempt: c.attempts };
    if (c.reclaimed)
      logger.warn({ event: 'outbox_lease_reclaimed', ...ctx }, 'took over a message whose lease ran out');
    let messageId: string | undefined;
    let via: string | undefined;
    try {
      ({ messageId, via } = await sender
        .send(c.chatId, c.message, {
          signal: AbortSignal.timeout(sendTimeoutMs),
          key: c.dedupeKey,
        })
        .finally(answered));
    } catch (err) {
      let failure: SendFailure;
      try {
        failure = sender.classify(err);
      } catch {
        failure = { retry: true, code: 'unclassified' };
      }
      await handleFailure(c, failure, ctx);
      return;
    }

    const sentAt = nowDate();
    // The pace is recorded in the same write that finishes the message, so no process can see
    // the next message as its chat's oldest unsent one without also seeing when it may go.
    const paceUntil = paceChat(c, sentAt);
    const ok = await record('sent', () =>
      recordSent({
        c,
        at: sentAt,
        paceUntil,
        ...(messageId !== undefined && { platformMessageId: messageId }),
        ...(via !== undefined && { via }),
      }),
    );
    if (!ok) {
      logger.warn({ event: 'outbox_lease_lost', ...ctx }, 'sent, but a later claim had taken the message over');
      return;
    }
    logger.info({ event: 'outbox_sent', ...ctx }, 'message delivered');
    deps.onDelivered?.({ channel: c.channel, recordedAt: c.id.getTimestamp(), sentAt });
    if (c.ticketRef && messageId && deps.onSent) {
      await deps
        .onSent({ channel: c.channel, chatId: c.chatId, messageId, ticketRef: c.ticketRef })
        .catch((err: unknown) => {
          logger.warn(
            { event: 'outbox_on_sent_failed', ...ctx, err: safeError(err) },
            'could not record which ticket a sent message was about',
          );
        });
    }
  }

  async function handleFailure(
    c: ClaimedMessage,
    failure: SendFailure,
    ctx: { id: string; channel: ChannelName; attempt: number },
  ): Promise<void> {
    const now = nowDate();
    const code = failure.code ?? 'error';
    if (failure.retry) {
      const throttled = failure.afterMs !== undefined;
      if (!throttled && c.attempts >= maxAttempts) {
        await finishFailed(c, now, 'max_attempts', code, undefined, ctx);
        return;
      }
      const delay = failure.afterMs ?? backoffDelay(c.attempts, backoff, random);
      const next = new Date(now.getTime() + delay);
      const ok = await record('retry', () => store.markRetry(c, now, next, code, throttled));
      if (!ok) {
        logger.warn(
          { event: 'outbox_lease_lost', ...ctx, code },
          'failed, and a later claim had taken the message over',
        );
        return;
      }
      logger.warn({ event: 'outbox_retry', ...ctx, code, delayMs: delay }, 'send failed; will retry');
      lookBy(next.getTime());
      return;
    }
    await finishFailed(c, now, failure.reason, code, failure.detail, ctx);
  }

  async function finishFailed(
    c: ClaimedMessage,
    now: Date,
    reason: string,
    code: string,
    detail: string | undefined,
    ctx: object,
  ): Promise<void> {
    const paceUntil = paceChat(c, now);
    const ok = await record('failed', () => store.markFailed(c, now, paceUntil, reason, code, detail));
    if (!ok) {
      logger.warn({ event: 'outbox_lease_lost', ...ctx, code }, 'failed, and a later claim had taken the message over');
      return;
    }
    logger.warn({ event: 'outbox_failed', ...ctx, code, reason }, 'message given up');
    if (!deps.onGiveUp) return;
    try {
      await deps.onGiveUp({ channel: c.channel, chatId: c.chatId, dedupeKey: c.dedupeKey, message: c.message, reason });
    } catch (err) {
      logger.error(
        { event: 'outbox_give_up_hook_failed', ...ctx, err: safeError(err) },
        'the fallback for a failed message did not run',
      );
    }
  }

  function launch(c: ClaimedMessage, sender: ChannelSender): void {
    inFlightChats.add(c.chatKey);
    // Counted until the platform answers: recording the outcome is our bookkeeping, not a send, and
    // a slow write then (the database busy a moment) must not hold back the next sends.
    let waiting = true;
    awaitingAnswer += 1;
    const answered = () => {
      if (!waiting) return;
      waiting = false;
      awaitingAnswer -= 1;
      sendClaimed(c.channel);
    };
    const task: Promise<void> = deliver(c, sender, answered)
      .catch((err: unknown) => {
        // The message stays claimed; after its lease a dispatcher takes it up again.
        logger.error(
          {
            event: 'outbox_deliver_error',
            id: String(c.id),
            channel: c.channel,
            attempt: c.attempts,
            err: safeError(err),
          },
          'could not record a delivery',
        );
      })
      .finally(() => {
        answered();
        inFlight.delete(task);
        inFlightChats.delete(c.chatKey);
        sendClaimed(c.channel);
        waker.wake();
      });
    inFlight.add(task);
  }

  const claimedQueue = (channel: ChannelName) => {
    let q = claimedAhead.get(channel);
    if (!q) claimedAhead.set(channel, (q = []));
    return q;
  };
  /** How many messages of a channel may wait claimed for their slots: about a second's worth. */
  const claimAheadOf = (channel: ChannelName) =>
    Math.max(1, Math.min(MAX_CLAIMED_AHEAD, Math.ceil((pacingOf(channel).perSecond * CLAIM_AHEAD_MS) / 1000)));

  /**
   * Launch a channel's claimed messages, each at the next slot of its rate
   * gate, while capacity lasts; re-armed on its own timer for the next slot.
   * Sending runs apart from the claiming loop, so the database's pauses
   * (another process's work, a look for due messages) do not cost slots. A
   * held chat's message waits (it is launched when the hold ends). A message
   * whose lease would end before its send could time out is handed back.
   */
  function sendClaimed(channel: ChannelName): void {
    timers.clearTimeout(slotTimers.get(channel));
    slotTimers.delete(channel);
    const queue = claimedAhead.get(channel);
    const gate = gates.get(channel) as RateGate;
    while (running && queue && queue.length > 0 && awaitingAnswer < concurrency) {
      const now = nowMs();
      // Whole milliseconds: clocks count in them, and a timer for a fraction would fire before the slot.
      const wait = Math.ceil(gate.nextSlotAt() - now);
      if (wait > 0) {
        slotTimers.set(
          channel,
          timers.setTimeout(() => sendClaimed(channel), wait),
        );
        return;
      }
      const i = queue.findIndex((q) => !held.has(q.c.chatKey));
      if (i < 0) return;
      const [{ c, leaseEndsAt }] = queue.splice(i, 1) as [{ c: ClaimedMessage; leaseEndsAt: number }];
      claimedChats.delete(c.chatKey);
      const sender = senders.get(channel);
      if (!sender || now + sendTimeoutMs >= leaseEndsAt) {
        void handBack([c]);
        continue;
      }
      // The slot is taken when the send starts, not when the claim was made: the platform counts the sends.
      gate.take(now, backlogged.has(channel) ? LATE_SLOT_CREDIT_MS : 0);
      if (queue.length > 0) backlogged.add(channel);
      else backlogged.delete(channel);
      launch(c, sender);
      // Half the claimed messages gone: time to claim more.
      if (queue.length <= claimAheadOf(channel) / 2) waker.wake();
    }
  }

  /** Return claimed, unsent messages to the queue (not counted as an attempt). */
  async function handBack(cs: ClaimedMessage[]): Promise<void> {
    if (cs.length === 0) return;
    try {
      await store.releaseMany(cs, nowDate());
    } catch (err) {
      // Their leases run out, or the dead-lease check frees them once this dispatcher stops.
      logger.warn(
        { event: 'outbox_release_failed', count: cs.length, err: safeError(err) },
        'could not hand back claimed messages',
      );
    }
    lookBy(0);
    waker.wake();
  }

  /** Sends waiting to be recorded: written together, one batch at a time (what arrives meanwhile waits for the next). */
  const unrecorded: Array<{ item: SentRecord; settle: (ok: boolean | Error) => void }> = [];
  let recording = false;

  /** Record a delivery as sent, batched with the others finishing now; false when a later claim had taken it over. */
  function recordSent(item: SentRecord): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      unrecorded.push({ item, settle: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      void flushSent();
    });
  }

  async function flushSent(): Promise<void> {
    if (recording) return;
    recording = true;
    try {
      while (unrecorded.length > 0) {
        const batch = unrecorded.splice(0, SENT_BATCH);
        try {
          const done = await store.markSentMany(batch.map((b) => b.item));
          batch.forEach((b, k) => b.settle(done[k] === true));
        } catch (err) {
          for (const b of batch) b.settle(err instanceof Error ? err : new Error(String(err)));
        }
      }
    } finally {
      recording = false;
    }
  }

  /** Chats this process knows it must not send to now: in flight here, or within their interval. */
  function busyChats(now: number): Set<string> {
    for (const [key, at] of chatReadyAt) if (at <= now) chatReadyAt.delete(key);
    return new Set([...inFlightChats, ...claimedChats, ...chatReadyAt.keys(), ...held.keys()]);
  }

  /**
   * Claim due messages of one channel, up to about a second of its pace ahead
   * of their slots, for {@link sendClaimed} to launch. Heads found due but
   * not yet claimed when enough are claimed are kept for the next round
   * (briefly: HEAD_CACHE_MS) instead of being looked for again: finding them
   * reads the collection, and doing that once per send held a full outbox to
   * a few messages a second on FerretDB. A kept head is only ever claimed,
   * and a claim re-checks that the message is still due, so a head another
   * process took meanwhile is skipped.
   */
  async function pumpChannel(channel: ChannelName): Promise<void> {
    const exclude = busyChats(nowMs());
    const kept = headCache.get(channel);
    headCache.delete(channel);
    let queue = kept && kept.until > nowMs() ? kept.heads.filter((h) => !exclude.has(h.chatKey)) : [];
    let complete = false;
    const claimed = claimedQueue(channel);
    const ahead = claimAheadOf(channel);
    // Topped up once half is gone, so claims go in batches (one insert, one write on FerretDB for all).
    if (claimed.length > ahead / 2) {
      if (queue.length > 0) headCache.set(channel, { heads: queue, until: nowMs() + HEAD_CACHE_MS });
      return;
    }
    while (running && claimed.length < ahead) {
      if (queue.length === 0) {
        if (complete || nowMs() < (nextLookAt.get(channel) ?? 0)) return;
        // Until something says otherwise meanwhile, the next look waits for the poll interval.
        nextLookAt.set(channel, nowMs() + pollIntervalMs);
        const found = await store.dueHeads(channel, [...exclude], nowDate(), SCAN_BATCH);
        if (found.pacedUntil) lookBy(found.pacedUntil.getTime());
        if (!found.complete) nextLookAt.delete(channel);
        for (const chat of found.followed) followedChats.add(chat);
        for (const chat of found.seenChats) exclude.add(chat);
        queue = rotate(found.heads, random);
        complete = found.complete;
        continue;
      }
      const heads = queue.splice(0, ahead - claimed.length);
      const at = nowMs();
      const taken = await store.claimMany(heads, owner, new Date(at), leaseMs);
      if (!running) {
        await handBack(taken);
        break;
      }
      for (const c of taken) {
        claimed.push({ c, leaseEndsAt: at + leaseMs });
        claimedChats.add(c.chatKey);
      }
      sendClaimed(channel);
    }
    if (queue.length > 0) headCache.set(channel, { heads: queue, until: nowMs() + HEAD_CACHE_MS });
  }

  /**
   * A dispatcher that died mid-send (killed, power lost) left its messages
   * leased for up to `leaseMs`, and each of those chats waits behind its leased
   * message, replies included. Its leases are taken over early once it is
   * known dead: it stopped beating for {@link DEAD_AFTER_MS} (any host), or it
   * ran on this host under a process id that is gone. The message being sent
   * when it died may go twice (delivery is at least once).
   */
  async function releaseDeadLeases(): Promise<void> {
    const owners = (await store.leaseOwners()).filter((o) => o !== owner);
    if (owners.length === 0) return;
    const live = new Set(await store.liveDispatchers(new Date(nowMs() - DEAD_AFTER_MS)));
    const host = os.hostname();
    const dead = owners.filter((o) => {
      const [h, pid, suffix] = o.split(':');
      // Our own process id may hold another live dispatcher (tests run two in one process): only the heartbeat tells.
      if (h === host && suffix && /^\d+$/.test(pid ?? '') && Number(pid) !== process.pid) {
        try {
          process.kill(Number(pid), 0);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
        }
      }
      return !live.has(o);
    });
    const released = await store.expireLeases(dead, nowDate());
    if (released > 0)
      logger.warn(
        { event: 'outbox_dead_leases_released', count: released },
        'took over messages a dead dispatcher was sending',
      );
  }

  let lastBeatAt = 0;
  async function beat(): Promise<void> {
    if (nowMs() - lastBeatAt < HEARTBEAT_MS) return;
    lastBeatAt = nowMs();
    await store.beat(owner, nowDate());
  }

  async function warnMissingSenders(): Promise<void> {
    for (const channel of await store.waitingChannels()) {
      if (senders.has(channel) || warnedNoSender.has(channel)) continue;
      warnedNoSender.add(channel);
      logger.warn(
        { event: 'outbox_no_sender', channel },
        'messages wait for a channel that has no sender in this process',
      );
    }
  }

  function reportLoopError(err: unknown): void {
    const now = nowMs();
    if (!failing || now - lastErrorLogAt >= ERROR_LOG_EVERY_MS) {
      logger.error(
        { event: 'outbox_dispatch_error', err: safeError(err) },
        'outbox dispatcher could not reach the database',
      );
      lastErrorLogAt = now;
    }
    failing = true;
  }

  async function loop(): Promise<void> {
    let nextSenderCheckAt = 0;
    while (running) {
      try {
        await beat();
        // Sending first: the checks below read the whole outbox on FerretDB, and the first sends need not wait for them.
        for (const channel of senders.keys()) await pumpChannel(channel);
        if (nowMs() >= nextSenderCheckAt) {
          nextSenderCheckAt = nowMs() + senderCheckIntervalMs;
          await warnMissingSenders();
          await releaseDeadLeases();
        }
        if (failing) logger.info({ event: 'outbox_dispatch_recovered' }, 'outbox dispatcher is working again');
        failing = false;
      } catch (err) {
        reportLoopError(err);
      }
      if (!running) break;
      await waker.wait(pollIntervalMs);
    }
  }

  return {
    enqueue,
    holdChat,

    senderOf(channel) {
      return senders.get(channel);
    },

    registerSender(sender) {
      senders.set(sender.channel, sender);
      warnedNoSender.delete(sender.channel);
      lookBy(0);
      waker.wake();
    },

    start() {
      if (running) return;
      running = true;
      logger.info({ event: 'outbox_started', owner, channels: [...senders.keys()] }, 'outbox dispatcher started');
      loopDone = loop();
    },

    async stop() {
      if (!running && !loopDone) return;
      running = false;
      for (const t of slotTimers.values()) timers.clearTimeout(t);
      slotTimers.clear();
      waker.wake();
      await loopDone;
      loopDone = undefined;
      // Claimed but not sent: back to the queue at once, for the next dispatcher.
      const unsent = [...claimedAhead.values()].flat();
      claimedAhead.clear();
      claimedChats.clear();
      await Promise.allSettled([handBack(unsent.map((u) => u.c)), ...inFlight]);
      lastBeatAt = 0;
      // Nothing of ours is leased any more: the heartbeat can go (an error here only delays nothing).
      await store.beat(owner, null).catch(() => undefined);
      logger.info({ event: 'outbox_stopped', owner }, 'outbox dispatcher stopped');
    },

    async drain(timeoutMs) {
      const deadline = nowMs() + timeoutMs;
      for (;;) {
        if (inFlight.size === 0 && !(await store.hasDueWork([...senders.keys()], new Date(deadline)))) return true;
        if (nowMs() >= deadline) return false;
        await sleep(DRAIN_CHECK_MS);
      }
    },

    failedRecent: (limit = 20) => store.failedRecent(limit),
    stats: () => store.stats(),
    purgeFinished: (before) => store.purgeFinished(before),
    archiveSent: (before, limit) => store.archiveSent(before, limit),
    recordDeliveryStatus: (channel, platformMessageId, status, at, code) =>
      store.recordDeliveryStatus(channel, platformMessageId, status, at, code),
  };
}

/**
 * The list started at a random place and wrapped around. Dispatchers in
 * several processes see the same heads; starting at different places, they
 * mostly claim different ones instead of racing for the same.
 */
function rotate<T>(items: T[], random: () => number): T[] {
  const start = Math.floor(random() * items.length);
  return [...items.slice(start), ...items.slice(0, start)];
}
