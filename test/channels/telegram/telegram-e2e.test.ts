import type { FakeTelegramApi, RecordedCall } from '../../support/fake-telegram-api';
import { startTelegramTestApp } from '../../support/telegram-test-app';
import {
  callbackQuery,
  command,
  contactMessage,
  stickerMessage,
  textMessage,
  voiceMessage,
} from '../../support/telegram-updates';
import type { TestApp } from '../../support/test-app';

const CITIZEN = 424242;

/** Button data of the inline keyboard of a recorded sendMessage call. */
function buttonData(call: RecordedCall | undefined): string[] {
  const markup = call?.params.reply_markup as { inline_keyboard?: Array<Array<{ callback_data: string }>> } | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data);
}

describe('Telegram end to end through the real grammY bot and a fake Bot API', () => {
  let api: FakeTelegramApi;
  let t: TestApp;

  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ api, t, close } = await startTelegramTestApp());
  });
  afterEach(() => close());

  test('a citizen goes from /start to a stored ticket, with buttons and typed answers', async () => {
    const hi = (key: string) => t.translator.t('hi', key);
    api.pushUpdate(command(CITIZEN, '/start'));
    const [greeting, categoryPrompt] = await api.waitForSent(CITIZEN, 2);
    expect(greeting?.params.text).toContain('112');
    expect(buttonData(greeting)).toEqual(['lang|en']);
    expect(buttonData(categoryPrompt)).toContain('category|ration');

    // The press is answered (spinner stops) and advances the flow.
    const press = api.pushUpdate(callbackQuery(CITIZEN, 'category|ration', categoryPrompt?.result as never));
    await api.waitForSent(CITIZEN, 3);
    expect(
      api.calls.some(
        (c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === press.callback_query?.id,
      ),
    ).toBe(true);

    api.pushUpdate(textMessage(CITIZEN, 'Jobat'));
    await api.waitForSent(CITIZEN, 4);
    api.pushUpdate(textMessage(CITIZEN, 'वार्ड 7'));
    await api.waitForSent(CITIZEN, 5);
    api.pushUpdate(stickerMessage(CITIZEN));
    const [sorry, again] = (await api.waitForSent(CITIZEN, 7)).slice(5);
    expect(sorry?.params.text).toBe(hi('error.unsupported_media'));
    expect(again?.params.text).toContain(t.translator.t('hi', 'intake.description.prompt', { min: 10 }));
    api.pushUpdate(textMessage(CITIZEN, 'राशन की दुकान दस दिन से बंद है'));
    const phonePrompt = (await api.waitForSent(CITIZEN, 8))[7];
    const keyboard = phonePrompt?.params.reply_markup as { keyboard: Array<Array<{ request_contact?: boolean }>> };
    expect(keyboard.keyboard[0]?.[0]?.request_contact).toBe(true);
    api.pushUpdate(contactMessage(CITIZEN, '919876543210'));
    const summary = (await api.waitForSent(CITIZEN, 9))[8];
    expect(buttonData(summary)).toEqual(['summary|submit', 'summary|change']);
    api.pushUpdate(callbackQuery(CITIZEN, 'summary|submit', summary?.result as never));
    const done = (await api.waitForSent(CITIZEN, 10))[9];
    expect(done?.params.text).toContain('ALR-000001');

    const ticket = await t.app.models.Ticket.findOne({ ref: 'ALR-000001' }).lean();
    expect(ticket).toMatchObject({
      category: 'ration',
      department: 'FOOD',
      block: 'jobat',
      locality: 'वार्ड 7',
      description: 'राशन की दुकान दस दिन से बंद है',
      phone: '+919876543210',
      channel: 'telegram',
      chatId: String(CITIZEN),
      status: 'new',
    });
    // Neither the phone number nor the citizen's words reach the logs.
    const logs = t.logs().join('\n');
    expect(logs).not.toContain('9876543210');
    expect(logs).not.toContain('राशन की दुकान');
  });

  test('a citizen who cannot type: buttons and one voice note make the complaint', async () => {
    api.pushUpdate(command(CITIZEN, '/start'));
    const categoryPrompt = (await api.waitForSent(CITIZEN, 2))[1];
    api.pushUpdate(callbackQuery(CITIZEN, 'category|ration', categoryPrompt?.result as never));
    const blockPrompt = (await api.waitForSent(CITIZEN, 3))[2];
    api.pushUpdate(callbackQuery(CITIZEN, 'block|jobat', blockPrompt?.result as never));
    await api.waitForSent(CITIZEN, 4);
    api.pushUpdate(voiceMessage(CITIZEN, 'TG-VOICE-1', 18));
    const phonePrompt = (await api.waitForSent(CITIZEN, 6))[5];
    api.pushUpdate(callbackQuery(CITIZEN, 'phone|skip', phonePrompt?.result as never));
    const summary = (await api.waitForSent(CITIZEN, 7))[6];
    expect(summary?.params.text).toContain(t.translator.t('hi', 'intake.summary.in_voice'));
    api.pushUpdate(callbackQuery(CITIZEN, 'summary|submit', summary?.result as never));
    await api.waitForSent(CITIZEN, 8);
    const ticket = await t.app.models.Ticket.findOne({ channel: 'telegram' }).lean();
    expect(ticket).toMatchObject({
      category: 'ration',
      block: 'jobat',
      attachments: [expect.objectContaining({ kind: 'voice' })],
    });
  });

  test('an update delivered twice produces one ticket and one set of replies', async () => {
    for (const u of [
      command(CITIZEN, '/new'),
      callbackQuery(CITIZEN, 'category|other'),
      callbackQuery(CITIZEN, 'block|sondwa'),
    ]) {
      api.pushUpdate(u);
    }
    await api.waitForSent(CITIZEN, 3);
    for (const text of ['Kakrana', 'Hand pump broken since a week', 'skip']) api.pushUpdate(textMessage(CITIZEN, text));
    await api.waitForSent(CITIZEN, 6);
    const submit = api.pushUpdate(callbackQuery(CITIZEN, 'summary|submit'));
    await api.waitForSent(CITIZEN, 7);

    api.redeliver(submit.update_id);
    // A marker update after the redelivery: once it is answered, the
    // redelivered one has certainly been processed (updates go in order).
    api.pushUpdate(command(CITIZEN, '/help'));
    const all = await api.waitForSent(CITIZEN, 9);
    expect(all[7]?.params.text).toBe(t.translator.t('hi', 'help.body'));
    expect(all).toHaveLength(9);
    expect(await t.app.models.Ticket.countDocuments()).toBe(1);
  });

  test('group chats are ignored and a wrong button is answered politely', async () => {
    const group = textMessage(CITIZEN, 'hello');
    api.pushUpdate({
      ...group,
      message: { ...group.message!, chat: { id: -100123, type: 'group', title: 'Gaon' } },
    } as never);
    api.pushUpdate(callbackQuery(CITIZEN, 'nonsense'));
    const [reply, menu] = await api.waitForSent(CITIZEN, 2);
    expect(reply?.params.text).toBe(t.translator.t('hi', 'error.stale_button'));
    expect(buttonData(menu)).toContain('menu|new');
    expect(api.sent(-100123)).toHaveLength(0);
  });
});
