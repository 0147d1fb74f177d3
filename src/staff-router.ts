import type { Clock } from './clock';
import type { Config } from './config';
import type { ChannelRegistry } from './channels/channel-registry';
import { telegramDefinition } from './channels/telegram/telegram-definition';
import { whatsappWebDefinition } from './channels/whatsapp/whatsapp-definition';
import { createWhatsAppAdminModule } from './channels/whatsapp/whatsapp-admin-module';
import type { Flow } from './conversation/flow-definition';
import type { Dashboard } from './dashboard/dashboard';
import type { Catalog } from './domain/catalog';
import { createEscalateCommand } from './supervisor/escalate-command';
import type { EscalationService } from './escalation/escalation-service';
import type { SimulatorAuth } from './http/simulator-auth';
import { createSimulatorCommand } from './http/simulator-command';
import { SIMULATOR_LINK_TTL_MS } from './http/simulator-login';
import type { Translator } from './i18n/create-i18n';
import { createCallModule } from './operator/call-module';
import type { Outbox } from './outbox/outbox';
import type { ShiftService } from './shifts/shift-service';
import { createShiftModule } from './shifts/shift-commands';
import { createStaffHandler, type StaffCommandModule, type StaffHandlerDeps } from './staff/staff-handler';
import { createFailedDeliveriesModule } from './supervisor/failed-deliveries';
import { createSupervisorModule, type SupervisorModuleDeps } from './supervisor/supervisor-module';
import type { Logger } from 'pino';

/** What {@link createStaffRouter} needs: the router's own deps and each command module's. */
export interface StaffRouterDeps
  extends
    Pick<StaffHandlerDeps, 'staff' | 'tickets' | 'ticketService' | 'departments' | 'messages' | 'messageRefs'>,
    Omit<SupervisorModuleDeps, 'timeZone' | 'exportMaxRows'> {
  config: Pick<
    Config,
    'ADMIN_TELEGRAM_IDS' | 'adminWebIds' | 'INVITE_TTL_HOURS' | 'MAX_TICKETS_PER_DAY' | 'PUBLIC_BASE_URL'
  >;
  flow: Flow;
  catalog: Catalog;
  translator: Translator;
  timeZone: string;
  counsellor: { module: StaffCommandModule };
  escalation: Pick<EscalationService, 'escalate'>;
  shifts: ShiftService;
  dashboard: Pick<Dashboard, 'module'>;
  outbox: Pick<Outbox, 'failedRecent'>;
  simulatorAuth?: SimulatorAuth;
  /** The server's own address once it listens (links when PUBLIC_BASE_URL is unset). */
  serverUrl: () => string;
  /** The channels, made after the router (whose handler they call); reached only when a command runs. */
  channels: () => ChannelRegistry | undefined;
  clock: Clock;
  logger: Logger;
}

/**
 * The staff router with every staff command module, in the order `/help`
 * lists them. A new area of staff commands is one line in `modules` below
 * (its module in its own folder, ARCHITECTURE.md "Where to add things").
 * @example const staff = createStaffRouter({ ...deps, channels: () => late.channels });
 */
export function createStaffRouter(deps: StaffRouterDeps): ReturnType<typeof createStaffHandler> {
  const { config, flow, catalog, translator, clock, logger } = deps;
  const labelsOf = (key: string) => translator.allOf(key);
  const modules: StaffCommandModule[] = [
    deps.counsellor.module,
    createCallModule({
      flow,
      engineContext: () => ({ now: clock.now(), catalog, labelsOf, maxTicketsPerDay: config.MAX_TICKETS_PER_DAY }),
      skipWords: flow.vocabulary.skip,
    }),
    createEscalateCommand({ escalation: deps.escalation }),
    ...createSupervisionModules(deps),
    deps.dashboard.module,
    createFailedDeliveriesModule({ outbox: deps.outbox }),
    createSimulatorCommand({
      ...(deps.simulatorAuth ? { auth: deps.simulatorAuth } : {}),
      linkTtlMs: SIMULATOR_LINK_TTL_MS,
      clock,
      logger,
      baseUrl: () => config.PUBLIC_BASE_URL ?? deps.serverUrl(),
    }),
    createWhatsAppAdminModule({ channel: () => deps.channels()?.get(whatsappWebDefinition)?.client }),
  ];
  return createStaffHandler({
    staff: deps.staff,
    tickets: deps.tickets,
    ticketService: deps.ticketService,
    departments: deps.departments,
    messages: deps.messages,
    clock,
    logger,
    adminTelegramIds: config.ADMIN_TELEGRAM_IDS,
    adminWebIds: config.adminWebIds,
    inviteTtlHours: config.INVITE_TTL_HOURS,
    botUsername: () => {
      const bot = deps.channels()?.get(telegramDefinition)?.bot;
      return bot?.isInited() ? bot.botInfo.username : undefined;
    },
    ...(deps.messageRefs ? { messageRefs: deps.messageRefs } : {}),
    reassign: deps.reassign,
    modules,
  });
}

/**
 * The supervisor's commands and the shift commands, as the router plugs them
 * in (test/supervisor/supervisor-kit.ts plugs in the same two, through this).
 * @example createStaffHandler({ ...deps, modules: createSupervisionModules({ ...supervisorDeps, shifts }) })
 */
export function createSupervisionModules(
  deps: SupervisorModuleDeps & { shifts: ShiftService },
): [supervisor: StaffCommandModule, shifts: StaffCommandModule] {
  return [
    createSupervisorModule(deps),
    createShiftModule({ shifts: deps.shifts, translator: deps.translator, clock: deps.clock }),
  ];
}
