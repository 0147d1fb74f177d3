import type { HistoryEntry, Ticket } from '../domain/ticket';
import type { OwedNotices } from '../core/outbound';
import { countedChange, countGuard, createTicketWrites, type StoredTicket } from '../storage/ticket-store';
import { dayOfIn } from '../domain/ticket-counts';
import { TIME_ZONE } from '../i18n/format';
import { OPEN_STATUSES } from '../domain/ticket-lifecycle';
import type { Models, TicketDoc } from '../storage/models';
import type { HistoryModels } from '../storage/history-models';
import { createTicketWork } from '../storage/ticket-work';
import { TOP_LEVEL, type LevelWindow } from './escalation-policy';

/** The ticket queries escalation and reminders need; one query per sweep, one write per change. */
export interface EscalationStore {
  findByRef(ref: string): Promise<Ticket | null>;
  /**
   * Open tickets below the top level that have passed their current level's
   * deadline: level 1 past its acknowledgement or resolve deadline, a higher
   * level past its resolve deadline and past its own window (`windows`, the
   * time each level and category has, counted from reaching the level).
   * Only tickets actually overdue, so tickets still inside a window never
   * crowd overdue ones out of the batch. Oldest first.
   */
  sweepCandidates(now: Date, windows: readonly LevelWindow[], limit: number): Promise<Ticket[]>;
  /**
   * Move a ticket from `fromLevel` up to `change.level` with its history line
   * and the notices it owes (one write), if it is still open and still at
   * `fromLevel`; null otherwise.
   */
  raiseLevel(
    ref: string,
    fromLevel: number,
    change: { level: number; at: Date; entry: HistoryEntry; owed?: OwedNotices },
  ): Promise<StoredTicket | null>;
  /** Open, unacknowledged, unreminded level-1 tickets with an officer whose acknowledgement deadline lies within (now, now + lookaheadMs]. */
  reminderCandidates(now: Date, lookaheadMs: number, limit: number): Promise<Ticket[]>;
  /** Record that the reminder about these tickets went out (only where none had). */
  markReminded(refs: string[], at: Date): Promise<number>;
}

/** The store over the Ticket model. */
export function createEscalationStore(
  models: Pick<Models, 'Ticket' | 'TicketArchive' | 'TicketWork' | 'Counter'>,
  opts: { timeZone?: string; history?: HistoryModels } = {},
): EscalationStore {
  const { Ticket, TicketArchive } = models;
  // The sweeps' candidate reads look at every live ticket on FerretDB (seconds at a district's size, every five
  // minutes): over the history connection they do not hold up the citizens' commands on the main one. Each
  // candidate is checked again when it is written, by `_id` on the main connection.
  const candidates = (opts.history ?? models).Ticket;
  const work = createTicketWork(models);
  const writes = createTicketWrites(Ticket);
  const dayOf = dayOfIn(opts.timeZone ?? TIME_ZONE);
  const open = { $in: [...OPEN_STATUSES] };
  return {
    async findByRef(ref) {
      // By `_id` (the reference): live tickets, then the archive of closed ones.
      return (
        (await Ticket.findOne({ _id: ref }).lean<TicketDoc>().exec()) ??
        (await TicketArchive.findOne({ _id: ref }).lean<TicketDoc>().exec())
      );
    },
    async sweepCandidates(now, windows, limit) {
      const higher = windows
        .filter((w) => w.level > 1 && w.level < TOP_LEVEL)
        .flatMap((w) => {
          const named = windows.filter((o) => o.level === w.level && o.categories).flatMap((o) => o.categories ?? []);
          const category = w.categories
            ? { category: { $in: w.categories } }
            : named.length
              ? { category: { $nin: named } }
              : {};
          const reachedBy = new Date(now.getTime() - w.ms);
          // The level was reached at escalatedAt (or, lacking it, at the resolve deadline).
          return [
            { level: w.level, ...category, resolveDueAt: { $lte: now }, escalatedAt: { $lte: reachedBy } },
            { level: w.level, ...category, escalatedAt: null, resolveDueAt: { $lte: reachedBy } },
          ];
        });
      return candidates
        .find({
          status: open,
          $or: [
            { level: 1, acknowledgedAt: null, ackDueAt: { $lte: now } },
            { level: 1, resolveDueAt: { $lte: now } },
            ...higher,
          ],
        })
        .sort({ createdAt: 1 })
        .limit(limit)
        .lean<TicketDoc[]>()
        .exec();
    },
    async raiseLevel(ref, fromLevel, { level, at, entry, owed: notices }) {
      // The level is counted: the counters' delta is owed in the same write (see countedChange).
      const before = await Ticket.findOne({ _id: ref }).lean<TicketDoc>().exec();
      if (!before || before.level !== fromLevel) return null;
      const counts = countedChange(ref, before, { ...before, level }, dayOf);
      // By `_id` under the ticket's lock on FerretDB, where this guard as a filter read every live ticket per escalation.
      const done = await writes.updateIf(
        ref,
        { ...countGuard(before), level: fromLevel, status: open },
        {
          $set: { level, escalatedAt: at, updatedAt: at },
          // Every change raises the ticket's revision (the open-work read model's version, see ticket-store.ts).
          $inc: { rev: 1 },
          $push: { history: entry, ...(notices ? { owed: notices } : {}), ...(counts ? { owedCounts: counts } : {}) },
        },
        // Announced first: the recovery pass finds the notices and counts by this marker if what follows is cut short.
        notices || counts ? () => work.mark(ref, [notices?.key, counts?.key], at) : undefined,
      );
      return done?.after ?? null;
    },
    async reminderCandidates(now, lookaheadMs, limit) {
      return candidates
        .find({
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
      // One ticket at a time by `_id`: on FerretDB an updateMany over references read every live ticket, once per officer reminded.
      let marked = 0;
      for (const ref of refs)
        if (await writes.updateIf(ref, { ackReminderSentAt: null }, { $set: { ackReminderSentAt: at } })) marked += 1;
      return marked;
    },
  };
}
