import type { InboundMessage } from '../../src/conversation/types';
import { createStaffStore } from '../../src/storage/staff-store';
import { newStaff } from '../support/new-staff';
import { createTestApp, type TestApp } from '../support/test-app';

const CONFIG_ADMIN = '9000';

/**
 * A staff command's messages to other chats are effects: the module returns
 * them, the inbound handler runs them through the effect runner before it
 * saves the chat, as for a citizen's step. Through the whole app.
 */
describe('staff command effects', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ADMIN_TELEGRAM_IDS: CONFIG_ADMIN });
  });
  afterAll(() => t.close());

  /** Outbox items with this dedupe-key prefix, queued or already handled. */
  async function queued(prefix: string) {
    const filter = { dedupeKey: { $regex: `^${prefix}` } };
    return [
      ...(await t.db.conn.collection('outbox').find(filter).toArray()),
      ...(await t.db.conn.collection('outbox_archive').find(filter).toArray()),
    ];
  }

  test('/revoke queues the revoked person’s notice once, even when the command is delivered twice', async () => {
    const store = createStaffStore(t.app.models);
    const person = await store.upsertStaff(
      newStaff('8001', 'operator', t.clock.now(), { name: 'Operator', language: 'en' }),
    );
    const revoke: InboundMessage = {
      channel: 'telegram',
      chatId: CONFIG_ADMIN,
      updateKey: 'revoke-1',
      receivedAt: t.clock.now(),
      content: { kind: 'command', command: 'revoke', args: person._id },
    };
    const first = await t.app.handler(revoke);
    expect(first.messages[0]?.text).toBe(
      t.translator.t('hi', 'staff.revoked', { name: 'Operator', id: person._id, moved: 0 }),
    );
    const again = await t.app.handler({ ...revoke });
    expect(again.duplicate).toBe(true);
    const notices = await queued('revoke:');
    expect(notices.map((n) => [n.chatId, n.message?.text])).toEqual([
      ['8001', t.translator.t('en', 'staff.revoked_notice')],
    ]);
  });
});
