import type { Reply, Text } from '../core/messages';
import { findBlock, type Catalog } from '../domain/catalog';
import type { HistoryEntry, Ticket } from '../domain/ticket';
import { isOpen } from '../domain/ticket-lifecycle';
import type { Language, Translator } from '../i18n/create-i18n';
import { formatAge, formatDateTime } from '../i18n/format';
import { CARD_ACTIONS, TICKET_SCOPE, type TicketMessages } from '../tickets/ticket-messages';
import { staffLabel, type StaffNames } from './staff-names';

/** History steps shown by /ticket; older ones are counted, not listed (the export has them all). */
export const HISTORY_SHOWN = 30;
/** History steps per message, so no message passes Telegram's 4096 characters. */
const HISTORY_PER_MESSAGE = 10;
/** Longest note shown in a history line. */
const NOTE_CHARS = 200;

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });
const verbatim = (text: string): Text => t('common.verbatim', { text });

/** Shorten a note to `max` characters (whole code points), marking the cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The words for a history action; unknown actions (added later elsewhere) show as recorded. */
export function actionText(translator: Translator, lang: Language, action: string): Text {
  const key = `supervisor.history.action.${action}`;
  return translator.has(lang, key) ? t(key) : verbatim(action);
}

/** Who did a history step, in words. */
export function actorText(names: StaffNames, entry: HistoryEntry): Text {
  if (entry.by.kind === 'staff') {
    const role = entry.by.role ? t(`staff.role.${entry.by.role}`) : '';
    return t('supervisor.history.by_staff', { name: staffLabel(names, entry.by.id), role });
  }
  return t(`supervisor.history.by_${entry.by.kind}`);
}

/** One history step on one short line (plus the note, clipped, on the next). */
export function historyLine(
  entry: HistoryEntry,
  lang: Language,
  translator: Translator,
  names: StaffNames,
  departmentName: (code: string) => string,
): Text {
  const target = entry.department
    ? t('supervisor.history.target', {
        department: departmentName(entry.department),
        officer: entry.officerId ? ` · ${staffLabel(names, entry.officerId)}` : '',
      })
    : '';
  return t('supervisor.history.line', {
    at: formatDateTime(entry.at, lang),
    who: actorText(names, entry),
    action: actionText(translator, lang, entry.action),
    target,
    note: entry.text ? t('supervisor.history.note', { text: noteText(entry, lang, translator) }) : '',
  });
}

/**
 * A history note, clipped to `max` characters; recorded codes in words: an
 * escalation's reason, and the line a telephone complaint came in on.
 */
export function noteText(entry: HistoryEntry, lang: Language, translator: Translator, max = NOTE_CHARS): Text | string {
  const reasonKey = `escalation.reason.${entry.text ?? ''}`;
  if (entry.action === 'escalate' && translator.has(lang, reasonKey)) return t(reasonKey);
  const channelKey = `supervisor.channel.${entry.text ?? ''}`;
  if (entry.action === 'created' && translator.has(lang, channelKey)) return t(channelKey);
  return clip(entry.text ?? '', max);
}

