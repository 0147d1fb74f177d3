import type { InlineKeyboardButton, KeyboardButton, ReplyKeyboardMarkup, InlineKeyboardMarkup } from 'grammy/types';
import type { RenderedMessage } from '../../core/messages';

/** Longest label that still fits two buttons to a row on a phone. */
const SHORT_LABEL = 14;

/** The sendMessage options for one rendered message: Telegram's own keyboards. */
export function telegramMarkup(msg: RenderedMessage): { reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup } {
  if (msg.contactRequest) {
    // The contact button only exists on a reply keyboard, so the other
    // choices go there too, as plain text buttons that type their label.
    const rows: KeyboardButton[][] = [[{ text: msg.contactRequest.label, request_contact: true }]];
    for (const b of msg.buttons ?? []) rows.push([{ text: b.label }]);
    return { reply_markup: { keyboard: rows, one_time_keyboard: true, resize_keyboard: true } };
  }
  if (!msg.buttons?.length) return {};
  const rows: InlineKeyboardButton[][] = [];
  const short = msg.buttons.every((b) => [...b.label].length <= SHORT_LABEL);
  for (const b of msg.buttons) {
    const button = { text: b.label, callback_data: b.data };
    const last = rows[rows.length - 1];
    if (short && last && last.length < 2) last.push(button);
    else rows.push([button]);
  }
  return { reply_markup: { inline_keyboard: rows } };
}
