import { parse } from 'csv-parse/sync';
import type { Bot } from 'grammy';
import type { Message } from 'grammy/types';
import { createTelegramBot } from '../../src/channels/telegram/telegram-bot';
import { createReplyPolicy } from '../../src/channels/reply-policy';
import { loadFlow } from '../../src/conversation/flow-definition';
import { createInboundHandler } from '../../src/conversation/inbound-handler';
import type { EffectRunner } from '../../src/conversation/effect-runner';
import { createTelegramSender } from '../../src/channels/telegram/telegram-sender';
import { createConversationStore } from '../../src/storage/conversation-store';
import { EXPORT_COLUMNS } from '../../src/supervisor/ticket-export';
import {
  createFakeTelegramApi,
  type FakeTelegramApi,
  type RecordedCall,
  textOf,
  type UploadedFile,
} from '../support/fake-telegram-api';
import { callbackQuery, command } from '../support/telegram-updates';
import { FAST_OUTBOX } from '../support/test-app';
import { ist, seedStandardSet, TRICKY_DESCRIPTION, type StandardSet } from './seed-tickets';
import { CONFIG_ADMIN_CHAT, createSupervisorKit, FLOWS, type SupervisorKit } from './supervisor-kit';

const TOKEN = '123456789:SUPERVISOR-token-abcdefghijklmnop';
const ADMIN = Number(CONFIG_ADMIN_CHAT);
const SUPERVISOR = 9301;
const FOOD_OFFICER = 9302;
const HEALTH_OFFICER = 9303;

const buttons = (call: RecordedCall | undefined) =>
  (
    (call?.params.reply_markup as { inline_keyboard?: Array<Array<{ callback_data: string }>> } | undefined)
      ?.inline_keyboard ?? []
  )
    .flat()
    .map((b) => b.callback_data);

/**
 * The supervisor and shift modules behind the real grammY bot, the real
 * inbound handler and the outbox's Telegram sender, against the fake Bot API:
 * what a supervisor's phone would show.
 */
