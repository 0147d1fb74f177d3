import type { Ticket } from './ticket';

/**
 * Counts by district day: day (YYYY-MM-DD) → counter path (`status.new`,
 * `dept.FOOD.category.ration`, `resolved.n`, …) → number. What one ticket
 * adds to the counters ({@link ticketCounts}), or what one change of a ticket
 * moves ({@link countDelta}).
 */
export type CountDelta = Record<string, Record<string, number>>;

/** The district's calendar day and hour (0–23) of an instant. */
export type DayOf = (at: Date) => { day: string; hour: number };

/** The fields the counters are made of. */
export type CountedTicket = Pick<
  Ticket,
  | 'status'
  | 'category'
  | 'department'
  | 'intake'
  | 'block'
  | 'level'
  | 'createdAt'
  | 'acknowledgedAt'
  | 'firstAcknowledgedAt'
  | 'resolvedAt'
  | 'feedback'
>;

/**
 * Counted fields that a change may alter after filing (category, intake,
 * block and creation time never change): a write that moves counters is
 * conditional on these being as they were read, so the delta it records is
 * the change it made.
 */
export const CHANGING_COUNTED_FIELDS = [
  'status',
  'department',
  'level',
  'acknowledgedAt',
  'firstAcknowledgedAt',
  'resolvedAt',
  'feedback',
] as const;

/** A value as a counter key: no `.` or `$` (field paths), never empty. */
export function countKey(value: string | number | undefined): string {
  const s = String(value ?? '').replace(/[.$\0]/g, '_');
  return s === '' ? '-' : s;
}

/** `h00` … `h23`: the hour slot of hourly counters. */
export const hourKey = (hour: number): string => `h${String(hour).padStart(2, '0')}`;

/**
 * The district's day and hour in an IANA time zone (`Asia/Kolkata`), from the
 * runtime's time-zone data.
 */
export function dayOfIn(timeZone: string): DayOf {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  });
  return (at) => {
    const p: Record<string, string> = {};
    for (const part of f.formatToParts(at)) p[part.type] = part.value;
    return { day: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) % 24 };
  };
}

function add(into: CountDelta, day: string, path: string, n: number): void {
  const d = (into[day] ??= {});
  d[path] = (d[path] ?? 0) + n;
}

/**
 * What one ticket, as it is now, adds to the counters:
 * - on its filing day: `n`, by `status`, `category`, `department`, `intake`,
 *   `block`, `level`, per department `dept.D.{n,status,category,intake}`, and
 *   `created.hHH` by hour;
 * - on the day of its first acknowledgement: `ack.n`, `ack.ms` (time taken);
 * - on the day of its (latest) resolution: `resolved.n`, `resolved.ms`,
 *   `resolved.dept.D`, `resolved.hHH`;
 * - on the day it was rated: `rated.{n,sum,satisfied}`, `rated.star.sK`,
 *   `rated.dept.D.{n,sum,satisfied}`.
 * Every counter is a sum of this over the tickets, so a count over the
 * tickets and the counters agree by construction.
 */
export function ticketCounts(t: CountedTicket, dayOf: DayOf): CountDelta {
  const out: CountDelta = {};
  const created = dayOf(t.createdAt);
  const c = created.day;
  const dept = countKey(t.department);
  const status = countKey(t.status);
  const category = countKey(t.category);
  const intake = countKey(t.intake);
  for (const [path, n] of [
    ['n', 1],
    [`status.${status}`, 1],
    [`category.${category}`, 1],
    [`department.${dept}`, 1],
    [`intake.${intake}`, 1],
    [`block.${countKey(t.block)}`, 1],
    [`level.L${countKey(t.level)}`, 1],
    [`dept.${dept}.n`, 1],
    [`dept.${dept}.status.${status}`, 1],
    [`dept.${dept}.category.${category}`, 1],
    [`dept.${dept}.intake.${intake}`, 1],
    [`created.${hourKey(created.hour)}`, 1],
  ] as const) {
    add(out, c, path, n);
  }
  // The first acknowledgement, across reopenings (what reports count).
  const ackAt = t.firstAcknowledgedAt ?? t.acknowledgedAt;
  if (ackAt) {
    const a = dayOf(ackAt).day;
    add(out, a, 'ack.n', 1);
    add(out, a, 'ack.ms', ackAt.getTime() - t.createdAt.getTime());
  }
  if (t.resolvedAt) {
    const r = dayOf(t.resolvedAt);
    add(out, r.day, 'resolved.n', 1);
    add(out, r.day, 'resolved.ms', t.resolvedAt.getTime() - t.createdAt.getTime());
    add(out, r.day, `resolved.dept.${dept}`, 1);
    add(out, r.day, `resolved.${hourKey(r.hour)}`, 1);
  }
  if (t.feedback) {
    const f = dayOf(t.feedback.at).day;
    const ok = t.feedback.satisfied ? 1 : 0;
    add(out, f, 'rated.n', 1);
    add(out, f, 'rated.sum', t.feedback.rating);
    add(out, f, 'rated.satisfied', ok);
    add(out, f, `rated.star.s${countKey(Math.min(5, Math.max(1, Math.round(t.feedback.rating))))}`, 1);
    add(out, f, `rated.dept.${dept}.n`, 1);
    add(out, f, `rated.dept.${dept}.sum`, t.feedback.rating);
    add(out, f, `rated.dept.${dept}.satisfied`, ok);
  }
  return out;
}

/** `into += sign × delta`, in place. */
export function addCounts(into: CountDelta, delta: CountDelta, sign = 1): CountDelta {
  for (const [day, paths] of Object.entries(delta))
    for (const [path, n] of Object.entries(paths)) add(into, day, path, sign * n);
  return into;
}

/** The delta without zero entries (and without days left empty). */
export function withoutZeros(delta: CountDelta): CountDelta {
  const out: CountDelta = {};
  for (const [day, paths] of Object.entries(delta)) {
    for (const [path, n] of Object.entries(paths)) if (n !== 0) (out[day] ??= {})[path] = n;
  }
  return out;
}

/**
 * What a change of a ticket moves: its counts after minus its counts before
 * (`before` undefined for a new ticket). Undefined when nothing moves.
 */
export function countDelta(
  before: CountedTicket | undefined,
  after: CountedTicket,
  dayOf: DayOf,
): CountDelta | undefined {
  const delta = ticketCounts(after, dayOf);
  if (before) addCounts(delta, ticketCounts(before, dayOf), -1);
  const out = withoutZeros(delta);
  return Object.keys(out).length ? out : undefined;
}

/**
 * A delta as stored inside a ticket document (owed with a change): a list of
 * `{d: day, p: path, n}`, since stored field names may not hold `.`.
 */
export type StoredCounts = Array<{ d: string; p: string; n: number }>;

/** A delta in its stored form. */
export function storedCounts(delta: CountDelta): StoredCounts {
  return Object.entries(delta).flatMap(([d, paths]) => Object.entries(paths).map(([p, n]) => ({ d, p, n })));
}

/** A stored delta back as a delta. */
export function fromStoredCounts(stored: StoredCounts): CountDelta {
  const out: CountDelta = {};
  for (const { d, p, n } of stored) add(out, d, p, n);
  return out;
}
