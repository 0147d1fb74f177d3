import { startOnBehalf } from '../conversation/engine';
import type { Flow } from '../conversation/flow-definition';
import { parseIndianMobile } from '../conversation/text-input';
import type { EngineContext, InboundMessage } from '../conversation/types';
import type { ConversationState, OnBehalf } from '../core/conversation-state';
import type { Reply, Text } from '../core/messages';
import type { StaffIdentity } from '../domain/roles';
import type { StaffCommandModule } from '../conversation/staff-command';
import type { StaffOutcome } from '../conversation/types';

/** Button scope of the telephone line choice; value is the line. */
export const CALL_SCOPE = 'call';
const LINES: ReadonlyArray<OnBehalf['line']> = ['phone181', 'phone104', 'mobile'];
const LINE_WORDS: Record<string, OnBehalf['line']> = {
  '181': 'phone181',
  '104': 'phone104',
  mobile: 'mobile',
  phone181: 'phone181',
  phone104: 'phone104',
};

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });
const say = (key: string, params?: Text['params']): Reply => ({ text: t(key, params) });

export interface CallModuleDeps {
  flow: Flow;
  /** The engine's context for this moment (catalogue, labels, limits). */
  engineContext: () => EngineContext;
  skipWords: readonly string[];
}

/**
 * `/call`: an operator on shift logs a telephone call as a ticket — the line
 * it came on, the caller's number, then the same intake flow the citizen
 * would walk, entered on their behalf.
 */
export function createCallModule(deps: CallModuleDeps): StaffCommandModule {
  const allowed = (identity: StaffIdentity) => ['operator', 'supervisor', 'admin'].includes(identity.role);

  function askLine(state: ConversationState): StaffOutcome {
    return {
      state,
      replies: [
        {
          text: t('operator.pick_line'),
          buttons: { scope: CALL_SCOPE, options: LINES.map((l) => ({ value: l, label: t(`operator.line.${l}`) })) },
        },
      ],
    };
  }

  function begin(
    identity: StaffIdentity,
    state: ConversationState,
    msg: InboundMessage,
    line: OnBehalf['line'],
    callerPhone: string | undefined,
  ): StaffOutcome {
    const next = { ...state };
    delete next.callDraft;
    const onBehalf: OnBehalf = { line, operatorId: identity.id, ...(callerPhone ? { callerPhone } : {}) };
    const r = startOnBehalf(deps.flow, next, msg, deps.engineContext(), onBehalf);
    return {
      state: r.state,
      replies: [
        say('operator.started', { line: t(`operator.line.${line}`), phone: callerPhone ?? t('operator.no_number') }),
        ...r.replies,
      ],
    };
  }

  function phoneStep(
    identity: StaffIdentity,
    state: ConversationState,
    msg: InboundMessage,
    line: OnBehalf['line'],
    typed: string,
  ): StaffOutcome {
    const word = typed.trim().toLowerCase();
    if (deps.skipWords.includes(word)) return begin(identity, state, msg, line, undefined);
    const phone = parseIndianMobile(typed);
    if (!phone) return { state, replies: [say('operator.bad_number')] };
    return begin(identity, state, msg, line, phone);
  }

  return {
    commands: ['call'],
    helpKey: (identity) => (allowed(identity) ? 'operator.help' : undefined),
    async handle({ identity, state, msg, args }) {
      if (!allowed(identity)) return { state, replies: [say('staff.forbidden')] };
      const line = args[0] ? LINE_WORDS[args[0].toLowerCase()] : undefined;
      if (!line) return askLine(state);
      if (args[1]) return phoneStep(identity, state, msg, line, args.slice(1).join(' '));
      return { state: { ...state, callDraft: { line } }, replies: [say('operator.ask_number')] };
    },
    buttonScopes: [CALL_SCOPE],
    async handleButton({ identity, state, value }) {
      if (!allowed(identity)) return { state, replies: [say('staff.forbidden')] };
      const line = LINE_WORDS[value];
      if (!line) return askLine(state);
      return { state: { ...state, callDraft: { line } }, replies: [say('operator.ask_number')] };
    },
    async handleText({ identity, state, msg, argText }) {
      if (!state.callDraft || !allowed(identity)) return undefined;
      return phoneStep(identity, state, msg, state.callDraft.line, argText);
    },
  };
}
