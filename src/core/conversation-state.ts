import type { Language } from '../i18n/create-i18n';
import type { Attachment } from './messages';

/*
 * What is saved of a chat between its messages: the engine's state, kept by
 * the storage below it and patched by the features beside it (an officer's
 * question awaiting the answer, a rating asked for), so it lives down here
 * where every layer may read it.
 */

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
