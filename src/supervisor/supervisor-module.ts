import { ticketRefusalReply } from '../tickets/ticket-refusal';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Effect, InboundMessage } from '../conversation/types';
import type { ConversationState } from '../core/conversation-state';
import type { Reply, Text } from '../core/messages';
import { toLatinDigits } from '../core/text-normalize';
import type { Catalog } from '../domain/catalog';
import { mayActOnTicket, type StaffIdentity } from '../domain/roles';
import {
  INTAKE_CHANNELS,
  looksLikeReference,
  normalizeReference,
  TICKET_STATUSES,
  type Ticket,
} from '../domain/ticket';
import type { Language, Translator } from '../i18n/create-i18n';
import { formatAge, formatDateTime, TIME_ZONE } from '../i18n/format';
import { addDays, dayRange, zonedDay } from '../core/zoned-time';
import type { StaffCommandModule } from '../conversation/staff-command';
import type { StaffOutcome } from '../conversation/types';
import type { StaffStore } from '../storage/staff-store';
import type { TicketStore } from '../storage/ticket-store';
import type { DepartmentDirectory } from '../tickets/department-directory';
import type { Reassign } from '../tickets/reassign';
import type { TicketMessages } from '../tickets/ticket-messages';
import type { DailyReports } from './daily-report';
import { PAGE_SIZE, pageCount, pageReply } from '../core/paging';
import { formatDay, parseDay, periodRange, STATS_PERIODS } from './periods';
import { loadStaffNames, staffLabel } from './staff-names';
import { isSupervisorCommand, mayUse, SUPERVISOR_COMMANDS, type SupervisorCommand } from './supervisor-access';
import { clip, ticketDetailReplies } from './ticket-details';
import { exportCsv } from './ticket-export';
import type { FindQuery, Page, TicketQueries } from './ticket-queries';
import type { TicketFigures } from '../reports/ticket-figures';

/** Button scope of the page buttons under supervisors' long lists. */
export const PAGE_SCOPE = 'svp';
/** Most rows in one export file; a longer period is refused with a hint to split it. */
export const EXPORT_MAX_ROWS = 5000;
/** Longest period one export may span. */
const EXPORT_MAX_DAYS = 366;
/** Default export period when no dates are given: the last 30 days. */
const EXPORT_DEFAULT_DAYS = 30;
/** Longest search text (anything longer is not a search term but a paste). */
const FIND_MAX_CHARS = 60;
const FIND_SNIPPET_CHARS = 60;

/** What {@link createSupervisorModule} needs; all of it exists in `createApp`. */
export interface SupervisorModuleDeps {
  tickets: TicketStore;
  queries: TicketQueries;
  staff: StaffStore;
  departments: DepartmentDirectory;
  messages: TicketMessages;
  translator: Translator;
  catalog: Catalog;
  reassign: Reassign;
  reports: DailyReports;
  clock: Clock;
  logger: Logger;
  /** The district's zone for days and periods; defaults to Asia/Kolkata. */
  timeZone?: string;
  exportMaxRows?: number;
  /** Counts for /stats (read from the ticket counters). */
  figures: TicketFigures;
}

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });
const say = (key: string, params?: Text['params']): Reply => ({ text: t(key, params) });

/**
 * Supervisors' and administrators' commands: /stats, /pending, /overdue,
 * /ticket, /assign, /find, /export and /report, with page buttons under long
 * lists. Officers may use /pending and /ticket for their own department.
 * @example createStaffHandler({ ...deps, modules: [createSupervisorModule(supervisorDeps)] })
 */
