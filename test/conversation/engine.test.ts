import path from 'node:path';
import fc from 'fast-check';
import { advance, initialState } from '../../src/conversation/engine';
import { loadFlow } from '../../src/conversation/flow-definition';
import type { InboundContent, InboundMessage } from '../../src/conversation/types';
import type { ConversationState } from '../../src/core/conversation-state';
import { loadCatalog } from '../../src/domain/catalog-loader';
import { createTranslator } from '../../src/i18n/create-i18n';

const ROOT = path.resolve(__dirname, '../..');
const flow = loadFlow(path.join(ROOT, 'flows'), 'citizen-intake');
const catalog = loadCatalog(path.join(ROOT, 'flows'));
const tr = createTranslator(path.join(ROOT, 'locales'));
const NOW = new Date('2026-11-28T04:30:00Z');
const ctx = { now: NOW, catalog, labelsOf: (k: string) => tr.allOf(k), maxTicketsPerDay: 5 };

let n = 0;
const msg = (content: InboundContent): InboundMessage => ({
  channel: 'telegram',
  chatId: '1',
  updateKey: String(++n),
  receivedAt: NOW,
  content,
});
const text = (t: string): InboundContent => ({ kind: 'text', text: t });
const button = (scope: string, value: string): InboundContent => ({ kind: 'button', scope, value });
const cmd = (command: string, args = ''): InboundContent => ({ kind: 'command', command, args });

/** Feed inputs one after another; return the last result. */
function play(inputs: InboundContent[], state: ConversationState = initialState()) {
  let r = {
    state,
    replies: [] as ReturnType<typeof advance>['replies'],
    effects: [] as ReturnType<typeof advance>['effects'],
  };
  for (const c of inputs) r = advance(flow, r.state, msg(c), ctx);
  return r;
}

const toSummary = [
  cmd('new'),
  button('category', 'ration'),
  button('block', 'jobat'),
  text('Ward 5'),
  text('No ration for two months'),
  button('phone', 'skip'),
];

