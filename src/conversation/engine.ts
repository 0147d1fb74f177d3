import { findBlock, findCategory } from '../domain/catalog';
import { decideCategory } from '../domain/category-suggester';
import { districtDay } from '../i18n/format';
import { isLanguage, type Language } from '../i18n/create-i18n';
import { matchOption, type MatchableOption } from './choice-matcher';
import type { ChoiceStep, ContactStep, Flow, Step, SummaryStep, TextStep } from './flow-definition';
import { checkText, normalizeSharedPhone, parseIndianMobile } from './text-input';
import { FEEDBACK_SCOPE, parseRatingValue } from '../feedback/feedback-question';
import { IN_VOICE, looksLikeReference, normalizeReference } from '../domain/ticket';
import { normalizeForMatch } from '../core/text-normalize';
import type {
  Answers,
  ButtonSet,
  ConversationState,
  Effect,
  EngineContext,
  EngineResult,
  FlowState,
  InboundContent,
  InboundMessage,
  OnBehalf,
  Reply,
  Text,
} from './types';

/** Most photos and voice notes one complaint may carry. */
export const MAX_ATTACHMENTS = 5;
/** Free text at a choice with more words than this is read as a description, not a label. */
const MAX_WORDS_FOR_LABEL = 3;

/** How long an officer's question waits for the citizen's answer. */
const QUESTION_TTL_MS = 7 * 24 * 3_600_000;
/** Longest answer to an officer's question. */
const MAX_ANSWER_LENGTH = 2000;
/** A typed rating answers the rating question for this long (a week to answer, then a week after the closure). */
const RATING_TTL_MS = 14 * 24 * 3_600_000;

/** Button scopes outside any flow step: they work whatever the citizen is in the middle of. */
export const SCOPE = { menu: 'menu', language: 'lang', feedback: FEEDBACK_SCOPE, reopen: 'ro' } as const;

/** A fresh state for a chat seen for the first time. */
export function initialState(): ConversationState {
  return { language: 'hi', quota: { day: '', count: 0 } };
}

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/** An answer as the citizen reads it back: one given by voice note says so. */
const inVoice = (answer: string | undefined): Text | string | undefined => (answer === IN_VOICE ? t('intake.summary.in_voice') : answer);

/**
 * Start the intake for a telephone caller, entered by an operator: the
 * operator's own conversation walks the same flow, and the ticket is the
 * caller's. Pure, like {@link advance}.
 */
export function startOnBehalf(flow: Flow, state: ConversationState, msg: InboundMessage, ctx: EngineContext, onBehalf: OnBehalf): EngineResult {
  const run = new Turn(flow, structuredClone(state), ctx, msg);
  run.beginOnBehalf(onBehalf);
  return { state: run.state, replies: run.replies, effects: run.effects };
}

/**
 * Advance one conversation by one incoming message. Pure: returns the new
 * state, the replies to send and the effects for the host to carry out
 * (create the ticket, look up status). Effect replies come before these.
 * @example const { state, replies, effects } = advance(flow, initialState(), msg, ctx)
 */
export function advance(flow: Flow, state: ConversationState, msg: InboundMessage, ctx: EngineContext): EngineResult {
  const run = new Turn(flow, structuredClone(state), ctx, msg);
  run.handle(msg.content);
  return { state: run.state, replies: run.replies, effects: run.effects };
}

function isAnswer(c: InboundContent): c is Extract<InboundContent, { kind: 'text' | 'photo' | 'voice' }> {
  return c.kind === 'text' || c.kind === 'photo' || c.kind === 'voice';
}

class Turn {
  readonly replies: Reply[] = [];
  readonly effects: Effect[] = [];

  constructor(
    private readonly flow: Flow,
    readonly state: ConversationState,
    private readonly ctx: EngineContext,
    private readonly msg: InboundMessage,
  ) {}

