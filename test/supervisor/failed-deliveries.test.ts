import type { FakeTelegramApi } from '../support/fake-telegram-api';
import { startTelegramTestApp } from '../support/telegram-test-app';
import type { TestApp } from '../support/test-app';
import { webChats } from '../support/web-chats';

describe('/failed shows notifications a person refused', () => {
  let api: FakeTelegramApi;
  let t: TestApp;
  let close: () => Promise<void>;
  beforeEach(async () => {
    // The web admin chat exists only with a simulator, which a Telegram token turns off unless enabled.
    ({ api, t, close } = await startTelegramTestApp({ SIMULATOR_ENABLED: 'true' }));
  });
  afterEach(() => close());

  test('a blocked Telegram chat is listed with the complaint and reason, not the chat id; only for oversight', async () => {
    const hi = (key: string, params?: Record<string, unknown>) => t.translator.t('hi', key, params);
    const chat = webChats(t.app);
    expect(await chat.send('admin', '/failed')).toEqual([hi('supervisor.failed.none')]);
    api.blockChat(777001);
    await t.app.outbox.enqueue([
      { channel: 'telegram', chatId: '777001', message: { text: 'x' }, dedupeKey: 'ALR-000042:update:9:citizen' },
    ]);
    await t.app.outbox.drain(5_000);
    const [list] = await chat.send('admin', '/failed');
    expect(list).toContain('ALR-000042');
    expect(list).toContain(hi('supervisor.failed.reason.blocked'));
    expect(list).not.toContain('777001');
    expect(await chat.send('citizen-1', '/failed')).toEqual(expect.arrayContaining([hi('error.unknown_command')]));
  });
});
