import { translate } from '../core/render';
import type { Text } from '../core/messages';
import { findBlock, type Catalog } from '../domain/catalog';
import { firstAcknowledgement, type Ticket } from '../domain/ticket';
import type { Language, Translator } from '../i18n/create-i18n';
import { zonedParts } from '../core/zoned-time';
import type { TicketMessages } from '../tickets/ticket-messages';
import { toCsv, type CsvValue } from './csv';
import { actionText, actorText, noteText } from './ticket-details';
import { staffLabel, type StaffNames } from './staff-names';

/** The export's columns, in order; headers are `supervisor.export.col.<name>`. */
export const EXPORT_COLUMNS = [
  'ref',
  'created',
  'status_code',
  'status',
  'category_code',
  'category',
  'department_code',
  'department',
  'officer_id',
  'officer',
  'intake',
  'reply_channel',
  'language',
  'block',
  'locality',
  'latitude',
  'longitude',
  'description',
  'phone',
  'photos',
  'voice_notes',
  'level',
  'ack_due',
  'acknowledged',
  'resolve_due',
  'resolved',
  'closed',
  'escalated',
  'logged_by',
  'reopened',
  'rating',
  'satisfied',
  'rated',
  'updated',
  'history',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

/** What the export needs to put tickets in words. */
export interface ExportContext {
  lang: Language;
  translator: Translator;
  catalog: Catalog;
  messages: TicketMessages;
  timeZone: string;
  departmentName: (code: string) => string;
  names: StaffNames;
}

/** A time as spreadsheets read it, in the district: 2026-11-28 10:00. */
export function spreadsheetTime(d: Date | undefined, timeZone: string): string {
  if (!d) return '';
  const p = zonedParts(d, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

/** One ticket as a CSV row, in {@link EXPORT_COLUMNS} order. */
export function exportRow(tk: Ticket, ctx: ExportContext): CsvValue[] {
  const w = (text: Text) => translate(ctx.translator, ctx.lang, text);
  const time = (d: Date | undefined) => spreadsheetTime(d, ctx.timeZone);
  const block = findBlock(ctx.catalog, tk.block);
  const photos = tk.attachments.filter((a) => a.kind === 'photo').length;
  const history = tk.history
    .map((e) => {
      const parts = [time(e.at), w(actorText(ctx.names, e)), w(actionText(ctx.translator, ctx.lang, e.action))];
      if (e.department)
        parts.push(
          `→ ${ctx.departmentName(e.department)}${e.officerId ? ` ${staffLabel(ctx.names, e.officerId)}` : ''}`,
        );
      if (e.text) {
        const note = noteText(e, ctx.lang, ctx.translator, Number.MAX_SAFE_INTEGER);
        parts.push(typeof note === 'string' ? note : w(note));
      }
      return parts.join(' · ');
    })
    .join('\n');
  const row: Record<ExportColumn, CsvValue> = {
    ref: tk.ref,
    created: time(tk.createdAt),
    status_code: tk.status,
    status: w({ key: `ticket.status.${tk.status}` }),
    category_code: tk.category,
    category: w(ctx.messages.categoryText(tk)),
    department_code: tk.department,
    department: ctx.departmentName(tk.department),
    officer_id: tk.assignedTo,
    officer: tk.assignedTo ? ctx.names(tk.assignedTo) : undefined,
    intake: w({ key: `supervisor.channel.${tk.intake}` }),
    reply_channel: w({ key: `supervisor.channel.${tk.channel}` }),
    language: tk.language,
    block: block ? w({ key: block.label }) : tk.block,
    locality: tk.locality,
    latitude: tk.location?.lat,
    longitude: tk.location?.lon,
    description: tk.description,
    phone: tk.phone,
    photos,
    voice_notes: tk.attachments.length - photos,
    level: tk.level,
    ack_due: time(tk.ackDueAt),
    acknowledged: time(firstAcknowledgement(tk)),
    resolve_due: time(tk.resolveDueAt),
    resolved: time(tk.resolvedAt),
    closed: time(tk.closedAt),
    escalated: time(tk.escalatedAt),
    logged_by: tk.loggedBy ? staffLabel(ctx.names, tk.loggedBy) : undefined,
    reopened: tk.reopenCount,
    rating: tk.feedback?.rating,
    satisfied: tk.feedback
      ? w({ key: tk.feedback.satisfied ? 'supervisor.export.yes' : 'supervisor.export.no' })
      : undefined,
    rated: time(tk.feedback?.at),
    updated: time(tk.updatedAt),
    history,
  };
  return EXPORT_COLUMNS.map((c) => row[c]);
}

/** Tickets as a CSV file (UTF-8 with BOM, RFC 4180), headers in the staff member's language. */
export function exportCsv(tickets: readonly Ticket[], ctx: ExportContext): Buffer {
  const header = EXPORT_COLUMNS.map((c) => ctx.translator.t(ctx.lang, `supervisor.export.col.${c}`));
  return Buffer.from(toCsv([header, ...tickets.map((tk) => exportRow(tk, ctx))]), 'utf8');
}
