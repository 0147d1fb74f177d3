import path from 'node:path';
import { z } from 'zod';
import { readYamlFile } from '../domain/catalog-loader';
import { FlowDefinitionError } from '../errors';
import { addDays, isTimeZone, zonedDay, zonedParts, zonedTimeToUtc } from '../core/zoned-time';

/** Roles a shift roster names; administrators and officers are not rostered. */
export const ROSTER_ROLES = ['supervisor', 'operator', 'counsellor'] as const;
export type RosterRole = (typeof ROSTER_ROLES)[number];

/** Whether a string names a roster role. */
export function isRosterRole(v: string): v is RosterRole {
  return (ROSTER_ROLES as readonly string[]).includes(v);
}

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

const shiftSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower-case letters, digits or _'),
  label: z.string().min(1),
  start: clockTime,
  end: clockTime,
});

const planFileSchema = z.object({
  version: z.number().int().positive(),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Kolkata'),
  staffing: z.object({
    supervisor: z.number().int().min(1).max(20),
    operator: z.number().int().min(1).max(50),
    counsellor: z.number().int().min(1).max(20),
  }),
  shifts: z.array(shiftSchema).min(1).max(24),
});

/** One shift of the day, as data: the same hours every day. */
export type ShiftDefinition = z.infer<typeof shiftSchema>;

/** The shifts of a day in their zone, and how many people of each role a shift may have. */
export interface ShiftPlan {
  timeZone: string;
  staffing: Record<RosterRole, number>;
  /** In order through the day, starting with the one that starts earliest. */
  shifts: ShiftDefinition[];
}

/** One concrete shift: which, and from when to when. */
export interface ShiftOccurrence {
  shift: ShiftDefinition;
  start: Date;
  end: Date;
  /** The calendar day (YYYY-MM-DD, in the plan's zone) the shift started on. */
  day: string;
}

const MINUTES_PER_DAY = 24 * 60;

function minutesOf(hhmm: string): number {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

function lengthOf(s: ShiftDefinition): number {
  const d = (minutesOf(s.end) - minutesOf(s.start) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  return d === 0 ? MINUTES_PER_DAY : d;
}

/**
 * Check a plan: ids unique, each shift ending where the next begins, the
 * shifts together covering exactly one day. Returns the shifts sorted by start.
 */
export function validateShiftPlan(raw: unknown, source = 'shifts.yaml'): ShiftPlan {
  const parsed = planFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FlowDefinitionError(`${source}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  const { timeZone, staffing } = parsed.data;
  const shifts = [...parsed.data.shifts].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
  const ids = new Set<string>();
  for (const s of shifts) {
    if (ids.has(s.id)) throw new FlowDefinitionError(`${source}: duplicate shift ${s.id}`);
    ids.add(s.id);
  }
  const total = shifts.reduce((sum, s) => sum + lengthOf(s), 0);
  shifts.forEach((s, i) => {
    const next = shifts[(i + 1) % shifts.length] as ShiftDefinition;
    if (s.end !== next.start)
      throw new FlowDefinitionError(
        `${source}: shift ${s.id} ends at ${s.end} but the next one (${next.id}) starts at ${next.start}`,
      );
  });
  if (total !== MINUTES_PER_DAY)
    throw new FlowDefinitionError(`${source}: the shifts cover ${total / 60} hours, not 24`);
  return { timeZone, staffing, shifts };
}

/** Read and validate flows/shifts.yaml (or another file). */
export function loadShiftPlan(flowsDir: string, file = 'shifts.yaml'): ShiftPlan {
  const full = path.join(flowsDir, file);
  return validateShiftPlan(readYamlFile(full, z.unknown()), path.basename(full));
}

/**
 * The shift running at an instant. A shift that ends after midnight (22:00 to
 * 06:00) started the evening before when asked about at 02:00.
 */
export function shiftAt(plan: ShiftPlan, now: Date): ShiftOccurrence {
  const p = zonedParts(now, plan.timeZone);
  const minute = p.hour * 60 + p.minute;
  const today = zonedDay(now, plan.timeZone);
  for (const shift of plan.shifts) {
    const start = minutesOf(shift.start);
    const len = lengthOf(shift);
    // Minutes since this shift last started, counted on the wall clock.
    const since = (minute - start + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    if (since < len) {
      const day = minute >= start ? today : addDays(today, -1);
      return occurrence(plan, shift, day);
    }
  }
  // validateShiftPlan guarantees full coverage, so this is unreachable for a valid plan.
  throw new FlowDefinitionError('shift plan does not cover the whole day');
}

/** The shift `shift` as it runs when starting on `day`. */
export function occurrence(plan: ShiftPlan, shift: ShiftDefinition, day: string): ShiftOccurrence {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  const s = minutesOf(shift.start);
  const e = s + lengthOf(shift);
  return {
    shift,
    day,
    start: zonedTimeToUtc({ year: y, month: m, day: d, hour: Math.floor(s / 60), minute: s % 60 }, plan.timeZone),
    end: zonedTimeToUtc(
      { year: y, month: m, day: d + Math.floor(e / MINUTES_PER_DAY), hour: Math.floor(e / 60) % 24, minute: e % 60 },
      plan.timeZone,
    ),
  };
}

/** When the shift running at `now` ends and the next one begins. */
export function nextShiftChange(plan: ShiftPlan, now: Date): Date {
  return shiftAt(plan, now).end;
}

/** The shift that ended when the one running at `now` began. */
export function previousShift(plan: ShiftPlan, now: Date): ShiftOccurrence {
  return shiftAt(plan, new Date(shiftAt(plan, now).start.getTime() - 1));
}

/**
 * node-cron expressions (minute hour * * *) firing at every shift change, to
 * be scheduled with `{ timezone: plan.timeZone }`.
 */
export function shiftChangeCron(plan: ShiftPlan): string[] {
  return plan.shifts.map((s) => {
    const [h = 0, m = 0] = s.start.split(':').map(Number);
    return `${m} ${h} * * *`;
  });
}
