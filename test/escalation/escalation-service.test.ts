import type { InboundMessage } from '../../src/conversation/types';
import type { ConversationState } from '../../src/core/conversation-state';
import { createEscalateCommand } from '../../src/supervisor/escalate-command';
import { levelHours } from '../../src/escalation/escalation-policy';
import type { StaffIdentity } from '../../src/domain/roles';
import { newTicket } from '../support/new-ticket';
import { ADMIN_CHAT, CITIZEN_CHAT, createEscalationFixture, HOUR, type EscalationFixture } from './escalation-fixture';

describe('escalation', () => {
  let f: EscalationFixture;
  beforeEach(async () => {
    f = await createEscalationFixture();
  });
  afterEach(() => f.close());

  const at = (d: Date, deltaMs = 0) => f.t.clock.set(new Date(d.getTime() + deltaMs));

  test('an unacknowledged ticket moves to level 2 at its deadline: the department’s other officers get the card and history, the officer and the citizen are told, once', async () => {
    const officer = await f.addStaff('101', 'officer', 'FOOD');
    const colleague = await f.addStaff('102', 'officer', 'FOOD');
    const ticket = await f.fileTicket();
    expect(ticket.assignedTo).toBe(officer._id);
    const before = (await f.outbox()).length;

    at(ticket.ackDueAt, -1);
    expect((await f.escalation.sweep()).escalated).toEqual([]);
    at(ticket.ackDueAt);
    expect((await f.escalation.sweep()).escalated).toEqual([ticket.ref]);

    const moved = await f.ticket(ticket.ref);
    expect(moved.level).toBe(2);
    expect(moved.status).toBe(ticket.status);
    expect(moved.escalatedAt).toEqual(ticket.ackDueAt);
    expect(moved.history.at(-1)).toMatchObject({
      action: 'escalate',
      by: { kind: 'system', id: 'sla-sweep' },
      text: 'ack_overdue',
    });

    const toColleague = await f.textsTo(colleague.chatId);
    expect(toColleague).toHaveLength(2);
    expect(toColleague[0]).toContain(ticket.ref);
    expect(toColleague[0]).toContain(f.hi('escalation.reason.ack_overdue'));
    expect(toColleague[0]).toContain(f.hi('escalation.level.2'));
    expect(toColleague[0]).toContain('राशन की दुकान दस दिन से बंद है');
    expect(toColleague[1]).toContain(f.hi('escalation.history.action.created'));
    expect(toColleague[1]).toContain(f.hi('escalation.history.action.escalate', { level: 2 }));
    const card = (await f.outbox()).find((d) => d.chatId === colleague.chatId);
    expect(card?.message.buttons?.map((b) => b.data)).toContain(`tk|ack:${ticket.ref}`);

    const toOfficer = await f.textsTo(officer.chatId);
    expect(toOfficer.at(-1)).toContain(f.hi('escalation.reason.ack_overdue'));
    expect(toOfficer.at(-1)).toContain(ticket.ref);
    expect((await f.textsTo(CITIZEN_CHAT)).at(-1)).toBe(f.hi('escalation.citizen', { ref: ticket.ref }));
    expect(await f.textsTo(ADMIN_CHAT)).toEqual([]);

    // The next sweep finds nothing new: level 2 has its own, later deadline.
    const after = (await f.outbox()).length;
    expect(after - before).toBe(4);
    expect((await f.escalation.sweep()).escalated).toEqual([]);
    expect((await f.outbox()).length).toBe(after);
    expect((await f.ticket(ticket.ref)).level).toBe(2);
  });

  test('a level’s named chat in departments.yaml takes the escalation instead of the role rule', async () => {
    await f.addStaff('101', 'officer', 'FOOD');
    const colleague = await f.addStaff('102', 'officer', 'FOOD');
    const departments = await f.staff.departments();
    await f.staff.saveDepartments(
      departments.map((d) =>
        d.code === 'FOOD'
          ? { ...d, escalation: d.escalation.map((e) => (e.level === 2 ? { ...e, telegramId: '7777' } : e)) }
          : d,
      ),
      f.t.clock.now(),
    );
    const ticket = await f.fileTicket();
    at(ticket.ackDueAt);
    await f.escalation.sweep();
    const named = await f.textsTo('7777');
    expect(named[0]).toContain(ticket.ref);
    // The department's own title for the level appears beside the generic one, in the reader's language.
    expect(named[0]).toContain('ज़िला आपूर्ति अधिकारी');
    expect(named[0]).not.toContain('District Supply Officer');
    expect(await f.textsTo(colleague.chatId)).toEqual([]);
  });

  test('the whole ladder: level 3 to the on-duty supervisor, level 4 to administrators and the configured admin chat, then no further', async () => {
    const officer = await f.addStaff('101', 'officer', 'FOOD');
    await f.addStaff('102', 'officer', 'FOOD');
    const onShift = await f.addStaff('301', 'supervisor');
    const offShift = await f.addStaff('302', 'supervisor');
    const admin = await f.addStaff('401', 'admin');
    f.onDuty.push(onShift);
    const ticket = await f.fileTicket();
    await f.t.app.tickets.act(f.identity(officer), ticket.ref, { type: 'acknowledge' });

    // Acknowledged: nothing at the acknowledgement deadline, level 2 at the resolve deadline.
    at(ticket.ackDueAt);
    expect((await f.escalation.sweep()).escalated).toEqual([]);
    at(ticket.resolveDueAt);
    expect((await f.escalation.sweep()).escalated).toEqual([ticket.ref]);
    expect((await f.ticket(ticket.ref)).history.at(-1)?.text).toBe('resolve_overdue');

    const level3At = ticket.resolveDueAt.getTime() + levelHours(f.policy, 2, 'ration') * HOUR;
    at(new Date(level3At), -1);
    expect((await f.escalation.sweep()).escalated).toEqual([]);
    at(new Date(level3At));
    expect((await f.escalation.sweep()).escalated).toEqual([ticket.ref]);
    expect((await f.ticket(ticket.ref)).level).toBe(3);
    expect((await f.textsTo(onShift.chatId))[0]).toContain(f.hi('escalation.reason.level_overdue'));
    expect(await f.textsTo(offShift.chatId)).toEqual([]);
    expect(await f.textsTo(admin.chatId)).toEqual([]);

    const level4At = level3At + levelHours(f.policy, 3, 'ration') * HOUR;
    at(new Date(level4At));
    expect((await f.escalation.sweep()).escalated).toEqual([ticket.ref]);
    const top = await f.ticket(ticket.ref);
    expect(top.level).toBe(4);
    expect((await f.textsTo(admin.chatId))[0]).toContain(f.hi('escalation.level.4'));
    expect((await f.textsTo(ADMIN_CHAT))[0]).toContain(ticket.ref);
    // The officer heard of each step; the citizen once per level.
    const officerTexts = await f.textsTo(officer.chatId);
    expect(officerTexts.filter((x) => x.includes('⬆️'))).toHaveLength(3);
    expect(
      (await f.textsTo(CITIZEN_CHAT)).filter((x) => x === f.hi('escalation.citizen', { ref: ticket.ref })),
    ).toHaveLength(3);

    // The top has nowhere to go, however long it waits.
    at(new Date(level4At + 100 * 24 * HOUR));
    expect((await f.escalation.sweep()).escalated).toEqual([]);
    expect((await f.ticket(ticket.ref)).history.filter((h) => h.action === 'escalate')).toHaveLength(3);
  });

  test('with nobody at a level, the escalation falls through to the next: no officers and no roster reach every supervisor', async () => {
    const s1 = await f.addStaff('301', 'supervisor');
    const s2 = await f.addStaff('302', 'supervisor');
    const ticket = await f.fileTicket({ category: 'stranded' });
    expect(ticket.assignedTo).toBeUndefined();
    at(ticket.ackDueAt);
    await f.escalation.sweep();
    expect((await f.ticket(ticket.ref)).level).toBe(2);
    for (const s of [s1, s2])
      expect((await f.textsTo(s.chatId)).some((x) => x.includes(f.hi('escalation.reason.ack_overdue')))).toBe(true);
  });

  test('resolved tickets are never escalated', async () => {
    const officer = await f.addStaff('101', 'officer', 'FOOD');
    const ticket = await f.fileTicket();
    await f.t.app.tickets.act(f.identity(officer), ticket.ref, { type: 'resolve', text: 'दुकान खुलवा दी गई' });
    at(ticket.resolveDueAt, 30 * 24 * HOUR);
    expect(await f.escalation.sweep()).toMatchObject({ checked: 0, escalated: [] });
  });

  describe('/escalate', () => {
    const state: ConversationState = { language: 'hi', quota: { day: '', count: 0 } };
    const msg: InboundMessage = {
      channel: 'telegram',
      chatId: '301',
      updateKey: '1',
      receivedAt: new Date(),
      content: { kind: 'command', command: 'escalate', args: '' },
    };
    const run = async (identity: StaffIdentity, argText: string) => {
      const module = createEscalateCommand({ escalation: f.escalation });
      const out = await module.handle({
        identity,
        state,
        msg,
        name: 'escalate',
        args: argText.split(/\s+/).filter(Boolean),
        argText,
      });
      return out.replies.map((r) => r.text);
    };

    test('a supervisor moves a ticket up by hand, with the reason in its history and the notices of an escalation', async () => {
      const officer = await f.addStaff('101', 'officer', 'FOOD');
      const colleague = await f.addStaff('102', 'officer', 'FOOD');
      const supervisor = await f.addStaff('301', 'supervisor');
      const ticket = await f.fileTicket();

      expect(await run(f.identity(supervisor), `${ticket.ref.toLowerCase()} दुकानदार फ़ोन नहीं उठा रहा`)).toEqual([
        { key: 'escalation.done', params: { ref: ticket.ref, level: 2, count: 1 } },
      ]);
      const moved = await f.ticket(ticket.ref);
      expect(moved.history.at(-1)).toMatchObject({
        action: 'escalate',
        by: { kind: 'staff', id: supervisor._id, role: 'supervisor' },
        text: 'दुकानदार फ़ोन नहीं उठा रहा',
      });
      expect((await f.textsTo(colleague.chatId))[0]).toContain(
        f.hi('escalation.reason.manual', { text: 'दुकानदार फ़ोन नहीं उठा रहा' }),
      );
      expect((await f.textsTo(officer.chatId)).at(-1)).toContain('दुकानदार फ़ोन नहीं उठा रहा');

      // An officer may not; a missing reason is explained; the top is the top.
      expect(await run(f.identity(officer), `${ticket.ref} कारण`)).toEqual([{ key: 'staff.forbidden' }]);
      expect(await run(f.identity(supervisor), ticket.ref)).toEqual([{ key: 'escalation.usage' }]);
      expect(await run(f.identity(supervisor), 'ALR-999999 कारण')).toEqual([
        { key: 'staff.ticket_not_found', params: { ref: 'ALR-999999' } },
      ]);
      await run(f.identity(supervisor), `${ticket.ref} फिर से`);
      await run(f.identity(supervisor), `${ticket.ref} फिर से`);
      expect((await f.ticket(ticket.ref)).level).toBe(4);
      expect(await run(f.identity(supervisor), `${ticket.ref} फिर से`)).toEqual([
        { key: 'escalation.already_top', params: { ref: ticket.ref } },
      ]);
    });

    test('a resolved ticket cannot be escalated', async () => {
      const officer = await f.addStaff('101', 'officer', 'FOOD');
      const admin = await f.addStaff('401', 'admin');
      const ticket = await f.fileTicket();
      await f.t.app.tickets.act(f.identity(officer), ticket.ref, { type: 'resolve', text: 'हो गया' });
      expect(await run(f.identity(admin), `${ticket.ref} कारण`)).toEqual([
        { key: 'staff.ticket_closed', params: { ref: ticket.ref, status: { key: 'ticket.status.resolved' } } },
      ]);
    });
  });

  describe('acknowledgement reminders', () => {
    test('each unacknowledged ticket is reminded once, at half its window, several at once in one message per officer', async () => {
      const officer = await f.addStaff('101', 'officer', 'FOOD');
      const t0 = f.t.clock.now();
      const first = await f.fileTicket();
      const second = await f.fileTicket();
      const seen = await f.fileTicket();
      await f.t.app.tickets.act(f.identity(officer), seen.ref, { type: 'acknowledge' });
      at(t0, 6 * HOUR);
      const third = await f.fileTicket();
      const remindersTo = async () => (await f.textsTo(officer.chatId)).filter((x) => x.startsWith('⏰'));

      at(first.ackDueAt, -12 * HOUR - 1);
      expect((await f.escalation.remindUnacknowledged()).reminded).toEqual([]);
      at(second.ackDueAt, -12 * HOUR);
      expect(await f.escalation.remindUnacknowledged()).toEqual({ reminded: [first.ref, second.ref], officers: 1 });
      const [message] = await remindersTo();
      expect(message).toContain(first.ref);
      expect(message).toContain(second.ref);
      expect(message).not.toContain(third.ref);
      expect(message).not.toContain(seen.ref);
      expect((await f.ticket(first.ref)).ackReminderSentAt).toEqual(f.t.clock.now());

      // Not a stream: the next runs send nothing about them.
      at(t0, 13 * HOUR);
      expect((await f.escalation.remindUnacknowledged()).reminded).toEqual([]);
      at(third.ackDueAt, -12 * HOUR);
      expect((await f.escalation.remindUnacknowledged()).reminded).toEqual([third.ref]);
      at(third.ackDueAt, -1);
      expect((await f.escalation.remindUnacknowledged()).reminded).toEqual([]);
      const all = await remindersTo();
      expect(all).toHaveLength(2);
      expect(all[1]).toContain(third.ref);
      expect(all[1]).not.toContain(first.ref);
    });
  });

  test('the sweep is fair: 200 level-2 tickets still inside their window do not keep a newer overdue level-1 ticket from escalating', async () => {
    await f.addStaff('101', 'officer', 'FOOD');
    const fresh = await f.fileTicket();
    const now = fresh.ackDueAt;
    // Past their resolve deadline and 13 hours at level 2: inside level 2's 24 hours for ration, but
    // beyond the shortest window of any category (12 hours), which is what the old query used.
    for (let i = 0; i < 200; i++) {
      await f.tickets.create(
        newTicket(i, now, {
          // Clear of the chats the fixture's staff use.
          chatId: String(700_000 + i),
          status: 'assigned',
          ackDueAt: new Date(now.getTime() - 100 * HOUR),
          resolveDueAt: new Date(now.getTime() - 20 * HOUR),
          acknowledgedAt: new Date(now.getTime() - 110 * HOUR),
          createdAt: new Date(now.getTime() - 120 * HOUR + i),
          level: 2,
          escalatedAt: new Date(now.getTime() - 13 * HOUR),
        }),
      );
    }
    at(now);
    const result = await f.escalation.sweep();
    expect(result.escalated).toEqual([fresh.ref]);
    expect(result.checked).toBe(1);
    expect((await f.ticket(fresh.ref)).level).toBe(2);
  }, 60_000);
});
