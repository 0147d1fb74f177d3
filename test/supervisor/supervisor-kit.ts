/**
 * The supervisor and shift modules wired as src/app.ts wires them, on a
 * private test database with a fixed clock: real stores, the ticket services
 * from src/ticket-services.ts, the real outbox (not dispatching, so what was
 * queued can be read back) and the real staff handler with the two modules
 * the staff router plugs in (createSupervisionModules).
 */
import path from 'node:path';
import { createFixedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createAppMetrics } from '../../src/metrics/app-metrics';
import { configuredAdminChats } from '../../src/staff/configured-admins';
import { createSupervisionModules } from '../../src/staff-router';
import { createTicketServices } from '../../src/ticket-services';
import { createEffectRunner } from '../../src/conversation/effect-runner';
import { renderReplies } from '../../src/core/render';
import type { InboundMessage } from '../../src/conversation/types';
import type { ConversationState } from '../../src/core/conversation-state';
import type { Reply } from '../../src/core/messages';
import { loadCatalog } from '../../src/domain/catalog-loader';
import { readDepartmentsFile } from '../../src/domain/department-loader';
import type { StaffIdentity, StaffRole } from '../../src/domain/roles';
import type { Ticket } from '../../src/domain/ticket';
import { createTranslator, type Language } from '../../src/i18n/create-i18n';
import { createLogger } from '../../src/logger';
import { createOutbox, type OutboxDeps } from '../../src/outbox/outbox';
import { createOutboxModel, type OutboxDoc } from '../../src/outbox/outbox-model';
import { createRosterStore } from '../../src/shifts/roster-store';
import { loadShiftPlan } from '../../src/shifts/shift-plan';
import { createStaffHandler, type StaffOutcome } from '../../src/staff/staff-handler';
import { createConversationStore } from '../../src/storage/conversation-store';
import { createModels } from '../../src/storage/models';
import type { StaffDoc } from '../../src/storage/staff-models';
import { createStaffStore, type StaffStore, type StaffStoreOptions } from '../../src/storage/staff-store';
import { createMessageRefStore } from '../../src/storage/message-ref-store';
import { createTicketStore } from '../../src/storage/ticket-store';
import { createDepartmentDirectory } from '../../src/tickets/department-directory';
import { createTicketMessages } from '../../src/tickets/ticket-messages';
import { captureLogs, FIXED_START } from '../support/test-app';
import { newStaff } from '../support/new-staff';
import { openTestDb } from '../support/test-db';
import { createTicketCountStore } from '../../src/storage/ticket-count-store';
import { createTicketFigures } from '../../src/reports/ticket-figures';
import { createCountRelay } from '../../src/tickets/count-relay';
import { createOpenWorkStore, createOpenWorkView } from '../../src/storage/open-work-store';

export const ROOT = path.resolve(__dirname, '../..');
export const FLOWS = path.join(ROOT, 'flows');
export const LOCALES = path.join(ROOT, 'locales');
/** The administrator by configuration (ADMIN_TELEGRAM_IDS). */
export const CONFIG_ADMIN_CHAT = '9000';

let chatCounter = 100;

