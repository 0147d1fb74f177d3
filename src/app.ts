import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { UserFromGetMe } from 'grammy/types';
import type { Bot } from 'grammy';
import type { Clock } from './clock';
import type { Config } from './config';
import type { BackoffOptions } from './outbox/backoff';
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
import { countsAtStart, createCountMarkerPruner } from './reports/count-rebuild';
import { openWorkAtStart, reconcileOpenWork } from './reports/open-work-build';
import { createOpenWorkStore, createOpenWorkView } from './storage/open-work-store';
import { createTicketFigures } from './reports/ticket-figures';
import { createTicketCountStore } from './storage/ticket-count-store';
import { createCountRelay } from './tickets/count-relay';
import { recoveryAtStart, recoverySweepAtStart, type RecoveryPass } from './tickets/ticket-recovery';
import { createWhatsAppRetention, type WhatsAppChannel } from './channels/whatsapp/whatsapp-channel';
import type { WhatsAppCloudChannel } from './channels/whatsapp-cloud/whatsapp-cloud-channel';
import { createCitizenStore } from './citizens/citizen-store';
import { createCitizenLinker } from './citizens/citizen-linker';
import type { EscalationService } from './escalation/escalation-service';
import type { FeedbackService } from './feedback/feedback-service';
import type { Scheduler } from './jobs/scheduler';
import { createAppScheduler, schedulerLifecycle } from './jobs/app-scheduler';
import { loadShiftPlan } from './shifts/shift-plan';
import type { ShiftService } from './shifts/shift-service';
import { baseUrl } from './http/loopback';
import { createCallBackTasks } from './operator/call-back-tasks';
import type { WebChannel } from './channels/web/web-channel';
import type { HttpServer } from './http/http-server';
import { createConfiguredHttpServer } from './http/http-setup';
import { createAppMetrics, type AppMetrics } from './metrics/app-metrics';
import { safeError } from './logger';
import { createSimulatorLogin } from './http/simulator-login';
import type { SimulatorAuth } from './http/simulator-auth';
import { httpLifecycle } from './http/http-lifecycle';
import { createConfiguredEffectRunner } from './conversation/effect-runner-setup';
import { createCounsellor } from './counsellor/counsellor-setup';
import { createConfiguredDashboard } from './dashboard/dashboard-setup';
import type { Dashboard } from './dashboard/dashboard';
import { createConfiguredOutbox } from './outbox/outbox-setup';
import { outboxLifecycle } from './outbox/outbox-lifecycle';
import type { Outbox, OutboxDeps, OutboxItem } from './outbox/outbox';
import { createStaffRouter } from './staff-router';
import { configuredAdminChats, configuredAdminIds } from './staff/configured-admins';
import { createLifecycle } from './lifecycle';

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
 * Each part is made by its own module; this function only connects them.
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, logger, clock, conn } = deps;
  const translator = createTranslator(config.localesDirAbs);
  const catalog = loadCatalog(config.flowsDirAbs, config.CATEGORY_PROFILE);
  const flow = loadFlow(config.flowsDirAbs, 'citizen-intake');
  const shiftPlan = loadShiftPlan(config.flowsDirAbs);
  const timeZone = shiftPlan.timeZone;
  const metrics = createAppMetrics({
    onCollectError: (name, err) =>
      logger.warn({ event: 'metric_collect_failed', metric: name, err: safeError(err) }, 'metric collection failed'),
  });
  const models = await createModels(conn);
  const history = deps.historyConn ? createHistoryModels(deps.historyConn, models) : models;
  const tickets = createTicketStore(models, config.DISTRICT_CODE, {
    timeZone,
    onOwedCounts: (ref) => countRelay.note(ref),
  });
  // Counts for /stats, reports, hand-overs and the dashboard: counters kept with every ticket change (src/reports/).
  const ticketCounts = createTicketCountStore(models);
  // Open work (/pending, /overdue, the departments' load, the dashboard's open and overdue), kept by the same relay.
  const openWorkStore = createOpenWorkStore(models);
  const countRelay = createCountRelay({
    tickets,
    counts: ticketCounts,
    openWork: openWorkStore,
    now: () => clock.now(),
    logger: logger.child({ component: 'counts' }),
  });
  // The counts this process's changes owe, each ticket by `_id`; the recovery pass applies the rest every minute.
  const figures = createTicketFigures({ counts: ticketCounts, timeZone, settle: () => countRelay.relayNoted() });
  const openWork = createOpenWorkView(openWorkStore, () => countRelay.relayNoted());
  const staffStore = createStaffStore(models);
  const conversations = createConversationStore(models);
  const citizens = await createCitizenStore(conn);
  const linker = createCitizenLinker({ citizens, conversations, clock, logger });
  const departmentsFile = profileFile(config.flowsDirAbs, 'departments', config.CATEGORY_PROFILE);
  await seedDepartments(staffStore, departmentsFile, clock.now(), logger);
  const departments = createDepartmentDirectory(staffStore, clock);
  const messages = createTicketMessages({ translator, catalog });
  const messageRefs = createMessageRefStore(models.MessageRef);
  // The call-back tasks are themselves sent through the outbox, which calls them only once it runs.
  const notifyLater = { enqueue: (items: OutboxItem[]) => outbox.enqueue(items) };
  const onGiveUp = createCallBackTasks({
    tickets,
    staff: staffStore,
    notifier: notifyLater,
    messages,
    logger: logger.child({ component: 'call-back' }),
  });
  const outboxOptions = deps.outboxOptions;
  const outbox = await createConfiguredOutbox({ conn, clock, logger, messageRefs, metrics, onGiveUp, outboxOptions });
  const adminChats = configuredAdminChats(config);
  // What most parts below are made from; each factory takes from it the deps it declares.
  const setup = { config, conn, clock, logger, translator, catalog, flow, shiftPlan, timeZone, metrics };
  const base = { ...setup, models, history };
  const stores = { tickets, staff: staffStore, conversations, departments, messages, messageRefs, outbox, figures };
  const services = await createTicketServices({ ...base, ...stores, countRelay, adminChats, openWork });
  const { escalation, feedback, ticketService, shifts, intake, recover } = services;
  const counsellor = await createCounsellor({ ...base, ...stores, intake, shifts });
  const effects = createConfiguredEffectRunner({ ...base, ...services, tickets, citizens, counsellor, outbox });

  // Made after the handler they call; the staff commands reach them only when a command runs.
  const late: { channels?: ChannelRegistry } = {};
  // The HTTP server is created below; this runs only when a link is made.
  const serverUrl = () => http.url() ?? baseUrl(config.HTTP_HOST, config.HTTP_PORT);
  const pollSeconds = deps.dashboardPollSeconds;
  // Administrators by configuration: the dashboard and the simulator's login let them in without a staff record.
  const adminIds = configuredAdminIds(config);
  const dashboard = await createConfiguredDashboard({
    ...base,
    figures,
    outbox,
    serverUrl,
    pollSeconds,
    adminIds,
    openWork,
  });
  const simulatorAuth = createSimulatorLogin({ config, dashboard, adminIds, clock, logger });
  const staff = createStaffRouter({
    ...base,
    ...stores,
    ...services,
    counsellor,
    dashboard,
    simulatorAuth,
    serverUrl,
    channels: () => late.channels,
  });
  // Every channel's messages: the reply policy, the per-chat allowance, metrics, citizen links, the handler.
  const replies = createInboundPipeline({ ...base, conversations, staffStore, effects, staff, linker, outbox });

  // Every channel, from its definition in src/channels/channels.ts: senders on the outbox, files, routes and health.
  const maxMediaBytes = mediaLimitsOf(config).maxBytes;
  // `tuning` takes telegramBotInfo and telegramStartBackoff from the deps (tests set them).
  const channelContext = { ...setup, ...stores, replies, linker, maxMediaBytes, tuning: deps };
  const channels = (late.channels = await createChannelRegistry(deps.channels ?? CHANNELS, channelContext));
  const web = channels.get(webDefinition)?.web;
  if (!web) throw new Error('the web channel is always made');
  const telegram = channels.get(telegramDefinition)?.bot;
  const whatsapp = channels.get(whatsappWebDefinition)?.client;
  const whatsappCloud = channels.get(whatsappCloudDefinition)?.cloud;
  const http = createConfiguredHttpServer({ ...setup, web, dashboard, channels, simulatorAuth });

  const scheduler = await createAppScheduler({
    ...base,
    ...services,
    notifier: outbox,
    purge: {
      models,
      outbox,
      messageRefs,
      web,
      whatsapp: whatsapp ?? whatsappCloud ?? (await createWhatsAppRetention(conn)),
      ticketArchiveDays: services.escalationPolicy.feedback.reopenDays,
      officerLoads: tickets,
      countMarkers: createCountMarkerPruner({ counts: ticketCounts, tickets }),
      openWork: { reconcile: (now) => reconcileOpenWork({ tickets: history.Ticket, store: openWorkStore }, now) },
    },
    sendHandover: (firingTime) => shifts.sendHandover(firingTime),
    recover: () => recover(),
  });

  // Start and stop are not mirror images (src/lifecycle.ts): the HTTP server closes first, the outbox last.
  const openWorkPart = openWorkAtStart({
    tickets: history.Ticket,
    store: openWorkStore,
    logger: logger.child({ component: 'open-work' }),
    now: () => clock.now(),
  });
  const order = { Counter: models.Counter, district: config.DISTRICT_CODE };
  const counts = countsAtStart({ models, counts: ticketCounts, timeZone, logger, order });
  const outboxPart = outboxLifecycle(outbox, logger);
  const jobsPart = schedulerLifecycle(scheduler, config.JOBS_ENABLED);
  const httpPart = httpLifecycle({ http, simulatorAuth, logger, publicBaseUrl: config.PUBLIC_BASE_URL });
  // None waits for its platform: Telegram and WhatsApp Web connect in the background.
  const channelsPart = { name: 'channels', start: () => channels.startAll(), stop: () => channels.stopAll() };
  // A database from before the work markers is swept for owed work once, after the start (it reads the live tickets).
  const sweepPart = recoverySweepAtStart(recover, logger);
  const lifecycle = createLifecycle({
    start: [
      outboxPart,
      recoveryAtStart(recover, logger),
      counts,
      openWorkPart,
      jobsPart,
      httpPart,
      channelsPart,
      sweepPart,
    ],
    stop: [httpPart, channelsPart, jobsPart, sweepPart, outboxPart],
  });

  return {
    handler: replies.direct,
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
    countsReady: counts.ready,
    start: lifecycle.start,
    stop: lifecycle.stop,
  };
}

/** Load the default departments on first start, so routing works before anyone runs the script. */
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
