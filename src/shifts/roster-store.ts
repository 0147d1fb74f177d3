import { Schema, type Connection } from 'mongoose';
import type { RosterRole } from './shift-plan';
import { modelOnce } from '../db/model-once';

/** Who stands on one role of one shift, every day until changed. */
export interface RosterEntryDoc {
  /** `shift:role`, e.g. `night:operator`. */
  _id: string;
  shift: string;
  role: RosterRole;
  /** Staff ids, in the order they were given. */
  staffIds: string[];
  updatedAt: Date;
  /** Staff id of the administrator (or `script:load-roster`) who set it. */
  updatedBy: string;
}

/** The roster: for each shift id, the staff ids on each role. */
export type Roster = Record<string, Record<RosterRole, string[]>>;

const rosterSchema = new Schema<RosterEntryDoc>(
  {
    _id: { type: String, required: true },
    shift: { type: String, required: true },
    role: { type: String, required: true },
    staffIds: { type: [String], default: [] },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { versionKey: false },
);

/** The roster's collection name. */
export const ROSTER_COLLECTION = 'roster';

/** Stored roster entries; one small document per shift and role. */
export interface RosterStore {
  /** Every entry, as shift → role → staff ids (roles never set are empty). */
  all(): Promise<Roster>;
  /** Replace who stands on one role of one shift (an empty list clears it). */
  set(input: { shift: string; role: RosterRole; staffIds: string[]; by: string; now: Date }): Promise<void>;
}

/**
 * Register the roster model on a connection (once; later calls reuse it) and
 * wrap it in a store. The roster is small — a few documents — so it is read
 * whole in one query.
 */
export function createRosterStore(conn: Connection): RosterStore {
  const Roster = modelOnce<RosterEntryDoc>(conn, 'RosterEntry', rosterSchema, ROSTER_COLLECTION);
  return {
    async all() {
      const docs = await Roster.find().lean<RosterEntryDoc[]>().exec();
      const roster: Roster = {};
      for (const d of docs) {
        const shift = (roster[d.shift] ??= { supervisor: [], operator: [], counsellor: [] });
        shift[d.role] = d.staffIds;
      }
      return roster;
    },
    async set({ shift, role, staffIds, by, now }) {
      const doc: RosterEntryDoc = { _id: `${shift}:${role}`, shift, role, staffIds, updatedAt: now, updatedBy: by };
      await Roster.replaceOne({ _id: doc._id }, doc, { upsert: true }).exec();
    },
  };
}
