// The message shapes every layer shares: which channel, what to say (an i18n key, not
// words), what was attached, and a message rendered for sending. They live at the bottom
// so storage, the outbox and tickets need not import the conversation engine.
import type { Language } from '../i18n/create-i18n';

/** The chat platforms a message can come by. */
export type ChannelName = 'telegram' | 'whatsapp' | 'web';

/** A translatable text: an i18next key and its parameters, which may be texts themselves. */
export interface Text {
  key: string;
  params?: Record<string, TextParam>;
}
/** Words given in both languages by data (a department's title), picked by the reader's language. */
export type InBothLanguages = Record<Language, string>;
/** A list of texts is translated item by item and joined with line breaks. */
export type TextParam = string | number | Text | Text[] | InBothLanguages;

/** A set of buttons answering one question; `scope` says which question. */
export interface ButtonSet {
  scope: string;
  options: Array<{ value: string; label: Text }>;
}

/** One message to send, before translation. */
export interface Reply {
  text: Text;
  progress?: { n: number; total: number };
  buttons?: ButtonSet;
  /** Ask the platform for the person's own phone number (Telegram contact button). */
  request?: 'contact';
}

/** A photo or voice note a person sent, by the platform's file id. */
export interface Attachment {
  kind: 'photo' | 'voice';
  fileId: string;
  durationSec?: number;
}

/** A reply in words, ready for any channel adapter to lay out. */
export interface RenderedMessage {
  text: string;
  /** Buttons in order; `data` is what a press sends back (`scope|value`). */
  buttons?: Array<{ label: string; data: string }>;
  /** Ask for the person's phone number with the platform's own button. */
  contactRequest?: { label: string };
  /** A photo or voice note by the platform's file id, with `text` as caption. */
  media?: { kind: 'photo' | 'voice'; fileId: string };
  /** Attach a file (CSV export etc.). */
  document?: { fileName: string; bytes: Buffer; mimeType: string };
}
