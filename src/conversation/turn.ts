import { districtDay } from '../i18n/format';
import { matchOption, type MatchableOption } from './choice-matcher';
import type { Flow, Step } from './flow-definition';
import type { Effect, EngineContext, InboundContent, InboundMessage } from './types';
import type { ConversationState } from '../core/conversation-state';
import type { Reply, Text } from '../core/messages';

/** A text by its i18n key: the engine says nothing in words. */
export const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });

/**
 * One message being handled by the engine: the flow, the state being changed
 * (a copy, never the caller's), and the replies and effects produced so far.
 * The step handlers, the prompts and the commands all work on it; none does I/O.
 */
export class Turn {
  readonly replies: Reply[] = [];
  readonly effects: Effect[] = [];
  /**
   * The saved complaint came from an older version of the flow and was begun
   * again: this message answered a question of the old form, so it is not
   * taken as an answer to the new one.
   */
  restarted = false;

  constructor(
    readonly flow: Flow,
    readonly state: ConversationState,
    readonly ctx: EngineContext,
    readonly msg: InboundMessage,
  ) {}

  say(key: string, params?: Text['params']): void {
    this.replies.push({ text: t(key, params) });
  }

  step(id: string): Step {
    const s = this.flow.steps.find((x) => x.id === id);
    // States of another flow version are restarted (engine.ts), so this is only a guard.
    return s ?? (this.flow.steps.find((x) => x.id === this.flow.start) as Step);
  }

  indexOf(id: string): number {
    return this.flow.steps.findIndex((s) => s.id === id);
  }

  /** The option chosen by a button press or typed words, if any. */
  pick(content: InboundContent, options: MatchableOption[]): string | undefined {
    if (content.kind === 'button') return options.find((o) => o.value === content.value)?.value;
    if (content.kind === 'text') return matchOption(content.text, options, this.ctx.labelsOf);
    return undefined;
  }

  /** The polite answer to a kind of message the current question does not take. */
  wrongKind(content: InboundContent): void {
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

  /** Tickets this chat filed on today's district day, for the daily limit. */
  ticketsToday(): number {
    return this.state.quota.day === districtDay(this.ctx.now) ? this.state.quota.count : 0;
  }
}
