import { formatReference, type Ticket } from '../domain/ticket';
import { isDuplicateKey } from './conversation-store';
import type { Models, TicketDoc } from './models';

/** Tickets as the conversation needs them. */
export interface TicketStore {
  /** Insert a new ticket under the next reference; a repeated idempotency key returns the first ticket instead. */
  create(input: Omit<Ticket, 'ref'> & { idempotencyKey: string }): Promise<{ ticket: Ticket; created: boolean }>;
  findByRef(ref: string): Promise<Ticket | null>;
  recentForCitizen(citizenId: string, limit: number): Promise<Ticket[]>;
}

/**
 * The ticket store. References come from one counter document per district,
 * incremented atomically, so two submits at the same instant get different
 * numbers without a transaction.
 */
export function createTicketStore(models: Models, districtCode: string): TicketStore {
  const { Ticket: TicketModel, Counter } = models;

  async function nextReference(): Promise<string> {
    const counter = await Counter.findOneAndUpdate(
      { _id: `ticket:${districtCode}` },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: 'after' },
    )
      .lean()
      .exec();
    return formatReference(districtCode, counter?.seq ?? 0);
  }

  return {
    async create(input) {
      const ref = await nextReference();
      try {
        const saved = await TicketModel.create({ ...input, ref });
        return { ticket: saved.toObject<TicketDoc>(), created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // A retried delivery of the same submit: the first ticket stands. The
        // counter value just taken is skipped, which keeps references unique.
        const existing = await TicketModel.findOne({ idempotencyKey: input.idempotencyKey }).lean<TicketDoc>().exec();
        if (!existing) throw err;
        return { ticket: existing, created: false };
      }
    },
    async findByRef(ref) {
      return TicketModel.findOne({ ref }).lean<TicketDoc>().exec();
    },
    async recentForCitizen(citizenId, limit) {
      return TicketModel.find({ citizenId }).sort({ createdAt: -1 }).limit(limit).lean<TicketDoc[]>().exec();
    },
  };
}
