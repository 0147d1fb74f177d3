import { Bot } from 'grammy';
import type { CommandStartedEvent } from 'mongodb';
import { isFerretDb } from '../../src/db/connect';
import { createLogger } from '../../src/logger';
import { createTelegramSender } from '../../src/channels/telegram/telegram-sender';
import { createOutbox } from '../../src/outbox/outbox';
import { createOutboxModel, OUTBOX_COLLECTIONS } from '../../src/outbox/outbox-model';
import { createFakeTelegramApi } from '../support/fake-telegram-api';
import { captureLogs } from '../support/test-app';
import { openTestDb, type TestDb } from '../support/test-db';

jest.setTimeout(120_000);

let db: TestDb;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(() => db.close());

test('a full outbox drains to many chats, each once, through 429s, looking for due messages once per batch rather than once per send', async () => {
  const CHATS = 90;
  // Every 30th send is refused with 429 and retry_after 1 s, as Telegram does under load.
  const api = createFakeTelegramApi({ throttle: { every: 30, retryAfter: 1 } });
  const { apiRoot } = await api.start();
  const bot = new Bot(api.token, { client: { apiRoot }, botInfo: api.botInfo });
  const outbox = createOutbox({
    models: await createOutboxModel(db.conn),
    logger: createLogger({ level: 'warn', pretty: false, destination: captureLogs().stream }),
    senders: [createTelegramSender({ api: bot.api })],
    // The overall pace stops the dispatcher between sends, as Telegram's 30 a second does.
    pacing: { telegram: { perChatIntervalMs: 1000, perSecond: 60, jitterMs: 0 } },
    // Idle polls while the 429s' retries wait out their second count as looks too: one per 200 ms, not per 50.
    pollIntervalMs: 200,
  });
  const finds: string[] = [];
  /** Writes to messages whose filter names more than the `_id` (FerretDB reads the whole collection for each). */
  const conditionalWrites: string[] = [];
  const client = db.conn.getClient();
  const listen = (e: CommandStartedEvent) => {
    // Searches only: a read of one message by its `_id` is a lookup, not a look for due work.
    const byId = Object.keys((e.command.filter ?? {}) as object).join() === '_id';
    if (e.commandName === 'find' && e.command.find === OUTBOX_COLLECTIONS.messages && !byId) finds.push(e.commandName);
    const writes =
      e.commandName === 'update'
        ? (e.command.updates as Array<{ q: object }>).map((u) => u.q)
        : e.commandName === 'findAndModify'
          ? [e.command.query as object]
          : [];
    if (e.command[e.commandName] === OUTBOX_COLLECTIONS.messages) {
      for (const q of writes) if (Object.keys(q).join() !== '_id') conditionalWrites.push(e.commandName);
    }
  };
  try {
    const chats = Array.from({ length: CHATS }, (_, i) => 500_000 + i);
    await outbox.enqueue(
      chats.map((c) => ({
        channel: 'telegram',
        chatId: String(c),
        message: { text: `सूचना ${c}` },
        dedupeKey: `drain-test:${c}`,
      })),
    );
    client.on('commandStarted', listen);
    outbox.start();
    await api.waitFor(() => api.sent().length >= CHATS, 60_000);
    expect(await outbox.drain(10_000)).toBe(true);

    const perChat = new Map<number, number>();
    for (const c of api.sent()) perChat.set(Number(c.params.chat_id), (perChat.get(Number(c.params.chat_id)) ?? 0) + 1);
    expect(chats.filter((c) => perChat.get(c) !== 1)).toEqual([]);
    expect(api.calls.filter((c) => c.failed === 429).length).toBeGreaterThanOrEqual(2);
    // Found due in batches and kept between sends: a few looks (heads, their chats, the 429s' retries),
    // not two for each of the 90 sends as when every pause for the pace threw the found heads away.
    expect(finds.length).toBeLessThan(CHATS / 3);
    // On FerretDB each claim and each record of a send reads and writes the message by `_id` alone;
    // MongoDB keeps its single conditional command.
    expect(conditionalWrites.length === 0).toBe(await isFerretDb(db.conn));
  } finally {
    client.off('commandStarted', listen);
    await outbox.stop();
    await api.stop();
  }
});