describe('supervisor commands over Telegram', () => {
  let api: FakeTelegramApi;
  let kit: SupervisorKit;
  let bot: Bot;
  let polling: Promise<void>;
  let set: StandardSet;
  const hi = (key: string, params?: Record<string, unknown>) => kit.translator.t('hi', key, params);

  async function join(chat: number, role: string, dept = ''): Promise<string> {
    const [created] = await api.exchange(command(ADMIN, '/invite', `${role} ${dept}`.trim()), ADMIN, 1);
    const code = /([A-Z2-9]{13})\n/.exec(textOf(created))?.[1];
    await api.exchange(command(chat, '/start', code), chat, 1);
    const doc = await kit.models.Staff.findOne({ chatId: String(chat) }).lean();
    return String(doc?._id);
  }

  beforeAll(async () => {
    api = createFakeTelegramApi({ token: TOKEN });
    const { apiRoot } = await api.start();
    kit = await createSupervisorKit({ outboxOptions: FAST_OUTBOX });
    // Only staff write in this test: the kit's runner carries their notices (it files no tickets).
    const effects: EffectRunner = kit.effects;
    const handler = createInboundHandler({
      flow: loadFlow(FLOWS, 'citizen-intake'),
      catalog: kit.catalog,
      translator: kit.translator,
      conversations: createConversationStore(kit.models),
      effects,
      clock: kit.clock,
      logger: kit.logger,
      maxTicketsPerDay: 5,
      staff: kit.staffHandler,
    });
    bot = createTelegramBot({
      token: TOKEN,
      apiRoot,
      handler: createReplyPolicy({
        handler,
        outbox: kit.outbox,
        senderOf: (c) => kit.outbox.senderOf(c),
        settle: async () => undefined,
        logger: kit.logger,
      }).direct,
      clock: kit.clock,
      logger: kit.logger,
      botInfo: api.botInfo,
    });
    kit.outbox.registerSender(createTelegramSender({ api: bot.api }));
    kit.outbox.start();
    await new Promise<void>((resolve) => {
      polling = bot.start({ onStart: () => resolve() });
    });
    const supervisorId = await join(SUPERVISOR, 'supervisor');
    const foodId = await join(FOOD_OFFICER, 'officer', 'FOOD');
    const healthId = await join(HEALTH_OFFICER, 'officer', 'HEALTH');
    const operator = await kit.addStaff('operator');
    set = await seedStandardSet(kit, { foodOfficer: foodId, healthOfficer: healthId, operator: operator.id });
    await kit.shifts.setRoster({ shift: 'evening', role: 'supervisor', people: [supervisorId], by: 'test' });
  });

  afterAll(async () => {
    if (bot.isRunning()) await bot.stop();
    await polling;
    await kit.outbox.stop();
    await api.stop();
    await kit.close();
  });

  test('/pending pages with inline buttons; the next page comes on a tap', async () => {
    const [first] = await api.exchange(command(SUPERVISOR, '/pending', 'FOOD'), SUPERVISOR, 1);
    expect(textOf(first)).toContain('पेज 1/2');
    expect(buttons(first)).toEqual(['svp|p:FOOD:2']);
    const [second] = await api.exchange(
      callbackQuery(SUPERVISOR, 'svp|p:FOOD:2', first?.result as Message),
      SUPERVISOR,
      1,
    );
    expect(textOf(second)).toContain('पेज 2/2');
    expect(buttons(second)).toEqual(['svp|p:FOOD:1']);
  });

  test('/ticket shows details and history; the supervisor can act from its buttons', async () => {
    const [details, history] = await api.exchange(command(SUPERVISOR, '/ticket', set.t2.ref), SUPERVISOR, 2);
    expect(textOf(details)).toContain(`🎫 ${set.t2.ref}`);
    expect(textOf(history)).toContain(hi('supervisor.history.action.created'));
    const [done] = await api.exchange(
      callbackQuery(SUPERVISOR, `tk|ack:${set.t2.ref}`, details?.result as Message),
      SUPERVISOR,
      1,
    );
    expect(textOf(done)).toBe(hi('staff.done.acknowledge', { ref: set.t2.ref, department: '' }));
  });

  test('/export sends a CSV document that opens with Hindi intact', async () => {
    const [queued] = await api.exchange(command(SUPERVISOR, '/export', '01-11-2026'), SUPERVISOR, 1);
    expect(textOf(queued)).toContain('📄');
    const doc = await api.waitFor(() => api.sent(SUPERVISOR).find((c) => c.method === 'sendDocument'), 10_000);
    const file = doc.params.document as UploadedFile;
    expect(file.fileName).toBe('complaints_2026-11-01_2026-11-28.csv');
    expect(textOf(doc)).toContain('IST');
    const rows: string[][] = parse(file.bytes, { bom: true });
    expect(rows[0]?.[EXPORT_COLUMNS.indexOf('description')]).toBe('विवरण');
    expect(rows.find((r) => r[0] === set.t7.ref)?.[EXPORT_COLUMNS.indexOf('description')]).toBe(TRICKY_DESCRIPTION);
    expect(rows).toHaveLength(1 + set.all.filter((t) => t.createdAt >= ist('2026-11-01', '00:00')).length);
  });

  test('/assign sends the card to the new officer', async () => {
    await api.exchange(command(SUPERVISOR, '/assign', `${set.t1.ref} HEALTH`), SUPERVISOR, 1);
    const card = await api.waitFor(
      () =>
        api
          .sent(HEALTH_OFFICER)
          .find((c) => textOf(c).includes(hi('supervisor.assign.card_header', { ref: set.t1.ref }))),
      10_000,
    );
    expect(buttons(card)).toContain(`tk|ack:${set.t1.ref}`);
    const notice = await api.waitFor(() => api.sent(FOOD_OFFICER).find((c) => textOf(c).includes(set.t1.ref)), 10_000);
    expect(textOf(notice)).toBe(hi('supervisor.assign.moved_away', { ref: set.t1.ref, department: 'स्वास्थ्य विभाग' }));
  });

  test('the incoming supervisor receives the hand-over at the shift change', async () => {
    await kit.shifts.sendHandover(ist('2026-11-28', '14:00'));
    const handover = await api.waitFor(() => api.sent(SUPERVISOR).find((c) => textOf(c).startsWith('🔄')), 10_000);
    expect(textOf(handover)).toContain(hi('shifts.name.evening'));
    expect(textOf(handover)).toContain(hi('shifts.name.morning'));
  });

  test('an officer asking for /stats is refused politely', async () => {
    const [no] = await api.exchange(command(FOOD_OFFICER, '/stats'), FOOD_OFFICER, 1);
    expect(textOf(no)).toBe(hi('staff.forbidden'));
  });
});
