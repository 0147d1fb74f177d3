import { findCategory } from '../../domain/catalog';
import { decideCategory } from '../../domain/category-suggester';
import { normalizeForMatch } from '../../core/text-normalize';
import { matchOption } from '../choice-matcher';
import type { ChoiceStep, TextStep } from '../flow-definition';
import { goNext } from '../flow-navigation';
import { ask, choiceOptions, counsellorOptions, suggestionOptions } from '../prompts';
import { checkText } from '../text-input';
import type { Turn } from '../turn';
import type { InboundContent } from '../types';
import type { FlowState } from '../../core/conversation-state';

/** Free text at a choice with more words than this is read as a description, not a label. */
const MAX_WORDS_FOR_LABEL = 3;

/**
 * A question answered by picking one option (the category, the block): a
 * button, a typed label or number, a location pin where the step takes one,
 * or (at the category) the citizen's own words, from which a category is suggested.
 */
export function choiceStep(turn: Turn, fs: FlowState, step: ChoiceStep, content: InboundContent): void {
  const options = choiceOptions(turn.ctx, step);
  if (content.kind === 'button') {
    if (!options.some((o) => o.value === content.value)) {
      turn.say('error.stale_button');
      return ask(turn);
    }
    return chose(turn, fs, step, content.value);
  }
  if (content.kind === 'text') {
    const words = normalizeForMatch(content.text).split(' ').filter(Boolean).length;
    const freeWords = step.freeText !== undefined && words > MAX_WORDS_FOR_LABEL;
    const picked = matchOption(content.text, options, turn.ctx.labelsOf, { partial: !freeWords });
    if (picked) return chose(turn, fs, step, picked);
    if (step.freeText === 'suggest-category') return suggest(turn, fs, step, content.text);
    turn.say('error.pick_option');
    return ask(turn);
  }
  if (content.kind === 'location' && step.acceptLocation) {
    fs.answers.location = { lat: content.lat, lon: content.lon };
    delete fs.answers.block;
    delete fs.answers.locality;
    return goNext(turn, fs, step, step.nextAfterLocation ?? step.next);
  }
  turn.wrongKind(content);
  ask(turn);
}

function chose(turn: Turn, fs: FlowState, step: ChoiceStep, value: string): void {
  if (step.save === 'block') delete fs.answers.location;
  if (step.save) fs.answers[step.save] = value;
  const offerCounsellor =
    step.save === 'category' &&
    !fs.editEndAfter &&
    !fs.onBehalf &&
    findCategory(turn.ctx.catalog, value)?.counsellor === true;
  if (offerCounsellor) {
    fs.mode = 'counsellor-offer';
    return ask(turn);
  }
  goNext(turn, fs, step, step.next);
}

/** After a health category: talk to the counsellor now (the complaint is dropped), or go on with it. */
export function counsellorOffer(turn: Turn, fs: FlowState, step: ChoiceStep, content: InboundContent): void {
  const value = turn.pick(content, counsellorOptions(turn.flow));
  if (value === 'talk') {
    delete turn.state.flow;
    turn.state.inCounselling = true;
    turn.effects.push({ type: 'counsellor_request' });
    return;
  }
  if (value === 'complaint') return goNext(turn, fs, step, step.next);
  if (content.kind === 'text' || content.kind === 'button') turn.say('error.pick_option');
  else turn.wrongKind(content);
  ask(turn);
}

function suggest(turn: Turn, fs: FlowState, step: ChoiceStep, typed: string): void {
  const decision = decideCategory(turn.ctx.catalog.categories, typed);
  if (decision.kind === 'none') {
    turn.say('intake.category.no_match');
    return ask(turn);
  }
  // The citizen already described the problem: if they accept the
  // suggestion, their words become the description so they need not type
  // them twice.
  const descStep = turn.flow.steps.find((s): s is TextStep => s.kind === 'text' && s.save === 'description');
  delete fs.draft;
  if (descStep && !fs.answers.description) {
    const check = checkText(typed, descStep.minLength, descStep.maxLength);
    if (check.ok) fs.draft = check.value;
  }
  fs.mode = 'confirm-category';
  if (decision.kind === 'one') {
    fs.suggestion = decision.categoryId;
    delete fs.suggestionAlt;
  } else {
    [fs.suggestion, fs.suggestionAlt] = decision.categoryIds;
  }
  ask(turn);
}

/** Yes or no to the suggested category (or one of the two suggested); a category named outright also answers. */
export function confirmCategory(turn: Turn, fs: FlowState, step: ChoiceStep, content: InboundContent): void {
  const value = turn.pick(content, suggestionOptions(turn, fs));
  const category = value === 'yes' ? fs.suggestion : value !== 'no' && value !== undefined ? value : undefined;
  if (category) {
    if (fs.draft) {
      fs.answers.description = fs.draft;
      turn.say('intake.category.kept_words');
    }
    leaveConfirm(fs);
    return chose(turn, fs, step, category);
  }
  if (value === 'no') {
    leaveConfirm(fs);
    return ask(turn);
  }
  const direct =
    content.kind === 'text' ? matchOption(content.text, choiceOptions(turn.ctx, step), turn.ctx.labelsOf) : undefined;
  if (direct) {
    leaveConfirm(fs);
    return chose(turn, fs, step, direct);
  }
  if (content.kind !== 'text' && content.kind !== 'button') turn.wrongKind(content);
  else turn.say('error.pick_option');
  ask(turn);
}

function leaveConfirm(fs: FlowState): void {
  fs.mode = 'answer';
  delete fs.suggestion;
  delete fs.suggestionAlt;
  delete fs.draft;
}
