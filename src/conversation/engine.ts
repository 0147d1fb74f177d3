import { answerQuestion, isAnswer, pendingQuestion, relayToCounsellor, typedRating } from './awaited-answers';
import { command, menuChoice, rate, reopen, setLanguage, typedCommand } from './citizen-commands';
import { matchOption } from './choice-matcher';
import type { Flow } from './flow-definition';
import { newFlowState } from './flow-navigation';
import { ask, mainMenu, menuOptions, SCOPE, scopeOf } from './prompts';
import { choiceStep, confirmCategory, counsellorOffer } from './steps/choice-step';
import { contactStep } from './steps/contact-step';
import { editMenu, summaryStep } from './steps/summary-step';
import { textStep } from './steps/text-step';
import { Turn } from './turn';
import type { ChoiceStep, SummaryStep } from './flow-definition';
import type { EngineContext, EngineResult, InboundContent, InboundMessage } from './types';
import type { ConversationState, FlowState, OnBehalf } from '../core/conversation-state';

/*
 * The engine, one file per part: this file routes one message; turn.ts holds
 * what a message's handling works on; prompts.ts asks the questions;
 * steps/ answers them, one file per kind of step; citizen-commands.ts and
 * awaited-answers.ts handle what works outside the form.
 */

/** A fresh state for a chat seen for the first time. */
export function initialState(): ConversationState {
  return { language: 'hi', quota: { day: '', count: 0 } };
}

/**
 * Start the intake for a telephone caller, entered by an operator: the
 * operator's own conversation walks the same flow, and the ticket is the
 * caller's. Pure, like {@link advance}.
 */
export function startOnBehalf(
  flow: Flow,
  state: ConversationState,
  msg: InboundMessage,
  ctx: EngineContext,
  onBehalf: OnBehalf,
): EngineResult {
  const turn = new Turn(flow, structuredClone(state), ctx, msg);
  turn.state.flow = newFlowState(flow, msg.updateKey, onBehalf);
  ask(turn);
  return { state: turn.state, replies: turn.replies, effects: turn.effects };
}

/**
 * Advance one conversation by one incoming message. Pure: returns the new
 * state, the replies to send and the effects for the host to carry out
 * (create the ticket, look up status). Effect replies come before these.
 * @example const { state, replies, effects } = advance(flow, initialState(), msg, ctx)
 */
export function advance(flow: Flow, state: ConversationState, msg: InboundMessage, ctx: EngineContext): EngineResult {
  const turn = new Turn(flow, structuredClone(state), ctx, msg);
  handle(turn, msg.content);
  return { state: turn.state, replies: turn.replies, effects: turn.effects };
}

/**
 * Whether a saved complaint was begun under another flow, or another version
 * of it. Its step ids and answers were checked against that flow, not this
 * one. States saved before versions were kept have none, so they are outdated too.
 */
export function isOutdated(flow: Flow, fs: FlowState): boolean {
  return fs.flowId !== flow.id || fs.version !== flow.version;
}

function handle(turn: Turn, content: InboundContent): void {
  const awaiting = pendingQuestion(turn);
  // Replying to the officer's question message answers it, even mid-complaint.
  if (awaiting && turn.msg.replyToText?.includes(awaiting.ref) && isAnswer(content))
    return answerQuestion(turn, awaiting.ref, content);
  restartIfOutdated(turn);
  if (content.kind === 'command') return command(turn, content.command, content.args);
  const typed = content.kind === 'text' ? typedCommand(turn, content.text) : undefined;
  if (typed) return command(turn, typed.name, typed.args);
  if (content.kind === 'button' && content.scope === SCOPE.language) return setLanguage(turn, content.value);
  if (content.kind === 'button' && content.scope === SCOPE.menu) return menuChoice(turn, content.value);
  if (content.kind === 'button' && content.scope === SCOPE.feedback) return rate(turn, content.value);
  if (content.kind === 'button' && content.scope === SCOPE.reopen) return reopen(turn, content.value);
  if (turn.state.flow) return inFlow(turn, turn.state.flow, content);
  idle(turn, content);
}

/**
 * A complaint half-filled under an older flow is begun again from the first
 * question of this one, and the citizen is told why (an operator's call keeps
 * its caller). Migrating it step by step would trust ids and answers that
 * the new flow may not have.
 */
function restartIfOutdated(turn: Turn): void {
  const fs = turn.state.flow;
  if (!fs || !isOutdated(turn.flow, fs)) return;
  turn.state.flow = newFlowState(turn.flow, turn.msg.updateKey, fs.onBehalf);
  turn.restarted = true;
  turn.say('intake.flow_changed');
}

/** Outside a complaint: the counsellor's chat, a rating, a menu choice, an answer to an officer, or the menu. */
function idle(turn: Turn, content: InboundContent): void {
  if (turn.state.inCounselling && isAnswer(content)) return relayToCounsellor(turn, content);
  // "2" or "पाँच" after "please rate 1 to 5" is the rating, not the menu's second choice.
  const rating = content.kind === 'text' ? typedRating(turn, content.text) : undefined;
  if (rating) {
    delete turn.state.awaitingRating;
    turn.effects.push({ type: 'feedback', ref: rating.ref, rating: rating.rating });
    return;
  }
  // A menu number or label is a menu choice, never an answer to an officer.
  if (content.kind === 'text') {
    const picked = matchOption(content.text, menuOptions(turn.flow), turn.ctx.labelsOf, { partial: false });
    if (picked) return menuChoice(turn, picked);
  }
  const awaiting = pendingQuestion(turn);
  if (awaiting && isAnswer(content)) return answerQuestion(turn, awaiting.ref, content);
  if (content.kind === 'button') turn.say('error.stale_button');
  mainMenu(turn);
}

/** Inside a complaint: the answer to the current question, by the kind of step (or its sub-question). */
function inFlow(turn: Turn, fs: FlowState, content: InboundContent): void {
  // The message answered a question of the old form: the new form's first question is asked instead.
  if (turn.restarted) return ask(turn);
  const step = turn.step(fs.step);
  if (content.kind === 'button' && content.scope !== scopeOf(fs)) {
    turn.say('error.stale_button');
    return ask(turn);
  }
  if (fs.mode === 'confirm-category') return confirmCategory(turn, fs, step as ChoiceStep, content);
  if (fs.mode === 'edit-menu') return editMenu(turn, fs, step as SummaryStep, content);
  if (fs.mode === 'counsellor-offer') return counsellorOffer(turn, fs, step as ChoiceStep, content);
  switch (step.kind) {
    case 'choice':
      return choiceStep(turn, fs, step, content);
    case 'text':
      return textStep(turn, fs, step, content);
    case 'contact':
      return contactStep(turn, fs, step, content);
    case 'summary':
      return summaryStep(turn, fs, step, content);
  }
}
