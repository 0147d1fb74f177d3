import type { StaffOutcome } from '../conversation/types';
import type { ConversationState } from '../core/conversation-state';
import type { Reply } from '../core/messages';
import type { StaffIdentity } from '../domain/roles';
import { isLanguage, type Language } from '../i18n/create-i18n';
import type { StaffStore } from '../storage/staff-store';
import { isConfiguredAdminId } from './staff-access';
import type { StaffCommandContext, StaffCommandModule } from '../conversation/staff-command';
import { say, t } from './reply-text';

/** The citizens' language buttons: staff get the same ones. */
const LANGUAGE_SCOPE = 'lang';

/** What {@link createGeneralModule} needs. */
export interface GeneralModuleDeps {
  staff: Pick<StaffStore, 'setLanguage'>;
  /** /help for this person: the router's, built from every module's help line. */
  help: (identity: StaffIdentity, lang: Language) => Promise<Reply[]>;
}

/**
 * What every staff member may do: `/start` and `/help`, `/cancel` (a tapped
 * action or a caller's complaint being entered) and `/language` with its two buttons.
 * @example createGeneralModule({ staff, help })
 */
export function createGeneralModule(deps: GeneralModuleDeps): StaffCommandModule {
  async function setLanguage(
    identity: StaffIdentity,
    state: ConversationState,
    language: Language,
  ): Promise<StaffOutcome> {
    if (!isConfiguredAdminId(identity.id)) await deps.staff.setLanguage(identity.id, language);
    return { state: { ...state, language }, replies: [say('language.changed')] };
  }

  const help = async ({ identity, state }: StaffCommandContext): Promise<StaffOutcome> => ({
    state,
    replies: await deps.help(identity, state.language),
  });

  /** One entry per command: adding a command for every staff member is one line here. */
  const COMMANDS: Record<string, (ctx: StaffCommandContext) => Promise<StaffOutcome>> = {
    start: help,
    help,
    async cancel({ state }) {
      const next = { ...state };
      delete next.staffPending;
      delete next.callDraft;
      // A call being entered for a caller ends here too: the operator stays staff, never a citizen.
      if (state.flow?.onBehalf || state.callDraft) {
        delete next.flow;
        return { state: next, replies: [say('operator.call_cancelled')] };
      }
      return { state: next, replies: [say('staff.pending.cancelled')] };
    },
    async language({ identity, state, args }) {
      const wanted = args[0]?.toLowerCase();
      if (isLanguage(wanted)) return setLanguage(identity, state, wanted);
      // The same choice citizens get: two buttons.
      return {
        state,
        replies: [
          {
            text: t('language.prompt'),
            buttons: {
              scope: LANGUAGE_SCOPE,
              options: [
                { value: 'hi', label: t('language.hi') },
                { value: 'en', label: t('language.en') },
              ],
            },
          },
        ],
      };
    },
  };

  return {
    commands: Object.keys(COMMANDS),
    async handle(ctx) {
      const run = COMMANDS[ctx.name];
      return run ? run(ctx) : { state: ctx.state, replies: [say('staff.unknown_command')] };
    },
    sharedScopes: [LANGUAGE_SCOPE],
    async handleButton({ identity, state, value }) {
      return isLanguage(value) ? setLanguage(identity, state, value) : undefined;
    },
  };
}
