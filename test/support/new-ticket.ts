import type { TicketStore } from '../../src/storage/ticket-store';

/** What TicketStore.create takes. */
export type NewTicket = Parameters<TicketStore['create']>[0];

/**
 * A new ration ticket from Telegram citizen `n`, filed and due at `at`, as the
 * storage tests file them; `extra` changes any field.
 * @example await tickets.create(newTicket(1, NOW, { routePending: true }))
 */
export function newTicket(n: number, at: Date, extra: Partial<NewTicket> = {}): NewTicket {
  return {
    idempotencyKey: `k${n}`,
    district: 'ALR',
    citizenId: `c${n}`,
    channel: 'telegram',
    chatId: `${n}`,
    language: 'hi',
    category: 'ration',
    department: 'FOOD',
    description: 'राशन नहीं मिला',
    attachments: [],
    status: 'new',
    ackDueAt: at,
    resolveDueAt: at,
    createdAt: at,
    updatedAt: at,
    history: [{ at, by: { kind: 'system', id: 'test' }, action: 'create' }],
    intake: 'telegram',
    level: 1,
    reopenCount: 0,
    ...extra,
  };
}
