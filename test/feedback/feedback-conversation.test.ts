import { summarizeDay } from '../../src/supervisor/daily-report';
import { useWebChatApp } from '../support/web-chat-app';

describe('after a resolution the citizen rates, and may reopen', () => {
  const { t, chat, hi } = useWebChatApp({ staff: [['officer-1', 'officer', 'CONTROL']] });

  test('a low rating reopens to the same officer; a good one closes; /status offers reopening', async () => {
    const ref = await chat.fileComplaint('citizen-1');
    await chat.send('officer-1', `/resolve ${ref} नया हैंडपंप लगा दिया गया`);
    const inbox = await chat.inbox('citizen-1');
    expect(inbox).toContain(hi('notify.resolved', { ref, text: 'नया हैंडपंप लगा दिया गया' }));
    expect(inbox.some((m) => m.startsWith(hi('feedback.question', { ref }).slice(0, 20)))).toBe(true);

    // Not solved: reopened, back to the officer.
    expect(await chat.send('citizen-1', `[fb|${ref}:1]`)).toEqual([hi('feedback.reopened', { ref })]);
    let ticket = await t.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket?.status).toBe('reopened');
    expect(ticket?.reopenCount).toBe(1);
    expect((await chat.inbox('officer-1')).some((m) => m.includes(ref) && m.includes('🔁'))).toBe(true);

    // Resolved again, rated 5: closed with the rating kept.
    await chat.send('officer-1', `/resolve ${ref} पंप ठीक कर दिया गया`);
    expect(await chat.send('citizen-1', `[fb|${ref}:5]`)).toEqual([hi('feedback.thanks', { ref })]);
    ticket = await t.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket?.status).toBe('closed');
    expect(ticket?.feedback).toMatchObject({ rating: 5, satisfied: true });
    // Ratings appear in /stats per department.
    const stats = await chat.send('admin', '/stats week');
    expect(stats.join('\n')).toContain(
      hi('supervisor.stats.rating_line', { department: 'ज़िला नियंत्रण कक्ष', average: '5.0', count: 1, satisfied: 1 }),
    );
    // A second rating is not counted twice.
    expect(await chat.send('citizen-1', `[fb|${ref}:2]`)).toEqual([hi('feedback.already', { ref })]);

    // /status on a closed ticket offers reopening, within the window.
    const [detail] = await chat.send('citizen-1', `/status ${ref}`);
    expect(detail).toContain(hi('ticket.status.closed'));
    const reopened = await chat.send('citizen-1', `[ro|${ref}]`);
    expect(reopened[0]).toMatch(new RegExp(`${ref}`));
    expect((await t.app.models.Ticket.findOne({ ref }).lean())?.status).toBe('reopened');
  });

  test('/reopen too late says so without claiming a rating was recorded', async () => {
    const ref = await chat.fileComplaint('citizen-1');
    await chat.send('officer-1', `/resolve ${ref} हो गया`);
    await chat.send('citizen-1', `[fb|${ref}:4]`);
    t.clock.advance(8 * 24 * 3_600_000);
    const [reply] = await chat.send('citizen-1', `/reopen ${ref}`);
    expect(reply).toBe(hi('feedback.reopen_too_late', { ref, count: 7 }));
    expect(reply).not.toContain('रेटिंग');
    // A late rating is still told apart: it was recorded.
    expect(hi('feedback.too_late', { ref, count: 7 })).toContain('रेटिंग दर्ज');
  });

  test('someone else cannot rate or reopen my complaint', async () => {
    const ref = await chat.fileComplaint('citizen-1');
    await chat.send('officer-1', `/resolve ${ref} done`);
    expect(await chat.send('citizen-2', `[fb|${ref}:1]`)).toEqual([hi('status.not_found', { ref })]);
    expect(await chat.send('citizen-2', `/reopen ${ref}`)).toEqual(
      expect.arrayContaining([hi('status.not_found', { ref })]),
    );
    expect((await t.app.models.Ticket.findOne({ ref }).lean())?.status).toBe('resolved');
  });

  describe('a typed rating answers the pending question before anything else', () => {
    test.each([
      ['१', 1, 'feedback.reopened'],
      ['2', 2, 'feedback.reopened'],
      ['पाँच', 5, 'feedback.thanks'],
      ['acchha', 4, 'feedback.thanks'],
      ['bahut accha', 5, 'feedback.thanks'],
    ])('"%s" records rating %d instead of starting a complaint', async (typed, rating, replyKey) => {
      const ref = await chat.fileComplaint('citizen-1');
      await chat.send('officer-1', `/resolve ${ref} नया हैंडपंप लगा दिया गया`);
      await chat.inbox('citizen-1');
      const reply = await chat.send('citizen-1', typed);
      expect(reply).toEqual([hi(replyKey, { ref })]);
      expect(reply.join('\n')).not.toContain(hi('intake.category.prompt'));
      const ticket = await t.app.models.Ticket.findOne({ ref }).lean();
      expect(ticket?.feedback?.rating).toBe(rating);
      const conversation = await t.app.models.Conversation.findOne({ _id: 'web:citizen-1' }).lean();
      expect(conversation?.state.flow).toBeUndefined();
      // Answered once: the same digit afterwards is the menu again, not a second rating.
      expect(conversation?.state.awaitingRating).toBeUndefined();
    });

    test('without a pending rating question a digit is still the menu choice', async () => {
      const reply = await chat.send('citizen-1', '1');
      expect(reply.join('\n')).toContain(hi('intake.category.prompt'));
    });
  });

  test('a reopened ticket keeps its first acknowledgement; the new cycle is acknowledged apart, and reports and the CSV count the first', async () => {
    const ref = await chat.fileComplaint('citizen-1');
    const created = t.clock.now();
    t.clock.advance(30 * 60_000);
    const firstAck = t.clock.now();
    await chat.send('officer-1', `/ack ${ref}`);
    t.clock.advance(60 * 60_000);
    await chat.send('officer-1', `/resolve ${ref} हैंडपंप ठीक किया`);
    expect(await chat.send('citizen-1', `[fb|${ref}:1]`)).toEqual([hi('feedback.reopened', { ref })]);

    let ticket = await t.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket?.firstAcknowledgedAt).toEqual(firstAck);
    // The new cycle has its own acknowledgement deadline, not yet met.
    expect(ticket?.acknowledgedAt).toBeUndefined();
    expect(ticket?.history.map((h) => h.action)).toEqual(['created', 'assign', 'acknowledge', 'resolve', 'reopen']);

    t.clock.advance(2 * 60 * 60_000);
    await chat.send('officer-1', `/ack ${ref}`);
    ticket = await t.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket?.acknowledgedAt).toEqual(t.clock.now());
    expect(ticket?.firstAcknowledgedAt).toEqual(firstAck);
    expect(ticket?.history.filter((h) => h.action === 'acknowledge')).toHaveLength(2);

    // The day's report: one acknowledgement, 30 minutes after filing (not 3½ hours, not twice).
    const dayStart = new Date(created.getTime() - 5 * 3_600_000);
    const report = summarizeDay({
      day: '2026-11-28',
      start: dayStart,
      end: new Date(dayStart.getTime() + 86_400_000),
      now: t.clock.now(),
      rows: [ticket as never],
      load: new Map(),
    });
    expect(report.acknowledged).toBe(1);
    expect(report.ackTotalMs).toBe(30 * 60_000);

    // The CSV's "acknowledged" column is the first acknowledgement (10:30 in the district).
    const cell = await chat.exportCells('admin');
    expect(cell(ref, 'acknowledged')).toBe('2026-11-28 10:30');
  });
});
