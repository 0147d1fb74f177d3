import { createAudience, noticeItems, withConfiguredChats } from '../../src/notify/audience';
import { createModels } from '../../src/storage/models';
import { createStaffStore, type StaffStore } from '../../src/storage/staff-store';
import type { StaffRole } from '../../src/domain/roles';
import { newStaff } from '../support/new-staff';
import { openTestDb, type TestDb } from '../support/test-db';

/**
 * The one audience helper: who hears a notice and in which language. Real
 * staff records; the configured admin chats are ADMIN_TELEGRAM_IDS and
 * ADMIN_WEB_IDS as createApp passes them.
 */
describe('audience', () => {
  let db: TestDb;
  let staff: StaffStore;
  const now = new Date('2026-03-02T10:00:00Z');

  const link = (
    role: StaffRole,
    chatId: string,
    language: 'hi' | 'en',
    channel: 'telegram' | 'web' = 'telegram',
    department?: string,
  ) => staff.upsertStaff(newStaff(chatId, role, now, { channel, language, department }));

  beforeAll(async () => {
    db = await openTestDb();
    staff = createStaffStore(await createModels(db.conn));
    await link('admin', '9000', 'en');
    await link('admin', '9001', 'hi');
    await link('supervisor', '9100', 'en');
    await link('operator', '9200', 'hi');
    const gone = await link('supervisor', '9300', 'hi');
    await staff.revoke(gone._id, now);
    await link('officer', '9500', 'en', 'telegram', 'FOOD');
    await link('officer', '9501', 'hi', 'telegram', 'FOOD');
    await link('officer', '9600', 'hi', 'telegram', 'HEALTH');
  });
  afterAll(() => db.close());

  it('gives administrators in their own language, then each configured chat not already among them, in Hindi', async () => {
    const audience = createAudience({
      staff,
      // 9000 is both a configured chat and an administrator's record: told once, in the record's language.
      adminChats: [
        { channel: 'telegram', chatId: '9000' },
        { channel: 'telegram', chatId: '7000' },
        { channel: 'web', chatId: 'sim-1' },
      ],
    });
    const admins = await audience.admins();
    expect(admins.map((a) => [a.channel, a.chatId, a.language])).toEqual([
      ['telegram', '9000', 'en'],
      ['telegram', '9001', 'hi'],
      ['telegram', '7000', 'hi'],
      ['web', 'sim-1', 'hi'],
    ]);
    expect(admins[0]?.staffId).toBeDefined();
    expect(admins[2]?.staffId).toBeUndefined();
  });

  it('adds supervisors for the overseers and leaves out revoked people and other roles', async () => {
    const overseers = await createAudience({
      staff,
      adminChats: [{ channel: 'telegram', chatId: '7000' }],
    }).overseers();
    expect(overseers.map((a) => a.chatId).sort()).toEqual(['7000', '9000', '9001', '9100']);
    expect(overseers.find((a) => a.chatId === '9100')?.language).toBe('en');
  });

  it('gives staff of the roles asked for, without configured chats', async () => {
    const people = await createAudience({ staff, adminChats: [{ channel: 'telegram', chatId: '7000' }] }).withRoles([
      'operator',
      'supervisor',
    ]);
    expect(people.map((a) => a.chatId).sort()).toEqual(['9100', '9200']);
  });

  it("gives a department's officers, the supervisors on duty (else all of them) and a named chat, each in their language", async () => {
    const onDuty: Array<{ channel: 'telegram'; chatId: string; language: 'en' | 'hi' }> = [];
    const audience = createAudience({ staff, onDutySupervisors: async () => onDuty });
    expect((await audience.officersOf('FOOD')).map((a) => [a.chatId, a.language])).toEqual(
      expect.arrayContaining([
        ['9500', 'en'],
        ['9501', 'hi'],
      ]),
    );
    expect(await audience.officersOf('FOOD')).toHaveLength(2);
    // Nobody on the roster: every active supervisor (the revoked one left out).
    expect((await audience.supervisorsOnDuty(now)).map((a) => [a.chatId, a.language])).toEqual([['9100', 'en']]);
    // The roster's supervisors on duty, and only they.
    onDuty.push({ channel: 'telegram', chatId: '9700', language: 'hi' });
    expect((await audience.supervisorsOnDuty(now)).map((a) => [a.chatId, a.language])).toEqual([['9700', 'hi']]);
    // A chat someone is linked from is told in their language; a chat nobody is linked from, in Hindi.
    expect(await audience.namedChat('telegram', '9500')).toMatchObject({ chatId: '9500', language: 'en' });
    expect((await audience.namedChat('telegram', '9500')).staffId).toBeDefined();
    expect(await audience.namedChat('telegram', '8888')).toEqual({
      channel: 'telegram',
      chatId: '8888',
      language: 'hi',
    });
  });

  it('keys each message of a notice by chat and position, so a notice queued twice is sent once', () => {
    const items = noticeItems(
      { channel: 'web', chatId: 'sim-1' },
      [{ text: 'a' }, { text: 'b' }],
      'ALR-000001:3',
      'ALR-000001',
    );
    expect(items.map((i) => i.dedupeKey)).toEqual(['ALR-000001:3:web:sim-1:0', 'ALR-000001:3:web:sim-1:1']);
    expect(items.every((i) => i.ticketRef === 'ALR-000001')).toBe(true);
    expect(noticeItems({ channel: 'web', chatId: 'sim-1' }, [{ text: 'a' }], 'k')[0]).not.toHaveProperty('ticketRef');
    expect(
      withConfiguredChats(
        [],
        [
          { channel: 'telegram', chatId: '1' },
          { channel: 'telegram', chatId: '1' },
        ],
      ),
    ).toHaveLength(1);
  });
});
