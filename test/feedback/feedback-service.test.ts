import type { Ticket } from '../../src/domain/ticket';
import { feedbackReply } from '../../src/feedback/feedback-service';
import type { StaffDoc } from '../../src/storage/staff-models';
import { CITIZEN_CHAT, createEscalationFixture, DAY, type EscalationFixture } from '../escalation/escalation-fixture';

describe('feedback after resolution', () => {
  let f: EscalationFixture;
  let officer: StaffDoc;
  let colleague: StaffDoc;

  beforeEach(async () => {
    f = await createEscalationFixture();
    officer = await f.addStaff('101', 'officer', 'FOOD');
    colleague = await f.addStaff('102', 'officer', 'FOOD');
  });
  afterEach(() => f.close());

  async function resolved(): Promise<Ticket> {
    const ticket = await f.fileTicket();
    const result = await f.t.app.tickets.act(f.identity(officer), ticket.ref, {
      type: 'resolve',
      text: 'दुकान खुलवा दी गई',
    });
    if (!result.ok) throw new Error(`resolve failed: ${result.reason}`);
    return result.ticket;
  }

  test('the question has five rating buttons and is sent once however often it is enqueued', async () => {
    const ticket = await resolved();
    const items = f.feedback.feedbackRequest(ticket);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ channel: 'telegram', chatId: CITIZEN_CHAT });
    expect(items[0]?.message.text).toBe(f.hi('feedback.question', { ref: ticket.ref }));
    expect(items[0]?.message.buttons?.map((b) => b.data)).toEqual([1, 2, 3, 4, 5].map((n) => `fb|${ticket.ref}:${n}`));
    await f.t.app.outbox.enqueue(items);
    await f.t.app.outbox.enqueue(f.feedback.feedbackRequest(ticket));
    expect(
      (await f.textsTo(CITIZEN_CHAT)).filter((x) => x === f.hi('feedback.question', { ref: ticket.ref })),
    ).toHaveLength(1);
  });

  test('satisfied: the ticket closes with the rating in its history; a second answer is “already”', async () => {
    const ticket = await resolved();
    f.t.clock.advance(2 * 3_600_000);
    const result = await f.feedback.recordFeedback(ticket.ref, 5, true, { citizenId: ticket.citizenId });
    expect(result).toMatchObject({ ok: true, outcome: 'closed' });
    const closed = await f.ticket(ticket.ref);
    expect(closed.status).toBe('closed');
    expect(closed.closedAt).toEqual(f.t.clock.now());
    expect(closed.feedback).toEqual({ rating: 5, satisfied: true, at: f.t.clock.now() });
    expect(closed.history.at(-1)).toMatchObject({
      action: 'close',
      from: 'resolved',
      to: 'closed',
      text: '5/5',
      by: { kind: 'citizen', id: ticket.citizenId },
    });
    expect(feedbackReply(result, ticket.ref, 7)).toEqual({
      text: { key: 'feedback.thanks', params: { ref: ticket.ref } },
    });

    expect(await f.feedback.recordFeedback(ticket.ref, 1, false)).toMatchObject({ ok: false, reason: 'already' });
    expect(await f.feedback.recordFeedback(ticket.ref, 6, true)).toEqual({ ok: false, reason: 'invalid_rating' });
    // Someone else's ticket is answered as not found.
    expect(await f.feedback.recordFeedback(ticket.ref, 4, true, { citizenId: 'someone-else' })).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });

  test('an open ticket cannot be rated', async () => {
    const ticket = await f.fileTicket();
    expect(await f.feedback.recordFeedback(ticket.ref, 3, true)).toMatchObject({ ok: false, reason: 'not_resolved' });
  });

  test('not satisfied: reopened to the same department with fresh deadlines; not satisfied again: reopened and escalated one level', async () => {
    const ticket = await resolved();
    f.t.clock.advance(DAY);
    const first = await f.feedback.recordFeedback(ticket.ref, 2, false);
    expect(first).toMatchObject({ ok: true, outcome: 'reopened' });
    const reopened = await f.ticket(ticket.ref);
    const now = f.t.clock.now().getTime();
    expect(reopened).toMatchObject({
      status: 'reopened',
      reopenCount: 1,
      level: 1,
      department: 'FOOD',
      assignedTo: officer._id,
    });
    expect(reopened.ackDueAt.getTime()).toBe(now + 24 * 3_600_000);
    expect(reopened.resolveDueAt.getTime()).toBe(now + 72 * 3_600_000);
    expect(reopened.acknowledgedAt).toBeUndefined();
    expect(reopened.resolvedAt).toBeUndefined();
    expect(reopened.feedback).toMatchObject({ rating: 2, satisfied: false });
    expect(reopened.history.at(-1)).toMatchObject({ action: 'reopen', from: 'resolved', to: 'reopened', text: '2/5' });
    expect((await f.textsTo(officer.chatId)).at(-1)).toContain(
      f.hi('feedback.staff.reopened', { ref: ticket.ref, count: 1 }),
    );
    // Nothing is escalated on the first reopening.
    expect(await f.textsTo(colleague.chatId)).toEqual([]);

    // The officer works it again from the start.
    expect(await f.t.app.tickets.act(f.identity(officer), ticket.ref, { type: 'acknowledge' })).toMatchObject({
      ok: true,
    });
    expect(
      await f.t.app.tickets.act(f.identity(officer), ticket.ref, { type: 'resolve', text: 'फिर से खुलवाई' }),
    ).toMatchObject({ ok: true });
    f.t.clock.advance(DAY);
    const second = await f.feedback.recordFeedback(ticket.ref, 1, false);
    expect(second).toMatchObject({ ok: true, outcome: 'reopened_escalated' });
    const escalated = await f.ticket(ticket.ref);
    expect(escalated).toMatchObject({ status: 'reopened', reopenCount: 2, level: 2 });
    expect(escalated.history.slice(-2).map((h) => [h.action, h.text])).toEqual([
      ['reopen', '1/5'],
      ['escalate', 'reopened_again'],
    ]);
    expect((await f.textsTo(colleague.chatId))[0]).toContain(f.hi('escalation.reason.reopened_again'));
    // The citizen is told in the reply to their answer, not by a second notice.
    expect(await f.textsTo(CITIZEN_CHAT)).not.toContain(f.hi('escalation.citizen', { ref: ticket.ref }));
    expect(feedbackReply(second, ticket.ref, 7).text.key).toBe('feedback.reopened_escalated');
  });

  test('a reopened ticket whose officer has left goes to another officer of the department', async () => {
    const ticket = await resolved();
    await f.staff.revoke(officer._id, f.t.clock.now());
    await f.feedback.recordFeedback(ticket.ref, 1, false);
    expect((await f.ticket(ticket.ref)).assignedTo).toBe(colleague._id);
    expect((await f.textsTo(colleague.chatId)).at(-1)).toContain(
      f.hi('feedback.staff.reopened', { ref: ticket.ref, count: 1 }),
    );
  });

  test('a reopened ticket in a department with nobody left is unassigned and goes to the supervisors', async () => {
    const supervisor = await f.addStaff('301', 'supervisor');
    const ticket = await resolved();
    for (const o of [officer, colleague]) await f.staff.revoke(o._id, f.t.clock.now());
    expect(
      await f.feedback.reopenTicket(ticket.ref, { by: { kind: 'citizen', id: ticket.citizenId }, text: 'अब भी बंद' }),
    ).toMatchObject({ ok: true, escalated: false });
    const reopened = await f.ticket(ticket.ref);
    expect(reopened.status).toBe('reopened');
    expect(reopened.assignedTo).toBeUndefined();
    const texts = await f.textsTo(supervisor.chatId);
    expect(texts[0]).toBe(
      f.hi('staff.ticket.unassigned', { ref: ticket.ref, department: 'खाद्य एवं नागरिक आपूर्ति विभाग' }),
    );
    expect(texts[1]).toContain(f.hi('feedback.staff.reopened', { ref: ticket.ref, count: 1 }));
  });

  test('no answer in 7 days closes it as “resolved, no feedback”; a late rating is still recorded', async () => {
    const ticket = await resolved();
    const resolvedAt = ticket.resolvedAt as Date;
    f.t.clock.set(new Date(resolvedAt.getTime() + 7 * DAY - 1));
    expect((await f.feedback.closeUnanswered()).closed).toEqual([]);
    f.t.clock.set(new Date(resolvedAt.getTime() + 7 * DAY));
    expect((await f.feedback.closeUnanswered()).closed).toEqual([ticket.ref]);
    expect((await f.feedback.closeUnanswered()).closed).toEqual([]);

    const closed = await f.ticket(ticket.ref);
    expect(closed).toMatchObject({ status: 'closed', closedAt: f.t.clock.now() });
    expect(closed.feedback).toBeUndefined();
    expect(closed.history.at(-1)).toMatchObject({
      action: 'close_no_feedback',
      by: { kind: 'system', id: 'feedback-timeout' },
    });
    const notice = (await f.outbox()).filter((d) => d.chatId === CITIZEN_CHAT).at(-1);
    expect(notice?.message.text).toBe(f.hi('feedback.closed_no_feedback', { ref: ticket.ref, count: 7 }));
    expect(notice?.message.buttons).toHaveLength(5);

    f.t.clock.advance(DAY);
    expect(await f.feedback.recordFeedback(ticket.ref, 4, true)).toMatchObject({ ok: true, outcome: 'recorded' });
    const rated = await f.ticket(ticket.ref);
    expect(rated).toMatchObject({ status: 'closed', feedback: { rating: 4, satisfied: true } });
    expect(rated.history.at(-1)).toMatchObject({ action: 'feedback', text: '4/5' });
  });

  test('a citizen may reopen within 7 days of closure, not after; a late unhappy rating still counts', async () => {
    const early = await resolved();
    const late = await resolved();
    for (const t of [early, late])
      await f.feedback.closeTicket(t.ref, { by: { kind: 'system', id: 'test' }, reason: 'no_feedback' });
    const closedAt = (await f.ticket(early.ref)).closedAt as Date;

    f.t.clock.set(new Date(closedAt.getTime() + 7 * DAY));
    const reopened = await f.feedback.reopenTicket(early.ref, {
      by: { kind: 'citizen', id: early.citizenId },
      citizenId: early.citizenId,
      text: 'राशन अब भी नहीं मिला',
    });
    expect(reopened).toMatchObject({ ok: true, escalated: false });
    expect((await f.ticket(early.ref)).history.at(-1)).toMatchObject({
      action: 'reopen',
      from: 'closed',
      to: 'reopened',
      text: 'राशन अब भी नहीं मिला',
    });
    expect((await f.ticket(early.ref)).closedAt).toBeUndefined();

    f.t.clock.set(new Date(closedAt.getTime() + 7 * DAY + 1));
    expect(await f.feedback.reopenTicket(late.ref, { by: { kind: 'citizen', id: late.citizenId } })).toMatchObject({
      ok: false,
      reason: 'too_late',
    });
    const tooLate = await f.feedback.recordFeedback(late.ref, 1, false);
    expect(tooLate).toMatchObject({ ok: false, reason: 'too_late' });
    expect(feedbackReply(tooLate, late.ref, 7)).toEqual({
      text: { key: 'feedback.too_late', params: { ref: late.ref, count: 7 } },
    });
    expect(await f.ticket(late.ref)).toMatchObject({ status: 'closed', feedback: { rating: 1, satisfied: false } });
    // An open ticket has nothing to reopen.
    expect(await f.feedback.reopenTicket(early.ref, { by: { kind: 'citizen', id: early.citizenId } })).toMatchObject({
      ok: false,
      reason: 'not_resolved',
    });
  });
});
