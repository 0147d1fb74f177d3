import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { RenderedMessage, Reply } from '../core/messages';
import type { Language } from '../i18n/create-i18n';
import type { Notifier, OutboundItem } from '../core/outbound';
import type { StaffDoc } from '../storage/staff-models';
import type { StaffStore } from '../storage/staff-store';
import type { DepartmentDirectory } from '../tickets/department-directory';
import { createAudience, memberOf, noticeItems, type AlertChat } from '../notify/audience';
import type { TicketQueries } from '../supervisor/ticket-queries';
import type { TicketFigures } from '../reports/ticket-figures';
import type { CounsellorSessionCounts } from './counsellor-sessions';
import { handoverReplies, type HandoverSummary } from './handover-summary';
import type { Roster, RosterStore } from './roster-store';
import {
  nextShiftChange,
  previousShift,
  ROSTER_ROLES,
  shiftAt,
  type RosterRole,
  type ShiftOccurrence,
  type ShiftPlan,
} from './shift-plan';

/** Who is on a shift: active staff per rostered role, in roster order. */
export type ShiftCrew = Record<RosterRole, StaffDoc[]>;

/** The shift running now and its crew. */
export interface OnDuty extends ShiftCrew {
  occurrence: ShiftOccurrence;
}

/** One shift of the roster as /roster shows it: ids whose staff role ended are kept, marked as gone. */
export interface RosterShiftView {
  shiftId: string;
  people: Record<RosterRole, Array<{ id: string; staff?: StaffDoc }>>;
}

/** Why a roster change was refused. */
export type SetRosterResult =
  | { ok: true; staff: StaffDoc[] }
  | { ok: false; reason: 'unknown_shift' | 'unknown_role' }
  | { ok: false; reason: 'unknown_staff'; who: string }
  | { ok: false; reason: 'wrong_role'; who: StaffDoc }
  | { ok: false; reason: 'too_many'; max: number }
  | { ok: false; reason: 'duplicate'; who: StaffDoc };

/** Staff roles that may stand on a roster role (an administrator may supervise a shift). */
const ELIGIBLE: Record<RosterRole, readonly StaffDoc['role'][]> = {
  supervisor: ['supervisor', 'admin'],
  operator: ['operator'],
  counsellor: ['counsellor'],
};

/** What {@link createShiftService} needs. */
export interface ShiftServiceDeps {
  plan: ShiftPlan;
  roster: RosterStore;
  staff: StaffStore;
  /** The live queue (open and overdue per department). */
  queries: Pick<TicketQueries, 'departmentLoad'>;
  /** Filed and resolved during a shift, from the ticket counters. */
  figures: Pick<TicketFigures, 'hours'>;
  departments: DepartmentDirectory;
  /** Counsellor sessions not yet ended (see `countOpenCounsellorSessions`). */
  openCounsellorSessions: () => Promise<CounsellorSessionCounts>;
  /** Put replies in words for one language (`TicketMessages.render`). */
  render: (lang: Language, replies: Reply[]) => RenderedMessage[];
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  /** Administrators by configuration: they get the hand-over when a shift has no supervisor. */
  adminChats: readonly AlertChat[];
}

/**
 * Shifts and the roster: which shift runs, who is on duty, changes to the
 * roster, and the hand-over summary for the incoming supervisor. The roster
 * is the same every day until an administrator changes it.
 * @example const shifts = createShiftService(deps); const { supervisor } = await shifts.onDuty(clock.now());
 */