export async function createSupervisorKit(
  opts: {
    start?: Date;
    outboxOptions?: Pick<OutboxDeps, 'pacing' | 'pollIntervalMs'>;
    /** Wraps the store the staff handler uses (fault injection); the kit's own helpers use the plain one. */
    wrapStaffStore?: (store: StaffStore) => StaffStore;
    staffStoreOptions?: StaffStoreOptions;
  } = {},
) {
  // No simulator: the configured administrator is the Telegram one alone.
  const config = loadConfig(
    { NODE_ENV: 'test', ADMIN_TELEGRAM_IDS: CONFIG_ADMIN_CHAT, SIMULATOR_ENABLED: 'false' },
    ROOT,
  );
  const adminChats = configuredAdminChats(config);
  const plan = loadShiftPlan(FLOWS);
  const db = await openTestDb();
  const { conn } = db;
  const clock = createFixedClock(opts.start ?? FIXED_START);
  const logs = captureLogs();
  const logger = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
  const translator = createTranslator(LOCALES);
  const catalog = loadCatalog(FLOWS);
  const models = await createModels(conn);
  const staffStore = createStaffStore(models, opts.staffStoreOptions);
  await staffStore.saveDepartments(readDepartmentsFile(path.join(FLOWS, 'departments.yaml')), clock.now());
  const tickets = createTicketStore(models, 'ALR');
  const ticketCounts = createTicketCountStore(models);
  const openWorkStore = createOpenWorkStore(models);
  const countRelay = createCountRelay({
    tickets,
    counts: ticketCounts,
    openWork: openWorkStore,
    now: () => clock.now(),
    logger,
  });
  const figures = createTicketFigures({
    counts: ticketCounts,
    timeZone: plan.timeZone,
    settle: () => countRelay.relayAll(),
  });
  const departments = createDepartmentDirectory(staffStore, clock);
  const messages = createTicketMessages({ translator, catalog });
  const outboxModels = await createOutboxModel(conn);
  const outbox = createOutbox({ models: outboxModels, logger, ...(opts.outboxOptions ?? {}) });
  // The ticket services as src/app.ts connects them (one copy of the wiring: src/ticket-services.ts).
  const services = await createTicketServices({
    config,
    conn,
    models,
    history: models,
    tickets,
    staff: staffStore,
    departments,
    conversations: createConversationStore(models),
    outbox,
    messages,
    catalog,
    shiftPlan: plan,
    figures,
    countRelay,
    // Open work from the read model, as the app reads it (the kit's changes are relayed before each read).
    openWork: createOpenWorkView(openWorkStore, () => countRelay.relayAll()),
    metrics: createAppMetrics(),
    clock,
    logger,
    adminChats,
  });
  const { ticketService, queries, reassign, reports, shifts } = services;
  const messageRefs = createMessageRefStore(models.MessageRef);
  // A reader of the roster the shift service keeps (the same collection).
  const rosterStore = createRosterStore(conn);
  const [supervisorModule, shiftModule] = createSupervisionModules({
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
    timeZone: plan.timeZone,
    figures,
    shifts,
  });
  const staffHandler = createStaffHandler({
    staff: opts.wrapStaffStore ? opts.wrapStaffStore(staffStore) : staffStore,
    tickets,
    ticketService,
    departments,
    messages,
    clock,
    logger,
    adminTelegramIds: config.ADMIN_TELEGRAM_IDS,
    inviteTtlHours: config.INVITE_TTL_HOURS,
    botUsername: () => 'jan_sahayak_test_bot',
    modules: [supervisorModule, shiftModule],
    reassign,
    messageRefs,
  });

  // Staff commands' notices run through the effect runner, as in the app (nothing here files tickets).
  const effects = createEffectRunner({
    tickets,
    catalog,
    intake: { file: () => Promise.reject(new Error('the supervisor kit files no tickets')) },
    notifier: outbox,
  });

  let updates = 0;
  let ticketSeq = 0;

  /** A staff member of a role, linked as an invite would link them. */
  async function addStaff(
    role: StaffRole,
    o: { department?: string; name?: string; language?: Language; chatId?: string } = {},
  ): Promise<StaffIdentity & { doc: StaffDoc; chatId: string }> {
    const chatId = o.chatId ?? String((chatCounter += 1));
    const doc = await staffStore.upsertStaff(
      newStaff(chatId, role, clock.now(), { department: o.department, name: o.name, language: o.language }),
    );
    const identity: StaffIdentity = {
      id: doc._id,
      role: doc.role,
      ...(doc.department ? { department: doc.department } : {}),
    };
    await staffStore.syncConversationRole(doc.identityKey, identity);
    return { ...identity, doc, chatId };
  }

  /** Insert a ticket as the intake would have stored it; fields not given get plain defaults. */
  async function seedTicket(
    t: Partial<Ticket> & Pick<Ticket, 'category' | 'department' | 'createdAt'>,
  ): Promise<Ticket> {
    ticketSeq += 1;
    const createdAt = t.createdAt;
    const { ticket } = await tickets.create({
      district: 'ALR',
      citizenId: t.citizenId ?? `citizen-${ticketSeq}`,
      channel: t.channel ?? 'telegram',
      chatId: t.chatId ?? String(500_000 + ticketSeq),
      language: t.language ?? 'hi',
      description: t.description ?? `शिकायत संख्या ${ticketSeq}`,
      attachments: t.attachments ?? [],
      status: t.status ?? 'new',
      ackDueAt: t.ackDueAt ?? new Date(createdAt.getTime() + 24 * 3_600_000),
      resolveDueAt: t.resolveDueAt ?? new Date(createdAt.getTime() + 72 * 3_600_000),
      updatedAt: t.updatedAt ?? createdAt,
      history: t.history ?? [
        { at: createdAt, by: { kind: 'citizen', id: `citizen-${ticketSeq}` }, action: 'created', to: 'new' },
      ],
      intake: t.intake ?? 'telegram',
      level: t.level ?? 1,
      reopenCount: t.reopenCount ?? 0,
      idempotencyKey: `seed:${ticketSeq}`,
      ...t,
    });
    // As the recovery pass would within a minute: the new ticket's owed counts go into the counters.
    await countRelay.relayAll();
    return ticket;
  }

  function message(chatId: string, content: InboundMessage['content']): InboundMessage {
    updates += 1;
    return { channel: 'telegram', chatId, updateKey: `u${updates}`, receivedAt: clock.now(), content };
  }

  /** Run one command through the staff handler as `who`; the outcome and its replies in words. */
  async function send(
    who: { chatId: string; identity?: StaffIdentity },
    content: InboundMessage['content'],
    lang: Language = 'hi',
  ): Promise<{
    outcome: StaffOutcome | undefined;
    texts: string[];
    rendered: ReturnType<typeof renderReplies>;
    msg: InboundMessage;
  }> {
    const state: ConversationState = { language: lang, quota: { day: '', count: 0 } };
    const msg = message(who.chatId, content);
    const outcome = await staffHandler.handle(msg, state, who.identity);
    if (outcome?.effects?.length)
      await effects.run(outcome.effects, { msg, citizenId: `staff-${who.chatId}`, language: lang });
    const rendered = outcome ? renderReplies(translator, lang, outcome.replies) : [];
    return { outcome, texts: rendered.map((r) => r.text), rendered, msg };
  }

  const command = (who: { chatId: string; identity?: StaffIdentity }, name: string, args = '', lang: Language = 'hi') =>
    send(who, { kind: 'command', command: name, args }, lang);

  const words = (lang: Language, replies: Reply[]) => renderReplies(translator, lang, replies).map((r) => r.text);

  return {
    db,
    conn,
    clock,
    logs: logs.lines,
    logger,
    translator,
    catalog,
    models,
    staffStore,
    tickets,
    departments,
    messages,
    outbox,
    outboxModels,
    ticketService,
    queries,
    reassign,
    messageRefs,
    reports,
    plan,
    rosterStore,
    shifts,
    supervisorModule,
    shiftModule,
    staffHandler,
    effects,
    addStaff,
    seedTicket,
    /** The figures read from the ticket counters (as /stats and the dashboard read them). */
    figures,
    ticketCounts,
    send,
    command,
    words,
    /** Everything queued in the outbox, oldest first. */
    queued: (): Promise<OutboxDoc[]> => outboxModels.Message.find().sort({ seq: 1 }).lean<OutboxDoc[]>().exec(),
    close: () => db.close(),
  };
}

export type SupervisorKit = Awaited<ReturnType<typeof createSupervisorKit>>;

/** An identity for one of the kit's people, as the handler receives it. */
export function who(p: { chatId: string; id: string; role: StaffRole; department?: string }): {
  chatId: string;
  identity: StaffIdentity;
} {
  return {
    chatId: p.chatId,
    identity: { id: p.id, role: p.role, ...(p.department ? { department: p.department } : {}) },
  };
}
