import type { Language } from '../i18n/create-i18n';
import type { Catalog } from '../domain/catalog';
import type { StaffIdentity } from '../domain/roles';
import type { Attachment, ChannelName, Reply } from '../core/messages';
import type { OutboundItem } from '../core/outbound';

/** What a person sent, already turned from the platform's shape into ours. */
export type InboundContent =
  | { kind: 'text'; text: string }
  | { kind: 'command'; command: string; args: string }
  | { kind: 'button'; scope: string; value: string }
  | { kind: 'location'; lat: number; lon: number }
  | { kind: 'contact'; phone: string; own: boolean }
  | { kind: 'photo'; fileId: string; caption?: string }
  | { kind: 'voice'; fileId: string; durationSec?: number }
  | { kind: 'unsupported'; what: string };

/** One incoming message in channel-neutral form. */
export interface InboundMessage {
  channel: ChannelName;
  /** The person's chat id on that channel (private chats only). */
  chatId: string;
  /** Unique per delivery on the channel (Telegram update_id); a repeat is ignored. */
  updateKey: string;
  receivedAt: Date;
  firstName?: string;
  /** The text of the message this one replies to (Telegram reply, WhatsApp quote). */
  replyToText?: string;
  /** The platform's id of the message this one replies to (Telegram message_id, WhatsApp serialized id). */
  replyToId?: string;
  content: InboundContent;
  /**
   * For a photo or voice note: its size as the platform declares it, and how
   * to download it when the channel has not yet (the content's fileId is then
   * a placeholder). The handler fetches it only when the current step takes it.
   */
  media?: PendingMedia;
}

/** A photo or voice note not downloaded yet, or only its declared size. */
export interface PendingMedia {
  /** Bytes, as the platform declares it before any download. */
  size?: number;
  /** Download and store it (refusing more than `maxBytes`): the stored file id, or too big. */
  fetch?: (maxBytes: number) => Promise<{ fileId: string } | { tooBig: true }>;
}

export interface Answers {
  category?: string;
  block?: string;
  locality?: string;
  location?: { lat: number; lon: number };
  description?: string;
  attachments: Attachment[];
  phone?: string;
}

/** Where a citizen is inside a flow; serialisable, saved after every step. */
export interface FlowState {
  flowId: string;
  version: number;
  step: string;
  mode: 'answer' | 'confirm-category' | 'edit-menu' | 'counsellor-offer';
  suggestion?: string;
  /** The runner-up when the citizen's words fit two categories about equally: they choose between the two. */
  suggestionAlt?: string;
  /** The citizen's own words behind a suggestion; become the description if they accept it. */
  draft?: string;
  /** While changing one field from the summary: the step after which to return. */
  editEndAfter?: string;
  answers: Answers;
  /** An operator filing for a telephone caller: the line and the caller's number. */
  onBehalf?: OnBehalf;
  /**
   * Names this filling-in of the form (the update that started it): the ticket
   * is keyed by it, so submitting the same answers again — after an apology,
   * or twice at once — never files a second ticket.
   */
  submissionId?: string;
}

/** A complaint taken by telephone and entered by an operator. */
export interface OnBehalf {
  line: 'phone181' | 'phone104' | 'mobile';
  callerPhone?: string;
  operatorId: string;
}

/** Everything the engine remembers about one chat between messages. */
export interface ConversationState {
  language: Language;
  flow?: FlowState;
  /** The citizen is talking with (or waiting for) a health counsellor; their messages are relayed. */
  inCounselling?: boolean;
  /** An operator has picked the telephone line of a call and is asked for the caller's number. */
  callDraft?: { line: OnBehalf['line'] };
  /** An officer asked about this ticket: the citizen's next message outside a flow is the answer. */
  awaitingAnswer?: { ref: string; at?: string };
  /** The citizen was asked to rate this resolved ticket: a typed rating answers it before anything else. */
  awaitingRating?: { ref: string; at?: string };
  /** A staff member's half-done action (tapped "Resolve", the note comes next). */
  staffPending?: { action: 'ask' | 'update' | 'resolve' | 'transfer'; ref: string; department?: string; at?: string };
  /** Wrong invite codes tried from this chat since `since` (ISO), to throttle guessing. */
  inviteTries?: { since: string; count: number };
  /** Tickets filed on the district day `day` (Asia/Kolkata), for the daily limit. */
  quota: { day: string; count: number };
  /** Photos and voice notes taken on the district day `day`, for the daily media limit. */
  mediaQuota?: { day: string; count: number };
}

/** Work the engine asks the host to do; the engine itself performs no I/O. */
export type Effect =
  | { type: 'create_ticket'; answers: Answers; flowId: string; onBehalf?: OnBehalf; submissionId?: string }
  | { type: 'counsellor_request' }
  | { type: 'counsellor_relay'; text?: string; attachment?: Attachment }
  | { type: 'counsellor_leave' }
  | { type: 'feedback'; ref: string; rating: number }
  | { type: 'reopen'; ref: string }
  | { type: 'language_changed'; language: Language }
  | { type: 'show_status'; ref?: string }
  | { type: 'answer_question'; ref: string; text?: string; attachment?: Attachment }
  /** Messages to other chats (a staff command's notices), queued in the outbox; each dedupe key makes a repeat a no-op. */
  | { type: 'notify'; items: OutboundItem[] };

/** What the engine needs to know besides the flow and the state. */
export interface EngineContext {
  now: Date;
  catalog: Catalog;
  /** Every translation of a key, to accept typed labels in either language. */
  labelsOf(key: string): string[];
  maxTicketsPerDay: number;
}

export interface EngineResult {
  state: ConversationState;
  replies: Reply[];
  effects: Effect[];
}

/** What the staff side did with a message (staff/ answers it, the inbound handler applies it); undefined means it is the citizen engine's. */
export interface StaffOutcome {
  state: ConversationState;
  replies: Reply[];
  /** A new role for this chat (null: removed); absent: unchanged. */
  staffChange?: StaffIdentity | null;
  /** Work for the effect runner (the same one citizens' steps use), run before the state is saved. */
  effects?: Effect[];
}