  handle(content: InboundContent): void {
    const awaiting = this.pendingQuestion();
    // Replying to the officer's question message answers it, even mid-complaint.
    if (awaiting && this.msg.replyToText?.includes(awaiting.ref) && isAnswer(content)) return this.answerQuestion(awaiting.ref, content);
    if (content.kind === 'command') return this.command(content.command, content.args);
    const typed = content.kind === 'text' ? this.typedCommand(content.text) : undefined;
    if (typed) return this.command(typed.name, typed.args);
    if (content.kind === 'button' && content.scope === SCOPE.language) return this.setLanguage(content.value);
    if (content.kind === 'button' && content.scope === SCOPE.menu) return this.menuChoice(content.value);
    if (content.kind === 'button' && content.scope === SCOPE.feedback) return this.rate(content.value);
    if (content.kind === 'button' && content.scope === SCOPE.reopen) return this.reopen(content.value);
    if (this.state.flow) return this.inFlow(this.state.flow, content);
    this.idle(content);
  }

  beginOnBehalf(onBehalf: OnBehalf): void {
    this.state.flow = {
      flowId: this.flow.id,
      version: this.flow.version,
      step: this.flow.start,
      mode: 'answer',
      answers: { attachments: [], ...(onBehalf.callerPhone ? { phone: onBehalf.callerPhone } : {}) },
      onBehalf,
      submissionId: this.msg.updateKey,
    };
    this.ask();
  }

  // ---- outside a flow -------------------------------------------------

  private idle(content: InboundContent): void {
    if (this.state.inCounselling && (content.kind === 'text' || content.kind === 'photo' || content.kind === 'voice')) {
      return this.relayToCounsellor(content);
    }
    // "2" or "पाँच" after "please rate 1 to 5" is the rating, not the menu's second choice.
    const rating = content.kind === 'text' ? this.typedRating(content.text) : undefined;
    if (rating) {
      delete this.state.awaitingRating;
      this.effects.push({ type: 'feedback', ref: rating.ref, rating: rating.rating });
      return;
    }
    // A menu number or label is a menu choice, never an answer to an officer.
    if (content.kind === 'text') {
      const picked = matchOption(content.text, this.menuOptions(), this.ctx.labelsOf, { partial: false });
      if (picked) return this.menuChoice(picked);
    }
    const awaiting = this.pendingQuestion();
    if (awaiting && isAnswer(content)) return this.answerQuestion(awaiting.ref, content);
    if (content.kind === 'button') this.say('error.stale_button');
    this.mainMenu();
  }

  private relayToCounsellor(content: Extract<InboundContent, { kind: 'text' | 'photo' | 'voice' }>): void {
    if (content.kind === 'text') {
      const check = checkText(content.text, 1, MAX_ANSWER_LENGTH);
      if (!check.ok) {
        this.replies.push({ text: check.error });
        return;
      }
      this.effects.push({ type: 'counsellor_relay', text: check.value });
      return;
    }
    this.effects.push({
      type: 'counsellor_relay',
      attachment: content.kind === 'photo' ? { kind: 'photo', fileId: content.fileId } : { kind: 'voice', fileId: content.fileId },
      ...(content.kind === 'photo' && content.caption ? { text: content.caption.slice(0, MAX_ANSWER_LENGTH) } : {}),
    });
  }

  /**
   * The rating a typed answer gives to the pending rating question: a digit
   * (Latin or Devanagari) or a word from the flow's rating vocabulary. Only
   * while a rating was asked, not yet answered, and not overtaken by a newer
   * officer's question.
   */
  private typedRating(text: string): { ref: string; rating: number } | undefined {
    const asked = this.state.awaitingRating;
    if (!asked) return undefined;
    const at = Date.parse(asked.at ?? '');
    if (Number.isFinite(at) && this.ctx.now.getTime() - at > RATING_TTL_MS) {
      delete this.state.awaitingRating;
      return undefined;
    }
    const question = this.state.awaitingAnswer;
    if (question && Date.parse(question.at ?? '') > at) return undefined;
    const words: Partial<Record<string, string[]>> = this.flow.vocabulary.rating ?? {};
    const options = (['1', '2', '3', '4', '5'] as const).map((n) => ({ value: n, labelKey: `feedback.rating.${n}`, aliases: words[n] ?? [] }));
    const value = matchOption(text, options, this.ctx.labelsOf, { partial: false });
    return value ? { ref: asked.ref, rating: Number(value) } : undefined;
  }

  /** An officer's question still waiting for the citizen's answer (questions expire after a week). */
  private pendingQuestion(): { ref: string } | undefined {
    const q = this.state.awaitingAnswer;
    if (!q) return undefined;
    if (q.at && this.ctx.now.getTime() - Date.parse(q.at) > QUESTION_TTL_MS) {
      delete this.state.awaitingAnswer;
      return undefined;
    }
    return q;
  }

