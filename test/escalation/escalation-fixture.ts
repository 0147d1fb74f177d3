import { randomUUID } from 'node:crypto';
import { findCategory, type Catalog } from '../../src/domain/catalog';
import { loadCatalog } from '../../src/domain/catalog-loader';
import type { StaffIdentity, StaffRole } from '../../src/domain/roles';
import type { Ticket } from '../../src/domain/ticket';
import { dueDates, loadEscalationPolicy, type EscalationPolicy } from '../../src/escalation/escalation-policy';
import { createEscalationService, type EscalationService } from '../../src/escalation/escalation-service';
import { createEscalationStore } from '../../src/escalation/escalation-store';
import { createFeedbackService, type FeedbackService } from '../../src/feedback/feedback-service';
import { createFeedbackStore } from '../../src/feedback/feedback-store';
import { createLogger } from '../../src/logger';
import type { OutboxDoc } from '../../src/outbox/outbox-model';
import type { StaffDoc } from '../../src/storage/staff-models';
import { createStaffStore, type StaffStore } from '../../src/storage/staff-store';
import { createTicketStore, type TicketStore } from '../../src/storage/ticket-store';
import { createDepartmentDirectory } from '../../src/tickets/department-directory';
import { createTicketMessages, type TicketMessages } from '../../src/tickets/ticket-messages';
import { createNoticeRelay } from '../../src/tickets/notice-relay';
import { newTicket } from '../support/new-ticket';
import { newStaff } from '../support/new-staff';
import { captureLogs, createTestApp, type TestApp } from '../support/test-app';

/** The chat configured in ADMIN_TELEGRAM_IDS. */
export const ADMIN_CHAT = '9001';
export const CITIZEN_CHAT = '424242';
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The real application plus escalation and feedback wired the way src/app.ts will wire them. */
export interface EscalationFixture {
  t: TestApp;
  catalog: Catalog;
  policy: EscalationPolicy;
  staff: StaffStore;
  tickets: TicketStore;
  messages: TicketMessages;
  escalation: EscalationService;
  feedback: FeedbackService;
  /** What the roster says is on duty now (the level-3 rule); empty means no roster answer. */
  onDuty: StaffDoc[];
  logs: () => string[];
  hi(key: string, params?: Record<string, unknown>): string;
  /** Link a staff member; the clock moves a second so that join order is stable. */
  addStaff(chatId: string, role: StaffRole, department?: string): Promise<StaffDoc>;
  identity(s: StaffDoc): StaffIdentity;
  /** File a complaint now (deadlines from its category) and route it as the app does. */
  fileTicket(opts?: { category?: string; citizenChat?: string }): Promise<Ticket>;
  ticket(ref: string): Promise<Ticket>;
  /** Every outbox document, in the order they were recorded. */
  outbox(): Promise<OutboxDoc[]>;
  /** Texts recorded for one chat, in order. */
  textsTo(chatId: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function createEscalationFixture(): Promise<EscalationFixture> {
  const t = await createTestApp({ ADMIN_TELEGRAM_IDS: ADMIN_CHAT });
  const catalog = loadCatalog(t.config.flowsDirAbs);
  const policy = loadEscalationPolicy(t.config.flowsDirAbs, catalog.categories);
  const staff = createStaffStore(t.app.models);
  const tickets = createTicketStore(t.app.models, t.config.DISTRICT_CODE);
  const departments = createDepartmentDirectory(staff, t.clock);
  const messages = createTicketMessages({ translator: t.translator, catalog });
  const captured = captureLogs();
  const logger = createLogger({ level: 'debug', pretty: false, destination: captured.stream });
  const adminChats = [{ channel: 'telegram' as const, chatId: ADMIN_CHAT }];
  const onDuty: StaffDoc[] = [];
  const relay = createNoticeRelay({ tickets, notifier: t.app.outbox, logger });
  const escalation = createEscalationService({
    store: createEscalationStore(t.app.models),
    staff,
    departments,
    notifier: t.app.outbox,
    relay,
    messages,
    catalog,
    policy,
    clock: t.clock,
    logger,
    adminChats,
    onDutySupervisors: async () => onDuty,
  });
  const feedback = createFeedbackService({
    tickets,
    store: createFeedbackStore(t.app.models),
    staff,
    departments,
    relay,
    messages,
    catalog,
    policy,
    escalation,
    clock: t.clock,
    logger,
    adminChats,
  });
  const outbox = async () =>
    (await t.db.conn.collection<OutboxDoc>('outbox').find().sort({ seq: 1 }).toArray()) as OutboxDoc[];

  return {
    t,
    catalog,
    policy,
    staff,
    tickets,
    messages,
    escalation,
    feedback,
    onDuty,
    logs: captured.lines,
    hi: (key, params) => t.translator.t('hi', key, params),
    async addStaff(chatId, role, department) {
      t.clock.advance(1000);
      return staff.upsertStaff(newStaff(chatId, role, t.clock.now(), { department }));
    },
    identity: (s) => ({ id: s._id, role: s.role, ...(s.department ? { department: s.department } : {}) }),
    async fileTicket(opts = {}) {
      const category = findCategory(catalog, opts.category ?? 'ration');
      if (!category) throw new Error(`no category ${opts.category}`);
      const now = t.clock.now();
      const chatId = opts.citizenChat ?? CITIZEN_CHAT;
      const { ticket } = await tickets.create(
        newTicket(0, now, {
          idempotencyKey: randomUUID(),
          district: 'alirajpur',
          citizenId: `citizen-${chatId}`,
          chatId,
          category: category.id,
          department: category.department,
          block: 'jobat',
          locality: 'Ward 5',
          description: 'राशन की दुकान दस दिन से बंद है',
          ...dueDates(now, category.sla),
          history: [{ at: now, by: { kind: 'citizen', id: `citizen-${chatId}` }, action: 'created', to: 'new' }],
          routePending: true,
        }),
      );
      return t.app.tickets.route(ticket);
    },
    async ticket(ref) {
      const found = await tickets.findByRef(ref);
      if (!found) throw new Error(`no ticket ${ref}`);
      return found;
    },
    outbox,
    async textsTo(chatId) {
      return (await outbox()).filter((d) => d.chatId === chatId).map((d) => d.message.text);
    },
    close: () => t.close(),
  };
}
