import type { Language } from '../i18n/create-i18n';
import type { Catalog } from '../domain/catalog';
import type { StaffIdentity } from '../domain/roles';
import type { Attachment, ChannelName, Reply } from '../core/messages';
import type { OutboundItem } from '../core/outbound';
import type { Answers, ConversationState, OnBehalf } from '../core/conversation-state';

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
