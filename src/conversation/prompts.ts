import { findBlock, findCategory } from '../domain/catalog';
import { IN_VOICE } from '../domain/ticket';
import { FEEDBACK_SCOPE } from '../feedback/feedback-question';
import type { MatchableOption } from './choice-matcher';
import type { ChoiceStep, Flow, SummaryStep } from './flow-definition';
import { t, type Turn } from './turn';
import type { EngineContext } from './types';
import type { Answers, FlowState } from '../core/conversation-state';
import type { ButtonSet, Text } from '../core/messages';

/** Button scopes outside any flow step: they work whatever the citizen is in the middle of. */
export const SCOPE = { menu: 'menu', language: 'lang', feedback: FEEDBACK_SCOPE, reopen: 'ro' } as const;

/** Ask the current question again (or for the first time); outside a flow, show the main menu. */
export function ask(turn: Turn): void {
  const fs = turn.state.flow;
  if (!fs) return mainMenu(turn);
  const { flow, ctx } = turn;
  const step = turn.step(fs.step);
  const progress = { n: turn.indexOf(step.id) + 1, total: flow.steps.length };
  const scope = scopeOf(fs);
  const push = (text: Text, options: MatchableOption[]) =>
    turn.replies.push({ text, progress, buttons: buttons(scope, options) });
  if (fs.mode === 'confirm-category') {
    const category = findCategory(ctx.catalog, fs.suggestion);
    const text = fs.suggestionAlt
      ? t('intake.category.suggest_two')
      : t('intake.category.suggest', { category: t(category?.label ?? 'category.other') });
    return void push(text, suggestionOptions(turn, fs));
  }
  if (fs.mode === 'counsellor-offer') return void push(t('intake.counsellor.offer'), counsellorOptions(flow));
  if (fs.mode === 'edit-menu' && step.kind === 'summary')
    return void push(t('intake.edit.prompt'), editOptions(flow, step));
  switch (step.kind) {
    case 'choice':
      return void push(t(step.prompt), choiceOptions(ctx, step));
    case 'text':
      turn.replies.push({ text: t(step.prompt, { min: step.minLength, max: step.maxLength }), progress });
      return;
    case 'contact':
      // The caller is on the telephone: no contact button, which would send the operator's own number.
      if (fs.onBehalf)
        return void push(t('intake.phone.caller_prompt'), [{ value: 'skip', labelKey: 'intake.phone.skip' }]);
      turn.replies.push({
        text: t(step.prompt),
        progress,
        request: 'contact',
        buttons: buttons(scope, [{ value: 'skip', labelKey: 'intake.phone.skip' }]),
      });
      return;
    case 'summary':
      return void push(summaryText(ctx, fs.answers, fs.onBehalf !== undefined), summaryOptions(flow));
  }
}

/** The main menu: new complaint, status, language, help. */
export function mainMenu(turn: Turn): void {
  turn.replies.push({ text: t('menu.prompt'), buttons: buttons(SCOPE.menu, menuOptions(turn.flow)) });
}

/** Back to the question the citizen was at, or to the menu. */
export function resumeOrMenu(turn: Turn): void {
  if (turn.state.flow) ask(turn);
  else mainMenu(turn);
}

/** The button scope of the current question: the step, or the step's sub-question. */
export function scopeOf(fs: FlowState): string {
  if (fs.mode === 'confirm-category') return `${fs.step}.confirm`;
  if (fs.mode === 'edit-menu') return `${fs.step}.edit`;
  if (fs.mode === 'counsellor-offer') return `${fs.step}.counsel`;
  return fs.step;
}

/** The answers read back before submitting. */
function summaryText(ctx: EngineContext, a: Answers, forCaller: boolean): Text {
  const category = findCategory(ctx.catalog, a.category);
  const block = findBlock(ctx.catalog, a.block);
  const place = a.location
    ? t('intake.summary.place_pin', { lat: a.location.lat.toFixed(5), lon: a.location.lon.toFixed(5) })
    : t('intake.summary.place_text', {
        block: block ? t(block.label) : t('common.none'),
        locality: inVoice(a.locality) ?? '',
      });
  const photos = a.attachments.filter((x) => x.kind === 'photo').length;
  return t(forCaller ? 'intake.summary.prompt_caller' : 'intake.summary.prompt', {
    category: category ? t(category.label) : t('common.none'),
    place,
    description: inVoice(a.description) ?? t('common.none'),
    attachments: t('intake.summary.attachments', { photos, voices: a.attachments.length - photos }),
    phone: a.phone ?? t('intake.summary.phone_none'),
  });
}

/** An answer as the citizen reads it back: one given by voice note says so. */
const inVoice = (answer: string | undefined): Text | string | undefined =>
  answer === IN_VOICE ? t('intake.summary.in_voice') : answer;

// ---- the options of each question, with the words typed for them -------

export function menuOptions(flow: Flow): MatchableOption[] {
  const { commands, newAtMenu } = flow.vocabulary;
  return [
    { value: 'new', labelKey: 'menu.new', aliases: [...commands.new, ...newAtMenu] },
    { value: 'status', labelKey: 'menu.status', aliases: commands.status },
    { value: 'language', labelKey: 'menu.language', aliases: commands.language },
    { value: 'help', labelKey: 'menu.help', aliases: commands.help },
  ];
}

export function choiceOptions(ctx: EngineContext, step: ChoiceStep): MatchableOption[] {
  const source = step.options.from === 'categories' ? ctx.catalog.categories : ctx.catalog.district.blocks;
  return source.map((o) => ({ value: o.id, labelKey: o.label, aliases: o.aliases }));
}

/** Yes / no to one suggested category; or the two likeliest and "show the list". */
export function suggestionOptions(turn: Turn, fs: FlowState): MatchableOption[] {
  const v = turn.flow.vocabulary;
  const no = { value: 'no', labelKey: 'intake.category.suggest_no', aliases: v.no };
  if (!fs.suggestionAlt) return [{ value: 'yes', labelKey: 'intake.category.suggest_yes', aliases: v.yes }, no];
  const options = choiceOptions(turn.ctx, turn.step(fs.step) as ChoiceStep);
  const two = [fs.suggestion, fs.suggestionAlt].flatMap((id) => options.filter((o) => o.value === id));
  return [...two, no];
}

/** Talk to the health counsellor now, or go on with the complaint. */
export function counsellorOptions(flow: Flow): MatchableOption[] {
  const v = flow.vocabulary;
  return [
    { value: 'talk', labelKey: 'intake.counsellor.talk', aliases: [...v.counsellorOffer.talk, ...v.yes] },
    { value: 'complaint', labelKey: 'intake.counsellor.complaint', aliases: [...v.counsellorOffer.complaint, ...v.no] },
  ];
}

export function summaryOptions(flow: Flow): MatchableOption[] {
  const v = flow.vocabulary;
  return [
    { value: 'submit', labelKey: 'intake.summary.submit', aliases: v.submit },
    { value: 'change', labelKey: 'intake.summary.change', aliases: v.change },
  ];
}

export function editOptions(flow: Flow, step: SummaryStep): MatchableOption[] {
  return [
    ...step.edit.map((e) => ({ value: e.value, labelKey: e.label })),
    { value: 'back', labelKey: 'intake.edit.back', aliases: flow.vocabulary.back },
    // Cancelling needs a button too, not only the typed word.
    { value: 'cancel', labelKey: 'intake.edit.cancel', aliases: flow.vocabulary.commands.cancel },
  ];
}

export function buttons(scope: string, options: MatchableOption[]): ButtonSet {
  return { scope, options: options.map((o) => ({ value: o.value, label: t(o.labelKey) })) };
}