describe('the intake engine', () => {
  test('is pure: the given state is not changed and the result survives JSON', () => {
    const before = initialState();
    const frozen = JSON.stringify(before);
    const r = play(toSummary, before);
    expect(JSON.stringify(before)).toBe(frozen);
    expect(JSON.parse(JSON.stringify(r.state))).toEqual(r.state);
    expect(r.state.flow?.step).toBe('summary');
  });

  test('submit emits one create_ticket effect with the answers and counts against the daily limit', () => {
    const r = play([...toSummary, button('summary', 'submit')]);
    expect(r.effects).toEqual([
      {
        type: 'create_ticket',
        flowId: 'citizen-intake',
        answers: {
          category: 'ration',
          block: 'jobat',
          locality: 'Ward 5',
          description: 'No ration for two months',
          attachments: [],
        },
        // The update that started the form names this submission (the ticket's idempotency key).
        submissionId: expect.any(String),
      },
    ]);
    expect(r.state.flow).toBeUndefined();
    expect(r.state.quota).toEqual({ day: '2026-11-28', count: 1 });
  });

  test('the daily limit refuses a new complaint and names the helpline', () => {
    const full: ConversationState = { ...initialState(), quota: { day: '2026-11-28', count: 5 } };
    const r = play([cmd('new')], full);
    expect(r.state.flow).toBeUndefined();
    expect(r.replies.map((x) => x.text.key)).toEqual(['intake.quota_exceeded']);
    expect(tr.t('hi', 'intake.quota_exceeded', { count: 5 })).toContain('181');
    // Yesterday's count does not hold today.
    const yesterday: ConversationState = { ...initialState(), quota: { day: '2026-11-27', count: 5 } };
    expect(play([cmd('new')], yesterday).state.flow?.step).toBe('category');
  });

  test('changing the place from the summary with a location pin returns to the summary', () => {
    const r = play([
      ...toSummary,
      button('summary', 'change'),
      button('summary.edit', 'place'),
      { kind: 'location', lat: 22.3, lon: 74.36 },
    ]);
    expect(r.state.flow?.step).toBe('summary');
    expect(r.state.flow?.answers).toMatchObject({ location: { lat: 22.3, lon: 74.36 } });
    expect(r.state.flow?.answers.block).toBeUndefined();
    expect(r.state.flow?.answers.locality).toBeUndefined();
  });

  test('switching language mid-flow asks the same question again', () => {
    const mid = play([cmd('new'), button('category', 'stranded')]);
    const r = advance(flow, mid.state, msg(button('lang', 'en')), ctx);
    expect(r.state.language).toBe('en');
    expect(r.replies.map((x) => x.text.key)).toEqual(['language.changed', 'intake.block.prompt']);
    expect(r.state.flow?.step).toBe('block');
  });

  test('/status inside a flow asks the effect and keeps the citizen at their step', () => {
    const mid = play([cmd('new'), button('category', 'stranded')]);
    const r = advance(flow, mid.state, msg(cmd('status', 'alr-000007')), ctx);
    expect(r.effects).toEqual([{ type: 'show_status', ref: 'ALR-000007' }]);
    expect(r.state.flow?.step).toBe('block');
  });

  test('never silent and never throws, whatever arrives in whatever order', () => {
    const content: fc.Arbitrary<InboundContent> = fc.oneof(
      fc.string().map(text),
      fc.constantFrom('start', 'new', 'cancel', 'help', 'status', 'language', 'xyz').map((c) => cmd(c)),
      fc
        .tuple(
          fc.constantFrom(
            'category',
            'block',
            'phone',
            'summary',
            'summary.edit',
            'category.confirm',
            'menu',
            'lang',
            '',
          ),
          fc.string(),
        )
        .map(([s, v]) => button(s, v)),
      fc
        .tuple(
          fc.constantFrom('category', 'block', 'phone', 'summary', 'summary.edit', 'category.confirm', 'menu', 'lang'),
          fc.constantFrom('ration', 'jobat', 'skip', 'submit', 'change', 'place', 'yes', 'no', 'new', 'en', 'back'),
        )
        .map(([s, v]) => button(s, v)),
      fc.record({
        kind: fc.constant('location' as const),
        lat: fc.double({ min: -90, max: 90, noNaN: true }),
        lon: fc.double({ min: -180, max: 180, noNaN: true }),
      }),
      fc.record({ kind: fc.constant('photo' as const), fileId: fc.string({ minLength: 1 }) }),
      fc.record({ kind: fc.constant('voice' as const), fileId: fc.string({ minLength: 1 }) }),
      fc.record({ kind: fc.constant('contact' as const), phone: fc.string(), own: fc.boolean() }),
      fc.constant({ kind: 'unsupported' as const, what: 'sticker' }),
    );
    fc.assert(
      fc.property(fc.array(content, { maxLength: 40 }), (inputs) => {
        let state = initialState();
        for (const c of inputs) {
          const r = advance(flow, state, msg(c), ctx);
          const createsTicket = r.effects.some((e) => e.type === 'create_ticket' || e.type === 'show_status');
          expect(r.replies.length > 0 || createsTicket).toBe(true);
          for (const reply of r.replies) expect(tr.has(r.state.language, reply.text.key)).toBe(true);
          state = JSON.parse(JSON.stringify(r.state)) as ConversationState;
        }
      }),
      { numRuns: 300 },
    );
  });
  test('words that fit two categories about equally: the citizen chooses between the two, or asks for the list', () => {
    const words = 'बेटा गुजरात में फँसा है, उसे लेने जाने के लिए पास चाहिए';
    const asked = play([cmd('new'), text(words)]);
    const last = asked.replies.at(-1);
    expect(last?.text.key).toBe('intake.category.suggest_two');
    expect(last?.buttons?.options.map((o) => o.value)).toEqual(['stranded', 'travel', 'no']);
    // The second of the two, by its button: chosen, and the words kept as the description.
    const chosen = play([cmd('new'), text(words), button('category.confirm', 'travel')]);
    expect(chosen.state.flow?.answers).toMatchObject({ category: 'travel', description: words });
    expect(chosen.state.flow?.step).toBe('block');
    // Or by its number, typed.
    expect(play([cmd('new'), text(words), text('1')]).state.flow?.answers.category).toBe('stranded');
    // "Show the list" goes back to the whole list.
    const list = play([cmd('new'), text(words), button('category.confirm', 'no')]);
    expect(list.state.flow).toMatchObject({ step: 'category', mode: 'answer' });
    expect(list.state.flow?.suggestionAlt).toBeUndefined();
  });
  test('commands work as words typed in Hindi or Latin letters, anywhere, without a slash', () => {
    const inFlow = [cmd('new'), button('category', 'ration')];
    expect(play([...inFlow, text('स्थिति')]).effects).toEqual([{ type: 'show_status' }]);
    expect(play([...inFlow, text('sthiti ALR-000123')]).effects).toEqual([{ type: 'show_status', ref: 'ALR-000123' }]);
    expect(play([...inFlow, text('मदद')]).replies[0]?.text.key).toBe('help.body');
    expect(play([...inFlow, text('madad')]).replies[0]?.text.key).toBe('help.body');
    const cancelled = play([...inFlow, text('रद्द')]);
    expect(cancelled.state.flow).toBeUndefined();
    expect(cancelled.replies[0]?.text.key).toBe('intake.cancelled');
    expect(play([...inFlow, text('radd')]).state.flow).toBeUndefined();
    expect(play([text('भाषा')]).replies[0]?.text.key).toBe('language.prompt');
    expect(play([text('नई शिकायत')]).state.flow?.step).toBe('category');
    expect(play([text('फिर से खोलें ALR-000123')]).effects).toEqual([{ type: 'reopen', ref: 'ALR-000123' }]);
    // At the main menu a single word is enough; inside a complaint the same word stays an answer.
    expect(play([text('शिकायत')]).state.flow?.step).toBe('category');
  });

  test('a complaint saved under an older flow version starts again with a notice; the old answer is not taken', () => {
    const mid = play([...toSummary.slice(0, 4)]);
    expect(mid.state.flow?.step).toBe('description');
    const older: ConversationState = { ...mid.state, flow: { ...mid.state.flow!, version: flow.version - 1 } };
    const r = advance(flow, older, msg(text('No ration for two months')), ctx);
    expect(r.replies.map((x) => x.text.key)).toEqual(['intake.flow_changed', 'intake.category.prompt']);
    expect(r.state.flow).toMatchObject({ version: flow.version, step: flow.start, answers: { attachments: [] } });
    expect(r.state.flow?.answers.category).toBeUndefined();
    // The fresh complaint is keyed by this message, not by the old form's.
    expect(r.state.flow?.submissionId).not.toBe(mid.state.flow?.submissionId);
    // Once restarted, the next message answers the new form as usual.
    expect(advance(flow, r.state, msg(button('category', 'ration')), ctx).state.flow?.step).toBe('block');
  });

  test('an outdated complaint and a command: the notice, then the command (a state saved with no version is outdated too)', () => {
    const mid = play([cmd('new'), button('category', 'ration')]);
    const { version: _dropped, ...noVersion } = mid.state.flow!;
    const saved = { ...mid.state, flow: noVersion } as ConversationState;
    const r = advance(flow, saved, msg(cmd('status', 'ALR-000007')), ctx);
    expect(r.replies.map((x) => x.text.key)).toEqual(['intake.flow_changed', 'intake.category.prompt']);
    expect(r.effects).toEqual([{ type: 'show_status', ref: 'ALR-000007' }]);
    // The current version is left alone.
    expect(advance(flow, mid.state, msg(cmd('status')), ctx).replies.map((x) => x.text.key)).toEqual([
      'intake.block.prompt',
    ]);
  });

  test('language names and the counsellor offer take the words of the flow vocabulary', () => {
    for (const word of flow.vocabulary.languageNames.en)
      expect(play([cmd('language', word)]).state.language).toBe('en');
    for (const word of flow.vocabulary.languageNames.hi)
      expect(play([cmd('language', 'en'), cmd('language', word)]).state.language).toBe('hi');
    expect(play([cmd('language', 'klingon')]).replies[0]?.text.key).toBe('language.prompt');
    const health = catalog.categories.find((c) => c.counsellor)!;
    const offered = [cmd('new'), button('category', health.id)];
    expect(play(offered).state.flow?.mode).toBe('counsellor-offer');
    for (const word of flow.vocabulary.counsellorOffer.talk)
      expect(play([...offered, text(word)]).effects).toEqual([{ type: 'counsellor_request' }]);
    for (const word of flow.vocabulary.counsellorOffer.complaint)
      expect(play([...offered, text(word)]).state.flow?.step).toBe('block');
  });

  test('cancelling has a button too: in the summary’s change menu', () => {
    const menu = play([...toSummary, button('summary', 'change')]);
    expect(menu.replies.at(-1)?.buttons?.options.map((o) => o.value)).toContain('cancel');
    expect(
      play([...toSummary, button('summary', 'change'), button('summary.edit', 'cancel')]).state.flow,
    ).toBeUndefined();
  });
});
