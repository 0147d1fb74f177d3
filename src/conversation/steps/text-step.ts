import { IN_VOICE } from '../../domain/ticket';
import type { TextStep } from '../flow-definition';
import { goNext } from '../flow-navigation';
import { ask } from '../prompts';
import { checkText } from '../text-input';
import type { Turn } from '../turn';
import type { InboundContent } from '../types';
import type { FlowState } from '../../core/conversation-state';

/** Most photos and voice notes one complaint may carry. */
export const MAX_ATTACHMENTS = 5;

/**
 * A question answered in words (the locality, the description). A voice note
 * may stand for the words, and a photo or voice note may come with them.
 */
export function textStep(turn: Turn, fs: FlowState, step: TextStep, content: InboundContent): void {
  if (content.kind === 'voice' && step.voiceStandsFor.length > 0) {
    if (!attach(turn, fs, content)) return ask(turn);
    // Words already typed stay; the voice note stands for the rest.
    for (const field of step.voiceStandsFor) fs.answers[field] ??= IN_VOICE;
    turn.say('intake.voice_taken');
    return goNext(turn, fs, step, step.next);
  }
  if (content.kind === 'text') {
    const check = checkText(content.text, step.minLength, step.maxLength);
    if (!check.ok) {
      turn.replies.push({ text: check.error });
      return ask(turn);
    }
    if (step.save) fs.answers[step.save] = check.value;
    return goNext(turn, fs, step, step.next);
  }
  if ((content.kind === 'photo' || content.kind === 'voice') && step.attachments.includes(content.kind)) {
    if (!attach(turn, fs, content)) return ask(turn);
    if (content.kind === 'photo' && content.caption) {
      const check = checkText(content.caption, step.minLength, step.maxLength);
      if (check.ok && step.save) {
        fs.answers[step.save] = check.value;
        return goNext(turn, fs, step, step.next);
      }
    }
    turn.say(content.kind === 'photo' ? 'intake.description.photo_saved' : 'intake.description.voice_saved');
    return;
  }
  turn.wrongKind(content);
  ask(turn);
}

/** Keep a photo or voice note with the complaint; false (and said why) past {@link MAX_ATTACHMENTS}. */
export function attach(
  turn: Turn,
  fs: FlowState,
  content: Extract<InboundContent, { kind: 'photo' | 'voice' }>,
): boolean {
  if (fs.answers.attachments.length >= MAX_ATTACHMENTS) {
    turn.say('error.too_many_attachments', { max: MAX_ATTACHMENTS });
    return false;
  }
  fs.answers.attachments.push(
    content.kind === 'photo'
      ? { kind: 'photo', fileId: content.fileId }
      : {
          kind: 'voice',
          fileId: content.fileId,
          ...(content.durationSec !== undefined ? { durationSec: content.durationSec } : {}),
        },
  );
  return true;
}
