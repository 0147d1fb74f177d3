import { z } from 'zod';
import { profileFile, readYamlFile, type CategoryProfile } from '../domain/catalog-loader';
import type { Category } from '../domain/catalog';
import type { Ticket } from '../domain/ticket';
import { isOpen } from '../domain/ticket-lifecycle';
import { FlowDefinitionError } from '../errors';

/** The highest level: the district administrator (the Collector's office). */
export const TOP_LEVEL = 4;
/** Levels above the officer, each with its own further deadline. */
export const HIGHER_LEVELS = [2, 3, 4] as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const levelSchema = z.object({
  level: z.number().int().min(2).max(TOP_LEVEL),
  hours: z.number().positive(),
  byCategory: z.record(z.string(), z.number().positive()).default({}),
});

/** flows/escalation.yaml. */
export const escalationFileSchema = z
  .object({
    version: z.number().int().positive(),
    levels: z.array(levelSchema),
    reminder: z.object({ atFraction: z.number().gt(0).lt(1) }).default({ atFraction: 0.5 }),
    feedback: z
      .object({ waitDays: z.number().positive(), reopenDays: z.number().positive() })
      .default({ waitDays: 7, reopenDays: 7 }),
  })
  .superRefine((file, ctx) => {
    for (const level of HIGHER_LEVELS) {
      const n = file.levels.filter((l) => l.level === level).length;
      if (n !== 1)
        ctx.addIssue({
          code: 'custom',
          path: ['levels'],
          message: `must list level ${level} exactly once (found ${n})`,
        });
    }
  });

/** Deadlines beyond the first, the reminder point and the feedback windows. */
export type EscalationPolicy = z.infer<typeof escalationFileSchema>;

/** Why a ticket moves up: a deadline of its current level passed, or the citizen reopened it again. */
export const ESCALATION_REASONS = ['ack_overdue', 'resolve_overdue', 'level_overdue', 'reopened_again'] as const;
export type EscalationReasonCode = (typeof ESCALATION_REASONS)[number];

export function isEscalationReason(s: string | undefined): s is EscalationReasonCode {
  return (ESCALATION_REASONS as readonly string[]).includes(s ?? '');
}

/** A category's own service level (categories.yaml). */
export type Sla = Category['sla'];

/**
 * Read flows/escalation.yaml and check it against the categories it names.
 * @example const policy = loadEscalationPolicy(config.flowsDirAbs, catalog.categories)
 */
export function loadEscalationPolicy(
  flowsDir: string,
  categories: readonly Pick<Category, 'id'>[],
  profile: CategoryProfile = 'source',
): EscalationPolicy {
  const policy = readYamlFile(profileFile(flowsDir, 'escalation', profile), escalationFileSchema);
  const known = new Set(categories.map((c) => c.id));
  for (const l of policy.levels) {
    for (const id of Object.keys(l.byCategory)) {
      if (!known.has(id))
        throw new FlowDefinitionError(`escalation.yaml: level ${l.level} names unknown category ${id}`);
    }
  }
  return policy;
}

/**
 * The first deadlines of a ticket from the moment its clock starts (filing,
 * or a reopening). Plain elapsed hours: a deadline falls across midnight and
 * days exactly as many hours later, at any hour of the day.
 */
export function dueDates(start: Date, sla: Sla): { ackDueAt: Date; resolveDueAt: Date } {
  return {
    ackDueAt: new Date(start.getTime() + sla.acknowledgeHours * HOUR_MS),
    resolveDueAt: new Date(start.getTime() + sla.resolveHours * HOUR_MS),
  };
}

/** Hours a higher level has to resolve a ticket of `category`. */
export function levelHours(policy: EscalationPolicy, level: number, category: string): number {
  const l = policy.levels.find((x) => x.level === level);
  if (!l) throw new RangeError(`no escalation level ${level}`);
  return l.byCategory[category] ?? l.hours;
}

/**
 * How long a ticket may stay at a level above 1: for `categories` when given,
 * else for every category not named by another window of the same level.
 */
export interface LevelWindow {
  level: number;
  ms: number;
  categories?: string[];
}

