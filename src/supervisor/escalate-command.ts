import { checkText } from '../conversation/text-input';
import type { Reply, Text } from '../core/messages';
import { isOversight } from '../domain/roles';
import { looksLikeReference, normalizeReference } from '../domain/ticket';
import type { StaffCommandModule } from '../conversation/staff-command';
import type { StaffOutcome } from '../conversation/types';
import type { EscalationService } from '../escalation/escalation-service';

/** Longest reason a supervisor can give. */
const MAX_REASON_LENGTH = 500;

const t = (key: string, params?: Text['params']): Text => (params ? { key, params } : { key });
const say = (key: string, params?: Text['params']): Reply => ({ text: t(key, params) });

/**
 * `/escalate ALR-000123 reason`: a supervisor or administrator moves a ticket
 * up one level by hand, with the same notices as an automatic escalation.
 * @example createStaffHandler({ ..., modules: [createEscalateCommand({ escalation })] })
 */
export function createEscalateCommand(deps: { escalation: Pick<EscalationService, 'escalate'> }): StaffCommandModule {
  return {
    commands: ['escalate'],
    helpKey: (identity) => (isOversight(identity.role) ? 'escalation.help' : undefined),
    async handle(ctx): Promise<StaffOutcome> {
      const { identity, state } = ctx;
      const done = (replies: Reply[]): StaffOutcome => ({ state, replies });
      // The staff router logs the refusal, once.
      if (!isOversight(identity.role)) return done([say('staff.forbidden')]);
      const ref = normalizeReference(ctx.args[0] ?? '');
      const rawReason = ctx.argText.trim().split(/\s+/).slice(1).join(' ');
      if (!looksLikeReference(ref) || !rawReason) return done([say('escalation.usage')]);
      const reason = checkText(rawReason, 1, MAX_REASON_LENGTH);
      if (!reason.ok) return done([{ text: reason.error }]);

      const result = await deps.escalation.escalate(ref, {
        by: { kind: 'staff', id: identity.id, role: identity.role },
        reason: { text: reason.value },
      });
      if (result.ok)
        return done([say('escalation.done', { ref, level: result.ticket.level, count: result.recipients })]);
      switch (result.reason) {
        case 'not_found':
          return done([say('staff.ticket_not_found', { ref })]);
        case 'closed':
          return done([
            say('staff.ticket_closed', { ref, status: t(`ticket.status.${result.ticket?.status ?? 'closed'}`) }),
          ]);
        case 'top':
          return done([say('escalation.already_top', { ref })]);
        case 'conflict':
          return done([say('staff.conflict', { ref })]);
      }
    },
  };
}