/** Everything about one ticket for /ticket: the details (with action buttons while open) and its history. */
export function ticketDetailReplies(input: {
  ticket: Ticket;
  lang: Language;
  now: Date;
  translator: Translator;
  catalog: Catalog;
  messages: TicketMessages;
  /** A department's name in the viewer's language, by code (the code itself when unknown). */
  departmentName: (code: string) => string;
  names: StaffNames;
  /** Offer the officer's action buttons (the viewer may act on it). */
  actions: boolean;
}): Reply[] {
  const { ticket: tk, lang, now, names } = input;
  const block = findBlock(input.catalog, tk.block);
  const lines: Text[] = [
    t('supervisor.ticket.category', { category: input.messages.categoryText(tk) }),
    t('supervisor.ticket.department', {
      department: input.departmentName(tk.department),
      code: tk.department,
      officer: tk.assignedTo ? staffLabel(names, tk.assignedTo) : t('supervisor.ticket.unassigned'),
    }),
    t('supervisor.ticket.place', {
      block: block ? t(block.label) : t('common.none'),
      locality: tk.locality ?? '',
      pin: tk.location ? ` · https://maps.google.com/?q=${tk.location.lat},${tk.location.lon}` : '',
    }),
    t('supervisor.ticket.description', { description: tk.description }),
  ];
  const photos = tk.attachments.filter((a) => a.kind === 'photo').length;
  if (tk.attachments.length)
    lines.push(
      t('supervisor.ticket.attachments', {
        attachments: t('intake.summary.attachments', { photos, voices: tk.attachments.length - photos }),
      }),
    );
  lines.push(t('supervisor.ticket.phone', { phone: tk.phone ?? t('staff.ticket.phone_hidden') }));
  lines.push(
    t('supervisor.ticket.intake', {
      intake: t(`supervisor.channel.${tk.intake}`),
      language: t(`supervisor.language.${tk.language}`),
    }),
  );
  if (tk.loggedBy) lines.push(t('supervisor.ticket.logged_by', { name: staffLabel(names, tk.loggedBy) }));
  if (tk.replyVia)
    lines.push(t('supervisor.ticket.reply_via', { how: t(`supervisor.ticket.reply_via_how.${tk.replyVia}`) }));
  lines.push(
    t('supervisor.ticket.created', {
      created: formatDateTime(tk.createdAt, lang),
      age: formatAge(tk.createdAt, now, lang),
    }),
  );
  lines.push(
    t('supervisor.ticket.ack', {
      due: formatDateTime(tk.ackDueAt, lang),
      done: tk.acknowledgedAt
        ? t('supervisor.ticket.done_at', { at: formatDateTime(tk.acknowledgedAt, lang) })
        : t('supervisor.ticket.not_yet'),
    }),
  );
  lines.push(
    t('supervisor.ticket.resolve', {
      due: formatDateTime(tk.resolveDueAt, lang),
      done: tk.resolvedAt
        ? t('supervisor.ticket.done_at', { at: formatDateTime(tk.resolvedAt, lang) })
        : t('supervisor.ticket.not_yet'),
    }),
  );
  if (tk.closedAt) lines.push(t('supervisor.ticket.closed', { at: formatDateTime(tk.closedAt, lang) }));
  if (tk.level > 1 || tk.escalatedAt)
    lines.push(
      t('supervisor.ticket.level', {
        level: tk.level,
        at: tk.escalatedAt ? formatDateTime(tk.escalatedAt, lang) : t('common.none'),
      }),
    );
  if (tk.reopenCount > 0) lines.push(t('supervisor.ticket.reopened', { count: tk.reopenCount }));
  if (tk.feedback) {
    lines.push(
      t('supervisor.ticket.feedback', {
        rating: tk.feedback.rating,
        satisfied: t(tk.feedback.satisfied ? 'supervisor.ticket.satisfied' : 'supervisor.ticket.not_satisfied'),
      }),
    );
  }
  const details: Reply = {
    text: t('supervisor.ticket.details', { ref: tk.ref, status: t(`ticket.status.${tk.status}`), lines }),
  };
  if (input.actions && isOpen(tk.status)) {
    details.buttons = {
      scope: TICKET_SCOPE,
      options: CARD_ACTIONS.map((a) => ({ value: `${a}:${tk.ref}`, label: t(`staff.button.${a}`) })),
    };
  }

  const shown = tk.history.slice(-HISTORY_SHOWN);
  const earlier = tk.history.length - shown.length;
  const replies: Reply[] = [details];
  for (let i = 0; i < shown.length; i += HISTORY_PER_MESSAGE) {
    const chunk = shown
      .slice(i, i + HISTORY_PER_MESSAGE)
      .map((e) => historyLine(e, lang, input.translator, names, input.departmentName));
    const first = i === 0;
    replies.push({
      text: t(first ? 'supervisor.history.title' : 'supervisor.history.more', {
        ref: tk.ref,
        count: tk.history.length,
        earlier: first && earlier > 0 ? t('supervisor.history.earlier', { count: earlier }) : '',
        lines: chunk,
      }),
    });
  }
  return replies;
}
