import { lintImportsOnce } from '../support/lint-imports';

// The layering rule of eslint.config.mjs, driven with code that breaks it, so a config change
// that silently stops enforcing the direction fails here (lint passing proves nothing alone).
const restricted = lintImportsOnce();

const toConversation =
  "import type { InboundMessage } from '../conversation/types';\nexport type P = InboundMessage;\n";
const toStaff =
  "import type { StaffCommandModule } from '../staff/staff-handler';\nexport type P = StaffCommandModule;\n";
const cases = {
  storageToConversation: restricted('src/storage/new-store.ts', toConversation),
  outboxToConversation: restricted('src/outbox/new-sender.ts', toConversation),
  ticketsToConversation: restricted('src/tickets/new-step.ts', toConversation),
  domainToStorage: restricted(
    'src/domain/new-rule.ts',
    "import type { Models } from '../storage/models';\nexport type P = Models;\n",
  ),
  domainAllowed: restricted(
    'src/domain/new-rule.ts',
    "import type { Text } from '../core/messages';\nimport { AppError } from '../errors';\nimport type { Language } from '../i18n/create-i18n';\nexport type P = Text | AppError | Language;\n",
  ),
  engineToMongoose: restricted(
    'src/conversation/engine.ts',
    "import mongoose from 'mongoose';\nexport const m = mongoose;\n",
  ),
  engineStepToMongoose: restricted(
    'src/conversation/steps/new-step.ts',
    "import mongoose from 'mongoose';\nexport const m = mongoose;\n",
  ),
  conversationToStaff: restricted('src/conversation/new-part.ts', toStaff),
  conversationToChannels: restricted(
    'src/conversation/new-part.ts',
    "import { telegramMarkup } from '../channels/telegram/telegram-render';\nexport const m = telegramMarkup;\n",
  ),
  escalationToStaff: restricted('src/escalation/new-command.ts', toStaff),
  feedbackToStaff: restricted('src/feedback/new-part.ts', toStaff),
  escalationToConversation: restricted(
    'src/escalation/new-command.ts',
    "import type { StaffCommandModule } from '../conversation/staff-command';\nexport type P = StaffCommandModule;\n",
  ),
  staffToConversation: restricted(
    'src/staff/new-module.ts',
    "import type { Reply } from '../conversation/types';\nexport type P = Reply;\n",
  ),
  ticketsToEscalation: restricted(
    'src/tickets/new-part.ts',
    "import type { EscalationService } from '../escalation/escalation-service';\nexport type P = EscalationService;\n",
  ),
  ticketsToSupervisor: restricted(
    'src/tickets/new-part.ts',
    "import type { TicketQueries } from '../supervisor/ticket-queries';\nexport type P = TicketQueries;\n",
  ),
  staffToSupervisor: restricted(
    'src/staff/new-module.ts',
    "import { PAGE_SCOPE } from '../supervisor/supervisor-module';\nexport const s = PAGE_SCOPE;\n",
  ),
  staffToShifts: restricted(
    'src/staff/new-module.ts',
    "import type { ShiftService } from '../shifts/shift-service';\nexport type P = ShiftService;\n",
  ),
  supervisorToStaff: restricted(
    'src/supervisor/new-part.ts',
    "import { STAFF_PAGE_SCOPE } from '../staff/admin-module';\nexport const s = STAFF_PAGE_SCOPE;\n",
  ),
  counsellorToStaff: restricted('src/counsellor/new-part.ts', toStaff),
  commandModulesShared: restricted(
    'src/supervisor/new-part.ts',
    "import { pageReply } from '../core/paging';\nimport { ticketRefusalReply } from '../tickets/ticket-refusal';\nimport type { StaffCommandModule } from '../conversation/staff-command';\nexport const p = [pageReply, ticketRefusalReply];\nexport type P = StaffCommandModule;\n",
  ),
  exceptionItsFolder: restricted(
    'src/storage/conversation-store.ts',
    "import type { ConversationState } from '../conversation/types';\nexport type P = ConversationState;\n",
  ),
  exceptionOtherFolder: restricted('src/storage/conversation-store.ts', toStaff),
};

describe('the layering lint rule', () => {
  it('stops storage, outbox and tickets from importing the conversation engine', () => {
    expect(cases.storageToConversation()).toHaveLength(1);
    expect(cases.outboxToConversation()).toHaveLength(1);
    expect(cases.ticketsToConversation()).toHaveLength(1);
  });

  it('keeps domain to domain, core, i18n and the error catalogue, and the engine free of mongoose', () => {
    expect(cases.domainToStorage()).toHaveLength(1);
    expect(cases.domainAllowed()).toEqual([]);
    expect(cases.engineToMongoose()).toHaveLength(1);
    expect(cases.engineStepToMongoose()).toHaveLength(1);
  });

  it('stops conversation from importing staff or channels, but lets staff import conversation', () => {
    expect(cases.conversationToStaff()).toHaveLength(1);
    expect(cases.conversationToChannels()).toHaveLength(1);
    expect(cases.staffToConversation()).toEqual([]);
  });

  it('stops the feature folders conversation imports (feedback, escalation) from importing staff or conversation', () => {
    expect(cases.escalationToStaff()).toHaveLength(1);
    expect(cases.feedbackToStaff()).toHaveLength(1);
    // conversation/ imports them: an import back would be a cycle.
    expect(cases.escalationToConversation()).toHaveLength(1);
  });

  it('keeps staff/ and the plugged-in command modules (supervisor, shifts, counsellor, …) from importing each other', () => {
    expect(cases.staffToSupervisor()).toHaveLength(1);
    expect(cases.staffToShifts()).toHaveLength(1);
    expect(cases.supervisorToStaff()).toHaveLength(1);
    expect(cases.counsellorToStaff()).toHaveLength(1);
    expect(cases.commandModulesShared()).toEqual([]);
  });

  it('keeps tickets/ below the features that use it: escalation, feedback and the command modules', () => {
    expect(cases.ticketsToEscalation()).toHaveLength(1);
    expect(cases.ticketsToSupervisor()).toHaveLength(1);
  });

  it('lifts an allow-listed exception only for its one folder', () => {
    expect(cases.exceptionItsFolder()).toEqual([]);
    expect(cases.exceptionOtherFolder()).toHaveLength(1);
  });
});
