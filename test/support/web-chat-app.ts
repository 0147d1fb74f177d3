import { createTestApp, type TestApp } from './test-app';
import { webChats } from './web-chats';

/** A staff chat to link before each test: chat id, role and (for officers) department. */
export type StaffToJoin = readonly [chatId: string, role: string, department?: string];

/** What {@link useWebChatApp} gives a test file; each stays valid while the app is renewed per test. */
export interface WebChatApp {
  /** The current test's app (a stand-in that reads through to it). */
  t: TestApp;
  /** The web chats of the current test's app. */
  chat: ReturnType<typeof webChats>;
  /** A text in Hindi, as the app renders it. */
  hi(key: string, params?: Record<string, unknown>): string;
  /** A text in English. */
  en(key: string, params?: Record<string, unknown>): string;
  /** Close the current app and start another with other settings (for a nested describe). */
  restart(env?: Record<string, string>): Promise<void>;
}

/**
 * The shared setup of tests that drive the real app through its web chats:
 * before each test a fresh app on its own database is started and the given
 * staff join (invited by the admin chat, as people do); after each it is
 * closed. Call it in a describe block, at collection time.
 * @example const { t, chat, hi } = useWebChatApp({ staff: [['officer-1', 'officer', 'FOOD']] });
 */
export function useWebChatApp(opts: { env?: Record<string, string>; staff?: readonly StaffToJoin[] } = {}): WebChatApp {
  let current: { t: TestApp; chat: ReturnType<typeof webChats> } | undefined;
  const now = () => {
    if (!current) throw new Error('useWebChatApp: the app exists only inside a test');
    return current;
  };

  async function open(env: Record<string, string> | undefined): Promise<void> {
    const t = await createTestApp(env);
    await t.app.start();
    const chat = webChats(t.app);
    current = { t, chat };
    for (const [chatId, role, department] of opts.staff ?? []) await chat.join(chatId, role, department);
  }

  async function close(): Promise<void> {
    const was = current;
    current = undefined;
    await was?.t.close();
  }

  beforeEach(() => open(opts.env));
  afterEach(() => close());

  // Stand-ins read through to the current test's app, so a file can destructure them once.
  const through = <T extends object>(pick: () => T): T =>
    new Proxy({} as T, { get: (_, key) => Reflect.get(pick(), key) });
  return {
    t: through(() => now().t),
    chat: through(() => now().chat),
    hi: (key, params) => now().t.translator.t('hi', key, params),
    en: (key, params) => now().t.translator.t('en', key, params),
    async restart(env) {
      await close();
      await open({ ...opts.env, ...env });
    },
  };
}
