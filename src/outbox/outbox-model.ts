import { Schema, Types, type Connection, type Model } from 'mongoose';
import type { ChannelName } from '../core/messages';
import { modelOnce } from '../db/model-once';

/**
 * Where one outbox message is in its life.
 * - `pending`: waiting; sent once `nextAttemptAt` has passed and no older message of its chat is unsent;
 * - `sending`: claimed by a dispatcher until `leaseUntil`;
 * - `sent` / `failed`: finished, kept for supervisors and metrics.
 */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** A rendered message as stored: file bytes as BSON binary, buttons as objects (never arrays in arrays). */
export interface StoredMessage {
  text: string;
  buttons?: Array<{ label: string; data: string }>;
  contactRequest?: { label: string };
  media?: { kind: 'photo' | 'voice'; fileId: string };
  document?: { fileName: string; bytes: Buffer; mimeType: string };
}

/** One outgoing message. */
export interface OutboxDoc {
  _id: Types.ObjectId;
  /** Makes a repeated enqueue of the same notification a no-op; generated when the caller gives none. */
  dedupeKey: string;
  channel: ChannelName;
  chatId: string;
  /** `channel:chatId`; messages are ordered and paced per chat key. */
  chatKey: string;
  /**
   * Order within the chat (ties broken by `_id`): microseconds of enqueue time,
   * strictly increasing within a process. A counter document would need an
   * atomic `$inc`, which FerretDB on SQLite does not guarantee between processes.
   */
  seq: number;
  status: OutboxStatus;
  /** Generation of the latest claim recorded on this message (0 before any); fences writes of an outdated claimant. */
  claimGen: number;
  message: StoredMessage;
  /** Claims so far, except claims answered with a rate limit (not the message's fault). */
  attempts: number;
  /** Rate-limit answers (429) so far. */
  throttles: number;
  nextAttemptAt: Date;
  leaseUntil?: Date;
  leaseOwner?: string;
  /** Code of the last failed attempt (e.g. `telegram_500`, `network`). */
  lastError?: string;
  /** Stable code of a permanent failure: `blocked`, `chat_not_found`, `rejected`, `max_attempts`, … */
  failReason?: string;
  /** The platform's own words about a permanent failure (never message content). */
  failDetail?: string;
  platformMessageId?: string;
  /** The ticket the message is about (a card or a notice): once sent, a reply to it is found by its id. */
  ticketRef?: string;
  /** How the channel sent it, where it has several ways (WhatsApp Cloud: `template` or `text`). */
  via?: string;
  /** The platform's latest delivery report (`delivered`, `read`, …), where it sends them. */
  deliveryStatus?: string;
  deliveryStatusAt?: Date;
  /** Set when the message is finished: its chat may receive nothing else before this (per-chat pacing, seen by every process). */
  paceUntil?: Date;
  createdAt: Date;
  updatedAt: Date;
  sentAt?: Date;
  failedAt?: Date;
}

/**
 * One claim of one attempt at a message. Its id `<messageId>:<generation>` is
 * unique, so of several dispatchers trying the same generation exactly one
 * insert succeeds: an insert against a unique index is the one compare-and-set
 * that both MongoDB and FerretDB on SQLite perform atomically (FerretDB applies
 * `findAndModify` and `update` as a read followed by a separate write).
 */
export interface OutboxClaimDoc {
  _id: string;
  messageId: Types.ObjectId;
  gen: number;
  owner: string;
  leaseUntil: Date;
  createdAt: Date;
}

/** The outbox's models on one connection. */
export interface OutboxModels {
  Message: Model<OutboxDoc>;
  Claim: Model<OutboxClaimDoc>;
  /** One heartbeat per running dispatcher: the leases of one that stopped beating are taken over early. */
  Dispatcher: Model<OutboxDispatcherDoc>;
  /**
   * Delivered messages moved out of `outbox` by the clean-up job, so the
   * collection every poll reads holds only current work (FerretDB reads a
   * whole collection for any query but an `_id` lookup).
   */
  Archive: Model<OutboxDoc>;
}

const buttonSchema = new Schema(
  { label: { type: String, required: true }, data: { type: String, required: true } },
  { _id: false },
);

