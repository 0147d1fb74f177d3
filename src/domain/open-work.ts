import type { Ticket, TicketStatus } from './ticket';
import { OPEN_STATUSES } from './ticket-lifecycle';

/**
 * The fields of a ticket that open work is listed, counted and filtered by
 * (`/pending`, `/overdue`, the departments' load, the dashboard's open and
 * overdue figures), with the ticket's revision: what the open-work read model
 * (src/storage/open-work-store.ts) keeps of each live ticket.
 */
export type OpenWorkSource = Pick<
  Ticket,
  'ref' | 'status' | 'department' | 'createdAt' | 'ackDueAt' | 'resolveDueAt' | 'acknowledgedAt'
> & {
  /** The ticket's revision: raised by every change, so an older snapshot never replaces a newer one. */
  rev?: number;
};

/** The ticket fields an {@link OpenWorkSource} is made of (a projection). */
export const OPEN_WORK_FIELDS = [
  'ref',
  'status',
  'department',
  'createdAt',
  'ackDueAt',
  'resolveDueAt',
  'acknowledgedAt',
  'rev',
] as const;

/**
 * One ticket in the read model, compact (a district holds thousands): open,
 * `{v, s, d, c, a, r, k?}`; no longer open, a tombstone `{v, x}` that keeps
 * a late, older snapshot from bringing the ticket back (pruned after a day).
 */
export type OpenEntry =
  { v: number; s: TicketStatus; d: string; c: Date; a: Date; r: Date; k?: 1 } | { v: number; x: Date };

/** An open entry, expanded: what the queries filter and sort. */
export interface OpenTicket {
  ref: string;
  status: TicketStatus;
  department: string;
  createdAt: Date;
  ackDueAt: Date;
  resolveDueAt: Date;
  /** Acknowledged in the current cycle (the time itself is not kept: only whether). */
  acknowledgedAt?: Date;
}

/** The entry of a ticket as it is now; a tombstone stamped `at` when it is no longer open. */
export function openEntry(t: OpenWorkSource, at: Date): OpenEntry {
  const v = t.rev ?? 0;
  if (!OPEN_STATUSES.includes(t.status)) return { v, x: at };
  return {
    v,
    s: t.status,
    d: t.department,
    c: t.createdAt,
    a: t.ackDueAt,
    r: t.resolveDueAt,
    ...(t.acknowledgedAt ? { k: 1 as const } : {}),
  };
}

/** Whether a change moved what the read model keeps of a ticket (then it must be relayed to it). */
export function openWorkChanged(before: OpenWorkSource, after: OpenWorkSource): boolean {
  const a = openEntry({ ...before, rev: 0 }, new Date(0));
  const b = openEntry({ ...after, rev: 0 }, new Date(0));
  return JSON.stringify(a) !== JSON.stringify(b);
}

/** The open ticket an entry stands for; undefined for a tombstone. */
export function openTicketOf(ref: string, e: OpenEntry): OpenTicket | undefined {
  if ('x' in e) return undefined;
  return {
    ref,
    status: e.s,
    department: e.d,
    createdAt: e.c,
    ackDueAt: e.a,
    resolveDueAt: e.r,
    // isOverdue asks only whether there is an acknowledgement: any date stands for it.
    ...(e.k ? { acknowledgedAt: e.c } : {}),
  };
}

/** Oldest first (ties by reference), as the lists show them. */
export const oldestFirst = (a: OpenTicket, b: OpenTicket): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || a.ref.localeCompare(b.ref);

/** Open tickets filtered as the dashboard filters: a department, and creation in [from, to). */
export function matchesFilter(t: OpenTicket, f: { department?: string; from?: Date; to?: Date }): boolean {
  if (f.department && t.department !== f.department) return false;
  if (f.from && t.createdAt.getTime() < f.from.getTime()) return false;
  if (f.to && t.createdAt.getTime() >= f.to.getTime()) return false;
  return true;
}