  /** The citizen's next words after an officer's question go to that officer. */
  private answerQuestion(ref: string, content: Extract<InboundContent, { kind: 'text' | 'photo' | 'voice' }>): void {
    delete this.state.awaitingAnswer;
    if (content.kind === 'text') {
      const check = checkText(content.text, 1, MAX_ANSWER_LENGTH);
      if (!check.ok) {
        this.state.awaitingAnswer = { ref };
        this.replies.push({ text: check.error });
        return;
      }
      this.effects.push({ type: 'answer_question', ref, text: check.value });
      return;
    }
    const attachment =
      content.kind === 'photo'
        ? { kind: 'photo' as const, fileId: content.fileId }
        : { kind: 'voice' as const, fileId: content.fileId, ...(content.durationSec !== undefined ? { durationSec: content.durationSec } : {}) };
    const caption = content.kind === 'photo' && content.caption ? { text: checkText(content.caption, 1, MAX_ANSWER_LENGTH) } : undefined;
    this.effects.push({
      type: 'answer_question',
      ref,
      attachment,
      ...(caption?.text.ok ? { text: caption.text.value } : {}),
    });
  }

  private menuOptions(): MatchableOption[] {
    const { commands, newAtMenu } = this.flow.vocabulary;
    return [
      { value: 'new', labelKey: 'menu.new', aliases: [...commands.new, ...newAtMenu] },
      { value: 'status', labelKey: 'menu.status', aliases: commands.status },
      { value: 'language', labelKey: 'menu.language', aliases: commands.language },
      { value: 'help', labelKey: 'menu.help', aliases: commands.help },
    ];
  }

