import type { Language, Translator } from '../i18n/create-i18n';
import { firstAcknowledgement } from '../domain/ticket';
import { OPEN_STATUSES } from '../domain/ticket-lifecycle';
import { dateTimeText } from './dashboard-periods';
import type { ExportSource } from './dashboard-queries';
import { csvLine, UTF8_BOM } from '../supervisor/csv';
import { maskPhones } from '../domain/phone-mask';
import { latenessOf } from './dashboard-view';

/** Export columns in order; each header is `dashboard.csv.<column>` in the chosen language. */
export const EXPORT_COLUMNS = [
  'ref',
  'created',
  'channel',
  'category',
  'department',
  'status',
  'level',
  'overdue',
  'block',
  'locality',
  'description',
  'officer',
  'ack_due',
  'acknowledged',
  'resolve_due',
  'resolved',
  'closed',
  'rating',
  'reopened',
] as const;

/** What turning tickets into rows needs: words, department and staff names, the time. */
export interface ExportContext {
  lang: Language;
  translator: Translator;
  departmentName: (code: string) => string;
  staffNames: ReadonlyMap<string, string>;
  /** Category and block ids → i18n keys. */
  categoryLabel: (id: string) => string | undefined;
  blockLabel: (id: string) => string | undefined;
  now: Date;
}

/** The header record, after the byte order mark (spreadsheets then read the file as UTF-8). The CSV writer is the chat /export's. */
export function exportHeader(lang: Language, translator: Translator): string {
  return UTF8_BOM + csvLine(EXPORT_COLUMNS.map((c) => translator.t(lang, `dashboard.csv.${c}`)));
}

/** One ticket as one record: words in the chosen language, times as the district reads them, no phone numbers. */
export function exportRecord(t: ExportSource, ctx: ExportContext): string {
  const { lang, translator } = ctx;
  const word = (key: string | undefined, fallback: string) =>
    key && translator.has(lang, key) ? translator.t(lang, key) : fallback;
  const time = (d: Date | undefined) => (d ? dateTimeText(d) : undefined);
  const open = (OPEN_STATUSES as readonly string[]).includes(t.status);
  const late = open ? latenessOf(t, ctx.now) : undefined;
  const row: Record<(typeof EXPORT_COLUMNS)[number], string | number | undefined> = {
    ref: t.ref,
    created: time(t.createdAt),
    channel: word(`dashboard.channel.${t.intake}`, t.intake),
    category: word(ctx.categoryLabel(t.category), t.category),
    department: ctx.departmentName(t.department),
    status: word(`ticket.status.${t.status}`, t.status),
    level: t.level,
    overdue: late ? translator.t(lang, `dashboard.late.${late}`) : '',
    block: t.block ? word(ctx.blockLabel(t.block), t.block) : undefined,
    locality: t.locality ? maskPhones(t.locality) : undefined,
    description: maskPhones(t.description),
    officer: t.assignedTo ? maybe(ctx.staffNames.get(t.assignedTo)) : undefined,
    ack_due: time(t.ackDueAt),
    acknowledged: time(firstAcknowledgement(t)),
    resolve_due: time(t.resolveDueAt),
    resolved: time(t.resolvedAt),
    closed: time(t.closedAt),
    rating: t.feedback?.rating,
    reopened: t.reopenCount ?? 0,
  };
  return csvLine(EXPORT_COLUMNS.map((c) => row[c]));
}

const maybe = (name: string | undefined) => (name === undefined ? undefined : maskPhones(name));
