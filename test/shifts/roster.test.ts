import { createSupervisorKit, who, type SupervisorKit } from '../supervisor/supervisor-kit';
import { ist, seedStandardSet } from '../supervisor/seed-tickets';

describe('roster and who is on duty', () => {
  let kit: SupervisorKit;
  let people: Record<
    'sup1' | 'sup2' | 'sup3' | 'op1' | 'op2' | 'op3' | 'op4' | 'op5' | 'coun1' | 'coun2' | 'officer' | 'admin',
    Awaited<ReturnType<SupervisorKit['addStaff']>>
  >;

  beforeAll(async () => {
    kit = await createSupervisorKit();
    people = {
      sup1: await kit.addStaff('supervisor', { name: 'सुनीता' }),
      sup2: await kit.addStaff('supervisor', { name: 'रमेश' }),
      sup3: await kit.addStaff('supervisor', { name: 'Asha' }),
      op1: await kit.addStaff('operator', { name: 'ऑपरेटर एक' }),
      op2: await kit.addStaff('operator', { name: 'ऑपरेटर दो' }),
      op3: await kit.addStaff('operator', { name: 'ऑपरेटर तीन' }),
      op4: await kit.addStaff('operator', { name: 'ऑपरेटर चार' }),
      op5: await kit.addStaff('operator', { name: 'ऑपरेटर पाँच' }),
      coun1: await kit.addStaff('counsellor', { name: 'डॉ. मीना' }),
      coun2: await kit.addStaff('counsellor', { name: 'Dr. Iqbal' }),
      officer: await kit.addStaff('officer', { department: 'FOOD', name: 'खाद्य अधिकारी' }),
      admin: await kit.addStaff('admin', { name: 'कलेक्टर कार्यालय', language: 'en' }),
    };
    const ok = await kit.shifts.setRosterMany(
      [
        { shift: 'morning', role: 'supervisor', people: [people.sup1.id] },
        { shift: 'morning', role: 'operator', people: [people.op1.id, people.op2.id] },
        { shift: 'morning', role: 'counsellor', people: [people.coun1.id] },
        { shift: 'evening', role: 'supervisor', people: [people.sup2.id] },
        { shift: 'night', role: 'supervisor', people: [people.sup3.id] },
        // Chat ids work as well as staff ids.
        { shift: 'night', role: 'operator', people: [people.op3.chatId, people.op4.id] },
        { shift: 'night', role: 'counsellor', people: [people.coun2.id] },
      ],
      'test',
    );
    expect(ok).toEqual({ ok: true });
  });

  afterAll(() => kit.close());

  const ids = (list: Array<{ _id: string }>) => list.map((s) => s._id);

  test('on duty resolves the running shift’s people, across midnight too', async () => {
    const cases: Array<[Date, string, string[], string[], string[]]> = [
      [ist('2026-11-28', '10:00'), 'morning', [people.sup1.id], [people.op1.id, people.op2.id], [people.coun1.id]],
      [ist('2026-11-28', '21:59'), 'evening', [people.sup2.id], [], []],
      [ist('2026-11-28', '22:00'), 'night', [people.sup3.id], [people.op3.id, people.op4.id], [people.coun2.id]],
      [ist('2026-11-28', '23:59'), 'night', [people.sup3.id], [people.op3.id, people.op4.id], [people.coun2.id]],
      [ist('2026-11-29', '00:01'), 'night', [people.sup3.id], [people.op3.id, people.op4.id], [people.coun2.id]],
      [ist('2026-11-29', '05:59'), 'night', [people.sup3.id], [people.op3.id, people.op4.id], [people.coun2.id]],
      [ist('2026-11-29', '06:00'), 'morning', [people.sup1.id], [people.op1.id, people.op2.id], [people.coun1.id]],
    ];
    for (const [at, shift, sup, ops, couns] of cases) {
      const duty = await kit.shifts.onDuty(at);
      expect([duty.occurrence.shift.id, ids(duty.supervisor), ids(duty.operator), ids(duty.counsellor)]).toEqual([
        shift,
        sup,
        ops,
        couns,
      ]);
    }
    const night = await kit.shifts.onDuty(ist('2026-11-29', '00:01'));
    expect(night.occurrence.start).toEqual(ist('2026-11-28', '22:00'));
  });

  test('refused roster changes say why and change nothing', async () => {
    const before = await kit.rosterStore.all();
    expect(await kit.shifts.setRoster({ shift: 'noon', role: 'operator', people: [], by: 'test' })).toEqual({
      ok: false,
      reason: 'unknown_shift',
    });
    expect(await kit.shifts.setRoster({ shift: 'night', role: 'officer', people: [], by: 'test' })).toEqual({
      ok: false,
      reason: 'unknown_role',
    });
    expect(await kit.shifts.setRoster({ shift: 'night', role: 'supervisor', people: ['NOBODY'], by: 'test' })).toEqual({
      ok: false,
      reason: 'unknown_staff',
      who: 'NOBODY',
    });
    expect(
      await kit.shifts.setRoster({ shift: 'night', role: 'supervisor', people: [people.officer.id], by: 'test' }),
    ).toMatchObject({ ok: false, reason: 'wrong_role' });
    expect(
      await kit.shifts.setRoster({
        shift: 'night',
        role: 'supervisor',
        people: [people.sup1.id, people.sup2.id],
        by: 'test',
      }),
    ).toEqual({ ok: false, reason: 'too_many', max: 1 });
    expect(
      await kit.shifts.setRoster({
        shift: 'night',
        role: 'operator',
        people: [people.op1.id, people.op1.chatId],
        by: 'test',
      }),
    ).toMatchObject({ ok: false, reason: 'duplicate' });
    const many = await kit.shifts.setRosterMany(
      [
        { shift: 'evening', role: 'operator', people: [people.op5.id] },
        { shift: 'evening', role: 'counsellor', people: [people.op5.id] },
      ],
      'test',
    );
    expect(many).toMatchObject({ ok: false, shift: 'evening', role: 'counsellor', error: { reason: 'wrong_role' } });
    expect(await kit.rosterStore.all()).toEqual(before);
  });

  test('an administrator may supervise a shift; someone whose role ends leaves the duty list at once', async () => {
    const temp = await kit.addStaff('operator', { name: 'अस्थायी' });
    expect(
      await kit.shifts.setRoster({ shift: 'evening', role: 'operator', people: [temp.id, people.op5.id], by: 'test' }),
    ).toMatchObject({ ok: true });
    expect(ids((await kit.shifts.onDuty(ist('2026-11-28', '15:00'))).operator)).toEqual([temp.id, people.op5.id]);
    await kit.staffStore.revoke(temp.id, kit.clock.now());
    expect(ids((await kit.shifts.onDuty(ist('2026-11-28', '15:00'))).operator)).toEqual([people.op5.id]);
    const view = await kit.shifts.rosterView();
    expect(view.find((v) => v.shiftId === 'evening')?.people.operator).toEqual([
      { id: temp.id },
      expect.objectContaining({ id: people.op5.id }),
    ]);
    expect(
      await kit.shifts.setRoster({ shift: 'evening', role: 'supervisor', people: [people.admin.id], by: 'test' }),
    ).toMatchObject({ ok: true });
    expect(ids((await kit.shifts.onDuty(ist('2026-11-28', '15:00'))).supervisor)).toEqual([people.admin.id]);
    // Put things back for the other tests.
    await kit.shifts.setRoster({ shift: 'evening', role: 'supervisor', people: [people.sup2.id], by: 'test' });
    await kit.shifts.setRoster({ shift: 'evening', role: 'operator', people: [], by: 'test' });
  });

  test('/shift tells any staff member who is on duty now and who comes next', async () => {
    kit.clock.set(ist('2026-11-28', '23:00'));
    const { texts } = await kit.command(who(people.op3), 'shift');
    expect(texts).toHaveLength(1);
    const text = texts[0] ?? '';
    expect(text).toContain(kit.translator.t('hi', 'shifts.name.night'));
    expect(text).toContain('22:00–06:00');
    expect(text).toContain(`${people.sup3.doc.name} (${people.sup3.id})`);
    expect(text).toContain(`${people.op3.doc.name} (${people.op3.id}), ${people.op4.doc.name} (${people.op4.id})`);
    expect(text).toContain('(2/4)');
    // Next: the morning shift and its supervisor.
    expect(text.split(kit.translator.t('hi', 'shifts.name.morning'))[1]).toContain(people.sup1.doc.name);
    kit.clock.set(ist('2026-11-28', '10:00'));
  });

  test('/roster shows every shift to supervisors; /roster set is for administrators only, and refusals are logged', async () => {
    const view = await kit.command(who(people.sup1), 'roster', '', 'en');
    expect(view.texts[0]).toContain('Night shift (night), 22:00–06:00');
    expect(view.texts[0]).toContain(`Operators (2/4): ${people.op3.doc.name}`);

    const before = kit.logs().length;
    const refused = await kit.command(who(people.sup1), 'roster', `set night operator ${people.op5.id}`);
    expect(refused.texts).toEqual([kit.translator.t('hi', 'staff.forbidden')]);
    // Logged once, by the staff router, not by the module as well.
    const refusals = kit
      .logs()
      .slice(before)
      .filter((l) => l.includes('"event":"staff_command_refused"'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('"command":"roster"');
    expect(refusals[0]).toContain(`"staff":"${people.sup1.id}"`);
    const operatorView = await kit.command(who(people.op1), 'roster');
    expect(operatorView.texts).toEqual([kit.translator.t('hi', 'staff.forbidden')]);

    // Hindi words for the shift and the role are understood too.
    const set = await kit.command(who(people.admin), 'roster', `set रात ऑपरेटर ${people.op5.id} ${people.op4.id}`, 'en');
    expect(set.texts[0]).toBe(
      `✅ Night shift — operator: ${people.op5.doc.name} (${people.op5.id}), ${people.op4.doc.name} (${people.op4.id})`,
    );
    expect(ids((await kit.shifts.onDuty(ist('2026-11-29', '01:00'))).operator)).toEqual([people.op5.id, people.op4.id]);

    const wrong = await kit.command(who(people.admin), 'roster', `set night counsellor ${people.op1.id}`, 'en');
    expect(wrong.texts[0]).toContain('is linked as operator, not as health counsellor');
    const usage = await kit.command(who(people.admin), 'roster', 'set noon operator X', 'en');
    expect(usage.texts[0]).toContain('morning, evening, night');
    const cleared = await kit.command(who(people.admin), 'roster', 'set night operator -', 'en');
    expect(cleared.texts[0]).toBe('✅ Night shift — operator: nobody now.');
    // A configured administrator (no staff record) may set the roster too.
    const configAdmin = await kit.command(
      { chatId: '9000' },
      'roster',
      `set night operator ${people.op3.id},${people.op4.id}`,
      'en',
    );
    expect(configAdmin.texts[0]).toContain(people.op3.doc.name);
  });
});

describe('the hand-over summary at a shift change', () => {
  let kit: SupervisorKit;

  afterEach(() => kit.close());

  test('at 14:00 the evening supervisor hears what the morning shift brought, the queue by department and open counsellor sessions', async () => {
    kit = await createSupervisorKit({ start: ist('2026-11-28', '14:00') });
    const foodOfficer = await kit.addStaff('officer', { department: 'FOOD' });
    const healthOfficer = await kit.addStaff('officer', { department: 'HEALTH' });
    const operator = await kit.addStaff('operator');
    const evening = await kit.addStaff('supervisor', { name: 'Ramesh', language: 'en' });
    const morning = await kit.addStaff('supervisor', { name: 'सुनीता' });
    await kit.shifts.setRoster({ shift: 'evening', role: 'supervisor', people: [evening.id], by: 'test' });
    await kit.shifts.setRoster({ shift: 'morning', role: 'supervisor', people: [morning.id], by: 'test' });
    const set = await seedStandardSet(kit, {
      foodOfficer: foodOfficer.id,
      healthOfficer: healthOfficer.id,
      operator: operator.id,
    });
    // Two live counsellor conversations, one citizen waiting and one finished, as the counsellor relay keeps them.
    await kit.conn
      .collection('counsellor_sessions')
      .insertMany([{ status: 'open' }, { status: 'waiting' }, { status: 'open' }, { status: 'closed' }]);

    const summary = await kit.shifts.buildHandoverSummary(kit.clock.now());
    expect(summary.incoming.shift.id).toBe('evening');
    expect([summary.previous.shift.id, summary.previous.start, summary.previous.end]).toEqual([
      'morning',
      ist('2026-11-28', '06:00'),
      ist('2026-11-28', '14:00'),
    ]);
    // Filed during the morning: t2 (08:00) and t7 (09:30); nothing was resolved between 06:00 and 14:00 (t5 was at 05:00).
    expect(summary.opened).toBe(2);
    expect(summary.resolved).toBe(0);
    // Open now: FOOD t1, t2, t7 and the twelve extras; REVENUE t4. Overdue at 14:00: t1 (seen by 09:00), t4 (resolve by 21 Nov)
    // and the extras filed before 14:00 yesterday (24 hours to be seen) — 12:00, 12:10 … 13:50.
    const extrasLate = set.extras.filter((x) => x.ackDueAt.getTime() < kit.clock.now().getTime()).length;
    expect(extrasLate).toBe(12);
    expect(summary.departments).toEqual([
      { code: 'FOOD', open: 15, overdue: 1 + extrasLate },
      { code: 'REVENUE', open: 1, overdue: 1 },
    ]);
    expect([summary.open, summary.overdue]).toEqual([16, 2 + extrasLate]);
    expect(summary.counsellorSessions).toEqual({ open: 2, waiting: 1 });
    expect(summary.crew.supervisor.map((s) => s._id)).toEqual([evening.id]);

    const sent = await kit.shifts.sendHandover(kit.clock.now());
    expect(sent.opened).toBe(2);
    const queued = await kit.queued();
    expect(queued.map((q) => q.chatId)).toEqual([evening.chatId]);
    const text = queued[0]?.message.text ?? '';
    expect(text).toContain('Shift hand-over: Evening shift, 14:00–22:00');
    expect(text).toContain('In the Morning shift, 06:00–14:00:\n• New complaints: 2\n• Resolved: 0');
    expect(text).toContain(`• Food and Civil Supplies Department: 15 open · ${1 + extrasLate} late`);
    expect(text).toContain('Counsellor sessions still open: 2 (waiting for a counsellor: 1)');
    // Firing twice for the same change (two instances, a retried job) queues it once.
    await kit.shifts.sendHandover(kit.clock.now());
    expect(await kit.queued()).toHaveLength(1);
  });

  test('at 06:00 the night shift is counted across midnight; with no supervisor rostered, administrators get it with a warning', async () => {
    kit = await createSupervisorKit({ start: ist('2026-11-28', '06:00') });
    const admin = await kit.addStaff('admin', { language: 'hi' });
    await kit.seedTicket({ category: 'travel', department: 'POLICE', createdAt: ist('2026-11-27', '21:59') });
    const lateNight = await kit.seedTicket({
      category: 'travel',
      department: 'POLICE',
      createdAt: ist('2026-11-27', '23:30'),
    });
    await kit.seedTicket({
      category: 'health',
      department: 'HEALTH',
      createdAt: ist('2026-11-27', '20:00'),
      status: 'resolved',
      acknowledgedAt: ist('2026-11-27', '21:00'),
      resolvedAt: ist('2026-11-28', '05:59'),
    });

    const summary = await kit.shifts.buildHandoverSummary(kit.clock.now());
    expect([summary.incoming.shift.id, summary.previous.shift.id, summary.previous.start]).toEqual([
      'morning',
      'night',
      ist('2026-11-27', '22:00'),
    ]);
    expect([summary.opened, summary.resolved]).toEqual([1, 1]);
    expect(summary.counsellorSessions).toEqual({ open: 0, waiting: 0 });
    expect(summary.departments).toEqual([{ code: 'POLICE', open: 2, overdue: 0 }]);
    expect(lateNight.ackDueAt.getTime()).toBeGreaterThan(kit.clock.now().getTime());

    await kit.shifts.sendHandover();
    const queued = await kit.queued();
    expect(queued.map((q) => q.chatId).sort()).toEqual([admin.chatId, '9000'].sort());
    for (const q of queued) {
      expect(q.message.text).toContain(kit.translator.t('hi', 'shifts.handover.no_supervisor'));
      expect(q.message.text).toContain(kit.translator.t('hi', 'shifts.name.night'));
    }
    expect(kit.logs().some((l) => l.includes('"event":"shift_without_supervisor"'))).toBe(true);
  });
});
