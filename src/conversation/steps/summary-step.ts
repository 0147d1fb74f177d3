import { districtDay } from '../../i18n/format';
import { cancel } from '../citizen-commands';
import type { SummaryStep } from '../flow-definition';
import { ask, editOptions, summaryOptions } from '../prompts';
import type { Turn } from '../turn';
import type { InboundContent } from '../types';
import type { FlowState } from '../../core/conversation-state';
import { attach } from './text-step';

/** The answers read back: submit, or change one of them; a photo or voice note may still be added. */
export function summaryStep(turn: Turn, fs: FlowState, step: SummaryStep, content: InboundContent): void {
  if ((content.kind === 'photo' || content.kind === 'voice') && step.attachments.includes(content.kind)) {
    if (attach(turn, fs, content)) turn.say('intake.summary.attachment_saved');
    return ask(turn);
  }
  const value = turn.pick(content, summaryOptions(turn.flow));
  if (value === 'submit') return submit(turn, fs);
  if (value === 'change') {
    fs.mode = 'edit-menu';
    return ask(turn);
  }
  if (content.kind === 'text' || content.kind === 'button') turn.say('error.pick_option');
  else turn.wrongKind(content);
  ask(turn);
}

/** Which answer to change (from the summary), back to the summary, or cancel. */
export function editMenu(turn: Turn, fs: FlowState, step: SummaryStep, content: InboundContent): void {
  const value = turn.pick(content, editOptions(turn.flow, step));
  const target = step.edit.find((e) => e.value === value);
  if (target) {
    fs.mode = 'answer';
    fs.step = target.goto;
    fs.editEndAfter = target.endAfter;
    return ask(turn);
  }
  if (value === 'back') {
    fs.mode = 'answer';
    return ask(turn);
  }
  if (value === 'cancel') return cancel(turn);
  if (content.kind === 'text' || content.kind === 'button') turn.say('error.pick_option');
  else turn.wrongKind(content);
  ask(turn);
}

/** File the complaint (the host creates the ticket), within the citizen's daily limit. */
function submit(turn: Turn, fs: FlowState): void {
  const { state, ctx } = turn;
  const submissionId = fs.submissionId ? { submissionId: fs.submissionId } : {};
  if (fs.onBehalf) {
    // An operator's calls are not the operator's own complaints: no daily limit.
    turn.effects.push({
      type: 'create_ticket',
      answers: fs.answers,
      flowId: fs.flowId,
      onBehalf: fs.onBehalf,
      ...submissionId,
    });
    delete state.flow;
    return;
  }
  if (turn.ticketsToday() >= ctx.maxTicketsPerDay) {
    delete state.flow;
    turn.say('intake.quota_exceeded', { count: ctx.maxTicketsPerDay });
    return;
  }
  turn.effects.push({ type: 'create_ticket', answers: fs.answers, flowId: fs.flowId, ...submissionId });
  state.quota = { day: districtDay(ctx.now), count: turn.ticketsToday() + 1 };
  delete state.flow;
}
