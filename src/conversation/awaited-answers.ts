import { matchOption } from './choice-matcher';
import { checkText } from './text-input';
import type { Turn } from './turn';
import type { InboundContent } from './types';

/** A message that can answer someone: words, a photo or a voice note. */
export type AnswerContent = Extract<InboundContent, { kind: 'text' | 'photo' | 'voice' }>;

/** How long an officer's question waits for the citizen's answer. */
const QUESTION_TTL_MS = 7 * 24 * 3_600_000;
/** Longest answer to an officer's question or message to the counsellor. */
const MAX_ANSWER_LENGTH = 2000;
/** A typed rating answers the rating question for this long (a week to answer, then a week after the closure). */
const RATING_TTL_MS = 14 * 24 * 3_600_000;

export function isAnswer(c: InboundContent): c is AnswerContent {
  return c.kind === 'text' || c.kind === 'photo' || c.kind === 'voice';
}

/** An officer's question still waiting for the citizen's answer (questions expire after a week). */
export function pendingQuestion(turn: Turn): { ref: string } | undefined {
  const q = turn.state.awaitingAnswer;
  if (!q) return undefined;
  if (q.at && turn.ctx.now.getTime() - Date.parse(q.at) > QUESTION_TTL_MS) {
    delete turn.state.awaitingAnswer;
    return undefined;
  }
  return q;
}

/** The citizen's next words after an officer's question go to that officer. */
export function answerQuestion(turn: Turn, ref: string, content: AnswerContent): void {
  delete turn.state.awaitingAnswer;
  if (content.kind === 'text') {
    const check = checkText(content.text, 1, MAX_ANSWER_LENGTH);
    if (!check.ok) {
      turn.state.awaitingAnswer = { ref };
      turn.replies.push({ text: check.error });
      return;
    }
    turn.effects.push({ type: 'answer_question', ref, text: check.value });
    return;
  }
  const attachment =
    content.kind === 'photo'
      ? { kind: 'photo' as const, fileId: content.fileId }
      : {
          kind: 'voice' as const,
          fileId: content.fileId,
          ...(content.durationSec !== undefined ? { durationSec: content.durationSec } : {}),
        };
  const caption =
    content.kind === 'photo' && content.caption
      ? { text: checkText(content.caption, 1, MAX_ANSWER_LENGTH) }
      : undefined;
  turn.effects.push({
    type: 'answer_question',
    ref,
    attachment,
    ...(caption?.text.ok ? { text: caption.text.value } : {}),
  });
}

/**
 * The rating a typed answer gives to the pending rating question: a digit
 * (Latin or Devanagari) or a word from the flow's rating vocabulary. Only
 * while a rating was asked, not yet answered, and not overtaken by a newer
 * officer's question.
 */
export function typedRating(turn: Turn, text: string): { ref: string; rating: number } | undefined {
  const asked = turn.state.awaitingRating;
  if (!asked) return undefined;
  const at = Date.parse(asked.at ?? '');
  if (Number.isFinite(at) && turn.ctx.now.getTime() - at > RATING_TTL_MS) {
    delete turn.state.awaitingRating;
    return undefined;
  }
  const question = turn.state.awaitingAnswer;
  if (question && Date.parse(question.at ?? '') > at) return undefined;
  const words: Partial<Record<string, string[]>> = turn.flow.vocabulary.rating ?? {};
  const options = (['1', '2', '3', '4', '5'] as const).map((n) => ({
    value: n,
    labelKey: `feedback.rating.${n}`,
    aliases: words[n] ?? [],
  }));
  const value = matchOption(text, options, turn.ctx.labelsOf, { partial: false });
  return value ? { ref: asked.ref, rating: Number(value) } : undefined;
}

/** In the counsellor's chat, the citizen's words, photos and voice notes are relayed. */
export function relayToCounsellor(turn: Turn, content: AnswerContent): void {
  if (content.kind === 'text') {
    const check = checkText(content.text, 1, MAX_ANSWER_LENGTH);
    if (!check.ok) {
      turn.replies.push({ text: check.error });
      return;
    }
    turn.effects.push({ type: 'counsellor_relay', text: check.value });
    return;
  }
  turn.effects.push({
    type: 'counsellor_relay',
    attachment:
      content.kind === 'photo' ? { kind: 'photo', fileId: content.fileId } : { kind: 'voice', fileId: content.fileId },
    ...(content.kind === 'photo' && content.caption ? { text: content.caption.slice(0, MAX_ANSWER_LENGTH) } : {}),
  });
}
