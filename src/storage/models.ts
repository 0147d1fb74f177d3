import { Schema, type Connection, type Model } from 'mongoose';
import type { ConversationState } from '../core/conversation-state';
import type { Ticket } from '../domain/ticket';
import type { OwedNotices } from '../core/outbound';
import type { RenderedMessage } from '../core/messages';
import type { StaffIdentity } from '../domain/roles';
import { migrateTicketKeys } from './ticket-archive';
import {
  departmentSchemaDb,
  inviteClaimSchema,
  inviteSchema,
  staffSchema,
  type DepartmentDoc,
  type InviteClaimDoc,
  type InviteDoc,
  type StaffDoc,
} from './staff-models';
import { messageRefSchema, type MessageRefDoc } from './message-ref-store';
import { ticketCountSchema, type TicketCountDoc } from './ticket-count-store';
import { openWorkSchema, type OpenWorkDoc } from './open-work-store';
import { TICKET_WORK_COLLECTION, ticketWorkSchema, type TicketWorkDoc } from './ticket-work';

/** One chat's saved conversation: its state, and the deliveries already handled. */
export interface ConversationDoc {
  _id: string;
  citizenId: string;
  state: ConversationState;
  /** Recent update keys, newest last: a redelivered update is recognised and ignored. */
  seen: string[];
  /** Copy of the chat's staff role (the staff collection is the truth), so one read serves each message. */
  staff?: StaffIdentity;
  /**
   * The replies to the last update, saved in the same write as its step and
   * `settled` once sent (or recorded in the outbox): a redelivery of that
   * update after a crash in between hands them out again instead of losing
   * them. Documents are left out.
   */
  lastReplies?: { updateKey: string; messages: RenderedMessage[]; settled?: boolean };
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What lasts of a chat when its conversation is removed after
 * CONVERSATION_IDLE_HOURS: who the citizen is, their language and a staff
 * role. Keyed like the conversation (`channel:chatId`), written when the chat
 * first speaks and when the language or role changes, read only by `_id`
 * when a chat with no conversation speaks again.
 */
export interface ChatProfileDoc {
  _id: string;
  citizenId: string;
  language: 'hi' | 'en';
  staff?: StaffIdentity;
  createdAt: Date;
  updatedAt: Date;
}

export interface TicketDoc extends Ticket {
  /**
   * The reference itself (tickets filed before references became the key
   * keep their ObjectId until the start-up migration rewrites them): the one
   * lookup FerretDB answers without reading the whole collection.
   */
  _id?: string;
  /** channel:chat:update of the message that submitted it; makes a retried submit create nothing new. */
  idempotencyKey: string;
  /** Notices owed by changes already written, not yet moved to the outbox. */
  owed?: OwedNotices[];
  /** Counts owed by changes already written, not yet in the ticket counters (see ticket-store.ts). */
  owedCounts?: Array<{ key: string; delta: Array<{ d: string; p: string; n: number }> }>;
  /** Raised by every change: the version of the ticket's entry in the open-work read model (absent: 0). */
  rev?: number;
}

/**
 * The k-th ticket of a citizen: `{_id: '<citizenId>#<k>', ref}`, inserted
 * when the ticket is filed and never changed, so a citizen's tickets are
 * found by `_id` lookups alone however many tickets the district holds.
 */
export interface TicketOwnerDoc {
  _id: string;
  ref: string;
  createdAt: Date;
}

export interface CounterDoc {
  _id: string;
  seq: number;
  /** Reference counters: how far references follow creation order (src/storage/reference-order.ts). */
  newestAt?: Date;
  slackMs?: number;
  ordered?: boolean;
}

const conversationSchema = new Schema<ConversationDoc>(
  {
    _id: { type: String, required: true },
    citizenId: { type: String, required: true },
    state: { type: Schema.Types.Mixed, required: true },
    seen: { type: [String], default: [] },
    staff: { type: Schema.Types.Mixed, default: undefined },
    lastReplies: { type: Schema.Types.Mixed, default: undefined },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
conversationSchema.index({ updatedAt: 1 });

const attachmentSchema = new Schema(
  { kind: { type: String, required: true }, fileId: { type: String, required: true }, durationSec: Number },
  { _id: false },
);
const historySchema = new Schema(
  {
    at: { type: Date, required: true },
    by: { kind: { type: String, required: true }, id: { type: String, required: true }, role: String },
    action: { type: String, required: true },
    text: String,
    from: String,
    to: String,
    department: String,
    officerId: String,
    key: String,
  },
  { _id: false },
);

const ticketSchema = new Schema<TicketDoc>(
  {
    _id: { type: String },
    ref: { type: String, required: true },
    idempotencyKey: { type: String, required: true },
    district: { type: String, required: true },
    citizenId: { type: String, required: true },
    channel: { type: String, required: true },
    chatId: { type: String, required: true },
    language: { type: String, required: true },
    category: { type: String, required: true },
    department: { type: String, required: true },
    assignedTo: String,
    block: String,
    locality: String,
    location: { type: new Schema({ lat: Number, lon: Number }, { _id: false }), default: undefined },
    description: { type: String, required: true },
    attachments: { type: [attachmentSchema], default: [] },
    phone: String,
    status: { type: String, required: true },
    ackDueAt: { type: Date, required: true },
    resolveDueAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    history: { type: [historySchema], default: [] },
    intake: { type: String, required: true },
    loggedBy: String,
    replyVia: String,
    level: { type: Number, required: true, default: 1 },
    escalatedAt: Date,
    ackReminderSentAt: Date,
    acknowledgedAt: Date,
    firstAcknowledgedAt: Date,
    resolvedAt: Date,
    closedAt: Date,
    feedback: {
      type: new Schema({ rating: Number, satisfied: Boolean, at: Date }, { _id: false }),
      default: undefined,
    },
    reopenCount: { type: Number, required: true, default: 0 },
    routePending: { type: Boolean, default: undefined },
    owed: { type: [Schema.Types.Mixed], default: undefined },
    owedCounts: { type: [Schema.Types.Mixed], default: undefined },
    rev: Number,
  },
  { versionKey: false },
);
ticketSchema.index({ ref: 1 }, { unique: true });
ticketSchema.index({ status: 1, createdAt: -1 });
ticketSchema.index({ createdAt: -1 });
ticketSchema.index({ idempotencyKey: 1 }, { unique: true });
ticketSchema.index({ citizenId: 1, createdAt: -1 });
ticketSchema.index({ department: 1, status: 1 });
ticketSchema.index({ assignedTo: 1, status: 1 });

const chatProfileSchema = new Schema<ChatProfileDoc>(
  {
    _id: { type: String, required: true },
    citizenId: { type: String, required: true },
    language: { type: String, required: true },
    staff: { type: Schema.Types.Mixed, default: undefined },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

const ticketOwnerSchema = new Schema<TicketOwnerDoc>(
  {
    _id: { type: String, required: true },
    ref: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

const counterSchema = new Schema<CounterDoc>(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    newestAt: Date,
    slackMs: Number,
    ordered: Boolean,
  },
  { versionKey: false },
);

/** The models of one connection; no global mongoose state. */
export interface Models {
  /** Conversations of chats active in the last CONVERSATION_IDLE_HOURS (and those awaiting an answer). */
  Conversation: Model<ConversationDoc>;
  ChatProfile: Model<ChatProfileDoc>;
  /** Live tickets: open ones, and closed ones until their reopening window has passed. */
  Ticket: Model<TicketDoc>;
  /** Closed tickets past their reopening window, moved out of the live collection by the archive job. */
  TicketArchive: Model<TicketDoc>;
  TicketOwner: Model<TicketOwnerDoc>;
  Counter: Model<CounterDoc>;
  Staff: Model<StaffDoc>;
  Invite: Model<InviteDoc>;
  InviteClaim: Model<InviteClaimDoc>;
  /** Sent messages that are about a ticket (cards, notices), by platform message id. */
  MessageRef: Model<MessageRefDoc>;
  Department: Model<DepartmentDoc>;
  /** Ticket counters by district day (see ticket-count-store.ts). */
  TicketCount: Model<TicketCountDoc>;
  /** Open work by ticket, in a fixed number of documents (see open-work-store.ts). */
  OpenWork: Model<OpenWorkDoc>;
  /** Markers of ticket changes whose work may be owed (see ticket-work.ts). */
  TicketWork: Model<TicketWorkDoc>;
}

/**
 * Register the schemas on a connection and build their indexes (explicitly,
 * so start-up fails early if the server refuses one).
 */
export async function createModels(conn: Connection): Promise<Models> {
  const models: Models = {
    Conversation: conn.model<ConversationDoc>('Conversation', conversationSchema, 'conversations'),
    ChatProfile: conn.model<ChatProfileDoc>('ChatProfile', chatProfileSchema, 'chat_profiles'),
    Ticket: conn.model<TicketDoc>('Ticket', ticketSchema, 'tickets'),
    TicketArchive: conn.model<TicketDoc>('TicketArchive', ticketSchema.clone(), 'tickets_archive'),
    TicketOwner: conn.model<TicketOwnerDoc>('TicketOwner', ticketOwnerSchema, 'ticket_owners'),
    Counter: conn.model<CounterDoc>('Counter', counterSchema, 'counters'),
    Staff: conn.model<StaffDoc>('Staff', staffSchema, 'staff'),
    Invite: conn.model<InviteDoc>('Invite', inviteSchema, 'invites'),
    InviteClaim: conn.model<InviteClaimDoc>('InviteClaim', inviteClaimSchema, 'invite_claims'),
    MessageRef: conn.model<MessageRefDoc>('MessageRef', messageRefSchema, 'message_refs'),
    Department: conn.model<DepartmentDoc>('Department', departmentSchemaDb, 'departments'),
    TicketCount: conn.model<TicketCountDoc>('TicketCount', ticketCountSchema, 'ticket_counts'),
    OpenWork: conn.model<OpenWorkDoc>('OpenWork', openWorkSchema, 'open_work'),
    TicketWork: conn.model<TicketWorkDoc>('TicketWork', ticketWorkSchema, TICKET_WORK_COLLECTION),
  };
  await Promise.all(Object.values(models).map((m: Model<unknown>) => m.createIndexes()));
  await migrateTicketKeys(models);
  return models;
}
