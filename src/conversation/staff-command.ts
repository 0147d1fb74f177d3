import type { InboundMessage, StaffOutcome } from './types';
import type { ConversationState } from '../core/conversation-state';
import type { StaffIdentity } from '../domain/roles';

/**
 * One area's staff commands (the officer's, the administrator's, the
 * supervisors', shifts, …): each module names its commands and button scopes,
 * and answers them with replies, a new state and effects. The staff router
 * (`createStaffHandler`, src/staff/staff-handler.ts) has already checked the
 * staff record and picks the module; a module never sends anything itself:
 * messages to other chats go out as `notify` effects, run by the effect runner.
 * Defined here, beside {@link StaffOutcome}, so the feature folders that
 * plug in a module (escalation, counsellor, …) need not import staff/.
 * @example
 * const helpModule: StaffCommandModule = { commands: ['help'], handle: async ({ state }) => ({ state, replies: [say('staff.help')] }) };
 */
export interface StaffCommandModule {
  /** Command names without the slash, lower case. */
  commands: readonly string[];
  /** i18n key of this module's lines in /help, for roles that may use it. */
  helpKey?: (identity: StaffIdentity) => string | undefined;
  handle(ctx: StaffCommandContext): Promise<StaffOutcome>;
  /** Button scopes this module answers (e.g. paging of long lists). */
  buttonScopes?: readonly string[];
  /**
   * Button scopes this module answers that the citizen flow uses too (the
   * language buttons): while an operator enters a caller's complaint, they go to the flow.
   */
  sharedScopes?: readonly string[];
  /** A button of one of its scopes; undefined: a stale or malformed button (the router says so). */
  handleButton?(ctx: StaffButtonContext): Promise<StaffOutcome | undefined>;
  /**
   * Plain text answering something this module is waiting for (a reply to a
   * ticket's card, a tapped action waiting for its note); tried before any
   * module's `handleText`, with the text as typed. Undefined: not this module's.
   */
  handleReply?(ctx: StaffReplyContext): Promise<StaffOutcome | undefined>;
  /** Plain text that is no reply and no pending action (a counsellor's words to a citizen); undefined: not this module's. */
  handleText?(ctx: StaffCommandContext): Promise<StaffOutcome | undefined>;
}

/** A command as a module gets it. */
export interface StaffCommandContext {
  identity: StaffIdentity;
  state: ConversationState;
  msg: InboundMessage;
  name: string;
  /** Words after the command. */
  args: string[];
  /** Everything after the command, as typed. */
  argText: string;
}

/** A button as a module gets it. */
export interface StaffButtonContext {
  identity: StaffIdentity;
  state: ConversationState;
  msg: InboundMessage;
  scope: string;
  value: string;
}

/** Plain text as {@link StaffCommandModule.handleReply} gets it. */
export interface StaffReplyContext {
  identity: StaffIdentity;
  state: ConversationState;
  msg: InboundMessage;
  /** The text as typed (not yet checked). */
  raw: string;
}
