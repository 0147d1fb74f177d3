import type { ContactStep } from '../flow-definition';
import { goNext } from '../flow-navigation';
import { ask } from '../prompts';
import { normalizeSharedPhone, parseIndianMobile } from '../text-input';
import type { Turn } from '../turn';
import type { InboundContent } from '../types';
import type { FlowState } from '../../core/conversation-state';

/** The phone number: the citizen's own shared contact, a typed mobile number, or skipped. */
export function contactStep(turn: Turn, fs: FlowState, step: ContactStep, content: InboundContent): void {
  // An operator's own contact is never the caller's number: on a call it is typed.
  if (content.kind === 'contact' && fs.onBehalf) {
    turn.say('intake.phone.caller_typed');
    return ask(turn);
  }
  if (content.kind === 'contact') {
    const phone = content.own ? normalizeSharedPhone(content.phone) : undefined;
    if (!phone) {
      turn.say('intake.phone.not_own');
      return ask(turn);
    }
    fs.answers.phone = phone;
    return goNext(turn, fs, step, step.next);
  }
  if (content.kind === 'button' || content.kind === 'text') {
    const skip = turn.pick(content, [
      { value: 'skip', labelKey: 'intake.phone.skip', aliases: turn.flow.vocabulary.skip },
    ]);
    if (skip === 'skip' && step.optional) {
      delete fs.answers.phone;
      return goNext(turn, fs, step, step.next);
    }
    const typed = content.kind === 'text' ? parseIndianMobile(content.text) : undefined;
    if (typed) {
      fs.answers.phone = typed;
      return goNext(turn, fs, step, step.next);
    }
    turn.say(fs.onBehalf ? 'intake.phone.caller_invalid' : 'intake.phone.invalid');
    return ask(turn);
  }
  turn.wrongKind(content);
  ask(turn);
}
