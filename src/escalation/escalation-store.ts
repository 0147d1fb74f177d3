import type { HistoryEntry, Ticket } from '../domain/ticket';
import { OPEN_STATUSES } from '../domain/ticket-lifecycle';
import type { Models, TicketDoc } from '../storage/models';
import { TOP_LEVEL } from './escalation-policy';

/** The ticket queries escalation and reminders need; one query per sweep, one write per change. */
export interface EscalationStore {
  findByRef(ref: string): Promise<Ticket | null>;
  /**
   * Open tickets below the top level that may have passed a deadline: level 1
   * past its acknowledgement or resolve deadline, higher levels past their
   * resolve deadline and reached at least `minLevelMs` ago. A superset; the
   * policy decides each one. Oldest first.
   */
  sweepCandidates(now: Date, minLevelMs: number, limit: number): Promise<Ticket[]>;
  /**
   * Move a ticket from `fromLevel` up to `change.level` with its history line,
   * if it is still open and still at `fromLevel`; null otherwise.
   */
  raiseLevel(ref: string, fromLevel: number, change: { level: number; at: Date; entry: HistoryEntry }): Promise<Ticket | null>;
  /** Open, unacknowledged, unreminded level-1 tickets with an officer whose acknowledgement deadline lies within (now, now + lookaheadMs]. */
  reminderCandidates(now: Date, lookaheadMs: number, limit: number): Promise<Ticket[]>;
  /** Record that the reminder about these tickets went out (only where none had). */
  markReminded(refs: string[], at: Date): Promise<number>;
}

/** The store over the Ticket model. */
export function createEscalationStore(models: Pick<Models, 'Ticket' | 'TicketArchive'>): EscalationStore {
  const { Ticket, TicketArchive } = models;
  const open = { $in: [...OPEN_STATUSES] };
  return {
    async findByRef(ref) {
      // By `_id` (the reference): live tickets, then the archive of closed ones.
      return (await Ticket.findOne({ _id: ref }).lean<TicketDoc>().exec()) ?? (await TicketArchive.findOne({ _id: ref }).lean<TicketDoc>().exec());
    },
    async sweepCandidates(now, minLevelMs, limit) {
      return Ticket.find({
        status: open,
        $or: [
          { level: 1, acknowledgedAt: null, ackDueAt: { $lte: now } },
          { level: 1, resolveDueAt: { $lte: now } },
          { level: { $gt: 1, $lt: TOP_LEVEL }, resolveDueAt: { $lte: now }, escalatedAt: { $lte: new Date(now.getTime() - minLevelMs) } },
        ],
      })
        .sort({ createdAt: 1 })
        .limit(limit)
        .lean<TicketDoc[]>()
        .exec();
    },
    async raiseLevel(ref, fromLevel, { level, at, entry }) {
      return Ticket.findOneAndUpdate(
        { _id: ref, level: fromLevel, status: open },
        { $set: { level, escalatedAt: at, updatedAt: at }, $push: { history: entry } },
        { returnDocument: 'after' },
      )
        .lean<TicketDoc>()
        .exec();
    },
    async reminderCandidates(now, lookaheadMs, limit) {
      return Ticket.find({
        status: open,
        level: 1,
        assignedTo: { $exists: true },
        acknowledgedAt: null,
        ackReminderSentAt: null,
        ackDueAt: { $gt: now, $lte: new Date(now.getTime() + lookaheadMs) },
      })
        .sort({ ackDueAt: 1 })
        .limit(limit)
        .lean<TicketDoc[]>()
        .exec();
    },
    async markReminded(refs, at) {
      if (refs.length === 0) return 0;
      const res = await Ticket.updateMany({ ref: { $in: refs }, ackReminderSentAt: null }, { $set: { ackReminderSentAt: at } }).exec();
      return res.modifiedCount;
    },
  };
}
