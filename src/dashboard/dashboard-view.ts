import { maskPhones } from '../domain/phone-mask';
import { firstAcknowledgement, type HistoryEntry, type Ticket } from '../domain/ticket';

/**
 * What the dashboard may show of a ticket. It is a whitelist on purpose:
 * phone numbers, chat ids and citizen ids (which for telephone intake hold
 * the caller's number) never leave the server, whoever is looking, and a
 * field added to tickets later stays hidden until someone adds it here.
 */
export const ROW_FIELDS = ['ref', 'createdAt', 'status', 'category', 'department', 'intake', 'level', 'block'] as const;
export const DETAIL_FIELDS = [
  ...ROW_FIELDS,
  'language',
  'locality',
  'description',
  'attachments',
  'updatedAt',
  'ackDueAt',
  'acknowledgedAt',
  'firstAcknowledgedAt',
  'resolveDueAt',
  'resolvedAt',
  'closedAt',
  'escalatedAt',
  'assignedTo',
  'reopenCount',
  'feedback',
  'history',
] as const;

/** A Mongo projection of exactly these fields (and no `_id`). */
export function projectionOf(fields: readonly string[]): Record<string, 0 | 1> {
  return Object.fromEntries([['_id', 0], ...fields.map((f) => [f, 1])]);
}

type RowSource = Pick<Ticket, (typeof ROW_FIELDS)[number]>;

/** One line of a ticket list. */
export interface TicketRow {
  ref: string;
  createdAt: string;
  status: string;
  category: string;
  department: string;
  intake: string;
  level: number;
  block?: string;
}

/** Which deadline an open ticket has missed, if any. */
export type Lateness = 'ack' | 'resolve';

/** An overdue ticket: how old it is and how late. */
export interface OverdueRow extends TicketRow {
  late: Lateness;
  dueAt: string;
  ageMinutes: number;
  lateMinutes: number;
}

/** A ticket with its history, for the detail view. */
export interface TicketDetail extends TicketRow {
  language: string;
  locality?: string;
  description: string;
  photos: number;
  updatedAt: string;
  ackDueAt: string;
  acknowledgedAt?: string;
  resolveDueAt: string;
  resolvedAt?: string;
  closedAt?: string;
  escalatedAt?: string;
  assignedTo?: string;
  reopenCount: number;
  feedback?: { rating: number; satisfied: boolean; at: string };
  late?: Lateness;
  history: HistoryView[];
}

/** One history step as the page shows it: who by role and name, never by id. */
export interface HistoryView {
  at: string;
  by: { kind: string; role?: string; name?: string };
  action: string;
  from?: string;
  to?: string;
  department?: string;
  officer?: string;
  text?: string;
}

/** Which deadline an open ticket has passed at `now`: resolution first, then acknowledgement. */
export function latenessOf(
  t: Pick<Ticket, 'ackDueAt' | 'resolveDueAt' | 'acknowledgedAt'>,
  now: Date,
): Lateness | undefined {
  if (t.resolveDueAt.getTime() < now.getTime()) return 'resolve';
  if (!t.acknowledgedAt && t.ackDueAt.getTime() < now.getTime()) return 'ack';
  return undefined;
}

export function ticketRow(t: RowSource): TicketRow {
  return {
    ref: t.ref,
    createdAt: t.createdAt.toISOString(),
    status: t.status,
    category: t.category,
    department: t.department,
    intake: t.intake,
    level: t.level,
    ...(t.block ? { block: t.block } : {}),
  };
}

const minutesBetween = (a: Date, b: Date) => Math.max(0, Math.floor((b.getTime() - a.getTime()) / 60_000));

export function overdueRow(
  t: RowSource & Pick<Ticket, 'ackDueAt' | 'resolveDueAt' | 'acknowledgedAt'>,
  now: Date,
): OverdueRow {
  const late = latenessOf(t, now) ?? 'resolve';
  const due = late === 'resolve' ? t.resolveDueAt : t.ackDueAt;
  return {
    ...ticketRow(t),
    late,
    dueAt: due.toISOString(),
    ageMinutes: minutesBetween(t.createdAt, now),
    lateMinutes: minutesBetween(due, now),
  };
}

type DetailSource = Pick<Ticket, (typeof DETAIL_FIELDS)[number]>;

/** A ticket's details; `names` maps staff ids to names (ids themselves are never shown). */
export function ticketDetail(
  t: DetailSource,
  now: Date,
  open: boolean,
  names: ReadonlyMap<string, string>,
): TicketDetail {
  const late = open ? latenessOf(t, now) : undefined;
  const officer = t.assignedTo ? names.get(t.assignedTo) : undefined;
  return {
    ...ticketRow(t),
    language: t.language,
    ...(t.locality ? { locality: maskPhones(t.locality) } : {}),
    description: maskPhones(t.description),
    photos: (t.attachments ?? []).filter((a) => a.kind === 'photo').length,
    updatedAt: t.updatedAt.toISOString(),
    ackDueAt: t.ackDueAt.toISOString(),
    ...optionalTime('acknowledgedAt', firstAcknowledgement(t)),
    resolveDueAt: t.resolveDueAt.toISOString(),
    ...optionalTime('resolvedAt', t.resolvedAt),
    ...optionalTime('closedAt', t.closedAt),
    ...optionalTime('escalatedAt', t.escalatedAt),
    ...(officer ? { assignedTo: maskPhones(officer) } : {}),
    reopenCount: t.reopenCount ?? 0,
    ...(t.feedback
      ? { feedback: { rating: t.feedback.rating, satisfied: t.feedback.satisfied, at: t.feedback.at.toISOString() } }
      : {}),
    ...(late ? { late } : {}),
    history: (t.history ?? []).map((h) => historyView(h, names)),
  };
}

function optionalTime<K extends string>(key: K, d: Date | undefined): Partial<Record<K, string>> {
  return d ? ({ [key]: d.toISOString() } as Record<K, string>) : {};
}

function historyView(h: HistoryEntry, names: ReadonlyMap<string, string>): HistoryView {
  const name = h.by.kind === 'staff' ? names.get(h.by.id) : undefined;
  const officer = h.officerId ? names.get(h.officerId) : undefined;
  return {
    at: h.at.toISOString(),
    // A citizen's id may be their phone number (telephone intake): only the kind is shown.
    by: {
      kind: h.by.kind,
      ...(h.by.kind === 'staff' && h.by.role ? { role: h.by.role } : {}),
      ...(name ? { name: maskPhones(name) } : {}),
    },
    action: h.action,
    ...(h.from ? { from: h.from } : {}),
    ...(h.to ? { to: h.to } : {}),
    ...(h.department ? { department: h.department } : {}),
    ...(officer ? { officer: maskPhones(officer) } : {}),
    ...(h.text ? { text: maskPhones(h.text) } : {}),
  };
}

/** Staff ids a ticket's details mention, to look their names up in one query. */
export function staffIdsOf(t: Pick<Ticket, 'assignedTo' | 'history'>): string[] {
  const ids = new Set<string>();
  if (t.assignedTo) ids.add(t.assignedTo);
  for (const h of t.history ?? []) {
    if (h.by.kind === 'staff') ids.add(h.by.id);
    if (h.officerId) ids.add(h.officerId);
  }
  return [...ids];
}
