import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Catalog } from './domain/catalog';
import { loadEscalationPolicy } from './escalation/escalation-policy';
import { createEscalationService } from './escalation/escalation-service';
import { createEscalationStore } from './escalation/escalation-store';
import { createFeedbackService } from './feedback/feedback-service';
import { createFeedbackStore } from './feedback/feedback-store';
import type { AppMetrics } from './metrics/app-metrics';
import type { Outbox } from './outbox/outbox';
import { countOpenCounsellorSessions } from './shifts/counsellor-sessions';
import { createRosterStore } from './shifts/roster-store';
import type { ShiftPlan } from './shifts/shift-plan';
import { createShiftService } from './shifts/shift-service';
import type { ConversationStore } from './storage/conversation-store';
import type { HistoryModels } from './storage/history-models';
import type { Models } from './storage/models';
import type { StaffStore } from './storage/staff-store';
import type { TicketStore } from './storage/ticket-store';
import { createTicketWork } from './storage/ticket-work';
import { createDailyReports } from './supervisor/daily-report';
import { createTicketQueries } from './supervisor/ticket-queries';
import type { DepartmentDirectory } from './tickets/department-directory';
import { createNoticeRelay } from './tickets/notice-relay';
import { createReassign } from './tickets/reassign';
import { createTicketFiler } from './tickets/ticket-filer';
import { createTicketIntake } from './tickets/ticket-intake';
import type { TicketMessages } from './tickets/ticket-messages';
import { createRecoveryPass, type RecoveryPass } from './tickets/ticket-recovery';
import { createTicketService } from './tickets/ticket-service';
import type { TicketFigures } from './reports/ticket-figures';
import type { CountRelay } from './tickets/count-relay';
import type { OpenWorkView } from './storage/open-work-store';

/** What {@link createTicketServices} needs. */
export interface TicketServicesDeps {
  config: Config;
  conn: Connection;
  models: Models;
  history: HistoryModels;
  tickets: TicketStore;
  staff: StaffStore;
  departments: DepartmentDirectory;
  conversations: ConversationStore;
  outbox: Outbox;
  messages: TicketMessages;
  catalog: Catalog;
  shiftPlan: ShiftPlan;
  /** The ticket counters' figures (src/reports/ticket-figures.ts), for reports and hand-overs. */
  figures: TicketFigures;
  /** Moves ticket changes into the counters; the recovery pass finishes what a crash left. */
  countRelay: CountRelay;
  metrics: AppMetrics;
  clock: Clock;
  logger: Logger;
  /** The open-work read model /pending, /overdue, reports and hand-overs read (src/storage/open-work-store.ts). */
  openWork?: OpenWorkView;
  /** Configured administrators' chats (ADMIN_TELEGRAM_IDS, ADMIN_WEB_IDS), told of what has no officer. */
  adminChats: Array<{ channel: 'telegram' | 'web'; chatId: string }>;
}

/**
 * Everything that acts on a ticket once it exists, connected: the notice
 * relay, routing and staff actions (TicketService), escalation, feedback,
 * reassignment, queries, the daily reports, the shifts, and intake (filing,
 * then routing) with its recovery pass.
 * @example const t = createTicketServices(deps); await t.intake.file(complaint)
 */
export async function createTicketServices(deps: TicketServicesDeps) {
  const {
    config,
    conn,
    models,
    history,
    tickets,
    staff,
    departments,
    conversations,
    outbox,
    messages,
    catalog,
    shiftPlan,
    figures,
    countRelay,
    metrics,
    clock,
    logger,
    adminChats,
  } = deps;
  const relay = createNoticeRelay({ tickets, notifier: outbox, logger: logger.child({ component: 'notices' }) });
  const feedbackStore = createFeedbackStore(models, history);
  const escalationPolicy = loadEscalationPolicy(config.flowsDirAbs, catalog.categories, config.CATEGORY_PROFILE);
  const escalation = createEscalationService({
    store: createEscalationStore(models, { timeZone: shiftPlan.timeZone, history }),
    staff,
    departments,
    notifier: outbox,
    relay,
    messages,
    catalog,
    policy: escalationPolicy,
    clock,
    logger: logger.child({ component: 'escalation' }),
    adminChats,
    // Level 3 goes to the supervisor on the roster now (shifts are built below; called later).
    onDutySupervisors: async (now) => (await shifts.onDuty(now)).supervisor,
  });
  const feedback = createFeedbackService({
    tickets,
    store: feedbackStore,
    staff,
    departments,
    relay,
    messages,
    catalog,
    policy: escalationPolicy,
    escalation,
    clock,
    logger: logger.child({ component: 'feedback' }),
    adminChats,
    conversations,
  });
  const ticketService = createTicketService({
    tickets,
    staff,
    departments,
    conversations,
    relay,
    messages,
    clock,
    logger,
    adminChats,
    feedbackRequest: (ticket) => feedback.feedbackRequest(ticket),
  });
  const queries = createTicketQueries(models, history, deps.openWork);
  const reassign = createReassign({ tickets, staff, departments, relay, messages, clock, logger, adminChats });
  const reports = createDailyReports({
    queries,
    figures,
    staff,
    departments,
    messages,
    notifier: outbox,
    clock,
    logger,
    timeZone: shiftPlan.timeZone,
    adminChats,
  });
  const shifts = createShiftService({
    plan: shiftPlan,
    roster: createRosterStore(conn),
    staff,
    queries,
    figures,
    departments,
    openCounsellorSessions: countOpenCounsellorSessions(conn),
    render: messages.render,
    notifier: outbox,
    clock,
    logger: logger.child({ component: 'shifts' }),
    adminChats,
  });
  const intake = createTicketIntake({
    file: createTicketFiler({ tickets, clock, logger, districtCode: config.DISTRICT_CODE }),
    route: (ticket) => ticketService.route(ticket),
    tickets,
    clock,
    logger,
    onCreated: (ticket) => metrics.ticketsCreated.inc({ channel: ticket.intake }),
  });
  const recover: RecoveryPass = createRecoveryPass({
    work: createTicketWork(models),
    findLive: (ref) => tickets.findLive(ref),
    route: (ticket) => ticketService.route(ticket),
    relay,
    counts: countRelay,
    legacy: { intake, anyWork: () => tickets.needsRecovery() },
    clock,
    logger: logger.child({ component: 'recovery' }),
  });
  return {
    relay,
    feedbackStore,
    escalationPolicy,
    escalation,
    feedback,
    ticketService,
    queries,
    reassign,
    reports,
    shifts,
    intake,
    recover,
  };
}

/** The connected ticket services (see {@link createTicketServices}). */
export type TicketServices = Awaited<ReturnType<typeof createTicketServices>>;