  /** A command typed as a word (स्थिति, रद्द, madad …), alone or, for status and reopen, with a reference after it. */
  private typedCommand(typed: string): { name: string; args: string } | undefined {
    const text = normalizeForMatch(typed);
    if (!text) return undefined;
    for (const [name, words] of Object.entries(this.flow.vocabulary.commands)) {
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

  private mainMenu(): void {
    this.replies.push({ text: t('menu.prompt'), buttons: this.buttons(SCOPE.menu, this.menuOptions()) });
  }

  private menuChoice(value: string): void {
    if (value === 'new') return this.startFlow();
    if (value === 'status') return this.command('status', '');
    if (value === 'language') return this.command('language', '');
    if (value === 'help') return this.command('help', '');
    this.say('error.stale_button');
    this.resumeOrMenu();
  }

  private command(name: string, args: string): void {
    switch (name) {
      case 'start':
        this.greet();
        if (this.state.flow) {
          this.say('intake.continue');
          return this.ask();
        }
        return this.startFlow();
      case 'new':
        return this.startFlow();
      case 'end':
      case 'cancel':
        if (this.state.inCounselling && !this.state.flow) {
          delete this.state.inCounselling;
          this.effects.push({ type: 'counsellor_leave' });
          return;
        }
        if (!this.state.flow) {
          this.say('intake.nothing_to_cancel');
          return this.mainMenu();
        }
        delete this.state.flow;
        this.say('intake.cancelled');
        return this.mainMenu();
      case 'status': {
        const ref = normalizeReference(args);
        this.effects.push(ref ? { type: 'show_status', ref } : { type: 'show_status' });
        if (this.state.flow) this.ask();
        return;
      }
      case 'language': {
        const wanted = normalizeForMatch(args);
        const lang = ['en', 'english', 'angrezi', 'अंग्रेज़ी', 'अंग्रेजी'].includes(wanted)
          ? 'en'
          : ['hi', 'hindi', 'हिंदी', 'हिन्दी'].includes(wanted)
            ? 'hi'
            : undefined;
        if (lang) return this.setLanguage(lang);
        this.replies.push({
          text: t('language.prompt'),
          buttons: {
            scope: SCOPE.language,
            options: [
              { value: 'hi', label: t('language.hi') },
              { value: 'en', label: t('language.en') },
            ],
          },
        });
        return;
      }
      case 'help':
        this.say('help.body');
        return this.resumeOrMenu();
      case 'reopen':
        return this.reopen(args);
      default:
        this.say('error.unknown_command');
        return this.resumeOrMenu();
    }
  }

  /** A rating button from "is your problem solved?"; works even mid-flow. */
  private rate(value: string): void {
    const rating = parseRatingValue(value);
    if (!rating) {
      this.say('error.stale_button');
      return this.resumeOrMenu();
    }
    if (this.state.awaitingRating?.ref === rating.ref) delete this.state.awaitingRating;
    this.effects.push({ type: 'feedback', ref: rating.ref, rating: rating.rating });
    if (this.state.flow) this.ask();
  }

  private reopen(ref: string): void {
    const wanted = normalizeReference(ref);
    if (!looksLikeReference(wanted)) {
      this.say('status.reopen_usage');
      return this.resumeOrMenu();
    }
    this.effects.push({ type: 'reopen', ref: wanted });
    if (this.state.flow) this.ask();
  }

  private greet(): void {
    const name = this.msg.firstName ? this.msg.firstName.slice(0, 40) : t('greeting.name_fallback');
    const other: Language = this.state.language === 'hi' ? 'en' : 'hi';
    this.replies.push({
      text: t('greeting.body', { name, district: t(this.ctx.catalog.district.name) }),
      buttons: { scope: SCOPE.language, options: [{ value: other, label: t('greeting.switch_language') }] },
    });
  }

  private setLanguage(value: string): void {
    if (!isLanguage(value)) {
      this.say('error.stale_button');
      return this.resumeOrMenu();
    }
    if (this.state.language !== value) this.effects.push({ type: 'language_changed', language: value });
    this.state.language = value;
    this.say('language.changed');
    this.resumeOrMenu();
  }

  private resumeOrMenu(): void {
    if (this.state.flow) this.ask();
    else this.mainMenu();
  }

  private ticketsToday(): number {
    return this.state.quota.day === districtDay(this.ctx.now) ? this.state.quota.count : 0;
  }

  private startFlow(): void {
    if (this.state.inCounselling) {
      delete this.state.inCounselling;
      this.effects.push({ type: 'counsellor_leave' });
    }
    if (this.ticketsToday() >= this.ctx.maxTicketsPerDay) {
      delete this.state.flow;
      this.say('intake.quota_exceeded', { count: this.ctx.maxTicketsPerDay });
      return;
    }
    this.state.flow = {
      flowId: this.flow.id,
      version: this.flow.version,
      step: this.flow.start,
      mode: 'answer',
      answers: { attachments: [] },
      submissionId: this.msg.updateKey,
    };
    this.ask();
  }

  // ---- inside the flow ------------------------------------------------

  private inFlow(fs: FlowState, content: InboundContent): void {
    const step = this.step(fs.step);
    if (content.kind === 'button' && content.scope !== this.scopeOf(fs)) {
      this.say('error.stale_button');
      return this.ask();
    }
    if (fs.mode === 'confirm-category') return this.confirmCategory(fs, step as ChoiceStep, content);
    if (fs.mode === 'edit-menu') return this.editMenu(fs, step as SummaryStep, content);
    if (fs.mode === 'counsellor-offer') return this.counsellorOffer(fs, step as ChoiceStep, content);
    switch (step.kind) {
      case 'choice':
        return this.choice(fs, step, content);
      case 'text':
        return this.text(fs, step, content);
      case 'contact':
        return this.contact(fs, step, content);
      case 'summary':
        return this.summary(fs, step, content);
    }
  }

  private choice(fs: FlowState, step: ChoiceStep, content: InboundContent): void {
    const options = this.choiceOptions(step);
    if (content.kind === 'button') {
      if (!options.some((o) => o.value === content.value)) {
        this.say('error.stale_button');
        return this.ask();
      }
      return this.chose(fs, step, content.value);
    }
    if (content.kind === 'text') {
      const words = normalizeForMatch(content.text).split(' ').filter(Boolean).length;
      const freeWords = step.freeText !== undefined && words > MAX_WORDS_FOR_LABEL;
      const picked = matchOption(content.text, options, this.ctx.labelsOf, { partial: !freeWords });
      if (picked) return this.chose(fs, step, picked);
      if (step.freeText === 'suggest-category') return this.suggest(fs, step, content.text);
      this.say('error.pick_option');
      return this.ask();
    }
    if (content.kind === 'location' && step.acceptLocation) {
      fs.answers.location = { lat: content.lat, lon: content.lon };
      delete fs.answers.block;
      delete fs.answers.locality;
      return this.goNext(fs, step, step.nextAfterLocation ?? step.next);
    }
    this.wrongKind(content);
    this.ask();
  }

  private chose(fs: FlowState, step: ChoiceStep, value: string): void {
    if (step.save === 'block') delete fs.answers.location;
    if (step.save) fs.answers[step.save] = value;
    const offerCounsellor =
      step.save === 'category' && !fs.editEndAfter && !fs.onBehalf && findCategory(this.ctx.catalog, value)?.counsellor === true;
    if (offerCounsellor) {
      fs.mode = 'counsellor-offer';
      return this.ask();
    }
    this.goNext(fs, step, step.next);
  }

  private counsellorOffer(fs: FlowState, step: ChoiceStep, content: InboundContent): void {
    const value = this.pick(content, this.counsellorOptions());
    if (value === 'talk') {
      delete this.state.flow;
      this.state.inCounselling = true;
      this.effects.push({ type: 'counsellor_request' });
      return;
    }
    if (value === 'complaint') return this.goNext(fs, step, step.next);
    if (content.kind === 'text' || content.kind === 'button') this.say('error.pick_option');
    else this.wrongKind(content);
    this.ask();
  }

  private counsellorOptions(): MatchableOption[] {
    const v = this.flow.vocabulary;
    return [
      { value: 'talk', labelKey: 'intake.counsellor.talk', aliases: ['baat', 'counsellor', 'salah', 'बात', 'सलाह', ...v.yes] },
      { value: 'complaint', labelKey: 'intake.counsellor.complaint', aliases: ['shikayat', 'complaint', 'शिकायत', ...v.no] },
    ];
  }

  private suggest(fs: FlowState, step: ChoiceStep, typed: string): void {
    const decision = decideCategory(this.ctx.catalog.categories, typed);
    if (decision.kind === 'none') {
      this.say('intake.category.no_match');
      return this.ask();
    }
    // The citizen already described the problem: if they accept the
    // suggestion, their words become the description so they need not type
    // them twice.
    const descStep = this.flow.steps.find((s): s is TextStep => s.kind === 'text' && s.save === 'description');
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
    this.ask();
  }

  private confirmCategory(fs: FlowState, step: ChoiceStep, content: InboundContent): void {
    const value = this.pick(content, this.suggestionOptions(fs));
    const category = value === 'yes' ? fs.suggestion : value !== 'no' && value !== undefined ? value : undefined;
    if (category) {
      if (fs.draft) {
        fs.answers.description = fs.draft;
        this.say('intake.category.kept_words');
      }
      this.leaveConfirm(fs);
      return this.chose(fs, step, category);
    }
    if (value === 'no') {
      this.leaveConfirm(fs);
      return this.ask();
    }
    // A category named outright also answers the question.
    const direct = content.kind === 'text' ? matchOption(content.text, this.choiceOptions(step), this.ctx.labelsOf) : undefined;
    if (direct) {
      this.leaveConfirm(fs);
      return this.chose(fs, step, direct);
    }
    if (content.kind !== 'text' && content.kind !== 'button') this.wrongKind(content);
    else this.say('error.pick_option');
    this.ask();
  }

  private leaveConfirm(fs: FlowState): void {
    fs.mode = 'answer';
    delete fs.suggestion;
    delete fs.suggestionAlt;
    delete fs.draft;
  }

  private text(fs: FlowState, step: TextStep, content: InboundContent): void {
    if (content.kind === 'voice' && step.voiceStandsFor.length > 0) {
      if (!this.attach(fs, content)) return this.ask();
      // Words already typed stay; the voice note stands for the rest.
      for (const field of step.voiceStandsFor) fs.answers[field] ??= IN_VOICE;
      this.say('intake.voice_taken');
      return this.goNext(fs, step, step.next);
    }
    if (content.kind === 'text') {
      const check = checkText(content.text, step.minLength, step.maxLength);
      if (!check.ok) {
        this.replies.push({ text: check.error });
        return this.ask();
      }
      if (step.save) fs.answers[step.save] = check.value;
      return this.goNext(fs, step, step.next);
    }
    if ((content.kind === 'photo' || content.kind === 'voice') && step.attachments.includes(content.kind)) {
      if (!this.attach(fs, content)) return this.ask();
      if (content.kind === 'photo' && content.caption) {
        const check = checkText(content.caption, step.minLength, step.maxLength);
        if (check.ok && step.save) {
          fs.answers[step.save] = check.value;
          return this.goNext(fs, step, step.next);
        }
      }
      this.say(content.kind === 'photo' ? 'intake.description.photo_saved' : 'intake.description.voice_saved');
      return;
    }
    this.wrongKind(content);
    this.ask();
  }

  private attach(fs: FlowState, content: Extract<InboundContent, { kind: 'photo' | 'voice' }>): boolean {
    if (fs.answers.attachments.length >= MAX_ATTACHMENTS) {
      this.say('error.too_many_attachments', { max: MAX_ATTACHMENTS });
      return false;
    }
    fs.answers.attachments.push(
      content.kind === 'photo'
        ? { kind: 'photo', fileId: content.fileId }
        : { kind: 'voice', fileId: content.fileId, ...(content.durationSec !== undefined ? { durationSec: content.durationSec } : {}) },
    );
    return true;
  }

  private contact(fs: FlowState, step: ContactStep, content: InboundContent): void {
    // An operator's own contact is never the caller's number: on a call it is typed.
    if (content.kind === 'contact' && fs.onBehalf) {
      this.say('intake.phone.caller_typed');
      return this.ask();
    }
    if (content.kind === 'contact') {
      const phone = content.own ? normalizeSharedPhone(content.phone) : undefined;
      if (!phone) {
        this.say('intake.phone.not_own');
        return this.ask();
      }
      fs.answers.phone = phone;
      return this.goNext(fs, step, step.next);
    }
    if (content.kind === 'button' || content.kind === 'text') {
      const skip = this.pick(content, [{ value: 'skip', labelKey: 'intake.phone.skip', aliases: this.flow.vocabulary.skip }]);
      if (skip === 'skip' && step.optional) {
        delete fs.answers.phone;
        return this.goNext(fs, step, step.next);
      }
      const typed = content.kind === 'text' ? parseIndianMobile(content.text) : undefined;
      if (typed) {
        fs.answers.phone = typed;
        return this.goNext(fs, step, step.next);
      }
      this.say(fs.onBehalf ? 'intake.phone.caller_invalid' : 'intake.phone.invalid');
      return this.ask();
    }
    this.wrongKind(content);
    this.ask();
  }

  private summary(fs: FlowState, step: SummaryStep, content: InboundContent): void {
    if ((content.kind === 'photo' || content.kind === 'voice') && step.attachments.includes(content.kind)) {
      if (this.attach(fs, content)) this.say('intake.summary.attachment_saved');
      return this.ask();
    }
    const value = this.pick(content, this.summaryOptions());
    if (value === 'submit') return this.submit(fs);
    if (value === 'change') {
      fs.mode = 'edit-menu';
      return this.ask();
    }
    if (content.kind === 'text' || content.kind === 'button') this.say('error.pick_option');
    else this.wrongKind(content);
    this.ask();
  }

  private editMenu(fs: FlowState, step: SummaryStep, content: InboundContent): void {
    const value = this.pick(content, this.editOptions(step));
    const target = step.edit.find((e) => e.value === value);
    if (target) {
      fs.mode = 'answer';
      fs.step = target.goto;
      fs.editEndAfter = target.endAfter;
      return this.ask();
    }
    if (value === 'back') {
      fs.mode = 'answer';
      return this.ask();
    }
    if (value === 'cancel') return this.command('cancel', '');
    if (content.kind === 'text' || content.kind === 'button') this.say('error.pick_option');
    else this.wrongKind(content);
    this.ask();
  }

  private submit(fs: FlowState): void {
    if (fs.onBehalf) {
      // An operator's calls are not the operator's own complaints: no daily limit.
      this.effects.push({ type: 'create_ticket', answers: fs.answers, flowId: fs.flowId, onBehalf: fs.onBehalf, ...(fs.submissionId ? { submissionId: fs.submissionId } : {}) });
      delete this.state.flow;
      return;
    }
    if (this.ticketsToday() >= this.ctx.maxTicketsPerDay) {
      delete this.state.flow;
      this.say('intake.quota_exceeded', { count: this.ctx.maxTicketsPerDay });
      return;
    }
    this.effects.push({ type: 'create_ticket', answers: fs.answers, flowId: fs.flowId, ...(fs.submissionId ? { submissionId: fs.submissionId } : {}) });
    const day = districtDay(this.ctx.now);
    this.state.quota = { day, count: this.ticketsToday() + 1 };
    delete this.state.flow;
  }

  /** Move on from `from`; while editing, return to the summary once past the edited part. */
  private goNext(fs: FlowState, from: Step, nextId: string | undefined): void {
    const summary = this.flow.steps.find((s) => s.kind === 'summary') as SummaryStep;
    let next = nextId ?? summary.id;
    if (fs.editEndAfter) {
      if (from.id === fs.editEndAfter || this.indexOf(next) > this.indexOf(fs.editEndAfter)) next = summary.id;
      if (next === summary.id) delete fs.editEndAfter;
    } else {
      // A text step already answered (the description typed at the category
      // question) is not asked again; the summary lets the citizen change it.
      let candidate = this.step(next);
      // On a call the caller's number was asked with /call: the summary shows it and can change it.
      const skips = (c: Step) => (c.kind === 'text' && c.save !== undefined && fs.answers[c.save] !== undefined) || (c.kind === 'contact' && fs.onBehalf !== undefined);
      while (skips(candidate) && candidate.next) {
        candidate = this.step(candidate.next);
      }
      next = candidate.id;
    }
    fs.step = next;
    fs.mode = 'answer';
    this.ask();
  }

  // ---- asking ----------------------------------------------------------

  /** Ask the current question again (or for the first time). */
  private ask(): void {
    const fs = this.state.flow;
    if (!fs) return this.mainMenu();
    const step = this.step(fs.step);
    const progress = { n: this.indexOf(step.id) + 1, total: this.flow.steps.length };
    const scope = this.scopeOf(fs);
    if (fs.mode === 'confirm-category') {
      const category = findCategory(this.ctx.catalog, fs.suggestion);
      this.replies.push({
        text: fs.suggestionAlt ? t('intake.category.suggest_two') : t('intake.category.suggest', { category: t(category?.label ?? 'category.other') }),
        progress,
        buttons: this.buttons(scope, this.suggestionOptions(fs)),
      });
      return;
    }
    if (fs.mode === 'counsellor-offer') {
      this.replies.push({ text: t('intake.counsellor.offer'), progress, buttons: this.buttons(scope, this.counsellorOptions()) });
      return;
    }
    if (fs.mode === 'edit-menu' && step.kind === 'summary') {
      this.replies.push({ text: t('intake.edit.prompt'), progress, buttons: this.buttons(scope, this.editOptions(step)) });
      return;
    }
    switch (step.kind) {
      case 'choice':
        this.replies.push({ text: t(step.prompt), progress, buttons: this.buttons(scope, this.choiceOptions(step)) });
        return;
      case 'text':
        this.replies.push({ text: t(step.prompt, { min: step.minLength, max: step.maxLength }), progress });
        return;
      case 'contact':
        if (fs.onBehalf) {
          // The caller is on the telephone: no contact button, which would send the operator's own number.
          this.replies.push({ text: t('intake.phone.caller_prompt'), progress, buttons: this.buttons(scope, [{ value: 'skip', labelKey: 'intake.phone.skip' }]) });
          return;
        }
        this.replies.push({
          text: t(step.prompt),
          progress,
          request: 'contact',
          buttons: this.buttons(scope, [{ value: 'skip', labelKey: 'intake.phone.skip' }]),
        });
        return;
      case 'summary':
        this.replies.push({ text: this.summaryText(fs.answers, fs.onBehalf !== undefined), progress, buttons: this.buttons(scope, this.summaryOptions()) });
        return;
    }
  }

  private summaryText(a: Answers, forCaller: boolean): Text {
    const category = findCategory(this.ctx.catalog, a.category);
    const block = findBlock(this.ctx.catalog, a.block);
    const place = a.location
      ? t('intake.summary.place_pin', { lat: a.location.lat.toFixed(5), lon: a.location.lon.toFixed(5) })
      : t('intake.summary.place_text', { block: block ? t(block.label) : t('common.none'), locality: inVoice(a.locality) ?? '' });
    const photos = a.attachments.filter((x) => x.kind === 'photo').length;
    return t(forCaller ? 'intake.summary.prompt_caller' : 'intake.summary.prompt', {
      category: category ? t(category.label) : t('common.none'),
      place,
      description: inVoice(a.description) ?? t('common.none'),
      attachments: t('intake.summary.attachments', { photos, voices: a.attachments.length - photos }),
      phone: a.phone ?? t('intake.summary.phone_none'),
    });
  }

  // ---- helpers ---------------------------------------------------------

  private step(id: string): Step {
    const s = this.flow.steps.find((x) => x.id === id);
    // A saved state from an older flow version may name a step that is gone.
    return s ?? (this.flow.steps.find((x) => x.id === this.flow.start) as Step);
  }

  private indexOf(id: string): number {
    return this.flow.steps.findIndex((s) => s.id === id);
  }

  private scopeOf(fs: FlowState): string {
    if (fs.mode === 'confirm-category') return `${fs.step}.confirm`;
    if (fs.mode === 'edit-menu') return `${fs.step}.edit`;
    if (fs.mode === 'counsellor-offer') return `${fs.step}.counsel`;
    return fs.step;
  }

  private choiceOptions(step: ChoiceStep): MatchableOption[] {
    const source =
      step.options.from === 'categories' ? this.ctx.catalog.categories : this.ctx.catalog.district.blocks;
    return source.map((o) => ({ value: o.id, labelKey: o.label, aliases: o.aliases }));
  }

  /** Yes / no to one suggested category; or the two likeliest and "show the list". */
  private suggestionOptions(fs: FlowState): MatchableOption[] {
    if (!fs.suggestionAlt) return this.yesNo();
    const options = this.choiceOptions(this.step(fs.step) as ChoiceStep);
    const two = [fs.suggestion, fs.suggestionAlt].flatMap((id) => options.filter((o) => o.value === id));
    return [...two, { value: 'no', labelKey: 'intake.category.suggest_no', aliases: this.flow.vocabulary.no }];
  }

  private yesNo(): MatchableOption[] {
    const v = this.flow.vocabulary;
    return [
      { value: 'yes', labelKey: 'intake.category.suggest_yes', aliases: v.yes },
      { value: 'no', labelKey: 'intake.category.suggest_no', aliases: v.no },
    ];
  }

  private summaryOptions(): MatchableOption[] {
    const v = this.flow.vocabulary;
    return [
      { value: 'submit', labelKey: 'intake.summary.submit', aliases: v.submit },
      { value: 'change', labelKey: 'intake.summary.change', aliases: v.change },
    ];
  }

  private editOptions(step: SummaryStep): MatchableOption[] {
    return [
      ...step.edit.map((e) => ({ value: e.value, labelKey: e.label })),
      { value: 'back', labelKey: 'intake.edit.back', aliases: this.flow.vocabulary.back },
      // Cancelling needs a button too, not only the typed word.
      { value: 'cancel', labelKey: 'intake.edit.cancel', aliases: this.flow.vocabulary.commands.cancel },
    ];
  }

  private buttons(scope: string, options: MatchableOption[]): ButtonSet {
    return { scope, options: options.map((o) => ({ value: o.value, label: t(o.labelKey) })) };
  }

  /** The option chosen by a button press or typed words, if any. */
  private pick(content: InboundContent, options: MatchableOption[]): string | undefined {
    if (content.kind === 'button') return options.find((o) => o.value === content.value)?.value;
    if (content.kind === 'text') return matchOption(content.text, options, this.ctx.labelsOf);
    return undefined;
  }

  private wrongKind(content: InboundContent): void {
    const key: Record<InboundContent['kind'], string> = {
      text: 'error.pick_option',
      command: 'error.unknown_command',
      button: 'error.stale_button',
      location: 'error.location_not_expected',
      contact: 'error.contact_not_expected',
      photo: 'error.photo_not_expected',
      voice: 'error.voice_not_text',
      unsupported: 'error.unsupported_media',
    };
    this.say(key[content.kind]);
  }

  private say(key: string, params?: Text['params']): void {
    this.replies.push({ text: t(key, params) });
  }
}
