import type { FakeTelegramApi } from '../support/fake-telegram-api';
import { startTelegramTestApp } from '../support/telegram-test-app';
import { command } from '../support/telegram-updates';
import type { TestApp } from '../support/test-app';
import { webChats } from '../support/web-chats';

const OFFICER = 9301;
const ADMIN = 9300;
// A 1×1 PNG: the simulator only stores real images.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6300010000050001' +
    '0d0a2db40000000049454e44ae426082',
  'hex',
);

describe('a photo filed on one channel reaches an officer on Telegram', () => {
  let api: FakeTelegramApi;
  let t: TestApp;

  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ api, t, close } = await startTelegramTestApp({ ADMIN_TELEGRAM_IDS: String(ADMIN), SIMULATOR_ENABLED: 'true' }));
  });
  afterEach(() => close());

  test('a simulator photo is uploaded to Telegram with the card', async () => {
    const chat = webChats(t.app);
    // A Telegram officer is invited from Telegram: simulator invites do not work there.
    api.pushUpdate(command(ADMIN, '/invite', 'officer FOOD'));
    const [invite] = await api.waitForSent(ADMIN, 1);
    const code = /([A-Z2-9]{13})\n/.exec(String(invite?.params.text ?? ''))?.[1] as string;
    api.pushUpdate(command(OFFICER, '/start', code));
    await api.waitForSent(OFFICER, 2);

    const { fileId } = await t.app.web.upload({ bytes: PNG, chatId: 'citizen-1' });
    await chat.script('citizen-1', ['/new', '[category|ration]', '[block|jobat]', 'Ward 5']);
    await t.app.web.receive({
      chatId: 'citizen-1',
      clientId: 'photo-0001',
      kind: 'photo',
      fileId,
      caption: 'राशन की दुकान बंद है, फ़ोटो देखें',
    });
    await chat.script('citizen-1', ['[phone|skip]', '[summary|submit]']);

    const photo = await api.waitFor(
      () =>
        api.calls.find((c) => c.method === 'sendPhoto' && String(c.params.chat_id) === String(OFFICER) && !c.failed),
      10_000,
    );
    const upload = photo.params.photo as { bytes: Buffer; fileName: string };
    expect(Buffer.compare(upload.bytes, PNG)).toBe(0);
    expect(String(photo.params.caption)).toMatch(/ALR-\d{6}/);
  });
});
