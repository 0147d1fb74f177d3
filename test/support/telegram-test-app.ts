import { createFakeTelegramApi, type FakeTelegramApi } from './fake-telegram-api';
import { createTestApp, type TestApp } from './test-app';

/** A bot token of the shape the configuration accepts; the fake API checks it. */
export const TEST_BOT_TOKEN = '123456789:TEST-token-abcdefghijklmnopqrstuvwxyz';

/**
 * The real app, started, with Telegram pointed at a fresh fake Bot API on
 * 127.0.0.1. `close()` stops both, the app first so the bot stops polling.
 */
export async function startTelegramTestApp(
  env: Record<string, string> = {},
): Promise<{ api: FakeTelegramApi; t: TestApp; close(): Promise<void> }> {
  const api = createFakeTelegramApi({ token: TEST_BOT_TOKEN });
  const { apiRoot } = await api.start();
  const t = await createTestApp({ TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN, TELEGRAM_API_ROOT: apiRoot, ...env });
  await t.app.start();
  return {
    api,
    t,
    async close() {
      await t.close();
      await api.stop();
    },
  };
}
