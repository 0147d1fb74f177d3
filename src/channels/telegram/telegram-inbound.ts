import type { Update } from 'grammy/types';
import { parseButtonData } from '../../core/render';
import { sanitizeName } from '../../core/text-normalize';
import type { InboundContent, InboundMessage } from '../../conversation/types';

/**
 * Turn a Telegram update into a channel-neutral message, or null when it is
 * not for the conversation (groups, channels, edits, service messages).
 */
export function telegramUpdateToInbound(update: Update, receivedAt: Date): InboundMessage | null {
  const updateKey = String(update.update_id);
  if (update.callback_query) {
    const q = update.callback_query;
    const chat = q.message?.chat;
    if (chat && chat.type !== 'private') return null;
    const parsed = q.data ? parseButtonData(q.data) : undefined;
    return {
      channel: 'telegram',
      chatId: String(chat?.id ?? q.from.id),
      updateKey,
      receivedAt,
      ...nameOf(q.from.first_name),
      // Unparseable data (an old bot version's button) is answered like a stale button.
      content: { kind: 'button', ...(parsed ?? { scope: '', value: '' }) },
    };
  }
  const m = update.message;
  if (!m || m.chat.type !== 'private' || !m.from || m.from.is_bot) return null;
  return {
    channel: 'telegram',
    chatId: String(m.chat.id),
    updateKey,
    receivedAt,
    ...nameOf(m.from.first_name),
    ...(m.reply_to_message
      ? {
          replyToText: m.reply_to_message.text ?? m.reply_to_message.caption ?? '',
          replyToId: String(m.reply_to_message.message_id),
        }
      : {}),
    content: contentOf(m, m.from.id),
    ...declaredSize(m),
  };
}

/** The profile's first name, sanitised like every channel's names; nothing when nothing is left. */
function nameOf(raw: string | undefined): { firstName?: string } {
  const name = sanitizeName(raw ?? '');
  return name ? { firstName: name } : {};
}

type TgMessage = NonNullable<Update['message']>;

/** The size Telegram declares for a photo (its largest size), voice note or audio, for the media limit. */
function declaredSize(m: TgMessage): { media?: { size: number } } {
  const size = m.photo?.[m.photo.length - 1]?.file_size ?? m.voice?.file_size ?? m.audio?.file_size;
  return typeof size === 'number' ? { media: { size } } : {};
}

function contentOf(m: TgMessage, fromId: number): InboundContent {
  if (m.text !== undefined) {
    const command = m.entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
    if (command) {
      // "/status@JanSahayakBot ALR-000001" → status, "ALR-000001"
      const name = m.text.slice(1, command.length).split('@')[0]?.toLowerCase() ?? '';
      return { kind: 'command', command: name, args: m.text.slice(command.length).trim() };
    }
    return { kind: 'text', text: m.text };
  }
  if (m.location) return { kind: 'location', lat: m.location.latitude, lon: m.location.longitude };
  if (m.contact) return { kind: 'contact', phone: m.contact.phone_number, own: m.contact.user_id === fromId };
  if (m.photo && m.photo.length > 0) {
    // Telegram keeps the file and sends it on by id; the bot never downloads it, but the declared size is still checked.
    // Telegram lists sizes smallest first; keep the largest.
    const largest = m.photo[m.photo.length - 1];
    return largest
      ? { kind: 'photo', fileId: largest.file_id, ...(m.caption ? { caption: m.caption } : {}) }
      : { kind: 'unsupported', what: 'photo' };
  }
  if (m.voice) return { kind: 'voice', fileId: m.voice.file_id, durationSec: m.voice.duration };
  if (m.audio) return { kind: 'voice', fileId: m.audio.file_id, durationSec: m.audio.duration };
  if (m.sticker) return { kind: 'unsupported', what: 'sticker' };
  if (m.document) return { kind: 'unsupported', what: 'document' };
  if (m.video || m.video_note || m.animation) return { kind: 'unsupported', what: 'video' };
  return { kind: 'unsupported', what: 'other' };
}
