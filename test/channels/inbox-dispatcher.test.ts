import mongoose from 'mongoose';
import pino from 'pino';
import { createInboundInbox, type InboxItem } from '../../src/channels/inbound-inbox';
import { createInboxDispatcher, type InboxDispatcher } from '../../src/channels/inbox-dispatcher';
import { openTestDb, type TestDb } from '../support/test-db';

const CHAT = 'telegram:4242';
const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function item(n: number): InboxItem {
  return { _id: `telegram:${n}`, chatKey: CHAT, order: n, json: '{}', receivedAt: new Date() };
}

describe('the inbox dispatcher shared by two instances', () => {
  let db: TestDb;
  let second: mongoose.Connection;
  const dispatchers: InboxDispatcher[] = [];

  beforeEach(async () => {
    db = await openTestDb();
    second = await mongoose.createConnection(process.env.TEST_MONGODB_URI ?? '', { dbName: db.dbName }).asPromise();
  });

  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
    await second.close();
    await db.close();
  });

  test('a drain that outlasts its lease keeps it: no update is handled twice, all in order', async () => {
    const handled: string[] = [];
    const inboxes = await Promise.all([createInboundInbox(db.conn), createInboundInbox(second)]);
    for (const [i, conn] of [db.conn, second].entries()) {
      dispatchers.push(
        await createInboxDispatcher({
          conn,
          inbox: inboxes[i]!,
          logger,
          owner: `instance-${i}`,
          // Each update takes longer than half the lease, and a person's six updates far longer than it.
          leaseMs: 400,
          retryMs: 20,
          settleMs: 0,
          handle: async (it) => {
            handled.push(it._id);
            await sleep(300);
          },
        }),
      );
    }
    // The person's updates arrive at alternate instances while the first is still handling.
    for (let n = 1; n <= 6; n++) {
      await inboxes[n % 2]!.add([item(n)]);
      dispatchers[n % 2]!.submit(CHAT);
      await sleep(120);
    }
    for (let i = 0; i < 200 && (handled.length < 6 || (await inboxes[0]!.hasPending(CHAT))); i++) await sleep(50);
    expect(handled).toEqual([1, 2, 3, 4, 5, 6].map((n) => `telegram:${n}`));
  });

  test('a lease whose holder died is taken over, and its updates handled once', async () => {
    const inbox = await createInboundInbox(db.conn);
    await inbox.add([item(1), item(2)]);
    // The holder crashed while handling: its lease is past its expiry and the updates are still recorded.
    await db.conn
      .collection('inbox_chat_leases')
      .insertOne({ _id: CHAT, owner: 'dead-instance', expiresAt: new Date(Date.now() - 1000) } as never);
    const handled: string[] = [];
    const d = await createInboxDispatcher({
      conn: db.conn,
      inbox,
      logger,
      settleMs: 0,
      handle: async (it) => {
        handled.push(it._id);
      },
    });
    dispatchers.push(d);
    expect(await d.resume('telegram:', 10)).toBe(1);
    for (let i = 0; i < 100 && handled.length < 2; i++) await sleep(50);
    await sleep(100);
    expect(handled).toEqual(['telegram:1', 'telegram:2']);
    expect(await inbox.hasPending(CHAT)).toBe(false);
  });
});
