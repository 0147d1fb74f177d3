import { randomBytes } from 'node:crypto';
import { Schema } from 'mongoose';
import type { Models } from './models';

/** The collection of work markers: one small document per ticket change whose work (routing, notices, counts) may be owed. */
export const TICKET_WORK_COLLECTION = 'ticket_work';

/** Marker in `counters`: every change that owes work has a work marker (the database was swept once for older ones). */
export const WORK_MARKED = 'schema:ticket-work';

/** The key a filing's marker names for its routing (a ticket owes it while `routePending`). */
export const ROUTE_WORK = 'route';

/**
 * One change of ticket `ref` that may leave work owed, written before the
 * change: `keys` are what the change owes on the ticket (its notices' key,
 * its counts' key, {@link ROUTE_WORK} for a filing's routing).
 */
export interface TicketWorkDoc {
  _id: string;
  ref: string;
  keys: string[];
  at: Date;
}

/** The schema of {@link TicketWorkDoc} (registered in models.ts). */
export const ticketWorkSchema = new Schema<TicketWorkDoc>(
  {
    _id: { type: String, required: true },
    ref: { type: String, required: true },
    keys: { type: [String], default: [] },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

/**
 * Work markers, so that the recovery pass (start-up and every minute) reads
 * the owed work, not the live tickets: on FerretDB any read of the tickets
 * but by `_id` decodes every live ticket (seconds at a district's size).
 * A change inserts its marker before it writes the ticket (a crash in between
 * leaves a marker of nothing, which the pass drops), so no ticket ever owes
 * work without one; the pass removes a marker by its own `_id` once the
 * change's work is done, never another change's marker. Inserts and deletes
 * by `_id` only: nothing here reads a collection that grows with history.
 * @example const id = await work.mark(ref, [owed.key, counts.key], at); await writeTicket(); // the pass does the rest
 */
export function createTicketWork(models: Pick<Models, 'TicketWork' | 'Counter'>) {
  const { TicketWork, Counter } = models;
  return {
    /** Record that a change of `ref` owing `keys` is about to be written; the marker's `_id`. */
    async mark(ref: string, keys: ReadonlyArray<string | undefined>, at: Date): Promise<string> {
      const _id = `${ref}:w:${randomBytes(6).toString('base64url')}`;
      const owed = keys.filter((k): k is string => Boolean(k));
      await TicketWork.collection.insertOne({ _id, ref, keys: owed, at } as never);
      return _id;
    },
    /** The oldest markers (a small collection: changes of the last minute or two, and what a crash left). */
    pending(limit: number): Promise<TicketWorkDoc[]> {
      return TicketWork.find({}).sort({ at: 1 }).limit(limit).lean<TicketWorkDoc[]>().exec();
    },
    /** The marker's change is done (or was never written). */
    async remove(id: string): Promise<void> {
      await TicketWork.collection.deleteOne({ _id: id } as never);
    },
    /** Whether the database was swept for work owed by changes made before markers existed. */
    async allMarked(): Promise<boolean> {
      return (await Counter.findOne({ _id: WORK_MARKED }).lean().exec()) !== null;
    },
    /** Record that every change owing work has a marker from now on. */
    async markAllMarked(): Promise<void> {
      await Counter.updateOne({ _id: WORK_MARKED }, { $set: { seq: 1 } }, { upsert: true }).exec();
    },
  };
}

/** The work markers (see {@link createTicketWork}). */
export type TicketWork = ReturnType<typeof createTicketWork>;
