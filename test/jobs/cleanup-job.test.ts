import { createFixedClock } from '../../src/clock';
import type { ConversationState } from '../../src/core/conversation-state';
import { createCleanupJob } from '../../src/jobs/cleanup-job';
import { createRunKeyStore } from '../../src/jobs/run-key-store';
import { createLogger } from '../../src/logger';
import { createOutbox } from '../../src/outbox/outbox';
import { createOutboxModel } from '../../src/outbox/outbox-model';
import { createModels, type Models } from '../../src/storage/models';
import { createConversationStore } from '../../src/storage/conversation-store';
import { createStaffStore } from '../../src/storage/staff-store';
import { createMessageRefStore } from '../../src/storage/message-ref-store';
import { openTestDb, type TestDb } from '../support/test-db';

const NOW = new Date('2026-11-28T22:10:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('the clean-up job', () => {
  let db: TestDb;
  let models: Models;
  beforeEach(async () => {
    db = await openTestDb();
    models = await createModels(db.conn);
  });
  afterEach(() => db.close());

  const state = (extra: Partial<ConversationState> = {}): ConversationState => ({
    language: 'hi',
    quota: { day: '2026-11-25', count: 1 },
    ...extra,
  });
  const flow = {
    flowId: 'citizen-intake',
    version: 1,
    step: 'description',
    mode: 'answer' as const,
    answers: { category: 'ration', attachments: [] },
  };

  async function conversation(id: string, updatedAt: Date, s: ConversationState, staff?: object): Promise<void> {
    await models.Conversation.collection.insertOne({
      _id: id,
      citizenId: `c-${id}`,
      state: s,
      seen: ['u1'],
      version: 3,
      createdAt: updatedAt,
      updatedAt,
      ...(staff ? { staff } : {}),
    } as never);
  }
  const load = async (id: string) => models.Conversation.findOne({ _id: id }).lean().exec();

  test('idle conversations are removed, never the citizen, language, role or an awaited answer', async () => {
    const idle = new Date(NOW.getTime() - 73 * HOUR);
    const recent = new Date(NOW.getTime() - 71 * HOUR);
    await conversation('telegram:1', idle, state({ flow }));
    await conversation('telegram:2', idle, state({ staffPending: { action: 'resolve', ref: 'ALR-000001' } }), {
      id: 'OFF1',
      role: 'officer',
      department: 'FOOD',
    });
    await conversation('telegram:3', idle, state({ flow, awaitingAnswer: { ref: 'ALR-000002' } }));
    await conversation('telegram:4', recent, state({ flow }));
    await conversation('telegram:5', idle, state({ language: 'en' }));

    const job = createCleanupJob({ models, conversationIdleHours: 72, cron: '40 3 * * *' });
    expect(
      await job.run({ firingTime: NOW, now: NOW, logger: createLogger({ level: 'silent', pretty: false }) }),
    ).toMatchObject({
      conversationsReset: 1,
      conversationsRemoved: 3,
    });

    // The collection written on every message keeps only chats in use (and the one awaiting an answer).
    expect((await models.Conversation.find({}, { _id: 1 }).sort({ _id: 1 }).lean().exec()).map((c) => c._id)).toEqual([
      'telegram:3',
      'telegram:4',
    ]);
    const three = await load('telegram:3');
    expect(three?.state.awaitingAnswer).toEqual({ ref: 'ALR-000002' });
    expect(three?.state.flow).toBeUndefined();
    expect((await load('telegram:4'))?.state.flow).toEqual(flow);

    // What lasts comes back from the profile when the chat speaks again: the same citizen, language and role, a fresh start.
    const store = createConversationStore(models);
    const one = await store.load('telegram:1');
    expect(one).toMatchObject({ citizenId: 'c-telegram:1', state: { language: 'hi' }, seen: [] });
    expect(one?.state.flow).toBeUndefined();
    expect((await store.load('telegram:2'))?.staff).toEqual({ id: 'OFF1', role: 'officer', department: 'FOOD' });
    expect((await store.load('telegram:5'))?.state.language).toBe('en');
    // Saving it brings the conversation back (an insert: a racing second delivery loses, as for a new chat).
    await store.save({
      key: 'telegram:5',
      previous: (await store.load('telegram:5'))!,
      citizenId: 'c-telegram:5',
      state: state({ language: 'en' }),
      updateKey: 'u2',
      now: NOW,
    });
    expect(await load('telegram:5')).toMatchObject({ citizenId: 'c-telegram:5', version: 1, seen: ['u2'] });
    // An officer's question to a removed chat still reaches it.
    expect(await store.patchState('telegram:1', { awaitingAnswer: { ref: 'ALR-000003' } })).toBe(true);
    expect((await load('telegram:1'))?.state).toMatchObject({ language: 'hi', awaitingAnswer: { ref: 'ALR-000003' } });
  });

  test('used and expired invites, old finished notifications and old run-keys are deleted; the rest stay', async () => {
    const staff = createStaffStore(models);
    const expired = await staff.createInvite({
      role: 'officer',
      department: 'FOOD',
      createdBy: 'admin',
      now: new Date(NOW.getTime() - 3 * DAY),
      ttlHours: 48,
    });
    const used = await staff.createInvite({
      role: 'supervisor',
      createdBy: 'admin',
      now: new Date(NOW.getTime() - HOUR),
      ttlHours: 48,
    });
    await staff.redeemInvite(used._id, 'telegram:77', NOW);
    const valid = await staff.createInvite({
      role: 'operator',
      createdBy: 'admin',
      now: new Date(NOW.getTime() - HOUR),
      ttlHours: 48,
    });

    const logger = createLogger({ level: 'silent', pretty: false });
    const outbox = createOutbox({ models: await createOutboxModel(db.conn), logger });
    await outbox.enqueue([
      { channel: 'telegram', chatId: '1', message: { text: 'पुराना' }, dedupeKey: 'old' },
      { channel: 'telegram', chatId: '2', message: { text: 'नया' }, dedupeKey: 'new' },
      { channel: 'telegram', chatId: '3', message: { text: 'अभी बाकी' }, dedupeKey: 'pending' },
    ]);
    const messages = db.conn.collection('outbox');
    await messages.updateOne(
      { dedupeKey: 'old' },
      { $set: { status: 'sent', sentAt: new Date(NOW.getTime() - 31 * DAY) } },
    );
    await messages.updateOne(
      { dedupeKey: 'new' },
      { $set: { status: 'sent', sentAt: new Date(NOW.getTime() - 29 * DAY) } },
    );

    const runKeys = await createRunKeyStore(db.conn);
    await runKeys.claim('sla-sweep', new Date(NOW.getTime() - 8 * DAY), 'p', NOW);
    await runKeys.claim('sla-sweep', new Date(NOW.getTime() - 6 * DAY), 'p', NOW);

    const job = createCleanupJob({ models, conversationIdleHours: 72, outbox, runKeys, cron: '40 3 * * *' });
    const clock = createFixedClock(NOW);
    expect(await job.run({ firingTime: NOW, now: clock.now(), logger })).toMatchObject({
      conversationsReset: 0,
      conversationsRemoved: 0,
      invitesDeleted: 2,
      outboxPurged: 1,
      runKeysPurged: 1,
      ticketsArchived: 0,
      outboxArchived: 1,
    });
    expect((await models.Invite.find().lean().exec()).map((i) => i._id)).toEqual([valid._id]);
    expect(await staff.redeemInvite(expired._id, 'telegram:78', NOW)).toBeNull();
    // The delivered message still kept moves out of the live outbox, which every poll reads, into the archive.
    expect((await messages.find().toArray()).map((m) => m.dedupeKey).sort()).toEqual(['pending']);
    expect((await db.conn.collection('outbox_archive').find().toArray()).map((m) => [m.dedupeKey, m.status])).toEqual([
      ['new', 'sent'],
    ]);
    expect(await runKeys.recent('sla-sweep', 10)).toHaveLength(1);
  });

  test('cancelled invites and the ticket records of old sent messages are deleted', async () => {
    const staff = createStaffStore(models);
    const cancelled = await staff.createInvite({
      role: 'operator',
      createdBy: 'admin',
      now: new Date(NOW.getTime() - HOUR),
      ttlHours: 48,
    });
    await staff.cancelInvite(cancelled._id, 'admin', NOW);
    const kept = await staff.createInvite({
      role: 'operator',
      createdBy: 'admin',
      now: new Date(NOW.getTime() - HOUR),
      ttlHours: 48,
    });
    const refs = createMessageRefStore(models.MessageRef);
    await refs.record({
      channel: 'telegram',
      chatId: '1',
      messageId: '10',
      ref: 'ALR-000001',
      at: new Date(NOW.getTime() - 31 * DAY),
    });
    await refs.record({
      channel: 'telegram',
      chatId: '1',
      messageId: '11',
      ref: 'ALR-000002',
      at: new Date(NOW.getTime() - 2 * DAY),
    });
    const job = createCleanupJob({ models, conversationIdleHours: 72, messageRefs: refs, cron: '40 3 * * *' });
    expect(
      await job.run({ firingTime: NOW, now: NOW, logger: createLogger({ level: 'silent', pretty: false }) }),
    ).toMatchObject({ invitesDeleted: 1, messageRefsPurged: 1 });
    expect((await models.Invite.find().lean().exec()).map((i) => i._id)).toEqual([kept._id]);
    expect(await refs.refOf('telegram', '1', '10')).toBeUndefined();
    expect(await refs.refOf('telegram', '1', '11')).toBe('ALR-000002');
  });
});
