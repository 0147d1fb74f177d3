import type { Clock } from '../clock';
import type { Reply, Text } from '../core/messages';
import { isOversight, type StaffIdentity } from '../domain/roles';
import type { Language, Translator } from '../i18n/create-i18n';
import type { StaffCommandModule } from '../conversation/staff-command';
import type { StaffOutcome } from '../conversation/types';
import { namesText, shiftText } from './handover-summary';
import { ROSTER_ROLES, type RosterRole } from './shift-plan';
import type { ShiftService } from './shift-service';

/** Words that clear a roster role in `/roster set`. */
const CLEAR_WORDS = ['-', 'none'];

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });
const say = (key: string, params?: Text['params']): Reply => ({ text: t(key, params) });

/** What {@link createShiftModule} needs. */
export interface ShiftModuleDeps {
  shifts: ShiftService;
  translator: Translator;
  clock: Clock;
}

/**
 * The shift commands: `/shift` (who is on duty now, for all staff), `/roster`
 * (the whole roster, for supervisors and administrators) and
 * `/roster set <shift> <role> <people…>` (administrators).
 * @example createStaffHandler({ ...deps, modules: [createShiftModule({ shifts, translator, clock })] })
 */
export function createShiftModule(deps: ShiftModuleDeps): StaffCommandModule {
  const { shifts, translator, clock } = deps;
  const tz = shifts.plan.timeZone;

  // The staff router logs every `staff.forbidden` answer once, with who tried.
  const refuse = (): Reply[] => [say('staff.forbidden')];

  /** Shift by id or by its name in either language ("night", "रात"). */
  function findShift(typed: string) {
    const w = typed.toLowerCase();
    return shifts.plan.shifts.find(
      (s) => s.id === w || translator.allOf(`shifts.word.${s.id}`).some((x) => x.toLowerCase() === w),
    );
  }

  /** Roster role by its code or its one-word name in either language. */
  function findRole(typed: string): RosterRole | undefined {
    const w = typed.toLowerCase();
    return ROSTER_ROLES.find(
      (r) => r === w || translator.allOf(`shifts.role_word.${r}`).some((x) => x.toLowerCase() === w),
    );
  }

  async function onDuty(): Promise<Reply[]> {
    const { current, next } = await shifts.nowAndNext(clock.now());
    const staffing = shifts.plan.staffing;
    return [
      say('shifts.on_duty', {
        shift: shiftText(current.occurrence, tz),
        supervisor: namesText(current.supervisor),
        operators: namesText(current.operator),
        operator_count: current.operator.length,
        operator_max: staffing.operator,
        counsellor: namesText(current.counsellor),
        next: shiftText(next.occurrence, tz),
        next_supervisor: namesText(next.supervisor),
      }),
    ];
  }

  async function showRoster(lang: Language): Promise<Reply[]> {
    const view = await shifts.rosterView();
    const staffing = shifts.plan.staffing;
    const blocks = view.map((v) => {
      const shift = shifts.plan.shifts.find((s) => s.id === v.shiftId);
      const people = (role: RosterRole): Text =>
        v.people[role].length
          ? t('common.verbatim', {
              text: v.people[role]
                .map((p) =>
                  p.staff ? `${p.staff.name} (${p.id})` : translator.t(lang, 'shifts.roster.gone', { id: p.id }),
                )
                .join(', '),
            })
          : t('common.none');
      return t('shifts.roster.shift', {
        name: t(shift?.label ?? 'common.none'),
        id: v.shiftId,
        from: shift?.start ?? '',
        to: shift?.end ?? '',
        supervisor: people('supervisor'),
        operators: people('operator'),
        operator_count: v.people.operator.filter((p) => p.staff).length,
        operator_max: staffing.operator,
        counsellor: people('counsellor'),
      });
    });
    return [say('shifts.roster.title', { shifts: blocks })];
  }

  async function setRoster(identity: StaffIdentity, args: string[]): Promise<Reply[]> {
    const [, shiftRaw = '', roleRaw = '', ...people] = args;
    const usage = () => [say('shifts.roster.usage', { shifts: shifts.plan.shifts.map((s) => s.id).join(', ') })];
    const shift = findShift(shiftRaw);
    const role = findRole(roleRaw);
    if (!shift || !role || people.length === 0) return usage();
    const list =
      people.length === 1 && CLEAR_WORDS.includes(people[0]?.toLowerCase() ?? '')
        ? []
        : people.flatMap((p) => p.split(',')).filter(Boolean);
    const result = await shifts.setRoster({ shift: shift.id, role, people: list, by: identity.id });
    const roleText = t(`staff.role.${role}`);
    if (result.ok) {
      return [
        say(list.length ? 'shifts.roster.set' : 'shifts.roster.cleared', {
          shift: t(shift.label),
          role: roleText,
          people: namesText(result.staff),
        }),
      ];
    }
    switch (result.reason) {
      case 'unknown_shift':
      case 'unknown_role':
        return usage();
      case 'unknown_staff':
        return [say('shifts.roster.unknown_staff', { who: result.who })];
      case 'wrong_role':
        return [
          say('shifts.roster.wrong_role', {
            name: result.who.name,
            id: result.who._id,
            has: t(`staff.role.${result.who.role}`),
            role: roleText,
          }),
        ];
      case 'too_many':
        return [say('shifts.roster.too_many', { max: result.max, role: roleText })];
      case 'duplicate':
        return [say('shifts.roster.duplicate', { name: result.who.name, id: result.who._id })];
    }
  }

  return {
    commands: ['shift', 'roster'],
    helpKey(identity) {
      if (identity.role === 'admin') return 'shifts.help_admin';
      if (identity.role === 'supervisor') return 'shifts.help_supervisor';
      return 'shifts.help';
    },
    async handle(ctx): Promise<StaffOutcome> {
      const { identity, args } = ctx;
      let replies: Reply[];
      if (ctx.name === 'shift') replies = await onDuty();
      else if (args[0]?.toLowerCase() === 'set')
        replies = identity.role === 'admin' ? await setRoster(identity, args) : refuse();
      else if (args.length > 0)
        replies = [say('shifts.roster.usage', { shifts: shifts.plan.shifts.map((s) => s.id).join(', ') })];
      else replies = isOversight(identity.role) ? await showRoster(ctx.state.language) : refuse();
      return { state: ctx.state, replies };
    },
  };
}
