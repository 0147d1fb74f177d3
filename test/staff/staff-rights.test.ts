/**
 * Staff identity and rights through the real staff handler on a real
 * database: revocation (complete, repeatable, with the tickets moved on),
 * role changes seen from the staff record, stale and forged buttons, replies
 * found by message id, /staff and staff /language.
 */
import type { ConversationState } from '../../src/core/conversation-state';
import type { StaffIdentity } from '../../src/domain/roles';
import { formatDateTime } from '../../src/i18n/format';
import type { StaffStore } from '../../src/storage/staff-store';
import { newStaff } from '../support/new-staff';
import { ist } from '../supervisor/seed-tickets';
import { CONFIG_ADMIN_CHAT, createSupervisorKit, who, type SupervisorKit } from '../supervisor/supervisor-kit';

const created = ist('2026-11-28', '08:00');

/** A store whose `name` throws on its first call: the write that fails half-way through an action. */
function failOnce<K extends keyof StaffStore>(name: K): { wrap: (s: StaffStore) => StaffStore; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    wrap: (s) =>
      new Proxy(s, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (prop !== name || typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            calls += 1;
            if (calls === 1) throw new Error(`injected failure in ${String(name)}`);
            return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          };
        },
      }),
  };
}

/** A conversation document for a staff chat, as one would exist after they joined. */
async function conversationOf(kit: SupervisorKit, chatId: string, staff: StaffIdentity): Promise<void> {
  const now = kit.clock.now();
  await kit.models.Conversation.create({
    _id: `telegram:${chatId}`,
    citizenId: `c-${chatId}`,
    state: { language: 'hi', quota: { day: '', count: 0 } },
    seen: [],
    staff,
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
}

describe('revocation', () => {
  let kit: SupervisorKit;
  const fault = failOnce('syncConversationRole');

  beforeAll(async () => {
    kit = await createSupervisorKit({ wrapStaffStore: fault.wrap });
  });
  afterAll(() => kit.close());

  test('a /revoke whose second write failed leaves no rights, and /revoke again finishes it and moves the tickets', async () => {
    const admin = who(await kit.addStaff('admin'));
    const leaving = await kit.addStaff('officer', { department: 'FOOD', name: 'जाने वाले' });
    const colleague = await kit.addStaff('officer', { department: 'FOOD', name: 'साथी' });
    await conversationOf(kit, leaving.chatId, who(leaving).identity);
    const held = [];
    for (let i = 0; i < 2; i++)
      held.push(
        await kit.seedTicket({
          category: 'ration',
          department: 'FOOD',
          createdAt: created,
          status: 'assigned',
          assignedTo: leaving.id,
        }),
      );

    // The record is written, the conversation's copy is not.
    await expect(kit.command(admin, 'revoke', leaving.id)).rejects.toThrow('injected failure');
    expect((await kit.staffStore.findById(leaving.id))?.active).toBe(false);
    expect((await kit.models.Conversation.findById(`telegram:${leaving.chatId}`).lean())?.staff).toBeDefined();

    // Every action of theirs is refused at once, and the stale copy is cleared.
    for (const content of [
      { kind: 'command' as const, command: 'mine', args: '' },
      { kind: 'command' as const, command: 'resolve', args: `${held[0]?.ref} हो गया` },
      { kind: 'button' as const, scope: 'tk', value: `ack:${held[0]?.ref}` },
      { kind: 'text' as const, text: 'कुछ भी' },
    ]) {
      const { outcome, texts } = await kit.send(who(leaving), content);
      expect(texts).toEqual([kit.translator.t('hi', 'staff.role_ended')]);
      expect(outcome?.staffChange).toBeNull();
    }
    expect((await kit.tickets.findByRef(held[0]?.ref as string))?.status).toBe('assigned');

    // Again: not "not found", but finished.
    const { texts } = await kit.command(admin, 'revoke', leaving.id);
    expect(texts).toEqual([
      kit.translator.t('hi', 'staff.revoked_finished', { name: 'जाने वाले', id: leaving.id, moved: 2 }),
    ]);
    expect((await kit.models.Conversation.findById(`telegram:${leaving.chatId}`).lean())?.staff).toBeUndefined();
    for (const t of held) {
      const now = await kit.tickets.findByRef(t.ref);
      expect(now?.assignedTo).toBe(colleague.id);
      expect(now?.history.at(-1)).toMatchObject({
        action: 'assign',
        officerId: colleague.id,
        by: { id: admin.identity.id },
      });
    }
    const queued = await kit.queued();
    // The new officer gets each card, the citizens hear who holds their complaint now.
    for (const t of held) {
      expect(
        queued.some((m) => m.chatId === colleague.chatId && m.ticketRef === t.ref && m.message.text.includes(t.ref)),
      ).toBe(true);
      const told = kit.translator.t('hi', 'notify.assigned', {
        ref: t.ref,
        department: await kit.departments.name('FOOD', 'hi'),
      });
      expect(queued.filter((m) => m.chatId === t.chatId && m.message.text === told)).toHaveLength(1);
    }
    // A third /revoke moves nothing more and sends the revoked person no second notice.
    const third = await kit.command(admin, 'revoke', leaving.id);
    expect(third.texts).toEqual([
      kit.translator.t('hi', 'staff.revoked_finished', { name: 'जाने वाले', id: leaving.id, moved: 0 }),
    ]);
    const notices = (await kit.queued()).filter(
      (m) => m.chatId === leaving.chatId && m.message.text === kit.translator.t('hi', 'staff.revoked_notice'),
    );
    expect(notices).toHaveLength(1);
  });

  test("the only officer's open tickets go to the supervisors' unassigned list, and the admin is told how many", async () => {
    const admin = who(await kit.addStaff('admin'));
    const supervisor = await kit.addStaff('supervisor');
    const only = await kit.addStaff('officer', { department: 'HEALTH', name: 'अकेले' });
    const ticket = await kit.seedTicket({
      category: 'health',
      department: 'HEALTH',
      createdAt: created,
      status: 'acknowledged',
      assignedTo: only.id,
    });
    const { texts } = await kit.command(admin, 'revoke', only.chatId);
    expect(texts).toEqual([kit.translator.t('hi', 'staff.revoked', { name: 'अकेले', id: only.id, moved: 1 })]);
    const now = await kit.tickets.findByRef(ticket.ref);
    expect(now?.assignedTo).toBeUndefined();
    expect(now?.department).toBe('HEALTH');
    const alert = kit.translator.t('hi', 'staff.ticket.unassigned', {
      ref: ticket.ref,
      department: await kit.departments.name('HEALTH', 'hi'),
    });
    const queued = await kit.queued();
    for (const chat of [supervisor.chatId, CONFIG_ADMIN_CHAT])
      expect(queued.some((m) => m.chatId === chat && m.message.text === alert)).toBe(true);
  });
});

describe('a revoked operator in the middle of a call', () => {
  let kit: SupervisorKit;
  beforeAll(async () => {
    kit = await createSupervisorKit();
  });
  afterAll(() => kit.close());

  test("loses the caller's half-entered complaint, so nothing is filed in their name later", async () => {
    const operator = await kit.addStaff('operator');
    await kit.staffStore.revoke(operator.id, kit.clock.now());
    const state: ConversationState = {
      language: 'hi',
      quota: { day: '', count: 0 },
      flow: {
        flowId: 'citizen-intake',
        version: 1,
        step: 'description',
        mode: 'answer',
        answers: { category: 'ration', attachments: [] },
        onBehalf: { line: 'phone181', operatorId: operator.id },
      },
    };
    const msg = {
      channel: 'telegram' as const,
      chatId: operator.chatId,
      updateKey: 'op1',
      receivedAt: kit.clock.now(),
      content: { kind: 'text' as const, text: 'राशन नहीं मिला' },
    };
    const outcome = await kit.staffHandler.handle(msg, state, who(operator).identity);
    expect(kit.words('hi', outcome?.replies ?? [])).toEqual([kit.translator.t('hi', 'staff.role_ended')]);
    expect(outcome?.staffChange).toBeNull();
    expect(outcome?.state.flow).toBeUndefined();
  });
});

describe('the staff record decides', () => {
  let kit: SupervisorKit;
  beforeAll(async () => {
    kit = await createSupervisorKit();
  });
  afterAll(() => kit.close());

  test('a department changed in the record counts at once; the conversation copy is corrected', async () => {
    const officer = await kit.addStaff('officer', { department: 'FOOD' });
    const stale = who(officer);
    const ticket = await kit.seedTicket({ category: 'ration', department: 'FOOD', createdAt: created });
    // Re-invited to HEALTH (the record), while the conversation still says FOOD.
    await kit.staffStore.upsertStaff(newStaff(officer.chatId, 'officer', kit.clock.now(), { department: 'HEALTH' }));
    kit.clock.advance(10_000);
    const { outcome, texts } = await kit.command(stale, 'ack', ticket.ref);
    expect(texts).toEqual([kit.translator.t('hi', 'staff.forbidden_ticket', { ref: ticket.ref })]);
    expect(outcome?.staffChange).toEqual({ id: officer.id, role: 'officer', department: 'HEALTH' });
  });

  test('a revocation by another process is seen within seconds', async () => {
    const officer = await kit.addStaff('officer', { department: 'FOOD' });
    expect((await kit.command(who(officer), 'mine')).texts[0]).not.toBe(kit.translator.t('hi', 'staff.role_ended'));
    // Another process revokes: this one's short cache may answer for a moment, no longer.
    await kit.staffStore.revoke(officer.id, kit.clock.now());
    kit.clock.advance(6_000);
    expect((await kit.command(who(officer), 'mine')).texts).toEqual([kit.translator.t('hi', 'staff.role_ended')]);
  });
});

describe('buttons', () => {
  let kit: SupervisorKit;
  let officer: ReturnType<typeof who>;
  let admin: ReturnType<typeof who>;
  beforeAll(async () => {
    kit = await createSupervisorKit();
    officer = who(await kit.addStaff('officer', { department: 'FOOD' }));
    admin = who(await kit.addStaff('admin'));
  });
  afterAll(() => kit.close());

  const tap = (person: ReturnType<typeof who>, data: string) => {
    const [scope = '', value = ''] = data.split(/\|(.*)/s);
    return kit.send(person, { kind: 'button', scope, value });
  };

  test('a stale "resolve", "ask", "update" or "transfer" on a ticket transferred away is refused before any text is asked for', async () => {
    const ticket = await kit.seedTicket({ category: 'ration', department: 'FOOD', createdAt: created });
    await kit.ticketService.act(officer.identity, ticket.ref, {
      type: 'transfer',
      department: 'HEALTH',
      text: 'गलत विभाग',
    });
    for (const action of ['resolve', 'ask', 'update', 'transfer']) {
      const { outcome, texts } = await tap(officer, `tk|${action}:${ticket.ref}`);
      expect(texts).toEqual([kit.translator.t('hi', 'staff.forbidden_ticket', { ref: ticket.ref })]);
      expect(outcome?.state.staffPending).toBeUndefined();
    }
  });

  test('a stale button on a resolved ticket says it is resolved, without asking for text', async () => {
    const ticket = await kit.seedTicket({ category: 'ration', department: 'FOOD', createdAt: created });
    await kit.ticketService.act(officer.identity, ticket.ref, { type: 'resolve', text: 'हो गया' });
    for (const action of ['resolve', 'ask', 'update']) {
      const { outcome, texts } = await tap(officer, `tk|${action}:${ticket.ref}`);
      expect(texts).toEqual([
        kit.words('hi', [
          {
            text: {
              key: 'staff.ticket_closed',
              params: { ref: ticket.ref, status: { key: 'ticket.status.resolved' } },
            },
          },
        ])[0],
      ]);
      expect(outcome?.state.staffPending).toBeUndefined();
    }
  });

  test('forged callback data gets a polite answer, changes no ticket and leaves nothing pending', async () => {
    const ticket = await kit.seedTicket({ category: 'ration', department: 'FOOD', createdAt: created });
    const forged = [
      'tk|resolve:ALR-999999',
      'tk|ask:',
      'tk|drop:' + ticket.ref,
      'tk|resolve:' + ticket.ref + ':extra:parts',
      `tkx|${ticket.ref}:NOPE`,
      'tkx|garbage',
      `tkx|ALR-999999:HEALTH`,
      'stp|abc',
      'lang|xx',
      'unknown|whatever',
      `tk|${'x'.repeat(500)}`,
    ];
    for (const person of [officer, admin]) {
      for (const data of forged) {
        const { outcome, texts } = await tap(person, data);
        expect({ data, texts: texts.length > 0 && texts.every((x) => x.length > 0) }).toEqual({ data, texts: true });
        expect({ data, pending: outcome?.state.staffPending }).toEqual({ data, pending: undefined });
      }
    }
    const after = await kit.tickets.findByRef(ticket.ref);
    expect(after?.history).toHaveLength(ticket.history.length);
  });
});

describe('replies to ticket messages', () => {
  let kit: SupervisorKit;
  beforeAll(async () => {
    kit = await createSupervisorKit();
  });
  afterAll(() => kit.close());

  test('only a reply to a card or notice of that ticket, found by its message id, is an update', async () => {
    const officer = who(await kit.addStaff('officer', { department: 'FOOD' }));
    const ticket = await kit.seedTicket({
      category: 'ration',
      department: 'FOOD',
      createdAt: created,
      status: 'assigned',
      assignedTo: officer.identity.id,
    });
    await kit.messageRefs.record({
      channel: 'telegram',
      chatId: officer.chatId,
      messageId: '501',
      ref: ticket.ref,
      at: kit.clock.now(),
    });

    const state: ConversationState = { language: 'hi', quota: { day: '', count: 0 } };
    const base = { channel: 'telegram' as const, chatId: officer.chatId, receivedAt: kit.clock.now() };
    // A message merely quoting the reference (the bot's own confirmation) is not the ticket's message.
    const wrong = await kit.staffHandler.handle(
      {
        ...base,
        updateKey: 'r1',
        replyToId: '502',
        replyToText: `✅ शिकायत ${ticket.ref} देखी गई`,
        content: { kind: 'text', text: 'यह अपडेट नहीं है' },
      },
      state,
      officer.identity,
    );
    expect(kit.words('hi', wrong?.replies ?? [])).toEqual([kit.translator.t('hi', 'staff.reply_hint')]);
    expect((await kit.tickets.findByRef(ticket.ref))?.history).toHaveLength(ticket.history.length);

    const right = await kit.staffHandler.handle(
      {
        ...base,
        updateKey: 'r2',
        replyToId: '501',
        replyToText: 'कार्ड',
        content: { kind: 'text', text: 'कल निरीक्षण होगा' },
      },
      state,
      officer.identity,
    );
    expect(kit.words('hi', right?.replies ?? [])).toEqual([
      kit.translator.t('hi', 'staff.done.update', { ref: ticket.ref, department: '' }),
    ]);
    expect((await kit.tickets.findByRef(ticket.ref))?.history.at(-1)).toMatchObject({
      action: 'update',
      text: 'कल निरीक्षण होगा',
    });
  });
});

describe('/staff and /language', () => {
  let kit: SupervisorKit;
  beforeAll(async () => {
    kit = await createSupervisorKit();
  });
  afterAll(() => kit.close());

  test('/staff is one paged message with names, roles, departments, chat and join date', async () => {
    const admin = who(await kit.addStaff('admin', { name: 'प्रशासक' }));
    for (let i = 0; i < 11; i++) await kit.addStaff('officer', { department: 'FOOD', name: `अधिकारी ${i}` });
    const first = await kit.command(admin, 'staff');
    expect(first.rendered).toHaveLength(1);
    const text = first.texts[0] as string;
    expect(text).toContain(kit.translator.t('hi', 'staff.list_title', { count: 12 }));
    expect(text).toContain('अधिकारी 0');
    expect(text).toContain(kit.translator.t('hi', 'staff.role.officer'));
    expect(text).toContain(await kit.departments.name('FOOD', 'hi'));
    expect(text).toContain(kit.translator.t('hi', 'supervisor.failed.channel.telegram'));
    expect(text).toContain(formatDateTime(kit.clock.now(), 'hi'));
    expect(first.outcome?.replies[0]?.buttons?.scope).toBe('stp');
    const second = await kit.send(admin, { kind: 'button', scope: 'stp', value: '2' });
    expect(second.texts).toHaveLength(1);
    expect(second.texts[0]).not.toBe(text);
    expect((first.texts[0]?.match(/ID /g) ?? []).length + (second.texts[0]?.match(/ID /g) ?? []).length).toBe(12);
  });

  test('staff /language offers the two languages as buttons; a tap switches and is remembered', async () => {
    const officer = await kit.addStaff('officer', { department: 'FOOD' });
    const asked = await kit.command(who(officer), 'language');
    expect(asked.outcome?.replies[0]?.buttons).toEqual({
      scope: 'lang',
      options: [
        { value: 'hi', label: { key: 'language.hi' } },
        { value: 'en', label: { key: 'language.en' } },
      ],
    });
    const tapped = await kit.send(who(officer), { kind: 'button', scope: 'lang', value: 'en' });
    expect(tapped.outcome?.state.language).toBe('en');
    expect((await kit.staffStore.findById(officer.id))?.language).toBe('en');
  });
});