/** Every level's windows (its default and each category's own hours), for a sweep that selects only overdue tickets. */
export function levelWindows(policy: EscalationPolicy): LevelWindow[] {
  return policy.levels.flatMap((l) => [
    { level: l.level, ms: l.hours * HOUR_MS },
    ...Object.entries(l.byCategory).map(([category, hours]) => ({
      level: l.level,
      ms: hours * HOUR_MS,
      categories: [category],
    })),
  ]);
}

type DeadlineFields = Pick<Ticket, 'level' | 'category' | 'ackDueAt' | 'resolveDueAt'> &
  Partial<Pick<Ticket, 'acknowledgedAt' | 'escalatedAt'>>;

/**
 * The deadline the ticket's current level must meet, and what missing it
 * means; undefined at the top level, which has nowhere to go.
 *
 * Level 1 (the officer): acknowledge by `ackDueAt` and resolve by
 * `resolveDueAt`, whichever comes first while unacknowledged. A higher level:
 * resolve within its own hours from the moment it was reached, but never
 * before the ticket's own resolve deadline (a ticket escalated for a missed
 * acknowledgement keeps the rest of its resolution time).
 */
export function levelDeadline(
  ticket: DeadlineFields,
  policy: EscalationPolicy,
): { at: Date; reason: EscalationReasonCode } | undefined {
  if (ticket.level >= TOP_LEVEL) return undefined;
  if (ticket.level <= 1) {
    if (!ticket.acknowledgedAt && ticket.ackDueAt.getTime() <= ticket.resolveDueAt.getTime())
      return { at: ticket.ackDueAt, reason: 'ack_overdue' };
    return { at: ticket.resolveDueAt, reason: 'resolve_overdue' };
  }
  const reached = ticket.escalatedAt ?? ticket.resolveDueAt;
  const own = reached.getTime() + levelHours(policy, ticket.level, ticket.category) * HOUR_MS;
  return { at: new Date(Math.max(own, ticket.resolveDueAt.getTime())), reason: 'level_overdue' };
}

/** Why the ticket must move up now, or undefined when it need not (closed, resolved, in time, or at the top). */
export function escalationReason(
  ticket: DeadlineFields & Pick<Ticket, 'status'>,
  policy: EscalationPolicy,
  now: Date,
): EscalationReasonCode | undefined {
  if (!isOpen(ticket.status)) return undefined;
  const deadline = levelDeadline(ticket, policy);
  return deadline && now.getTime() >= deadline.at.getTime() ? deadline.reason : undefined;
}

/**
 * When the officer is reminded of an unacknowledged ticket: at
 * `reminder.atFraction` of the acknowledgement window, which ends at
 * `ackDueAt` and lasts the category's acknowledgeHours (so a reopened ticket,
 * whose window starts again, is reminded again).
 */
export function reminderAt(ticket: Pick<Ticket, 'ackDueAt'>, sla: Sla, policy: EscalationPolicy): Date {
  return new Date(ticket.ackDueAt.getTime() - (1 - policy.reminder.atFraction) * sla.acknowledgeHours * HOUR_MS);
}

/**
 * Whether the officer should get the one reminder about this ticket now:
 * open, at level 1, assigned, neither acknowledged nor reminded, past the
 * reminder point and before the deadline (after it, escalation speaks).
 */
export function reminderDue(
  ticket: Pick<Ticket, 'status' | 'level' | 'ackDueAt'> &
    Partial<Pick<Ticket, 'assignedTo' | 'acknowledgedAt' | 'ackReminderSentAt'>>,
  sla: Sla,
  policy: EscalationPolicy,
  now: Date,
): boolean {
  if (
    !isOpen(ticket.status) ||
    ticket.level > 1 ||
    !ticket.assignedTo ||
    ticket.acknowledgedAt ||
    ticket.ackReminderSentAt
  )
    return false;
  const t = now.getTime();
  return t >= reminderAt(ticket, sla, policy).getTime() && t < ticket.ackDueAt.getTime();
}

/** How far ahead of now an acknowledgement deadline can be while its reminder is already due. */
export function reminderLookaheadMs(policy: EscalationPolicy, categories: readonly Pick<Category, 'sla'>[]): number {
  return Math.max(0, ...categories.map((c) => (1 - policy.reminder.atFraction) * c.sla.acknowledgeHours * HOUR_MS));
}

/** Days as milliseconds, for the feedback windows. */
export function daysMs(days: number): number {
  return days * DAY_MS;
}
