import type { Attachment, ChannelName } from '../core/messages';

/** Where a ticket is in its life. */
export const TICKET_STATUSES = [
  'new',
  'assigned',
  'acknowledged',
  'in_progress',
  'resolved',
  'closed',
  'reopened',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** How a complaint reached us: a chat channel, or a telephone line logged by an operator. */
export const INTAKE_CHANNELS = ['telegram', 'whatsapp', 'web', 'phone181', 'phone104', 'mobile'] as const;
export type IntakeChannel = (typeof INTAKE_CHANNELS)[number];

/** Who did something to a ticket. */
/** How a telephone caller hears back; see {@link Ticket.replyVia}. */
export type CallerReplyVia = 'whatsapp' | 'callback' | 'operator_chat';

export interface Actor {
  kind: 'citizen' | 'staff' | 'system';
  id: string;
  role?: string;
}

/** One line of a ticket's history; the history is only ever appended to. */
export interface HistoryEntry {
  at: Date;
  by: Actor;
  action: string;
  text?: string;
  from?: TicketStatus;
  to?: TicketStatus;
  /** For assignments and transfers: where the ticket went. */
  department?: string;
  officerId?: string;
  /**
   * Names the message that caused this change (a digest, never a chat id):
   * the same message delivered again after a crash finds it and changes nothing twice.
   */
  key?: string;
}

/** A complaint as the domain sees it. */
export interface Ticket {
  ref: string;
  district: string;
  citizenId: string;
  channel: ChannelName;
  chatId: string;
  language: 'hi' | 'en';
  category: string;
  department: string;
  /** Staff id of the officer working it, once assigned. */
  assignedTo?: string;
  block?: string;
  locality?: string;
  location?: { lat: number; lon: number };
  /** The citizen's words, or IN_VOICE when a voice note stands for them. */
  description: string;
  attachments: Attachment[];
  phone?: string;
  status: TicketStatus;
  ackDueAt: Date;
  resolveDueAt: Date;
  createdAt: Date;
  updatedAt: Date;
  history: HistoryEntry[];
  /** Where it came in (counts in reports); `channel` is where the citizen is answered. */
  intake: IntakeChannel;
  /** The operator who logged a telephone call as this ticket. */
  loggedBy?: string;
  /**
   * How a telephone caller hears of progress: WhatsApp at their number, a
   * call-back by the operators (no channel can carry a notice to them), or
   * the operator's chat (no number was given).
   */
  replyVia?: CallerReplyVia;
  /** Escalation level: 1 the officer, 2 department head, 3 supervisor, 4 the Collector's office. */
  level: number;
  escalatedAt?: Date;
  ackReminderSentAt?: Date;
  /** Acknowledged in the current cycle (cleared when the ticket is reopened: the new cycle needs its own). */
  acknowledgedAt?: Date;
  /** The first acknowledgement ever, kept across reopenings for reports and exports. */
  firstAcknowledgedAt?: Date;
  resolvedAt?: Date;
  closedAt?: Date;
  /** Answer to "is your problem solved?" after resolution. */
  feedback?: { rating: number; satisfied: boolean; at: Date };
  reopenCount: number;
  /** Filed but not yet routed (no department decision, no card queued); the recovery pass routes it. */
  routePending?: boolean;
}

/**
 * A reference such as ALR-000123: district code and a zero-padded counter
 * (wider once a district passes a million).
 */
export function formatReference(districtCode: string, n: number): string {
  return `${districtCode}-${String(n).padStart(6, '0')}`;
}

/**
 * A typed reference in its stored form: any case, the dash optional, the
 * number padded to six digits ("alr-1", "ALR 17" → "ALR-000001", "ALR-000017").
 * Anything else comes back trimmed and upper-cased, for {@link looksLikeReference} to refuse.
 * @example normalizeReference('alr-1') // 'ALR-000001'
 */
export function normalizeReference(typed: string): string {
  const s = typed.trim().toUpperCase();
  const m = /^([A-Z]{2,6})[\s-]?(\d{1,12})$/.exec(s);
  if (!m) return s;
  const digits = (m[2] as string).replace(/^0+(?=\d)/, '');
  return `${m[1] as string}-${digits.padStart(6, '0')}`;
}

/** When the ticket was first acknowledged, across reopenings: what reports and exports count. */
export function firstAcknowledgement(t: Pick<Ticket, 'acknowledgedAt' | 'firstAcknowledgedAt'>): Date | undefined {
  return t.firstAcknowledgedAt ?? t.acknowledgedAt;
}

/** The first ticket reference inside a text or a notice's name (`ALR-000017:ack:3:citizen`), if any. */
export function referenceIn(text: string): string | undefined {
  return /\b([A-Z]{2,6}-\d{6,})\b/.exec(text)?.[1];
}

/** Tickets logged by an operator from a telephone call. */
export function isPhoneIntake(intake: IntakeChannel): boolean {
  return intake === 'phone181' || intake === 'phone104' || intake === 'mobile';
}

/** Whether a typed string has the shape of a reference (any district). */
export function looksLikeReference(s: string): boolean {
  return /^[A-Z]{2,6}-\d{6,}$/.test(s);
}

/**
 * A locality or description the citizen gave only by voice note (for those
 * who cannot type): shown as "in the voice message", and the officer's card
 * carries the voice note itself.
 */
export const IN_VOICE = '🎤';
