import type { Message } from 'grammy/types';
import { createFakeTelegramApi, type FakeTelegramApi, type RecordedCall, textOf } from '../support/fake-telegram-api';
import { callbackQuery, command, textMessage } from '../support/telegram-updates';
import { createTestApp, type TestApp } from '../support/test-app';

const TOKEN = '123456789:LOOP-token-abcdefghijklmnopqrstuvwxyz';
const ADMIN = 9001;
const FOOD_OFFICER = 9101;
const HEALTH_OFFICER = 9201;
const CITIZEN = 424242;

function buttons(call: RecordedCall | undefined): string[] {
  const markup = call?.params.reply_markup as { inline_keyboard?: Array<Array<{ callback_data: string }>> } | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data);
}

describe('the officer loop over Telegram', () => {
  let api: FakeTelegramApi;
  let t: TestApp;
  const hi = (key: string, params?: Record<string, unknown>) => t.translator.t('hi', key, params);

  async function join(chat: number, role: string, dept: string): Promise<void> {
    const [created] = await api.exchange(command(ADMIN, '/invite', `${role} ${dept}`), ADMIN, 1);
    const code = /([A-Z2-9]{13})\n/.exec(textOf(created))?.[1];
    expect(code).toBeDefined();
    expect(textOf(created)).toContain(`https://t.me/jan_sahayak_test_bot?start=${code}`);
    const welcome = await api.exchange(command(chat, '/start', code), chat, 2);
    expect(textOf(welcome[0])).toContain(t.translator.t('hi', `staff.role.${role}`));
    // The code works once.
    const again = await api.exchange(command(chat + 50, '/start', code), chat + 50, 1);
    expect(textOf(again[0])).toBe(hi('staff.invite_invalid'));
  }

  async function fileComplaint(): Promise<string> {
    await api.exchange(command(CITIZEN, '/new'), CITIZEN, 1);
    await api.exchange(callbackQuery(CITIZEN, 'category|ration'), CITIZEN, 1);
    await api.exchange(callbackQuery(CITIZEN, 'block|jobat'), CITIZEN, 1);
    await api.exchange(textMessage(CITIZEN, 'Ward 5'), CITIZEN, 1);
    await api.exchange(textMessage(CITIZEN, 'राशन की दुकान दस दिन से बंद है'), CITIZEN, 1);
    await api.exchange(callbackQuery(CITIZEN, 'phone|skip'), CITIZEN, 1);
    const before = api.sent(CITIZEN).length;
    api.pushUpdate(callbackQuery(CITIZEN, 'summary|submit'));
    // The reply and the outbox's "assigned" notice may arrive in either order.
    const receipt = await api.waitFor(
      () =>
        api
          .sent(CITIZEN)
          .slice(before)
          .find((c) => textOf(c).startsWith('✅')),
      10_000,
    );
    const ref = /(ALR-\d{6})/.exec(textOf(receipt))?.[1] as string;
    expect(ref).toBeDefined();
    await api.waitFor(
      () => api.sent(CITIZEN).find((c) => textOf(c).includes(ref) && textOf(c).startsWith('📨')),
      10_000,
    );
    return ref;
  }

  beforeEach(async () => {
    api = createFakeTelegramApi({ token: TOKEN });
    const { apiRoot } = await api.start();
    t = await createTestApp({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      ADMIN_TELEGRAM_IDS: String(ADMIN),
    });
    await t.app.start();
  });

  afterEach(async () => {
    await t.close();
    await api.stop();
  });

  test('invite, file, notify, ask, answer, update by reply, resolve — and a wrong department is refused', async () => {
    await join(FOOD_OFFICER, 'officer', 'FOOD');
    await join(HEALTH_OFFICER, 'officer', 'HEALTH');

    const ref = await fileComplaint();
    // The officer's card: reference, category, place, description, buttons.
    const card = (await api.waitForSent(FOOD_OFFICER, 3, 10_000))[2];
    expect(textOf(card)).toContain(ref);
    expect(textOf(card)).toContain('राशन की दुकान दस दिन से बंद है');
    expect(textOf(card)).toContain(hi('staff.ticket.phone_hidden'));
    expect(buttons(card)).toEqual([
      `tk|ack:${ref}`,
      `tk|ask:${ref}`,
      `tk|update:${ref}`,
      `tk|resolve:${ref}`,
      `tk|transfer:${ref}`,
    ]);
    // The citizen hears it was assigned, in Hindi.
    const assigned = api.sent(CITIZEN).find((c) => textOf(c).startsWith('📨'));
    expect(textOf(assigned)).toContain(ref);
    expect(textOf(assigned)).toContain('खाद्य');

    // Another department's officer is refused, and the attempt is logged.
    const [refusal] = await api.exchange(command(HEALTH_OFFICER, '/ack', ref), HEALTH_OFFICER, 1);
    expect(textOf(refusal)).toBe(hi('staff.forbidden_ticket', { ref }));
    expect(t.logs().some((l) => l.includes('"event":"staff_forbidden"'))).toBe(true);

    // A citizen typing a staff command gets the citizen menu.
    const citizenTry = await api.exchange(command(CITIZEN, '/resolve', `${ref} done`), CITIZEN, 2);
    expect(buttons(citizenTry[1])).toContain('menu|new');

    // Acknowledge by button.
    await api.exchange(callbackQuery(FOOD_OFFICER, `tk|ack:${ref}`, card?.result as Message), FOOD_OFFICER, 1);
    const ackNotice = await api.waitFor(
      () => api.sent(CITIZEN).find((c) => textOf(c).includes(hi('notify.acknowledged', { ref }))),
      10_000,
    );
    expect(ackNotice).toBeDefined();

    // Ask by button then text; the citizen's next message is the answer.
    const [askPrompt] = await api.exchange(callbackQuery(FOOD_OFFICER, `tk|ask:${ref}`), FOOD_OFFICER, 1);
    expect(textOf(askPrompt)).toBe(hi('staff.pending.ask', { ref }));
    await api.exchange(textMessage(FOOD_OFFICER, 'दुकान का नाम क्या है?'), FOOD_OFFICER, 1);
    await api.waitFor(() => api.sent(CITIZEN).find((c) => textOf(c).includes('दुकान का नाम क्या है?')), 10_000);
    const [thanks] = await api.exchange(textMessage(CITIZEN, 'गुप्ता राशन स्टोर'), CITIZEN, 1);
    expect(textOf(thanks)).toBe(hi('notify.answer_forwarded', { ref }));
    const forwarded = await api.waitFor(
      () => api.sent(FOOD_OFFICER).find((c) => textOf(c).includes('गुप्ता राशन स्टोर')),
      10_000,
    );
    expect(textOf(forwarded)).toContain(ref);

    // Replying to the card with plain text is an update.
    const [updated] = await api.exchange(
      textMessage(FOOD_OFFICER, 'कल निरीक्षण होगा', { replyTo: card?.result as Message }),
      FOOD_OFFICER,
      1,
    );
    expect(textOf(updated)).toBe(hi('staff.done.update', { ref, department: '' }));
    await api.waitFor(() => api.sent(CITIZEN).find((c) => textOf(c).includes('कल निरीक्षण होगा')), 10_000);

    // A reply to a message that only quotes the reference (the bot's own confirmation) is no update: a hint instead.
    const [hint] = await api.exchange(
      textMessage(FOOD_OFFICER, 'यह नागरिक को नहीं जाना चाहिए', { replyTo: updated?.result as Message }),
      FOOD_OFFICER,
      1,
    );
    expect(textOf(hint)).toBe(hi('staff.reply_hint'));

    // Resolve by command; the citizen gets the note.
    await api.exchange(command(FOOD_OFFICER, '/resolve', `${ref} दुकान खुलवा दी गई`), FOOD_OFFICER, 1);
    const resolved = await api.waitFor(
      () => api.sent(CITIZEN).find((c) => textOf(c).includes('दुकान खुलवा दी गई')),
      10_000,
    );
    expect(textOf(resolved)).toBe(hi('notify.resolved', { ref, text: 'दुकान खुलवा दी गई' }));

    // The history tells who did what, in order, and was only appended to.
    const ticket = await t.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket?.status).toBe('resolved');
    expect(ticket?.history.map((h) => [h.action, h.by.kind, h.by.role ?? null])).toEqual([
      ['created', 'citizen', null],
      ['assign', 'system', null],
      ['acknowledge', 'staff', 'officer'],
      ['ask', 'staff', 'officer'],
      ['citizen_reply', 'citizen', null],
      ['update', 'staff', 'officer'],
      ['resolve', 'staff', 'officer'],
    ]);
    const officerDoc = await t.app.models.Staff.findOne({ chatId: String(FOOD_OFFICER) }).lean();
    expect(ticket?.assignedTo).toBe(officerDoc?._id);
    expect(ticket?.history[2]?.by.id).toBe(officerDoc?._id);
  });

  test('transfer moves the ticket, tells the citizen and the new department; revoke removes a role at once', async () => {
    await join(FOOD_OFFICER, 'officer', 'FOOD');
    await join(HEALTH_OFFICER, 'officer', 'HEALTH');
    const ref = await fileComplaint();
    await api.waitForSent(FOOD_OFFICER, 3, 10_000);

    await api.exchange(command(FOOD_OFFICER, '/transfer', `${ref} HEALTH बीमारी से जुड़ा मामला`), FOOD_OFFICER, 1);
    const incoming = await api.waitFor(() => api.sent(HEALTH_OFFICER).find((c) => textOf(c).includes(ref)), 10_000);
    expect(textOf(incoming)).toContain('बीमारी से जुड़ा मामला');
    await api.waitFor(
      () =>
        api
          .sent(CITIZEN)
          .find((c) => textOf(c).includes(hi('notify.transferred', { ref, department: 'स्वास्थ्य विभाग' }))),
      10_000,
    );
    const moved = await t.app.models.Ticket.findOne({ ref }).lean();
    expect(moved?.department).toBe('HEALTH');

    // The old department can no longer act on it.
    const [no] = await api.exchange(command(FOOD_OFFICER, '/ack', ref), FOOD_OFFICER, 1);
    expect(textOf(no)).toBe(hi('staff.forbidden_ticket', { ref }));

    const health = await t.app.models.Staff.findOne({ chatId: String(HEALTH_OFFICER) }).lean();
    // The reply, and (through the outbox, in either order) the alert that the moved ticket has no officer.
    const before = api.sent(ADMIN).length;
    api.pushUpdate(command(ADMIN, '/revoke', String(health?._id)));
    const revoked = await api.waitFor(
      () =>
        api
          .sent(ADMIN)
          .slice(before)
          .find((c) => textOf(c).includes(String(health?._id))),
      10_000,
    );
    expect(textOf(revoked)).toContain(String(health?._id));
    await api.waitFor(() => api.sent(HEALTH_OFFICER).find((c) => textOf(c) === hi('staff.revoked_notice')), 10_000);
    // Now a citizen: staff commands get the citizen menu.
    const after = await api.exchange(command(HEALTH_OFFICER, '/ack', ref), HEALTH_OFFICER, 2);
    expect(buttons(after[1])).toContain('menu|new');
  });

  test('least-loaded assignment spreads tickets over a department’s officers', async () => {
    await join(FOOD_OFFICER, 'officer', 'FOOD');
    await join(FOOD_OFFICER + 1, 'officer', 'FOOD');
    const first = await fileComplaint();
    const second = await fileComplaint();
    const docs = await t.app.models.Ticket.find({ ref: { $in: [first, second] } }).lean();
    expect(new Set(docs.map((d) => d.assignedTo)).size).toBe(2);
  });
});