export function createShiftService(deps: ShiftServiceDeps) {
  const { plan, staff, logger } = deps;
  const audience = createAudience({ staff, adminChats: deps.adminChats });

  function crewOf(roster: Roster, shiftId: string, active: readonly StaffDoc[]): ShiftCrew {
    const byId = new Map(active.map((s) => [s._id, s]));
    const entry = roster[shiftId];
    const pick = (role: RosterRole) =>
      (entry?.[role] ?? [])
        .map((id) => byId.get(id))
        .filter((s): s is StaffDoc => !!s && ELIGIBLE[role].includes(s.role));
    return { supervisor: pick('supervisor'), operator: pick('operator'), counsellor: pick('counsellor') };
  }

  async function crewAt(occurrence: ShiftOccurrence): Promise<ShiftCrew> {
    const [roster, active] = await Promise.all([deps.roster.all(), staff.listActive()]);
    return crewOf(roster, occurrence.shift.id, active);
  }

  /** Who is on duty at `now`: the running shift's rostered staff who still hold their role. */
  async function onDuty(now: Date): Promise<OnDuty> {
    const occurrence = shiftAt(plan, now);
    return { occurrence, ...(await crewAt(occurrence)) };
  }

  /** The running shift and the next one with their crews, from one read of the roster. */
  async function nowAndNext(now: Date): Promise<{ current: OnDuty; next: OnDuty }> {
    const current = shiftAt(plan, now);
    const next = shiftAt(plan, current.end);
    const [roster, active] = await Promise.all([deps.roster.all(), staff.listActive()]);
    return {
      current: { occurrence: current, ...crewOf(roster, current.shift.id, active) },
      next: { occurrence: next, ...crewOf(roster, next.shift.id, active) },
    };
  }

  /** Every shift with its rostered people (two queries). */
  async function rosterView(): Promise<RosterShiftView[]> {
    const [roster, active] = await Promise.all([deps.roster.all(), staff.listActive()]);
    const byId = new Map(active.map((s) => [s._id, s]));
    return plan.shifts.map((s) => {
      const people = {} as RosterShiftView['people'];
      for (const role of ROSTER_ROLES) {
        people[role] = (roster[s.id]?.[role] ?? []).map((id) => {
          const found = byId.get(id);
          return found && ELIGIBLE[role].includes(found.role) ? { id, staff: found } : { id };
        });
      }
      return { shiftId: s.id, people };
    });
  }

  /** Check one role's people against the active staff; the resolved staff or why not. */
  function resolvePeople(
    shiftId: string,
    roleRaw: string,
    people: readonly string[],
    active: readonly StaffDoc[],
  ): SetRosterResult & { role?: RosterRole } {
    if (!plan.shifts.some((s) => s.id === shiftId)) return { ok: false, reason: 'unknown_shift' };
    const role = ROSTER_ROLES.find((r) => r === roleRaw);
    if (!role) return { ok: false, reason: 'unknown_role' };
    const max = plan.staffing[role];
    if (people.length > max) return { ok: false, reason: 'too_many', max };
    const chosen: StaffDoc[] = [];
    for (const who of people) {
      const key = who.trim();
      const found = active.find((s) => s._id === key.toUpperCase() || s.chatId === key);
      if (!found) return { ok: false, reason: 'unknown_staff', who: key };
      if (!ELIGIBLE[role].includes(found.role)) return { ok: false, reason: 'wrong_role', who: found };
      if (chosen.some((c) => c._id === found._id)) return { ok: false, reason: 'duplicate', who: found };
      chosen.push(found);
    }
    return { ok: true, staff: chosen, role };
  }

  /**
   * Put people on roles of shifts, replacing who was there. People are named
   * by staff id or chat id and must hold a fitting role; an empty list clears
   * the role. Every entry is checked before anything is written, so a list
   * with one mistake changes nothing.
   */
  async function setRosterMany(
    entries: ReadonlyArray<{ shift: string; role: string; people: string[] }>,
    by: string,
  ): Promise<{ ok: true } | { ok: false; shift: string; role: string; error: Exclude<SetRosterResult, { ok: true }> }> {
    const active = await staff.listActive();
    const resolved: Array<{ shift: string; role: RosterRole; staff: StaffDoc[] }> = [];
    for (const e of entries) {
      const r = resolvePeople(e.shift, e.role, e.people, active);
      if (!r.ok) return { ok: false, shift: e.shift, role: e.role, error: r };
      resolved.push({ shift: e.shift, role: r.role as RosterRole, staff: r.staff });
    }
    const now = deps.clock.now();
    for (const r of resolved) {
      await deps.roster.set({ shift: r.shift, role: r.role, staffIds: r.staff.map((s) => s._id), by, now });
      logger.info({ event: 'roster_set', shift: r.shift, role: r.role, count: r.staff.length, by }, 'roster changed');
    }
    return { ok: true };
  }

  /** Put people on one role of one shift (see {@link setRosterMany}). */
  async function setRoster(input: {
    shift: string;
    role: string;
    people: string[];
    by: string;
  }): Promise<SetRosterResult> {
    const active = await staff.listActive();
    const r = resolvePeople(input.shift, input.role, input.people, active);
    if (!r.ok) return r;
    await deps.roster.set({
      shift: input.shift,
      role: r.role as RosterRole,
      staffIds: r.staff.map((s) => s._id),
      by: input.by,
      now: deps.clock.now(),
    });
    logger.info(
      { event: 'roster_set', shift: input.shift, role: r.role, count: r.staff.length, by: input.by },
      'roster changed',
    );
    return { ok: true, staff: r.staff };
  }

  /**
   * The hand-over at a shift change: what came in and was resolved during the
   * shift that just ended, the queue by department now, open counsellor
   * sessions, and who is on the incoming shift. `now` is any instant in the
   * first part of the incoming shift (the scheduler passes the change time).
   */
  async function buildHandoverSummary(now: Date): Promise<HandoverSummary> {
    const incoming = shiftAt(plan, now);
    const previous = previousShift(plan, now);
    const [activity, load, counsellorSessions, crew] = await Promise.all([
      deps.figures.hours(previous.start, previous.end),
      deps.queries.departmentLoad(now),
      deps.openCounsellorSessions(),
      crewAt(incoming),
    ]);
    const departments = [...load.entries()]
      .map(([code, l]) => ({ code, ...l }))
      .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.code.localeCompare(b.code));
    return {
      incoming,
      previous,
      opened: activity.created,
      resolved: activity.resolved,
      open: departments.reduce((n, d) => n + d.open, 0),
      overdue: departments.reduce((n, d) => n + d.overdue, 0),
      departments,
      counsellorSessions,
      crew,
      generatedAt: now,
    };
  }

  /**
   * The hand-over as messages: to the incoming supervisors, or — when the
   * shift has none on the roster — to the administrators, with a warning.
   */
  async function handoverMessages(summary: HandoverSummary): Promise<OutboundItem[]> {
    const people = summary.crew.supervisor.length > 0 ? summary.crew.supervisor.map(memberOf) : await audience.admins();
    const list = await deps.departments.list();
    const items: OutboundItem[] = [];
    for (const p of people) {
      const names = (code: string) => list.find((d) => d.code === code)?.name[p.language] ?? code;
      const rendered = deps.render(p.language, handoverReplies(summary, p.language, names, plan.timeZone));
      items.push(
        ...noticeItems(p, rendered, `handover:${summary.incoming.shift.id}:${summary.incoming.start.toISOString()}`),
      );
    }
    return items;
  }

  return {
    plan,
    /** The shift running at an instant. */
    shiftAt: (now: Date) => shiftAt(plan, now),
    /** When the running shift ends. */
    nextShiftChange: (now: Date) => nextShiftChange(plan, now),
    onDuty,
    nowAndNext,
    rosterView,
    setRoster,
    setRosterMany,
    buildHandoverSummary,
    handoverMessages,
    /**
     * Build the hand-over and queue it (the scheduler calls this at every
     * shift change). Firing twice for one change sends once.
     */
    async sendHandover(now: Date = deps.clock.now()): Promise<HandoverSummary> {
      const summary = await buildHandoverSummary(now);
      const items = await handoverMessages(summary);
      await deps.notifier.enqueue(items);
      logger.info(
        {
          event: 'handover_sent',
          shift: summary.incoming.shift.id,
          supervisors: summary.crew.supervisor.length,
          opened: summary.opened,
          resolved: summary.resolved,
          overdue: summary.overdue,
        },
        'shift hand-over queued',
      );
      if (summary.crew.supervisor.length === 0)
        logger.warn(
          { event: 'shift_without_supervisor', shift: summary.incoming.shift.id },
          'no supervisor on the roster for this shift',
        );
      return summary;
    },
  };
}

export type ShiftService = ReturnType<typeof createShiftService>;
