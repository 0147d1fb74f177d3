/**
 * The rest of the staff commands — the counsellor's, the operator's,
 * escalation, the dashboard, failed notices, the simulator link — from every
 * seat, through the whole application's handler (conversation documents, the
 * staff record check and every module as src/app.ts wires them). The
 * built-in and supervisor commands are in test/supervisor/access-table.test.ts.
 */
import type { StaffIdentity, StaffRole } from '../../src/domain/roles';
import { configuredAdminId } from '../../src/staff/staff-access';
import { createStaffStore } from '../../src/storage/staff-store';
import { newStaff } from '../support/new-staff';
import { expectedVerdict, OVERSIGHT, refusalsLogged, SEATS, type Seat } from '../support/staff-seats';
import { createTestApp, type TestApp } from '../support/test-app';

const CONFIG_ADMIN = '9000';

const TABLE: Array<{ command: string; args: string; allowed: readonly Seat[] }> = [
  { command: 'sessions', args: '', allowed: ['counsellor'] },
  { command: 'end', args: '', allowed: ['counsellor'] },
  { command: 'call', args: '', allowed: ['operator', 'supervisor', 'admin', 'configAdmin'] },
  { command: 'escalate', args: 'ALR-000001 बहुत देर हो गई', allowed: OVERSIGHT },
  { command: 'dashboard', args: '', allowed: OVERSIGHT },
  { command: 'failed', args: '', allowed: OVERSIGHT },
  { command: 'simulator', args: '', allowed: ['admin', 'configAdmin'] },
];

describe('module commands from every seat, through the whole app', () => {
  let t: TestApp;
  const seats = new Map<Seat, { chatId: string; identity?: StaffIdentity }>();
  let updates = 0;

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_TELEGRAM_IDS: CONFIG_ADMIN });
    const store = createStaffStore(t.app.models);
    let chat = 8000;
    const link = async (role: StaffRole, department?: string) => {
      chat += 1;
      const chatId = String(chat);
      const doc = await store.upsertStaff(newStaff(chatId, role, t.clock.now(), { department }));
      const identity: StaffIdentity = { id: doc._id, role, ...(department ? { department } : {}) };
      const now = t.clock.now();
      await t.app.models.Conversation.create({
        _id: `telegram:${chatId}`,
        citizenId: `c-${chatId}`,
        state: { language: 'hi', quota: { day: '', count: 0 } },
        seen: [],
        staff: identity,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      return { chatId, identity };
    };
    seats.set('citizen', { chatId: '7001' });
    seats.set('officer', await link('officer', 'FOOD'));
    seats.set('otherDept', await link('officer', 'HEALTH'));
    const revoked = await link('officer', 'FOOD');
    await store.revoke(revoked.identity.id, t.clock.now());
    seats.set('revoked', revoked);
    for (const role of ['operator', 'counsellor', 'supervisor', 'admin'] as const) seats.set(role, await link(role));
    seats.set('configAdmin', { chatId: CONFIG_ADMIN });
  });
  afterAll(() => t.close());

  const hi = (key: string) => t.translator.t('hi', key);

  test.each(TABLE.map((row) => [`/${row.command}${row.args ? ` ${row.args}` : ''}`, row] as const))(
    '%s',
    async (_name, row) => {
      for (const seat of SEATS) {
        const person = seats.get(seat) as { chatId: string; identity?: StaffIdentity };
        // The revoked officer's conversation still remembers the role each time (a half-done revocation).
        if (seat === 'revoked')
          await t.app.models.Conversation.updateOne(
            { _id: `telegram:${person.chatId}` },
            { $set: { staff: person.identity } },
          );
        const before = t.logs().length;
        updates += 1;
        const result = await t.app.handler({
          channel: 'telegram',
          chatId: person.chatId,
          updateKey: `m${updates}`,
          receivedAt: t.clock.now(),
          content: { kind: 'command', command: row.command, args: row.args },
        });
        const texts = result.messages.map((m) => m.text);
        // The dashboard says no in its own words; every other module with the common line.
        const refused = [[hi('staff.forbidden')], [hi('dashboard.bot.refused')]].some(
          (r) => JSON.stringify(texts) === JSON.stringify(r),
        );
        const ended = JSON.stringify(texts) === JSON.stringify([hi('staff.role_ended')]);
        // A citizen's /end is the citizen engine's own (leaving a counsellor's queue); other names are unknown to it.
        const verdict =
          seat === 'citizen' && !refused && !ended
            ? 'citizen engine'
            : ended
              ? 'role ended'
              : refused
                ? 'refused'
                : 'allowed';
        expect({ seat, verdict }).toEqual({ seat, verdict: expectedVerdict(seat, row.allowed) });
        if (verdict === 'refused') {
          // Logged once with who tried: by the staff router, not by the module as well.
          const staffId = person.identity?.id ?? configuredAdminId('telegram', CONFIG_ADMIN);
          const events = ['staff_command_refused', 'dashboard_link_refused'];
          expect({ seat, logged: refusalsLogged(t.logs().slice(before), events, staffId) }).toEqual({
            seat,
            logged: 1,
          });
        }
        if (seat === 'revoked') {
          expect((await t.app.models.Conversation.findById(`telegram:${person.chatId}`).lean())?.staff).toBeUndefined();
        }
      }
    },
  );
});
