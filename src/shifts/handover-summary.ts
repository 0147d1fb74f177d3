import type { Reply, Text } from '../core/messages';
import type { Language } from '../i18n/create-i18n';
import type { StaffDoc } from '../storage/staff-models';
import type { CounsellorSessionCounts } from './counsellor-sessions';
import { formatClock, formatDay } from '../supervisor/periods';
import type { RosterRole, ShiftOccurrence } from './shift-plan';

/** What the incoming supervisor is told at a shift change. */
export interface HandoverSummary {
  incoming: ShiftOccurrence;
  /** The shift that just ended. */
  previous: ShiftOccurrence;
  /** Tickets created during the previous shift. */
  opened: number;
  /** Tickets resolved during the previous shift. */
  resolved: number;
  /** Open and overdue now, in total and per department (most overdue first). */
  open: number;
  overdue: number;
  departments: Array<{ code: string; open: number; overdue: number }>;
  /** Counsellor sessions not yet ended: with a counsellor, and waiting for one. */
  counsellorSessions: CounsellorSessionCounts;
  /** Who is on the incoming shift. */
  crew: Record<RosterRole, StaffDoc[]>;
  generatedAt: Date;
}

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/** A shift by name and hours ("Night shift, 22:00–06:00"). */
export function shiftText(o: ShiftOccurrence, timeZone: string): Text {
  return t('shifts.shift_hours', {
    name: t(o.shift.label),
    from: formatClock(o.start, timeZone),
    to: formatClock(o.end, timeZone),
  });
}

/** People by name, or a dash when nobody. */
export function namesText(people: readonly Pick<StaffDoc, 'name' | '_id'>[]): Text {
  return people.length
    ? t('common.verbatim', { text: people.map((p) => `${p.name} (${p._id})`).join(', ') })
    : t('common.none');
}

/** The hand-over in words: one message of short lines. */
export function handoverReplies(
  s: HandoverSummary,
  lang: Language,
  departmentName: (code: string) => string,
  timeZone: string,
): Reply[] {
  return [
    {
      text: t('shifts.handover.body', {
        incoming: shiftText(s.incoming, timeZone),
        day: formatDay(s.incoming.day, lang),
        previous: shiftText(s.previous, timeZone),
        opened: s.opened,
        resolved: s.resolved,
        open: s.open,
        overdue: s.overdue,
        departments: s.departments.length
          ? s.departments.map((d) =>
              t('shifts.handover.department_line', {
                department: departmentName(d.code),
                open: d.open,
                overdue: d.overdue,
              }),
            )
          : [t('shifts.handover.queue_empty')],
        sessions: s.counsellorSessions.open,
        waiting: s.counsellorSessions.waiting,
        supervisor: namesText(s.crew.supervisor),
        operators: namesText(s.crew.operator),
        counsellor: namesText(s.crew.counsellor),
        warning: s.crew.supervisor.length ? '' : t('shifts.handover.no_supervisor'),
      }),
    },
  ];
}
