import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { UserFromGetMe } from 'grammy/types';
import type { Bot } from 'grammy';
import type { Clock } from './clock';
import type { Config } from './config';
import type { BackoffOptions } from './outbox/backoff';
import { createSimulatorAuth, SIM_LOGIN_PATH, STARTUP_LINK_BY, type SimulatorAuth } from './http/simulator-auth';
import { createSimulatorCommand } from './http/simulator-command';
import { createEffectRunner } from './conversation/effect-runner';
import { loadFlow } from './conversation/flow-definition';
import type { ReplyingHandler, ReplyMode } from './channels/reply-policy';
import { createInboundPipeline, mediaLimitsOf } from './channels/inbound-pipeline';
import { createChannelRegistry, type ChannelRegistry } from './channels/channel-registry';
import { CHANNELS } from './channels/channels';
import type { ChannelDefinition } from './channels/channel';
import { webDefinition } from './channels/web/web-definition';
import { telegramDefinition } from './channels/telegram/telegram-definition';
import { whatsappWebDefinition } from './channels/whatsapp/whatsapp-definition';
import { whatsappCloudDefinition } from './channels/whatsapp-cloud/cloud-definition';
import { loadCatalog, profileFile } from './domain/catalog-loader';
import { createTranslator } from './i18n/create-i18n';
import { createConversationStore } from './storage/conversation-store';
import { createModels, type Models } from './storage/models';
import { createHistoryModels } from './storage/history-models';
import { createTicketStore } from './storage/ticket-store';
import { createStaffStore } from './storage/staff-store';
import { createMessageRefStore } from './storage/message-ref-store';
import { readDepartmentsFile } from './domain/department-loader';
import { createDepartmentDirectory } from './tickets/department-directory';
import { createTicketMessages } from './tickets/ticket-messages';
import type { TicketService } from './tickets/ticket-service';
import { createTicketServices } from './ticket-services';
import { ensureTicketCounts, createCountMarkerPruner } from './reports/count-rebuild';
import { createTicketFigures } from './reports/ticket-figures';
import { createTicketCountStore } from './storage/ticket-count-store';
import { createCountRelay } from './tickets/count-relay';
import type { RecoveryPass } from './tickets/ticket-recovery';
import { createSessionStore } from './counsellor/counsellor-sessions';
import { createCounsellorService } from './counsellor/counsellor-service';
import { createCallModule } from './operator/call-module';
import { createWhatsAppRetention, type WhatsAppChannel } from './channels/whatsapp/whatsapp-channel';
import { createWhatsAppAdminModule } from './channels/whatsapp/whatsapp-admin-module';
import type { WhatsAppCloudChannel } from './channels/whatsapp-cloud/whatsapp-cloud-channel';
import { createCitizenStore } from './citizens/citizen-store';
import { createCitizenLinker } from './citizens/citizen-linker';
import { createEscalateCommand } from './supervisor/escalate-command';
import type { EscalationService } from './escalation/escalation-service';
import type { FeedbackService } from './feedback/feedback-service';
import type { Scheduler } from './jobs/scheduler';
import { createAppScheduler } from './jobs/app-scheduler';
import { createShiftModule } from './shifts/shift-commands';
import { loadShiftPlan } from './shifts/shift-plan';
import type { ShiftService } from './shifts/shift-service';
import { createSupervisorModule } from './supervisor/supervisor-module';
import { createFailedDeliveriesModule } from './supervisor/failed-deliveries';
import { createDashboard, type Dashboard } from './dashboard/dashboard';
import { baseUrl } from './http/loopback';
import { configuredAdminId, createStaffHandler } from './staff/staff-handler';
import { createOutbox, type Outbox, type OutboxDeps, type OutboxItem } from './outbox/outbox';
import { createOutboxModel } from './outbox/outbox-model';
import { createCallBackTasks } from './operator/call-back-tasks';
import type { WebChannel } from './channels/web/web-channel';
import { createHttpServer, type HttpServer } from './http/http-server';
import { createAppMetrics, type AppMetrics } from './metrics/app-metrics';
import { safeError } from './logger';

