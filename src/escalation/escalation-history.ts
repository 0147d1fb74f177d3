import type { Text } from '../core/messages';
import type { HistoryEntry, Ticket } from '../domain/ticket';
import type { Language } from '../i18n/create-i18n';
import { formatDateTime } from '../i18n/format';
import { isEscalationReason } from './escalation-policy';

/** Lines of history sent with an escalation; older ones are summarised as a count (chat messages are limited in length). */
export const HISTORY_LINES = 15;
/** Longest note quoted from one history line. */
const NOTE_CHARS = 160;

/** History actions with their own words (`escalation.history.action.*`); any other is shown as written. */
export const HISTORY_ACTIONS: ReadonlySet<string> = new Set([
  'created',
  'assign',
  'acknowledge',
  'ask',
  'citizen_reply',
  'update',
  'resolve',
  'transfer',
  'escalate',
  'close',
  'close_no_feedback',
  'feedback',
  'reopen',
]);

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

function who(entry: HistoryEntry): Text {
  if (entry.by.kind === 'citizen') return t('escalation.history.by_citizen');
  if (entry.by.kind === 'system') return t('escalation.history.by_system');
  return t('escalation.history.by_staff', {
    role: entry.by.role ? t(`staff.role.${entry.by.role}`) : t('escalation.history.by_system'),
    id: entry.by.id,
  });
}

function note(entry: HistoryEntry): Text | string {
  if (entry.action === 'escalate' && isEscalationReason(entry.text)) return t(`escalation.reason.${entry.text}`);
  const text = entry.text ?? '';
  return [...text].length > NOTE_CHARS ? `${[...text].slice(0, NOTE_CHARS).join('')}…` : text;
}

/**
 * A ticket's history as one text for the person it is escalated to: when,
 * what, by whom, with notes shortened; `departmentName` turns a department
 * code into words. The level reached by each escalation
 * is counted from the escalation lines before it (every rise of the level
 * writes exactly one `escalate` line).
 */
export function historyText(
  ticket: Pick<Ticket, 'ref' | 'history'>,
  lang: Language,
  departmentName: (code: string) => string = (code) => code,
): Text {
  let level = 1;
  const lines: Text[] = ticket.history.map((entry) => {
    if (entry.action === 'escalate') level += 1;
    const action = HISTORY_ACTIONS.has(entry.action)
      ? t(`escalation.history.action.${entry.action}`, {
          level,
          department: entry.department ? departmentName(entry.department) : '',
        })
      : t('common.verbatim', { text: entry.action });
    const n = note(entry);
    return t(n === '' ? 'escalation.history.line' : 'escalation.history.line_note', {
      time: formatDateTime(entry.at, lang),
      action,
      who: who(entry),
      note: n,
    });
  });
  const hidden = Math.max(0, lines.length - HISTORY_LINES);
  const shown = lines.slice(hidden);
  if (hidden > 0) shown.unshift(t('escalation.history.earlier', { count: hidden }));
  return t('escalation.history.title', { ref: ticket.ref, lines: shown });
}
