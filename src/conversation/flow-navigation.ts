import type { Flow, Step, SummaryStep } from './flow-definition';
import { ask } from './prompts';
import type { Turn } from './turn';
import type { FlowState, OnBehalf } from '../core/conversation-state';

/**
 * A complaint begun at the flow's first step. `submissionId` names this
 * filling-in of the form (the ticket is keyed by it); an operator's call
 * carries the caller's number from /call.
 */
export function newFlowState(flow: Flow, submissionId: string, onBehalf?: OnBehalf): FlowState {
  return {
    flowId: flow.id,
    version: flow.version,
    step: flow.start,
    mode: 'answer',
    answers: { attachments: [], ...(onBehalf?.callerPhone ? { phone: onBehalf.callerPhone } : {}) },
    ...(onBehalf ? { onBehalf } : {}),
    submissionId,
  };
}

/** Move on from `from` and ask the next question; while editing, return to the summary once past the edited part. */
export function goNext(turn: Turn, fs: FlowState, from: Step, nextId: string | undefined): void {
  const summary = turn.flow.steps.find((s) => s.kind === 'summary') as SummaryStep;
  let next = nextId ?? summary.id;
  if (fs.editEndAfter) {
    if (from.id === fs.editEndAfter || turn.indexOf(next) > turn.indexOf(fs.editEndAfter)) next = summary.id;
    if (next === summary.id) delete fs.editEndAfter;
  } else {
    // A text step already answered (the description typed at the category
    // question) is not asked again; the summary lets the citizen change it.
    let candidate = turn.step(next);
    // On a call the caller's number was asked with /call: the summary shows it and can change it.
    const skips = (c: Step) =>
      (c.kind === 'text' && c.save !== undefined && fs.answers[c.save] !== undefined) ||
      (c.kind === 'contact' && fs.onBehalf !== undefined);
    while (skips(candidate) && candidate.next) {
      candidate = turn.step(candidate.next);
    }
    next = candidate.id;
  }
  fs.step = next;
  fs.mode = 'answer';
  ask(turn);
}