/** What {@link createApp} needs besides configuration. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  conn: Connection;
  /**
   * A second, read-only connection for work over the whole history (`/find`,
   * `/export`, the dashboard's CSV), so it never queues in front of citizens
   * (see connectHistoryDatabase). Without it those reads share `conn`.
   */
  historyConn?: Connection;
  /** Known Telegram bot identity, to skip getMe (tests). */
  telegramBotInfo?: UserFromGetMe;
  /** How often the dashboard page refreshes (tests use 1 s). */
  dashboardPollSeconds?: number;
  /** Outbox tuning (tests use faster pacing than Telegram's 1 message/s per chat). */
  outboxOptions?: Pick<OutboxDeps, 'pacing' | 'pollIntervalMs' | 'backoff'>;
  /** Back-off between getMe attempts while Telegram does not answer at start (tests shorten it). */
  telegramStartBackoff?: BackoffOptions;
  /** The channel definitions to run (default CHANNELS, src/channels/channels.ts; tests add one). */
  channels?: readonly ChannelDefinition[];
}

/** The wired application: the shared message handler and the running channels. */
export interface App {
  /** The shared handler, replies sent at once (what Telegram and the web chat call). */
  handler: ReplyingHandler;
  /** The shared handler in each reply mode (WhatsApp's replies go through the outbox). */
  replies: Record<ReplyMode, ReplyingHandler>;
  models: Models;
  outbox: Outbox;
  tickets: TicketService;
  web: WebChannel;
  http: HttpServer;
  metrics: AppMetrics;
  telegram?: Bot;
  whatsapp?: WhatsAppChannel;
  whatsappCloud?: WhatsAppCloudChannel;
  /** The simulator's login (when it asks for one). */
  simulatorAuth?: SimulatorAuth;
  escalation: EscalationService;
  feedback: FeedbackService;
  scheduler: Scheduler;
  shifts: ShiftService;
  dashboard: Dashboard;
  /** One recovery pass: route unrouted tickets, relay owed notices (also run at start and every minute). */
  recover: RecoveryPass;
  /** Settles once the ticket counters exist (built in the background by `start` on a database from before them). */
  countsReady(): Promise<void>;
  /** Start receiving from the configured channels. */
  start(): Promise<void>;
  /** Stop receiving; in-flight messages finish first. */
  stop(): Promise<void>;
}

