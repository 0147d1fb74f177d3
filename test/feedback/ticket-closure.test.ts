import { TICKET_STATUSES, type Actor } from '../../src/domain/ticket';
import {
  applyClosure,
  CLOSURE_TRANSITIONS,
  feedbackGiven,
  InvalidClosureError,
  reopenAllowed,
  type ClosureAction,
} from '../../src/domain/ticket-closure';
import { parseRatingValue, ratingQuestion, satisfiedByRating } from '../../src/feedback/feedback-question';

const by: Actor = { kind: 'citizen', id: 'c1' };
const at = new Date('2026-11-28T04:30:00.000Z');
const DAY = 86_400_000;

describe('closure transitions', () => {
  const actions: ClosureAction[] = [
    { type: 'close', rating: 5 },
    { type: 'close_no_feedback' },
    { type: 'feedback', rating: 4 },
    { type: 'reopen', rating: 1, text: 'अब भी बंद' },
  ];

  test.each(actions)('$type is allowed exactly from its listed statuses', (action) => {
    const rule = CLOSURE_TRANSITIONS[action.type];
    for (const from of TICKET_STATUSES) {
      if (rule.from.includes(from)) {
        const { to, entry } = applyClosure(from, action, by, at);
        expect(to).toBe(rule.to);
        expect(entry).toMatchObject({ at, by, action: action.type, from, to });
      } else {
        expect(() => applyClosure(from, action, by, at)).toThrow(InvalidClosureError);
      }
    }
  });

  test('resolved closes; resolved or closed reopens; a late rating keeps it closed', () => {
    expect(CLOSURE_TRANSITIONS.close).toEqual({ from: ['resolved'], to: 'closed' });
    expect(CLOSURE_TRANSITIONS.reopen).toEqual({ from: ['resolved', 'closed'], to: 'reopened' });
    expect(CLOSURE_TRANSITIONS.feedback).toEqual({ from: ['closed'], to: 'closed' });
  });

  test('the history line carries the rating as n/5 and the citizen’s words', () => {
    expect(applyClosure('resolved', { type: 'reopen', rating: 2, text: 'अब भी बंद' }, by, at).entry.text).toBe(
      '2/5 · अब भी बंद',
    );
    expect(applyClosure('closed', { type: 'reopen' }, by, at).entry.text).toBeUndefined();
    expect(applyClosure('resolved', { type: 'close_no_feedback' }, by, at).entry.text).toBeUndefined();
  });

  test('reopening: any time while resolved, within the window once closed', () => {
    expect(reopenAllowed({ status: 'resolved' }, new Date(at.getTime() + 100 * DAY), 7 * DAY)).toBe(true);
    expect(reopenAllowed({ status: 'closed', closedAt: at }, new Date(at.getTime() + 7 * DAY), 7 * DAY)).toBe(true);
    expect(reopenAllowed({ status: 'closed', closedAt: at }, new Date(at.getTime() + 7 * DAY + 1), 7 * DAY)).toBe(
      false,
    );
    expect(reopenAllowed({ status: 'in_progress' }, at, 7 * DAY)).toBe(false);
  });

  test('feedback counts for the latest resolution only, by the order of the history', () => {
    const line = (action: string) => ({ at, by, action });
    expect(feedbackGiven({ history: [] })).toBe(false);
    expect(feedbackGiven({ history: [line('created'), line('resolve')] })).toBe(false);
    expect(feedbackGiven({ history: [line('resolve'), line('close')] })).toBe(true);
    expect(feedbackGiven({ history: [line('resolve'), line('close_no_feedback')] })).toBe(false);
    expect(feedbackGiven({ history: [line('resolve'), line('close_no_feedback'), line('feedback')] })).toBe(true);
    expect(feedbackGiven({ history: [line('resolve'), line('reopen'), line('acknowledge'), line('resolve')] })).toBe(
      false,
    );
  });
});

describe('the rating buttons', () => {
  test('values are REF:n and parse back; anything else is refused', () => {
    const q = ratingQuestion('ALR-000042');
    expect(q.buttons?.scope).toBe('fb');
    const values = q.buttons?.options.map((o) => o.value) ?? [];
    expect(values.map(parseRatingValue)).toEqual([1, 2, 3, 4, 5].map((rating) => ({ ref: 'ALR-000042', rating })));
    for (const bad of ['ALR-000042:0', 'ALR-000042:6', 'ALR-42:3', 'ALR-000042', ':3', 'ALR-000042:3:1'])
      expect(parseRatingValue(bad)).toBeUndefined();
  });

  test('three stars or more count as solved when only stars are asked', () => {
    expect([1, 2, 3, 4, 5].map(satisfiedByRating)).toEqual([false, false, true, true, true]);
  });
});
