import { hourKey } from '../domain/ticket-counts';
import { sumDays, type DayCounts, type TicketCountStore } from '../storage/ticket-count-store';
import { zonedDay, zonedTimeToUtc } from '../core/zoned-time';
import { daysFrom } from './report-periods';

/** How many tickets filed in a period are in each value of each field (their state now). */
export interface Breakdown {
  total: number;
  status: Map<string, number>;
  category: Map<string, number>;
  department: Map<string, number>;
  intake: Map<string, number>;
  block: Map<string, number>;
  level: Map<string, number>;
}

/** Ratings given in a period, per department. */
export interface RatingFigures {
  department: string;
  count: number;
  /** Mean rating, rounded to one decimal. */
  average: number;
  satisfied: number;
}

/** What happened on one district day. */
export interface DayFigures {
  created: number;
  createdByDepartment: Map<string, number>;
  channels: Map<string, number>;
  /** First acknowledgements that day, and the sum of their times to acknowledge. */
  acknowledged: number;
  ackTotalMs: number;
  resolved: number;
  resolvedByDepartment: Map<string, number>;
  resolveTotalMs: number;
  ratings: { count: number; sum: number; satisfied: number; stars: Record<1 | 2 | 3 | 4 | 5, number> };
}

/** The values under one counter path (`status.` → status → count). */
function under(counts: DayCounts, prefix: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [path, n] of counts) {
    if (!path.startsWith(prefix) || n === 0) continue;
    const rest = path.slice(prefix.length);
    if (!rest.includes('.')) out.set(rest, (out.get(rest) ?? 0) + n);
  }
  return out;
}

/** One day's figures from its counters. */
export function dayFiguresOf(c: DayCounts): DayFigures {
  const stars = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } as Record<1 | 2 | 3 | 4 | 5, number>;
  for (const s of [1, 2, 3, 4, 5] as const) stars[s] = c.get(`rated.star.s${s}`) ?? 0;
  return {
    created: c.get('n') ?? 0,
    createdByDepartment: under(c, 'department.'),
    channels: under(c, 'intake.'),
    acknowledged: c.get('ack.n') ?? 0,
    ackTotalMs: c.get('ack.ms') ?? 0,
    resolved: c.get('resolved.n') ?? 0,
    resolvedByDepartment: under(c, 'resolved.dept.'),
    resolveTotalMs: c.get('resolved.ms') ?? 0,
    ratings: {
      count: c.get('rated.n') ?? 0,
      sum: c.get('rated.sum') ?? 0,
      satisfied: c.get('rated.satisfied') ?? 0,
      stars,
    },
  };
}

/**
 * Figures for /stats, /report, the daily report, the shift hand-over and the
 * dashboard, read from the ticket counters (a few documents by `_id`), never
 * by scanning tickets. Days are district days in `timeZone`.
 */
export function createTicketFigures(deps: {
  counts: Pick<TicketCountStore, 'days'>;
  timeZone: string;
  /** Applies the counts changes still owe (the count relay), so figures are current; a failure leaves them a moment behind. */
  settle?: () => Promise<unknown>;
}) {
  const { timeZone } = deps;

  async function days(list: readonly string[]): Promise<Map<string, DayCounts>> {
    await deps.settle?.().catch(() => undefined);
    return deps.counts.days(list);
  }

  async function sum(firstDay: string, lastDay: string): Promise<DayCounts> {
    return sumDays((await days(daysFrom(firstDay, lastDay))).values());
  }

  return {
    /** Tickets filed on the days `firstDay` … `lastDay`, by field; one department's only when given. */
    async breakdown(firstDay: string, lastDay: string, department?: string): Promise<Breakdown> {
      const c = await sum(firstDay, lastDay);
      const p = department ? `dept.${department}.` : '';
      const b: Breakdown = {
        total: c.get(`${p}n`) ?? 0,
        status: under(c, `${p}status.`),
        category: under(c, `${p}category.`),
        department: department
          ? new Map(c.get(`${p}n`) ? [[department, c.get(`${p}n`) ?? 0]] : [])
          : under(c, 'department.'),
        intake: under(c, `${p}intake.`),
        block: department ? new Map() : under(c, 'block.'),
        level: department ? new Map() : new Map([...under(c, 'level.')].map(([k, n]) => [k.replace(/^L/, ''), n])),
      };
      return b;
    },

    /** Ratings given on the days `firstDay` … `lastDay`, per department (by code). */
    async ratings(firstDay: string, lastDay: string): Promise<RatingFigures[]> {
      const c = await sum(firstDay, lastDay);
      const out: RatingFigures[] = [];
      const depts = new Set<string>();
      for (const path of c.keys()) {
        const m = /^rated\.dept\.([^.]+)\.n$/.exec(path);
        if (m && (c.get(path) ?? 0) > 0) depts.add(m[1] as string);
      }
      for (const department of [...depts].sort()) {
        const count = c.get(`rated.dept.${department}.n`) ?? 0;
        const total = c.get(`rated.dept.${department}.sum`) ?? 0;
        out.push({
          department,
          count,
          average: Math.round((total / count) * 10) / 10,
          satisfied: c.get(`rated.dept.${department}.satisfied`) ?? 0,
        });
      }
      return out;
    },

    /** One district day's activity: filed, first acknowledgements, resolutions, ratings. */
    async day(day: string): Promise<DayFigures> {
      return dayFiguresOf(await sum(day, day));
    },

    /**
     * Tickets filed and resolved in [start, end), counted by the district's
     * whole hours: an hour counts when it starts inside the span (shifts
     * change on the hour; one changing at 06:30 would be counted from 07:00).
     */
    async hours(start: Date, end: Date): Promise<{ created: number; resolved: number }> {
      const first = zonedDay(start, timeZone);
      const last = zonedDay(new Date(end.getTime() - 1), timeZone);
      const counted = await days(daysFrom(first, last));
      let created = 0;
      let resolved = 0;
      for (const day of daysFrom(first, last)) {
        const c = counted.get(day);
        if (!c) continue;
        const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
        for (let h = 0; h < 24; h++) {
          const at = zonedTimeToUtc({ year: y, month: m, day: d, hour: h, minute: 0 }, timeZone).getTime();
          if (at < start.getTime() || at >= end.getTime()) continue;
          created += c.get(`created.${hourKey(h)}`) ?? 0;
          resolved += c.get(`resolved.${hourKey(h)}`) ?? 0;
        }
      }
      return { created, resolved };
    },
  };
}

export type TicketFigures = ReturnType<typeof createTicketFigures>;
