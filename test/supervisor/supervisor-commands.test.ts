import { parse } from 'csv-parse/sync';
import { EXPORT_COLUMNS } from '../../src/supervisor/ticket-export';
import { PAGE_SIZE } from '../../src/core/paging';
import {
  EXTRA_FOOD,
  FORMULA_LOCALITY,
  ist,
  seedStandardSet,
  TRICKY_DESCRIPTION,
  type StandardSet,
} from './seed-tickets';
import { createSupervisorKit, who, type SupervisorKit } from './supervisor-kit';

type Person = Awaited<ReturnType<SupervisorKit['addStaff']>>;

describe('supervisor commands against a seeded set of tickets', () => {
  let kit: SupervisorKit;
  let set: StandardSet;
  let sup: Person;
  let admin: Person;
  let foodOfficer: Person;
  let foodOfficer2: Person;
  let healthOfficer: Person;
  let operator: Person;
  const en = (key: string, params?: Record<string, unknown>) => kit.translator.t('en', key, params);
  const hi = (key: string, params?: Record<string, unknown>) => kit.translator.t('hi', key, params);

  beforeAll(async () => {
    kit = await createSupervisorKit();
    sup = await kit.addStaff('supervisor', { name: 'Sunita', language: 'en' });
    admin = await kit.addStaff('admin', { name: 'DeGM' });
    foodOfficer = await kit.addStaff('officer', { department: 'FOOD', name: 'गुप्ता जी' });
    foodOfficer2 = await kit.addStaff('officer', { department: 'FOOD', name: 'वर्मा जी' });
    healthOfficer = await kit.addStaff('officer', { department: 'HEALTH', name: 'डॉ. शर्मा' });
    operator = await kit.addStaff('operator', { name: 'ऑपरेटर' });
    set = await seedStandardSet(kit, {
      foodOfficer: foodOfficer.id,
      healthOfficer: healthOfficer.id,
      operator: operator.id,
    });
  });

  afterAll(() => kit.close());

  describe('/stats', () => {
    test('today counts by status, type, department and channel', async () => {
      const { texts } = await kit.command(who(sup), 'stats', '', 'en');
      const text = texts[0] ?? '';
      // Filed today before 10:00: t2 (phone 181) and t7 (Telegram), both FOOD ration, both new.
      expect(text).toContain(`📊 Today (since 28 Nov 2026, 12:00 am)\nComplaints: 2`);
      expect(text).toContain(`By status:\n• ${en('ticket.status.new')}: 2\n\n`);
      expect(text).toContain(`By type:\n• ${en('category.ration')}: 2\n\n`);
      expect(text).toContain('By department:\n• Food and Civil Supplies Department: 2\n\n');
      expect(text).toContain(
        'By channel:\n• Telegram: 1\n• WhatsApp: 0\n• Web: 0\n• Phone 181: 1\n• Phone 104: 0\n• Mobile number: 0',
      );
    });

    test('week and month widen the window (in Hindi words too)', async () => {
      const inWindow = (from: Date) => set.all.filter((t) => t.createdAt >= from).length;
      const week = await kit.command(who(sup), 'stats', 'week', 'en');
      expect(week.texts[0]).toContain(`Complaints: ${inWindow(ist('2026-11-22', '00:00'))}`);
      const month = await kit.command(who(sup), 'stats', 'महीना');
      expect(month.texts[0]).toContain(`शिकायतें: ${inWindow(ist('2026-10-30', '00:00'))}`);
      expect(inWindow(ist('2026-10-30', '00:00'))).toBe(set.all.length - 1);
      expect(month.texts[0]).toContain(`${hi('supervisor.channel.mobile')}: 1`);
      const bad = await kit.command(who(sup), 'stats', 'year', 'en');
      expect(bad.texts).toEqual([en('supervisor.stats.usage')]);
    });
  });

  describe('/pending', () => {
    test('lists open tickets oldest first, ten to a page, with buttons that page', async () => {
      const openFood = [set.t1, set.t2, set.t7, ...set.extras].sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime(),
      );
      expect(openFood).toHaveLength(3 + EXTRA_FOOD);
      const first = await kit.command(who(sup), 'pending', 'food', 'en');
      const page1 = first.rendered[0];
      expect(page1?.text.split('\n')[0]).toBe(
        `⏳ Open complaints of Food and Civil Supplies Department: ${openFood.length} · page 1/2`,
      );
      const refs1 = page1?.text.match(/ALR-\d{6}/g)?.slice(0, PAGE_SIZE);
      expect(refs1).toEqual(openFood.slice(0, PAGE_SIZE).map((t) => t.ref));
      expect(page1?.buttons).toEqual([{ label: en('supervisor.page.next'), data: 'svp|p:FOOD:2' }]);

      const second = await kit.send(who(sup), { kind: 'button', scope: 'svp', value: 'p:FOOD:2' }, 'en');
      const page2 = second.rendered[0];
      expect(page2?.text.split('\n')[0]).toContain('page 2/2');
      expect(page2?.text.match(/ALR-\d{6}/g)?.filter((r) => r !== 'ALR-000123')).toEqual(
        openFood.slice(PAGE_SIZE).map((t) => t.ref),
      );
      expect(page2?.buttons).toEqual([{ label: en('supervisor.page.prev'), data: 'svp|p:FOOD:1' }]);
    });

    test('without a department: every open ticket; an unknown department is named', async () => {
      const all = await kit.command(who(sup), 'pending', '', 'en');
      expect(all.texts[0]).toContain(`Open complaints: ${3 + EXTRA_FOOD + 1} · page 1/2`);
      const none = await kit.command(who(sup), 'pending', 'HEALTH', 'en');
      expect(none.texts).toEqual([en('supervisor.pending.empty_department', { department: 'Health Department' })]);
      const unknown = await kit.command(who(sup), 'pending', 'XYZ', 'en');
      expect(unknown.texts[0]).toContain('«XYZ» not found');
    });

    test('an officer sees only their own department', async () => {
      const own = await kit.command(who(foodOfficer), 'pending');
      expect(own.texts[0]).toContain('खाद्य एवं नागरिक आपूर्ति विभाग');
      expect(own.texts[0]).not.toMatch(/\bFOOD\b/);
      expect(own.texts[0]).toContain(set.t1.ref);
      const other = await kit.command(who(foodOfficer), 'pending', 'REVENUE');
      expect(other.texts).toEqual([hi('staff.forbidden')]);
      const health = await kit.command(who(healthOfficer), 'pending');
      expect(health.texts).toEqual([hi('supervisor.pending.empty_department', { department: 'स्वास्थ्य विभाग' })]);
    });
  });

  test('/overdue lists tickets past a deadline with what is late and the level', async () => {
    const { texts } = await kit.command(who(sup), 'overdue', '', 'en');
    const lines = (texts[0] ?? '').split('\n');
    expect(lines[0]).toBe('⏰ Past their deadline: 2 · page 1/1');
    // Oldest first: t4 (18 Nov, level 2, not resolved), then t1 (yesterday, not seen).
    expect(lines[1]).toMatch(new RegExp(`^${set.t4.ref} · Revenue Department · L2 · not resolved · due `));
    expect(lines[2]).toMatch(
      new RegExp(`^${set.t1.ref} · Food and Civil Supplies Department · L1 · not seen · due 1 hour ago$`),
    );
  });

  describe('/ticket', () => {
    test('shows every detail and the history with who did what, and action buttons while open', async () => {
      const { rendered } = await kit.command(who(sup), 'ticket', set.t3.ref.toLowerCase(), 'en');
      const [details, history] = rendered;
      expect(details?.text).toContain(`🎫 ${set.t3.ref} · ${en('ticket.status.resolved')}`);
      expect(details?.text).toContain(`🏢 Health Department (HEALTH) · 👤 डॉ. शर्मा (${healthOfficer.id})`);
      expect(details?.text).toContain('📥 WhatsApp · Hindi');
      expect(details?.text).toContain('⭐ Rating 4/5 · satisfied');
      expect(details?.buttons).toBeUndefined();
      expect(history?.text.split('\n')).toEqual([
        `📜 History of ${set.t3.ref} (4 steps)`,
        expect.stringMatching(/^• 25 Nov 2026, 10:00 am · citizen · filed$/),
        expect.stringMatching(
          new RegExp(
            `^• 25 Nov 2026, 10:00 am · system · assigned → Health Department · डॉ. शर्मा \\(${healthOfficer.id}\\)$`,
          ),
        ),
        `• 27 Nov 2026, 11:00 am · डॉ. शर्मा (${healthOfficer.id}), department officer · seen`,
        `• 27 Nov 2026, 3:00 pm · डॉ. शर्मा (${healthOfficer.id}), department officer · resolved`,
        '   «जाँच शिविर में जाँच हो गई»',
      ]);

      const open = await kit.command(who(sup), 'ticket', set.t2.ref);
      expect(open.rendered[0]?.buttons?.map((b) => b.data)).toEqual(
        ['ack', 'ask', 'update', 'resolve', 'transfer'].map((a) => `tk|${a}:${set.t2.ref}`),
      );
      expect(open.texts[0]).toContain(`☎️ दर्ज करने वाले: ऑपरेटर (${operator.id})`);
      expect(open.texts[0]).toContain('फ़ोन 181');
    });

    test('an escalation shows its reason in words', async () => {
      const { rendered } = await kit.command(who(sup), 'ticket', set.t4.ref, 'en');
      expect(rendered[0]?.text).toContain('⚠️ Escalation level 2 (since 21 Nov 2026, 10:00 am)');
      expect(rendered[1]?.text).toContain(`· system · escalated\n   «${en('escalation.reason.resolve_overdue')}»`);
    });

    test('officers see their own department’s tickets only; unknown and malformed references are told apart', async () => {
      const own = await kit.command(who(foodOfficer), 'ticket', set.t1.ref);
      expect(own.texts[0]).toContain(set.t1.ref);
      const other = await kit.command(who(foodOfficer), 'ticket', set.t3.ref);
      expect(other.texts).toEqual([hi('staff.forbidden_ticket', { ref: set.t3.ref })]);
      expect(kit.logs().some((l) => l.includes('"event":"staff_forbidden"') && l.includes('"action":"view"'))).toBe(
        true,
      );
      expect((await kit.command(who(sup), 'ticket', 'ALR-999999', 'en')).texts).toEqual([
        en('staff.ticket_not_found', { ref: 'ALR-999999' }),
      ]);
      expect((await kit.command(who(sup), 'ticket', 'hello', 'en')).texts).toEqual([
        en('staff.usage.ref', { command: 'ticket' }),
      ]);
    });
  });

  describe('/find', () => {
    test('by phone number in any spelling, by reference, by words (Hindi or English)', async () => {
      const byPhone = await kit.command(who(sup), 'find', '098765 43210', 'en');
      expect(byPhone.texts[0]).toContain('🔎 Found: 1');
      expect(byPhone.texts[0]).toContain(set.t7.ref);
      const devanagariDigits = await kit.command(who(sup), 'find', '९१२३४५६७८९', 'en');
      expect(devanagariDigits.texts[0]).toContain(set.t2.ref);
      const byRef = await kit.command(who(sup), 'find', set.t4.ref.toLowerCase(), 'en');
      expect(byRef.texts[0]).toContain(set.t4.ref);
      const byWords = await kit.command(who(sup), 'find', 'दुकान', 'en');
      expect(byWords.texts[0]).toContain('🔎 Found: 1');
      expect(byWords.texts[0]).toContain('राशन "दुकान", बंद दूसरी पंक्ति');
      const pagedWords = await kit.command(who(sup), 'find', 'शिकायत', 'en');
      expect(pagedWords.texts[0]).toContain(`Found: ${EXTRA_FOOD + 6}`);
      expect(pagedWords.rendered[0]?.buttons?.[0]?.data).toBe('svp|f:2:शिकायत');
      const page2 = await kit.send(who(sup), { kind: 'button', scope: 'svp', value: 'f:2:शिकायत' }, 'en');
      expect(page2.texts[0]).toContain('page 2/2');
      expect((await kit.command(who(sup), 'find', 'zzzz', 'en')).texts).toEqual([en('supervisor.find.none')]);
      expect((await kit.command(who(sup), 'find', '', 'en')).texts).toEqual([en('supervisor.find.usage')]);
      // Searches are logged without what was searched for.
      const searchLogs = kit.logs().filter((l) => l.includes('"event":"tickets_searched"'));
      expect(searchLogs.length).toBeGreaterThan(0);
      expect(searchLogs.some((l) => l.includes('43210') || l.includes('दुकान'))).toBe(false);
    });
  });

  describe('/export', () => {
    test('queues a UTF-8 CSV with BOM, one row per ticket with all fields, that parses back with Hindi intact', async () => {
      const { texts, msg } = await kit.command(who(admin), 'export', '01-11-2026 2026-11-28');
      const expected = set.all
        .filter((t) => t.createdAt >= ist('2026-11-01', '00:00'))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      expect(texts).toEqual([
        hi('supervisor.export.queued', { count: expected.length, from: '1 नव॰ 2026', to: '28 नव॰ 2026' }),
      ]);
      const queued = (await kit.queued()).filter(
        (q) => q.dedupeKey === `export:telegram:${admin.chatId}:${msg.updateKey}`,
      );
      expect(queued).toHaveLength(1);
      const doc = queued[0]?.message.document;
      expect(doc?.fileName).toBe('complaints_2026-11-01_2026-11-28.csv');
      expect(doc?.mimeType).toBe('text/csv');
      // Read back from the database, the bytes are BSON binary.
      const stored = doc?.bytes as unknown as Buffer | { buffer: Uint8Array };
      const bytes = Buffer.isBuffer(stored) ? stored : Buffer.from(stored.buffer);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows: string[][] = parse(bytes, { bom: true, relax_column_count: false });
      expect(rows[0]).toEqual(EXPORT_COLUMNS.map((c) => hi(`supervisor.export.col.${c}`)));
      expect(rows.slice(1).map((r) => r[0])).toEqual(expected.map((t) => t.ref));
      const col = (name: (typeof EXPORT_COLUMNS)[number]) => EXPORT_COLUMNS.indexOf(name);
      const t7 = rows.find((r) => r[0] === set.t7.ref) as string[];
      expect(t7[col('description')]).toBe(TRICKY_DESCRIPTION);
      expect(t7[col('locality')]).toBe(`'${FORMULA_LOCALITY}`);
      expect(t7[col('phone')]).toBe("'+919876543210");
      expect(t7[col('block')]).toBe(hi('block.jobat'));
      expect(t7[col('created')]).toBe('2026-11-28 09:30');
      expect(t7[col('category')]).toBe(hi('category.ration'));
      const t3 = rows.find((r) => r[0] === set.t3.ref) as string[];
      expect([t3[col('rating')], t3[col('satisfied')], t3[col('resolved')], t3[col('officer')]]).toEqual([
        '4',
        'हाँ',
        '2026-11-27 15:00',
        'डॉ. शर्मा',
      ]);
      expect(t3[col('history')]?.split('\n')).toHaveLength(4);
      expect(t3[col('history')]).toContain('जाँच शिविर में जाँच हो गई');
      const t2 = rows.find((r) => r[0] === set.t2.ref) as string[];
      expect([t2[col('intake')], t2[col('logged_by')]]).toEqual([
        hi('supervisor.channel.phone181'),
        `ऑपरेटर (${operator.id})`,
      ]);
      expect(kit.logs().some((l) => l.includes('"event":"tickets_exported"'))).toBe(true);
    });

    test('the default period is the last 30 days; bad, reversed, empty and too large periods are explained', async () => {
      const { texts } = await kit.command(who(sup), 'export', '', 'en');
      expect(texts[0]).toContain(`📄 ${set.all.length - 1} complaints (30 Oct 2026 – 28 Nov 2026)`);
      expect((await kit.command(who(sup), 'export', '31-02-2026', 'en')).texts).toEqual([
        en('supervisor.export.usage'),
      ]);
      expect((await kit.command(who(sup), 'export', '2026-11-28 2026-11-01', 'en')).texts[0]).toContain(
        'is after the end date',
      );
      expect((await kit.command(who(sup), 'export', '2025-01-01 2026-11-28', 'en')).texts).toEqual([
        en('supervisor.export.too_long', { count: 366 }),
      ]);
      expect((await kit.command(who(sup), 'export', '2026-09-01 2026-09-30', 'en')).texts).toEqual([
        en('supervisor.export.empty', { from: '1 Sept 2026', to: '30 Sept 2026' }),
      ]);
    });
  });

  describe('/report', () => {
    test('yesterday by default: new, resolved, open, late, average times, ratings and channels', async () => {
      const { texts } = await kit.command(who(sup), 'report', '', 'en');
      const text = texts[0] ?? '';
      // 27 Nov: t1 (09:00), t5 (23:30) and the twelve extras were filed; t3 was seen and resolved (49 h and 53 h after filing) and rated 4.
      expect(text).toContain(
        `📋 Daily report — 27 Nov 2026\nNew complaints: ${2 + EXTRA_FOOD}\nResolved: 1\nOpen now: ${3 + EXTRA_FOOD + 1} (past deadline 2)`,
      );
      expect(text).toContain('Average time to see: 2 d 1 h (1)');
      expect(text).toContain('Average time to resolve: 2 d 5 h (1)');
      expect(text).toContain('Average rating 4 from 1 citizen, 1 satisfied');
      expect(text).toContain(`• Food and Civil Supplies Department: ${1 + EXTRA_FOOD} · 0 · ${3 + EXTRA_FOOD} · 1`);
      expect(text).toContain('• Health Department: 0 · 1 · 0 · 0');
      expect(text).toContain(
        `New by channel:\n• Telegram: ${1 + EXTRA_FOOD}\n• WhatsApp: 0\n• Web: 0\n• Phone 181: 0\n• Phone 104: 1\n• Mobile number: 0`,
      );
    });

    test('today so far, or a given day; not a day to come', async () => {
      const today = await kit.command(who(sup), 'report', 'आज');
      // Today: t2 and t7 filed; t5 seen at 00:30 (1 h after filing) and resolved at 05:00, rated 2.
      expect(today.texts[0]).toContain('नई शिकायतें: 2\nहल हुईं: 1');
      expect(today.texts[0]).toContain('देखने में औसत समय: 1 घंटा 0 मिनट (1)');
      expect(today.texts[0]).toContain('औसत रेटिंग 2, 1 नागरिक से, 0 संतुष्ट');
      const day = await kit.command(who(sup), 'report', '25-11-2026', 'en');
      expect(day.texts[0]).toContain('Daily report — 25 Nov 2026\nNew complaints: 1');
      expect((await kit.command(who(sup), 'report', '2026-12-01', 'en')).texts).toEqual([
        en('supervisor.report.future'),
      ]);
      expect((await kit.command(who(sup), 'report', 'someday', 'en')).texts).toEqual([en('supervisor.report.usage')]);
    });
  });

  describe('/assign', () => {
    test('to another department: least-loaded officer there gets the card, the old officer a notice, the citizen hears the new department', async () => {
      const before = (await kit.queued()).length;
      const { texts } = await kit.command(who(sup), 'assign', `${set.t1.ref} health`, 'en');
      expect(texts).toEqual([
        en('supervisor.assign.done', {
          ref: set.t1.ref,
          department: 'Health Department',
          officer: `डॉ. शर्मा (${healthOfficer.id})`,
        }),
      ]);
      const moved = await kit.tickets.findByRef(set.t1.ref);
      expect([moved?.department, moved?.assignedTo, moved?.status]).toEqual(['HEALTH', healthOfficer.id, 'assigned']);
      expect(moved?.history.at(-1)).toMatchObject({
        action: 'assign',
        by: { kind: 'staff', id: sup.id, role: 'supervisor' },
        department: 'HEALTH',
        officerId: healthOfficer.id,
        from: 'assigned',
        to: 'assigned',
      });
      const sent = (await kit.queued()).slice(before);
      const to = (chatId: string) => sent.filter((q) => q.chatId === chatId).map((q) => q.message.text);
      expect(to(healthOfficer.chatId)[0]).toContain(hi('supervisor.assign.card_header', { ref: set.t1.ref }));
      expect(to(healthOfficer.chatId)[0]).toContain(set.t1.ref);
      expect(to(foodOfficer.chatId)).toEqual([
        hi('supervisor.assign.moved_away', { ref: set.t1.ref, department: 'स्वास्थ्य विभाग' }),
      ]);
      expect(to(set.t1.chatId)).toEqual([hi('notify.transferred', { ref: set.t1.ref, department: 'स्वास्थ्य विभाग' })]);
      expect(kit.logs().some((l) => l.includes('"event":"ticket_reassigned"'))).toBe(true);
    });

    test('within a department to a named officer (by id or chat id): the officer gets the card and the citizen is told, as by automatic assignment', async () => {
      const before = (await kit.queued()).length;
      const { texts } = await kit.command(who(admin), 'assign', `${set.t2.ref} FOOD ${foodOfficer2.chatId}`);
      expect(texts[0]).toContain(`वर्मा जी (${foodOfficer2.id})`);
      const sent = (await kit.queued()).slice(before);
      expect(sent.map((q) => q.chatId)).toEqual([foodOfficer2.chatId, set.t2.chatId]);
      expect(sent.find((q) => q.chatId === set.t2.chatId)?.message.text).toBe(
        hi('notify.assigned', { ref: set.t2.ref, department: 'खाद्य एवं नागरिक आपूर्ति विभाग' }),
      );
      const again = await kit.command(who(admin), 'assign', `${set.t2.ref} FOOD ${foodOfficer2.id}`, 'en');
      expect(again.texts).toEqual([
        en('supervisor.assign.already', { ref: set.t2.ref, officer: `वर्मा जी (${foodOfficer2.id})` }),
      ]);
    });

    test('refusals: officer of another department named, no other officer, closed ticket, unknown department, bad usage, officers themselves', async () => {
      // Supervisors cannot run /staff (administrators only): the refusal names the department's officers and their ids.
      const unknown = (await kit.command(who(sup), 'assign', `${set.t7.ref} FOOD ${healthOfficer.id}`, 'en')).texts;
      expect(unknown).toHaveLength(1);
      expect(unknown[0]).toContain(`«${healthOfficer.id}» is not an active officer of FOOD`);
      expect(unknown[0]).toContain(`वर्मा जी — ${foodOfficer2.id}`);
      expect(unknown[0]).not.toContain(healthOfficer.id + ',');
      expect((await kit.command(who(sup), 'assign', `${set.t1.ref} HEALTH`, 'en')).texts).toEqual([
        en('supervisor.assign.no_officer', { ref: set.t1.ref, code: 'HEALTH' }),
      ]);
      expect((await kit.command(who(sup), 'assign', `${set.t6.ref} FOOD`, 'en')).texts).toEqual([
        en('staff.ticket_closed', { ref: set.t6.ref, status: en('ticket.status.closed') }),
      ]);
      expect((await kit.command(who(sup), 'assign', `${set.t7.ref} XYZ`, 'en')).texts[0]).toContain('«XYZ» not found');
      expect((await kit.command(who(sup), 'assign', set.t7.ref, 'en')).texts[0]).toContain('/assign ALR-000123');
      expect((await kit.command(who(foodOfficer), 'assign', `${set.t7.ref} HEALTH`)).texts).toEqual([
        hi('staff.forbidden'),
      ]);
    });

    test('to a department with no officer: moved, unassigned, and the supervisor is told to invite one', async () => {
      const { texts } = await kit.command(who(sup), 'assign', `${set.t7.ref} POLICE`, 'en');
      expect(texts).toEqual([
        en('supervisor.assign.done_unassigned', {
          ref: set.t7.ref,
          department: 'Police / Transport Department',
          code: 'POLICE',
        }),
      ]);
      const t7 = await kit.tickets.findByRef(set.t7.ref);
      expect([t7?.department, t7?.assignedTo, t7?.status]).toEqual(['POLICE', undefined, 'new']);
    });
  });

  test('a page button from an old message answers with the list as it is now; a malformed one is stale', async () => {
    const last = await kit.send(who(sup), { kind: 'button', scope: 'svp', value: 'o:9' }, 'en');
    expect(last.texts[0]).toContain('page 1/1');
    const stale = await kit.send(who(sup), { kind: 'button', scope: 'svp', value: 'zz:1' }, 'en');
    expect(stale.texts).toEqual([en('staff.stale_button')]);
    const officerPaging = await kit.send(who(foodOfficer), { kind: 'button', scope: 'svp', value: 'o:1' });
    expect(officerPaging.texts).toEqual([hi('staff.forbidden')]);
  });

  test('a stale button gets one answer with the /help hint, whoever presses it and whichever module it was', async () => {
    const presses = [
      { person: sup, scope: 'svp', value: 'zz:1' },
      { person: admin, scope: 'stp', value: 'not-a-page' },
      { person: foodOfficer, scope: 'tk', value: 'no-such-shape' },
      { person: sup, scope: 'gone', value: 'x' },
    ];
    for (const { person, scope, value } of presses) {
      for (const lang of ['hi', 'en'] as const) {
        const answer = await kit.send(who(person), { kind: 'button', scope, value }, lang);
        expect({ scope, lang, texts: answer.texts }).toEqual({
          scope,
          lang,
          texts: [kit.translator.t(lang, 'staff.stale_button')],
        });
      }
    }
    expect(hi('staff.stale_button')).toContain('/help');
    expect(en('staff.stale_button')).toContain('/help');
  });

  test('/help lists the supervisor lines for supervisors, the officer lines for officers', async () => {
    const supHelp = await kit.command(who(sup), 'help', '', 'en');
    expect(supHelp.texts.join('\n')).toContain(en('supervisor.help'));
    expect(supHelp.texts.join('\n')).toContain(en('shifts.help_supervisor'));
    const officerHelp = await kit.command(who(foodOfficer), 'help', '', 'en');
    expect(officerHelp.texts.join('\n')).toContain(en('supervisor.help_officer'));
    expect(officerHelp.texts.join('\n')).not.toContain(en('supervisor.help'));
  });
});