const storedMessageSchema = new Schema(
  {
    text: { type: String, required: true },
    buttons: { type: [buttonSchema], default: undefined },
    contactRequest: {
      type: new Schema({ label: { type: String, required: true } }, { _id: false }),
      default: undefined,
    },
    media: {
      type: new Schema(
        { kind: { type: String, required: true }, fileId: { type: String, required: true } },
        { _id: false },
      ),
      default: undefined,
    },
    document: {
      type: new Schema(
        {
          fileName: { type: String, required: true },
          bytes: { type: Buffer, required: true },
          mimeType: { type: String, required: true },
        },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { _id: false },
);

const outboxSchema = new Schema<OutboxDoc>(
  {
    dedupeKey: { type: String, required: true },
    channel: { type: String, required: true },
    chatId: { type: String, required: true },
    chatKey: { type: String, required: true },
    seq: { type: Number, required: true },
    status: { type: String, required: true },
    claimGen: { type: Number, required: true },
    message: { type: storedMessageSchema, required: true },
    attempts: { type: Number, required: true },
    throttles: { type: Number, required: true },
    nextAttemptAt: { type: Date, required: true },
    leaseUntil: Date,
    leaseOwner: String,
    lastError: String,
    failReason: String,
    failDetail: String,
    platformMessageId: String,
    ticketRef: String,
    via: String,
    deliveryStatus: String,
    deliveryStatusAt: Date,
    paceUntil: Date,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    sentAt: Date,
    failedAt: Date,
  },
  { versionKey: false },
);
// Every unique index is on a field that is always present (FerretDB ignores `sparse`).
outboxSchema.index({ dedupeKey: 1 }, { unique: true });
outboxSchema.index({ chatKey: 1, seq: 1 });
outboxSchema.index({ status: 1, nextAttemptAt: 1 });
outboxSchema.index({ status: 1, seq: 1 });
outboxSchema.index({ status: 1, leaseUntil: 1 });
outboxSchema.index({ status: 1, failedAt: -1 });
outboxSchema.index({ platformMessageId: 1 });

// The archive keeps the messages as they were, without the live collection's indexes (nothing queries it by them).
const archiveSchema = outboxSchema.clone();
archiveSchema.clearIndexes();
archiveSchema.index({ sentAt: 1 });

const claimSchema = new Schema<OutboxClaimDoc>(
  {
    _id: { type: String, required: true },
    messageId: { type: Schema.Types.ObjectId, required: true },
    gen: { type: Number, required: true },
    owner: { type: String, required: true },
    leaseUntil: { type: Date, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
claimSchema.index({ createdAt: 1 });

/** A running dispatcher's heartbeat (`_id` is its owner name). */
export interface OutboxDispatcherDoc {
  _id: string;
  seenAt: Date;
}

const dispatcherSchema = new Schema<OutboxDispatcherDoc>(
  { _id: { type: String, required: true }, seenAt: { type: Date, required: true } },
  { versionKey: false },
);

/** Collection names, exported for tests and maintenance scripts. */
export const OUTBOX_COLLECTIONS = {
  messages: 'outbox',
  claims: 'outbox_claims',
  archive: 'outbox_archive',
  dispatchers: 'outbox_dispatchers',
} as const;

/**
 * Register the outbox schemas on a connection (once; later calls reuse them)
 * and build their indexes, so start-up fails early if the server refuses one.
 * @example const models = await createOutboxModel(conn)
 */
export async function createOutboxModel(conn: Connection): Promise<OutboxModels> {
  const models: OutboxModels = {
    Message: modelOnce<OutboxDoc>(conn, 'OutboxMessage', outboxSchema, OUTBOX_COLLECTIONS.messages),
    Claim: modelOnce<OutboxClaimDoc>(conn, 'OutboxClaim', claimSchema, OUTBOX_COLLECTIONS.claims),
    Archive: modelOnce<OutboxDoc>(conn, 'OutboxArchive', archiveSchema, OUTBOX_COLLECTIONS.archive),
    Dispatcher: modelOnce<OutboxDispatcherDoc>(
      conn,
      'OutboxDispatcher',
      dispatcherSchema,
      OUTBOX_COLLECTIONS.dispatchers,
    ),
  };
  await models.Message.createIndexes();
  await models.Claim.createIndexes();
  await models.Archive.createIndexes();
  return models;
}