/**
 * Wire flows, translations, storage and channels. Loading and validating the
 * flow files happens here, so a broken flow stops start-up with its name.
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, logger, clock, conn } = deps;
  const translator = createTranslator(config.localesDirAbs);
  const catalog = loadCatalog(config.flowsDirAbs, config.CATEGORY_PROFILE);
  const flow = loadFlow(config.flowsDirAbs, 'citizen-intake');
  const shiftPlan = loadShiftPlan(config.flowsDirAbs);
  const metrics = createAppMetrics({
    onCollectError: (name, err) =>
      logger.warn({ event: 'metric_collect_failed', metric: name, err: safeError(err) }, 'metric collection failed'),
  });
  const models = await createModels(conn);
  const history = deps.historyConn ? createHistoryModels(deps.historyConn, models) : models;
  const tickets = createTicketStore(models, config.DISTRICT_CODE, {
    timeZone: shiftPlan.timeZone,
    onOwedCounts: (ref) => countRelay.note(ref),
  });
  // Counts for /stats, reports, hand-overs and the dashboard: counters kept with every ticket change (src/reports/).
  const ticketCounts = createTicketCountStore(models);
  const countRelay = createCountRelay({
    tickets,
    counts: ticketCounts,
    now: () => clock.now(),
    logger: logger.child({ component: 'counts' }),
  });
  const figures = createTicketFigures({
    counts: ticketCounts,
    timeZone: shiftPlan.timeZone,
    // The counts this process's changes owe, each ticket by `_id`; the recovery pass applies the rest every minute.
    settle: () => countRelay.relayNoted(),
  });
  const staffStore = createStaffStore(models);
  const conversations = createConversationStore(models);
  const citizens = await createCitizenStore(conn);
  const linker = createCitizenLinker({ citizens, conversations, clock, logger });
  await seedDepartments(
    staffStore,
    profileFile(config.flowsDirAbs, 'departments', config.CATEGORY_PROFILE),
    clock.now(),
    logger,
  );
  const departments = createDepartmentDirectory(staffStore, clock);
  const messages = createTicketMessages({ translator, catalog });

  const messageRefs = createMessageRefStore(models.MessageRef);
  // The call-back tasks are themselves sent through the outbox, which calls them only once it runs.
  const notifyLater = { enqueue: (items: OutboxItem[]) => outbox.enqueue(items) };
  const callBackTasks = createCallBackTasks({
    tickets,
    staff: staffStore,
    notifier: notifyLater,
    messages,
    logger: logger.child({ component: 'call-back' }),
  });
  const outbox = createOutbox({
    models: await createOutboxModel(conn),
    logger,
    // Cards and notices remember their platform ids: a staff reply to one of them updates its ticket.
    onSent: (sent) =>
      messageRefs.record({
        channel: sent.channel,
        chatId: sent.chatId,
        messageId: sent.messageId,
        ref: sent.ticketRef,
        at: clock.now(),
      }),
    ...(deps.outboxOptions ?? {}),
    onGiveUp: callBackTasks,
    onDelivered: (d) =>
      metrics.outboxDeliverySeconds.observe(
        { channel: d.channel },
        Math.max(0, d.sentAt.getTime() - d.recordedAt.getTime()) / 1000,
      ),
  });
  const adminChats = [
    ...config.ADMIN_TELEGRAM_IDS.map((chatId) => ({ channel: 'telegram' as const, chatId })),
    ...config.adminWebIds.map((chatId) => ({ channel: 'web' as const, chatId })),
  ];
  const { escalationPolicy, escalation, feedback, ticketService, queries, reassign, reports, shifts, intake, recover } =
    await createTicketServices({
      config,
      conn,
      models,
      history,
      tickets,
      staff: staffStore,
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
    });
  const supervisorModule = createSupervisorModule({
    tickets,
    queries,
    staff: staffStore,
    departments,
    messages,
    translator,
    catalog,
    reassign,
    reports,
    clock,
    logger,
    timeZone: shiftPlan.timeZone,
    figures,
  });
  const shiftModule = createShiftModule({ shifts, translator, clock });

  const counsellor = createCounsellorService({
    sessions: await createSessionStore(conn),
    staff: staffStore,
    conversations,
    messages,
    catalog,
    fileTicket: intake.file,
    clock,
    logger: logger.child({ component: 'counsellor' }),
    maxSessionsPerCounsellor: config.COUNSELLOR_MAX_SESSIONS,
    ticketWords: flow.vocabulary.endWithTicket,
    onDutyCounsellors: async (now) => {
      const crew = await shifts.onDuty(now);
      // With nobody rostered, every active counsellor may answer rather than none.
      return crew.counsellor.length > 0
        ? crew.counsellor.map((c) => c._id)
        : (await staffStore.activeWithRoles(['counsellor'])).map((c) => c._id);
    },
  });
  const labelsOf = (key: string) => translator.allOf(key);
  const callModule = createCallModule({
    flow,
    engineContext: () => ({ now: clock.now(), catalog, labelsOf, maxTicketsPerDay: config.MAX_TICKETS_PER_DAY }),
    skipWords: flow.vocabulary.skip,
  });
  const effects = createEffectRunner({
    tickets,
    catalog,
    citizenIds: (id) => citizens.ticketOwnersOf(id),
    intake,
    whatsappForCallers: config.WHATSAPP_ENABLED || config.whatsappCloud !== undefined,
    counsellor: counsellor.gateway,
    feedback,
    reopenDays: escalationPolicy.feedback.reopenDays,
    onCitizenAnswer: (ref, citizenIds, content, key) => ticketService.citizenReply(ref, citizenIds, content, key),
    notifier: outbox,
  });

  const configuredAdminIds = [
    ...config.ADMIN_TELEGRAM_IDS.map((id) => configuredAdminId('telegram', id)),
    ...config.adminWebIds.map((id) => configuredAdminId('web', id)),
  ];
  // Made after the handler they call; the staff commands below reach them only when a command runs.
  const late: { channels?: ChannelRegistry } = {};
  const dashboard: Dashboard = await createDashboard({
    conn,
    failedNotices: async () => (await outbox.stats()).failed,
    models,
    figures,
    timeZone: shiftPlan.timeZone,
    history,
    translator,
    catalog,
    clock,
    logger: logger.child({ component: 'dashboard' }),
    config: {
      secret: config.DASHBOARD_SECRET,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      linkTtlMinutes: config.DASHBOARD_LINK_TTL_MINUTES,
      sessionHours: config.DASHBOARD_SESSION_HOURS,
      trustProxy: config.TRUST_PROXY,
      ...(deps.dashboardPollSeconds ? { pollSeconds: deps.dashboardPollSeconds } : {}),
    },
    // The HTTP server is created below; this runs only when someone sends /dashboard.
    serverUrl: () => http.url() ?? baseUrl(config.HTTP_HOST, config.HTTP_PORT),
    configuredAdminIds,
  });
  const simulatorAuth =
    config.simulator === 'login'
      ? createSimulatorAuth({
          secret: dashboard.secret,
          models: dashboard.authModels,
          sessions: dashboard.sessions,
          clock,
          logger: logger.child({ component: 'simulator' }),
          linkTtlMs: SIMULATOR_LINK_TTL_MS,
          sessionMs: config.DASHBOARD_SESSION_HOURS * 3_600_000,
          secureCookie: config.PUBLIC_BASE_URL?.startsWith('https://') ?? false,
          trustProxy: config.TRUST_PROXY,
          // A link from /simulator works only while its administrator still is one.
          stillAllowed: async (by) =>
            by === STARTUP_LINK_BY ||
            configuredAdminIds.includes(by) ||
            (await dashboard.queries.activeRole(by)) === 'admin',
        })
      : undefined;
  const staff = createStaffHandler({
    staff: staffStore,
    tickets,
    ticketService,
    departments,
    messages,
    clock,
    logger,
    adminTelegramIds: config.ADMIN_TELEGRAM_IDS,
    adminWebIds: config.adminWebIds,
    inviteTtlHours: config.INVITE_TTL_HOURS,
    botUsername: () => {
      const bot = late.channels?.get(telegramDefinition)?.bot;
      return bot?.isInited() ? bot.botInfo.username : undefined;
    },
    messageRefs,
    reassign,
    modules: [
      counsellor.module,
      callModule,
      createEscalateCommand({ escalation }),
      supervisorModule,
      shiftModule,
      dashboard.module,
      createFailedDeliveriesModule({ outbox }),
      createSimulatorCommand({
        ...(simulatorAuth ? { auth: simulatorAuth } : {}),
        linkTtlMs: SIMULATOR_LINK_TTL_MS,
        clock,
        logger,
        baseUrl: () => config.PUBLIC_BASE_URL ?? http.url() ?? baseUrl(config.HTTP_HOST, config.HTTP_PORT),
      }),
      createWhatsAppAdminModule({ channel: () => late.channels?.get(whatsappWebDefinition)?.client }),
    ],
  });
  // Every channel's messages: the reply policy, the per-chat allowance, metrics, citizen links, the handler.
  const replies = createInboundPipeline({
    config,
    flow,
    catalog,
    translator,
    conversations,
    staffStore,
    effects,
    staff,
    linker,
    metrics,
    outbox,
    clock,
    logger,
  });
  const handler = replies.direct;

  // Every channel, from its definition in src/channels/channels.ts: senders on the outbox, files, routes and health.
  const channels = (late.channels = await createChannelRegistry(deps.channels ?? CHANNELS, {
    config,
    conn,
    clock,
    logger,
    translator,
    replies,
    outbox,
    staff: staffStore,
    conversations,
    linker,
    maxMediaBytes: mediaLimitsOf(config).maxBytes,
    tuning: {
      ...(deps.telegramBotInfo ? { telegramBotInfo: deps.telegramBotInfo } : {}),
      ...(deps.telegramStartBackoff ? { telegramStartBackoff: deps.telegramStartBackoff } : {}),
    },
  }));

  const web = channels.get(webDefinition)?.web;
  if (!web) throw new Error('the web channel is always made');
  const telegram = channels.get(telegramDefinition)?.bot;
  const whatsapp = channels.get(whatsappWebDefinition)?.client;
  const whatsappCloud = channels.get(whatsappCloudDefinition)?.cloud;
  metrics.outboxDepth.collectWith(async () => {
    const s = await outbox.stats();
    return s.pending + s.sending;
  });
  const http = createHttpServer({
    config: {
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      simulator: config.simulator,
      simulatorPublic: config.SIMULATOR_PUBLIC,
    },
    ...(simulatorAuth ? { simulatorAuth } : {}),
    conn,
    web,
    translator,
    logger: logger.child({ component: 'http' }),
    metrics,
    dashboard: dashboard.routes,
    healthChecks: channels.healthChecks,
    routes: channels.routes,
  });

  let countsReady: Promise<void> = Promise.resolve();
  const scheduler = await createAppScheduler({
    config,
    conn,
    clock,
    logger,
    metrics,
    escalation,
    feedback,
    notifier: outbox,
    purge: {
      models,
      outbox,
      messageRefs,
      web,
      whatsapp: whatsapp ?? whatsappCloud ?? (await createWhatsAppRetention(conn)),
      ticketArchiveDays: escalationPolicy.feedback.reopenDays,
      officerLoads: tickets,
      countMarkers: createCountMarkerPruner({ counts: ticketCounts, tickets }),
    },
    shiftPlan,
    sendHandover: (firingTime) => shifts.sendHandover(firingTime),
    reports,
    recover: () => recover(),
  });

  return {
    handler,
    replies,
    models,
    outbox,
    tickets: ticketService,
    web,
    http,
    metrics,
    ...(telegram ? { telegram } : {}),
    ...(whatsapp ? { whatsapp } : {}),
    ...(whatsappCloud ? { whatsappCloud } : {}),
    ...(simulatorAuth ? { simulatorAuth } : {}),
    escalation,
    feedback,
    scheduler,
    shifts,
    dashboard,
    recover,
    countsReady: () => countsReady,
    async start() {
      outbox.start();
      // Whatever a crash left half-done (a ticket not routed, notices not in the outbox) is finished before new work comes in.
      await recover({ graceMs: 0 }).catch((err: unknown) =>
        logger.error(
          { event: 'recovery_failed', error: safeError(err) },
          'start-up recovery failed; the scheduled pass retries',
        ),
      );
      // A database from before the counters gets them built once, in the background (start-up stays fast).
      countsReady = ensureTicketCounts({
        models,
        counts: ticketCounts,
        timeZone: shiftPlan.timeZone,
        logger: logger.child({ component: 'counts' }),
      });
      if (config.JOBS_ENABLED) scheduler.start();
      const { url } = await http.listen();
      if (simulatorAuth && http.simulatorEnabled) {
        // Printed once: whoever runs the service opens the simulator with it (it works once, for a day).
        const { token, expiresAt } = await simulatorAuth.issue(STARTUP_LINK_BY, 'start-up log');
        const link = `${config.PUBLIC_BASE_URL ?? url}${SIM_LOGIN_PATH}?token=${token}`;
        logger.warn(
          { event: 'simulator_login_link', link, expiresAt },
          `simulator login link (one-time, until ${expiresAt.toISOString()}): ${link}`,
        );
      }
      // None waits for its platform: Telegram and WhatsApp Web connect in the background.
      await channels.startAll();
    },
    async stop() {
      await http.close();
      await channels.stopAll();
      await scheduler.stop();
      // Give notifications already due a moment to go out before stopping
      // (not possible when the database is already gone).
      await outbox
        .drain(5_000)
        .catch((err: unknown) =>
          logger.warn({ event: 'outbox_drain_failed', err: safeError(err) }, 'could not drain the outbox'),
        );
      await outbox.stop();
    },
  };
}

/** How long the simulator's start-up login link works (once). */
const SIMULATOR_LINK_TTL_MS = 24 * 3_600_000;

/** Load the default departments on first start, so routing works before anyone runs the script. */
/** The category profile's departments file, loaded on first start (when none are stored). */
async function seedDepartments(
  store: ReturnType<typeof createStaffStore>,
  file: string,
  now: Date,
  logger: Logger,
): Promise<void> {
  if ((await store.departments()).length > 0) return;
  const count = await store.saveDepartments(readDepartmentsFile(file), now);
  logger.info({ event: 'departments_seeded', count }, 'default departments loaded');
}
