import { createFakeTelegramApi, type FakeTelegramApi } from '../support/fake-telegram-api';
import { createTestApp, type TestApp } from '../support/test-app';
import { webChats } from '../support/web-chats';

const TOKEN = '123456789:FAILED-token-abcdefghijklmnopqrstuvwxyz';

describe('/failed shows notifications a person refused', () => {
  let api: FakeTelegramApi;
  let t: TestApp;
  beforeEach(async () => {
    api = createFakeTelegramApi({ token: TOKEN });
    const { apiRoot } = await api.start();
    t = await createTestApp({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot });
    await t.app.start();
  });
  afterEach(async () => {
    await t.close();
    await api.stop();
  });

  test('a blocked Telegram chat is listed with the complaint and reason, not the chat id; only for oversight', async () => {
    const hi = (key: string, params?: Record<string, unknown>) => t.translator.t('hi', key, params);
    const chat = webChats(t.app);
    expect(await chat.send('admin', '/failed')).toEqual([hi('supervisor.failed.none')]);
    api.blockChat(777001);
    await t.app.outbox.enqueue([{ channel: 'telegram', chatId: '777001', message: { text: 'x' }, dedupeKey: 'ALR-000042:update:9:citizen' }]);
    await t.app.outbox.drain(5_000);
    const [list] = await chat.send('admin', '/failed');
    expect(list).toContain('ALR-000042');
    expect(list).toContain(hi('supervisor.failed.reason.blocked'));
    expect(list).not.toContain('777001');
    expect(await chat.send('citizen-1', '/failed')).toEqual(expect.arrayContaining([hi('error.unknown_command')]));
  });
});