export function createSupervisorModule(deps: SupervisorModuleDeps): StaffCommandModule {
  const { queries, departments, translator, clock, logger } = deps;
  const timeZone = deps.timeZone ?? TIME_ZONE;
  const exportMaxRows = deps.exportMaxRows ?? EXPORT_MAX_ROWS;

  // The staff router logs every `staff.forbidden` answer once, with who tried.
  const refuse = (): Reply[] => [say('staff.forbidden')];

  /** Whether `typed` is the word for `key` in any language ("आज", "today"). */
  function isWord(typed: string, key: string): boolean {
    const w = typed.trim().toLowerCase();
    return translator.allOf(key).some((x) => x.toLowerCase() === w);
  }

  async function departmentNames(lang: Language): Promise<(code: string) => string> {
    const list = await departments.list();
    return (code) => list.find((d) => d.code === code)?.name[lang] ?? code;
  }

  // ---- /stats ------------------------------------------------------------------

  async function stats(args: string[], lang: Language): Promise<Reply[]> {
    const typed = args[0] ?? STATS_PERIODS[0];
    const period = STATS_PERIODS.find((p) => p === typed.toLowerCase() || isWord(typed, `supervisor.word.${p}`));
    if (!period || args.length > 1) return [say('supervisor.stats.usage')];
    const { start, firstDay, lastDay } = periodRange(period, clock.now(), timeZone);
    const b = await deps.figures.breakdown(firstDay, lastDay);
    const lines = (entries: Array<[Text, number]>): Text[] =>
      entries.length
        ? entries.map(([label, count]) => t('supervisor.count_line', { label, count }))
        : [t('common.none')];
    const ordered = (keys: readonly string[], counts: Map<string, number>) => [
      ...keys.filter((k) => counts.has(k)),
      ...[...counts.keys()].filter((k) => !keys.includes(k)),
    ];
    const deptList = await departments.list();
    const name = await departmentNames(lang);
    return [
      say('supervisor.stats.body', {
        period: t(`supervisor.stats.period.${period}`),
        from: formatDateTime(start, lang),
        total: b.total,
        status: lines(ordered(TICKET_STATUSES, b.status).map((s) => [t(`ticket.status.${s}`), b.status.get(s) ?? 0])),
        category: lines(
          ordered(
            deps.catalog.categories.map((c) => c.id),
            b.category,
          ).map((c) => [deps.messages.categoryText({ category: c }), b.category.get(c) ?? 0]),
        ),
        department: lines(
          ordered(
            deptList.map((d) => d.code),
            b.department,
          ).map((d) => [t('common.verbatim', { text: name(d) }), b.department.get(d) ?? 0]),
        ),
        channel: lines(INTAKE_CHANNELS.map((c) => [t(`supervisor.channel.${c}`), b.intake.get(c) ?? 0])),
      }),
      ...(await ratingsReply(firstDay, lastDay, name)),
    ];
  }

  async function ratingsReply(firstDay: string, lastDay: string, name: (code: string) => string): Promise<Reply[]> {
    const rows = await deps.figures.ratings(firstDay, lastDay);
    const items = rows.length
      ? rows.map((r) =>
          t('supervisor.stats.rating_line', {
            department: name(r.department),
            average: r.average.toFixed(1),
            count: r.count,
            satisfied: r.satisfied,
          }),
        )
      : [t('common.none')];
    return [say('supervisor.stats.ratings', { items })];
  }

  // ---- lists with pages ---------------------------------------------------------

  /** Fetch a page; when the list shrank under a page button, show its last page instead. */
  async function fetchPage(
    page: number,
    get: (skip: number) => Promise<Page<Ticket>>,
  ): Promise<{ page: number; result: Page<Ticket> }> {
    let result = await get((page - 1) * PAGE_SIZE);
    if (result.items.length === 0 && result.total > 0 && page > pageCount(result.total)) {
      page = pageCount(result.total);
      result = await get((page - 1) * PAGE_SIZE);
    }
    return { page, result };
  }

  async function pending(
    identity: StaffIdentity,
    lang: Language,
    deptArg: string | undefined,
    page: number,
  ): Promise<Reply[]> {
    let department: string | undefined;
    if (identity.role === 'officer') {
      if (deptArg && deptArg.toUpperCase() !== identity.department) return refuse();
      department = identity.department;
    } else if (deptArg) {
      const d = await departments.get(deptArg);
      if (!d) return [say('staff.unknown_department', { code: deptArg, departments: await departments.codes() })];
      department = d.code;
    }
    const now = clock.now();
    // Department codes are for typing; people read names.
    const name = await departmentNames(lang);
    const got = await fetchPage(page, (skip) => queries.pending(department, skip, PAGE_SIZE));
    if (got.result.total === 0)
      return [
        department
          ? say('supervisor.pending.empty_department', { department: name(department) })
          : say('supervisor.pending.empty'),
      ];
    return [
      pageReply({
        scope: PAGE_SCOPE,
        title: t(department ? 'supervisor.pending.title_department' : 'supervisor.pending.title', {
          count: got.result.total,
          department: department ? name(department) : '',
        }),
        items: got.result.items.map((x) =>
          t('supervisor.pending.item', {
            ref: x.ref,
            department: name(x.department),
            status: t(`ticket.status.${x.status}`),
            age: formatAge(x.createdAt, now, lang),
          }),
        ),
        page: got.page,
        total: got.result.total,
        valueFor: (p) => `p:${department ?? '*'}:${p}`,
        footer: t('supervisor.details_hint'),
      }),
    ];
  }

  async function overdue(lang: Language, page: number): Promise<Reply[]> {
    const now = clock.now();
    const got = await fetchPage(page, (skip) => queries.overdue(now, skip, PAGE_SIZE));
    if (got.result.total === 0) return [say('supervisor.overdue.empty')];
    const name = await departmentNames(lang);
    return [
      pageReply({
        scope: PAGE_SCOPE,
        title: t('supervisor.overdue.title', { count: got.result.total }),
        items: got.result.items.map((x) => {
          const late =
            x.resolveDueAt.getTime() < now.getTime()
              ? { reason: 'resolve', since: x.resolveDueAt }
              : { reason: 'ack', since: x.ackDueAt };
          return t('supervisor.overdue.item', {
            ref: x.ref,
            department: name(x.department),
            level: x.level,
            reason: t(`supervisor.overdue.reason_${late.reason}`),
            since: formatAge(late.since, now, lang),
          });
        }),
        page: got.page,
        total: got.result.total,
        valueFor: (p) => `o:${p}`,
        footer: t('supervisor.details_hint'),
      }),
    ];
  }

  /** What a /find text asks for: a reference, a phone number, or words. */
  function parseFind(raw: string): FindQuery | undefined {
    const s = raw.trim();
    if (looksLikeReference(normalizeReference(s))) return { kind: 'ref', ref: normalizeReference(s) };
    const latin = toLatinDigits(s);
    const digits = latin.replace(/\D/g, '');
    if (/^[+\d\s-]+$/.test(latin) && digits.length >= 4) return { kind: 'phone', digits };
    const chars = [...s].length;
    return chars >= 2 && chars <= FIND_MAX_CHARS ? { kind: 'text', text: s } : undefined;
  }

  async function find(raw: string, lang: Language, page: number, identity: StaffIdentity): Promise<Reply[]> {
    const query = parseFind(raw);
    if (!query) return [say('supervisor.find.usage')];
    const got = await fetchPage(page, (skip) => queries.find(query, skip, PAGE_SIZE));
    logger.info(
      { event: 'tickets_searched', staff: identity.id, kind: query.kind, results: got.result.total },
      'ticket search',
    );
    if (got.result.total === 0) return [say('supervisor.find.none')];
    return [
      pageReply({
        scope: PAGE_SCOPE,
        title: t('supervisor.find.title', { count: got.result.total }),
        items: got.result.items.map((x) =>
          t('supervisor.find.item', {
            ref: x.ref,
            status: t(`ticket.status.${x.status}`),
            day: formatDay(zonedDay(x.createdAt, timeZone), lang),
            snippet: clip(x.description.replace(/\s+/g, ' '), FIND_SNIPPET_CHARS),
          }),
        ),
        page: got.page,
        total: got.result.total,
        // The search text rides in the button; one too long for it just gets no page buttons.
        valueFor: (p) => `f:${p}:${raw.trim()}`,
        footer: t('supervisor.details_hint'),
      }),
    ];
  }

  // ---- /ticket and /assign --------------------------------------------------------

  async function ticket(identity: StaffIdentity, args: string[], lang: Language): Promise<Reply[]> {
    const ref = normalizeReference(args[0] ?? '');
    if (!looksLikeReference(ref)) return [say('staff.usage.ref', { command: 'ticket' })];
    const found = await deps.tickets.findByRef(ref);
    if (!found) return [say('staff.ticket_not_found', { ref })];
    if (identity.role === 'officer' && found.department !== identity.department) {
      logger.warn(
        { event: 'staff_forbidden', staff: identity.id, role: identity.role, ref, action: 'view' },
        'staff action refused',
      );
      return [say('staff.forbidden_ticket', { ref })];
    }
    return ticketDetailReplies({
      ticket: found,
      lang,
      now: clock.now(),
      translator,
      catalog: deps.catalog,
      messages: deps.messages,
      departmentName: await departmentNames(lang),
      names: await loadStaffNames(deps.staff),
      actions: mayActOnTicket(identity, found.department),
    });
  }

  async function assign(identity: StaffIdentity, args: string[], lang: Language): Promise<Reply[]> {
    const ref = normalizeReference(args[0] ?? '');
    const dept = args[1];
    if (!looksLikeReference(ref) || !dept || args.length > 3)
      return [say('supervisor.assign.usage', { departments: await departments.codes() })];
    const result = await deps.reassign(identity, ref, { department: dept, ...(args[2] ? { officer: args[2] } : {}) });
    const name = async (code: string) => (await departmentNames(lang))(code);
    if (result.ok) {
      const department = await name(result.ticket.department);
      return result.officer
        ? [
            say('supervisor.assign.done', {
              ref,
              department,
              officer: `${result.officer.name} (${result.officer._id})`,
            }),
          ]
        : [say('supervisor.assign.done_unassigned', { ref, department, code: result.ticket.department })];
    }
    switch (result.reason) {
      case 'not_found':
      case 'forbidden':
      case 'closed':
      case 'conflict':
        return [ticketRefusalReply(result.reason, ref, result.ticket?.status)];
      case 'unknown_department':
        return [say('staff.unknown_department', { code: dept, departments: await departments.codes() })];
      case 'unknown_officer': {
        // /staff is for administrators: a supervisor learns the department's officer ids here.
        const code = dept.toUpperCase();
        const officers = (await deps.staff.activeOfficers(code)).map((o) => `${o.name} — ${o._id}`).join(', ');
        return [say('supervisor.assign.unknown_officer', { officer: args[2] ?? '', code, officers: officers || '—' })];
      }
      case 'already':
        return [
          say('supervisor.assign.already', {
            ref,
            officer: result.ticket?.assignedTo
              ? staffLabel(await loadStaffNames(deps.staff), result.ticket.assignedTo)
              : '',
          }),
        ];
      case 'no_officer':
        return [say('supervisor.assign.no_officer', { ref, code: dept.toUpperCase() })];
    }
  }

  // ---- /export and /report ----------------------------------------------------------

  /** The file is not sent from here: it is pushed onto `effects`, which the effect runner queues in the outbox. */
  async function exportTickets(
    identity: StaffIdentity,
    msg: InboundMessage,
    args: string[],
    lang: Language,
    effects: Effect[],
  ): Promise<Reply[]> {
    const today = zonedDay(clock.now(), timeZone);
    const from = args[0] ? parseDay(args[0]) : addDays(today, 1 - EXPORT_DEFAULT_DAYS);
    const to = args[1] ? parseDay(args[1]) : today;
    if (!from || !to || args.length > 2) return [say('supervisor.export.usage')];
    if (from > to) return [say('supervisor.export.order', { from: formatDay(from, lang), to: formatDay(to, lang) })];
    const days =
      Math.round((dayRange(to, 'UTC').start.getTime() - dayRange(from, 'UTC').start.getTime()) / 86_400_000) + 1;
    if (days > EXPORT_MAX_DAYS) return [say('supervisor.export.too_long', { count: EXPORT_MAX_DAYS })];
    const start = dayRange(from, timeZone).start;
    const end = dayRange(to, timeZone).end;
    const list = await queries.createdBetween(start, end, exportMaxRows + 1);
    const range = { from: formatDay(from, lang), to: formatDay(to, lang) };
    if (list.length === 0) return [say('supervisor.export.empty', range)];
    if (list.length > exportMaxRows) {
      return [
        say('supervisor.export.too_many', {
          ...range,
          count: await queries.countCreated(start, end),
          max: exportMaxRows,
        }),
      ];
    }
    const bytes = exportCsv(list, {
      lang,
      translator,
      catalog: deps.catalog,
      messages: deps.messages,
      timeZone,
      departmentName: await departmentNames(lang),
      names: await loadStaffNames(deps.staff),
    });
    const caption = translator.t(lang, 'supervisor.export.caption', { ...range, count: list.length });
    // The file goes through the outbox (it survives a failed send); the update id makes a redelivered command send it once.
    effects.push({
      type: 'notify',
      items: [
        {
          channel: msg.channel,
          chatId: msg.chatId,
          message: {
            text: caption,
            document: { fileName: `complaints_${from}_${to}.csv`, bytes, mimeType: 'text/csv' },
          },
          dedupeKey: `export:${msg.channel}:${msg.chatId}:${msg.updateKey}`,
        },
      ],
    });
    logger.info(
      { event: 'tickets_exported', staff: identity.id, rows: list.length, from, to, bytes: bytes.length },
      'tickets exported',
    );
    return [say('supervisor.export.queued', { ...range, count: list.length })];
  }

  async function report(args: string[], lang: Language): Promise<Reply[]> {
    const typed = args[0];
    const today = zonedDay(clock.now(), timeZone);
    let day: string | undefined;
    if (!typed || typed.toLowerCase() === 'yesterday' || isWord(typed, 'supervisor.word.yesterday'))
      day = addDays(today, -1);
    else if (typed.toLowerCase() === 'today' || isWord(typed, 'supervisor.word.today')) day = today;
    else day = parseDay(typed);
    if (!day || args.length > 1) return [say('supervisor.report.usage')];
    if (day > today) return [say('supervisor.report.future')];
    return deps.reports.replies(await deps.reports.buildDailyReport(day), lang);
  }

  // ---- dispatch -------------------------------------------------------------------------

  async function run(
    command: SupervisorCommand,
    identity: StaffIdentity,
    state: ConversationState,
    msg: InboundMessage,
    args: string[],
    argText: string,
    effects: Effect[],
  ): Promise<Reply[]> {
    if (!mayUse(identity.role, command)) return refuse();
    const lang = state.language;
    switch (command) {
      case 'stats':
        return stats(args, lang);
      case 'pending':
        if (args.length > 1) return [say('supervisor.pending.usage', { departments: await departments.codes() })];
        return pending(identity, lang, args[0], 1);
      case 'overdue':
        return overdue(lang, 1);
      case 'ticket':
        return ticket(identity, args, lang);
      case 'assign':
        return assign(identity, args, lang);
      case 'find':
        return find(argText, lang, 1, identity);
      case 'export':
        return exportTickets(identity, msg, args, lang, effects);
      case 'report':
        return report(args, lang);
    }
  }

  async function pageButton(identity: StaffIdentity, lang: Language, value: string): Promise<Reply[] | undefined> {
    const [kind = '', a = '', ...rest] = value.split(':');
    if (kind === 'p') {
      if (!mayUse(identity.role, 'pending')) return refuse();
      const page = Number(rest[0]);
      return Number.isInteger(page) ? pending(identity, lang, a === '*' ? undefined : a, page) : undefined;
    }
    if (kind === 'o') {
      if (!mayUse(identity.role, 'overdue')) return refuse();
      return Number.isInteger(Number(a)) ? overdue(lang, Number(a)) : undefined;
    }
    if (kind === 'f') {
      if (!mayUse(identity.role, 'find')) return refuse();
      return Number.isInteger(Number(a)) && rest.length ? find(rest.join(':'), lang, Number(a), identity) : undefined;
    }
    return undefined;
  }

  return {
    commands: SUPERVISOR_COMMANDS,
    buttonScopes: [PAGE_SCOPE],
    helpKey(identity) {
      if (identity.role === 'supervisor' || identity.role === 'admin') return 'supervisor.help';
      if (identity.role === 'officer') return 'supervisor.help_officer';
      return undefined;
    },
    async handle(ctx): Promise<StaffOutcome> {
      const effects: Effect[] = [];
      const replies = isSupervisorCommand(ctx.name)
        ? await run(ctx.name, ctx.identity, ctx.state, ctx.msg, ctx.args, ctx.argText, effects)
        : [say('staff.unknown_command')];
      return { state: ctx.state, replies, ...(effects.length ? { effects } : {}) };
    },
    async handleButton(ctx): Promise<StaffOutcome | undefined> {
      // A page button we cannot read is stale: the router answers it, as for every module.
      const replies = await pageButton(ctx.identity, ctx.state.language, ctx.value);
      return replies ? { state: ctx.state, replies } : undefined;
    },
  };
}
