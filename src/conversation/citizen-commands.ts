import { normalizeForMatch } from '../core/text-normalize';
import { looksLikeReference, normalizeReference } from '../domain/ticket';
import { parseRatingValue } from '../feedback/feedback-question';
import { isLanguage, type Language } from '../i18n/create-i18n';
import { newFlowState } from './flow-navigation';
import { ask, mainMenu, resumeOrMenu, SCOPE } from './prompts';
import { t, type Turn } from './turn';

/** A citizen's command (/start, /new, /status …, or its word from the flow's vocabulary). */
export function command(turn: Turn, name: string, args: string): void {
  const { state } = turn;
  switch (name) {
    case 'start':
      greet(turn);
      if (state.flow) {
        turn.say('intake.continue');
        return ask(turn);
      }
      return startFlow(turn);
    case 'new':
      return startFlow(turn);
    case 'end':
    case 'cancel':
      return cancel(turn);
    case 'status': {
      const ref = normalizeReference(args);
      turn.effects.push(ref ? { type: 'show_status', ref } : { type: 'show_status' });
      if (state.flow) ask(turn);
      return;
    }
    case 'language':
      return language(turn, args);
    case 'help':
      turn.say('help.body');
      return resumeOrMenu(turn);
    case 'reopen':
      return reopen(turn, args);
    default:
      turn.say('error.unknown_command');
      return resumeOrMenu(turn);
  }
}

/** A command typed as a word (from the flow's vocabulary), alone or, for status and reopen, with a reference after it. */
export function typedCommand(turn: Turn, typed: string): { name: string; args: string } | undefined {
  const text = normalizeForMatch(typed);
  if (!text) return undefined;
  for (const [name, words] of Object.entries(turn.flow.vocabulary.commands)) {
    for (const word of words.map(normalizeForMatch).filter(Boolean)) {
      if (text === word) return { name, args: '' };
      if ((name === 'status' || name === 'reopen') && text.startsWith(`${word} `)) {
        const rest = typed.trim().split(/\s+/).slice(word.split(' ').length).join(' ');
        if (/\d/.test(rest) && !rest.includes(' ')) return { name, args: rest };
      }
    }
  }
  return undefined;
}

/** An entry of the main menu, by button or typed. */
export function menuChoice(turn: Turn, value: string): void {
  if (value === 'new') return startFlow(turn);
  if (value === 'status' || value === 'language' || value === 'help') return command(turn, value, '');
  turn.say('error.stale_button');
  resumeOrMenu(turn);
}

/** Leave the counsellor's chat, or drop the complaint in progress. */
export function cancel(turn: Turn): void {
  const { state } = turn;
  if (state.inCounselling && !state.flow) {
    delete state.inCounselling;
    turn.effects.push({ type: 'counsellor_leave' });
    return;
  }
  if (!state.flow) {
    turn.say('intake.nothing_to_cancel');
    return mainMenu(turn);
  }
  delete state.flow;
  turn.say('intake.cancelled');
  mainMenu(turn);
}

/** A new complaint from the first question, within the daily limit. */
export function startFlow(turn: Turn): void {
  const { state, ctx } = turn;
  if (state.inCounselling) {
    delete state.inCounselling;
    turn.effects.push({ type: 'counsellor_leave' });
  }
  if (turn.ticketsToday() >= ctx.maxTicketsPerDay) {
    delete state.flow;
    turn.say('intake.quota_exceeded', { count: ctx.maxTicketsPerDay });
    return;
  }
  state.flow = newFlowState(turn.flow, turn.msg.updateKey);
  ask(turn);
}

/** /language with a language named (in the flow's words for it), or the question which one. */
function language(turn: Turn, args: string): void {
  const wanted = normalizeForMatch(args);
  const names = turn.flow.vocabulary.languageNames;
  const named = (lang: Language) => wanted === lang || names[lang].some((w) => normalizeForMatch(w) === wanted);
  const lang = wanted ? (['en', 'hi'] as const).find(named) : undefined;
  if (lang) return setLanguage(turn, lang);
  turn.replies.push({
    text: t('language.prompt'),
    buttons: {
      scope: SCOPE.language,
      options: [
        { value: 'hi', label: t('language.hi') },
        { value: 'en', label: t('language.en') },
      ],
    },
  });
}

export function setLanguage(turn: Turn, value: string): void {
  const { state } = turn;
  if (!isLanguage(value)) {
    turn.say('error.stale_button');
    return resumeOrMenu(turn);
  }
  if (state.language !== value) turn.effects.push({ type: 'language_changed', language: value });
  state.language = value;
  turn.say('language.changed');
  resumeOrMenu(turn);
}

function greet(turn: Turn): void {
  const name = turn.msg.firstName ? turn.msg.firstName.slice(0, 40) : t('greeting.name_fallback');
  const other: Language = turn.state.language === 'hi' ? 'en' : 'hi';
  turn.replies.push({
    text: t('greeting.body', { name, district: t(turn.ctx.catalog.district.name) }),
    buttons: { scope: SCOPE.language, options: [{ value: other, label: t('greeting.switch_language') }] },
  });
}

/** A rating button from "is your problem solved?"; works even mid-flow. */
export function rate(turn: Turn, value: string): void {
  const rating = parseRatingValue(value);
  if (!rating) {
    turn.say('error.stale_button');
    return resumeOrMenu(turn);
  }
  if (turn.state.awaitingRating?.ref === rating.ref) delete turn.state.awaitingRating;
  turn.effects.push({ type: 'feedback', ref: rating.ref, rating: rating.rating });
  if (turn.state.flow) ask(turn);
}

/** Reopen a closed ticket by its reference (button or typed). */
export function reopen(turn: Turn, ref: string): void {
  const wanted = normalizeReference(ref);
  if (!looksLikeReference(wanted)) {
    turn.say('status.reopen_usage');
    return resumeOrMenu(turn);
  }
  turn.effects.push({ type: 'reopen', ref: wanted });
  if (turn.state.flow) ask(turn);
}
