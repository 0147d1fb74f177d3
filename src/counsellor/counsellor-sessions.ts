import { Schema, type Connection, type Model } from 'mongoose';
import type { ChannelName } from '../core/messages';
import { isDuplicateKey } from '../db/duplicate-key';

export type SessionStatus = 'waiting' | 'open' | 'closed';

/** A live talk between a citizen and a health counsellor, relayed by the bot. */
export interface CounsellorSessionDoc {
  /** The session number the counsellor sees instead of the citizen's identity (S-0001). */
  _id: string;
  citizenKey: string;
  channel: ChannelName;
  chatId: string;
  citizenId: string;
  language: 'hi' | 'en';
  counsellorId?: string;
  status: SessionStatus;
  createdAt: Date;
  assignedAt?: Date;
  closedAt?: Date;
  /** What the citizen wrote, for turning the session into a ticket. */
  citizenLines: string[];
}

const schema = new Schema<CounsellorSessionDoc>(
  {
    _id: { type: String, required: true },
    citizenKey: { type: String, required: true },
    channel: { type: String, required: true },
    chatId: { type: String, required: true },
    citizenId: { type: String, required: true },
    language: { type: String, required: true },
    counsellorId: String,
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    assignedAt: Date,
    closedAt: Date,
    citizenLines: { type: [String], default: [] },
  },
  { versionKey: false },
);
schema.index({ citizenKey: 1, status: 1 });
schema.index({ counsellorId: 1, status: 1 });
schema.index({ status: 1, createdAt: 1 });

/** Keep the transcript bounded: enough for a ticket's description. */
const MAX_LINES = 50;

/** Counsellor sessions in the `counsellor_sessions` collection. */
export async function createSessionStore(conn: Connection) {
  const Session: Model<CounsellorSessionDoc> = conn.model<CounsellorSessionDoc>(
    'CounsellorSession',
    schema,
    'counsellor_sessions',
  );
  await Session.createIndexes();
  const Counter = conn.collection<{ _id: string; seq: number }>('counters');
  // The session a counsellor's typed words go to, one document per counsellor
  // (reached by _id only). Kept apart from the chat's saved state so that a
  // staff reply saved over a newer version can never undo a switch.
  const Focus = conn.collection<{ _id: string; session: string }>('counsellor_focus');

  return {
    /** A new session with the next number; a taken number is skipped (the _id is unique). */
    async create(input: Omit<CounsellorSessionDoc, '_id' | 'citizenLines' | 'status'>): Promise<CounsellorSessionDoc> {
      for (let attempt = 1; ; attempt++) {
        const c = await Counter.findOneAndUpdate(
          { _id: 'counsellor-session' },
          { $inc: { seq: 1 } },
          { upsert: true, returnDocument: 'after' },
        );
        const doc: CounsellorSessionDoc = {
          ...input,
          _id: `S-${String(c?.seq ?? 0).padStart(4, '0')}`,
          status: 'waiting',
          citizenLines: [],
        };
        try {
          await Session.create(doc);
          return doc;
        } catch (err) {
          if (!isDuplicateKey(err) || attempt >= 5) throw err;
        }
      }
    },
    async liveForCitizen(citizenKey: string): Promise<CounsellorSessionDoc | null> {
      return Session.findOne({ citizenKey, status: { $in: ['waiting', 'open'] } })
        .lean<CounsellorSessionDoc>()
        .exec();
    },
    async get(id: string): Promise<CounsellorSessionDoc | null> {
      return Session.findOne({ _id: id.toUpperCase() }).lean<CounsellorSessionDoc>().exec();
    },
    async openFor(counsellorId: string): Promise<CounsellorSessionDoc[]> {
      return Session.find({ counsellorId, status: 'open' })
        .sort({ assignedAt: 1 })
        .lean<CounsellorSessionDoc[]>()
        .exec();
    },
    async openCounts(): Promise<Map<string, number>> {
      const rows = await Session.aggregate<{ _id: string; n: number }>([
        { $match: { status: 'open' } },
        { $group: { _id: '$counsellorId', n: { $sum: 1 } } },
      ]).exec();
      return new Map(rows.map((r) => [r._id, r.n]));
    },
    async oldestWaiting(): Promise<CounsellorSessionDoc | null> {
      return Session.findOne({ status: 'waiting' }).sort({ createdAt: 1 }).lean<CounsellorSessionDoc>().exec();
    },
    /** Give a waiting session to a counsellor; false when someone else took it first. */
    async assign(id: string, counsellorId: string, now: Date): Promise<boolean> {
      const res = await Session.updateOne(
        { _id: id, status: 'waiting' },
        { $set: { status: 'open', counsellorId, assignedAt: now } },
      ).exec();
      return res.modifiedCount === 1;
    },
    /** Put an open session back in the queue (its counsellor is gone). */
    async requeue(id: string): Promise<void> {
      await Session.updateOne(
        { _id: id, status: 'open' },
        { $set: { status: 'waiting' }, $unset: { counsellorId: '', assignedAt: '' } },
      ).exec();
    },
    async close(id: string, now: Date): Promise<CounsellorSessionDoc | null> {
      return Session.findOneAndUpdate(
        { _id: id, status: { $in: ['waiting', 'open'] } },
        { $set: { status: 'closed', closedAt: now } },
        { returnDocument: 'after' },
      )
        .lean<CounsellorSessionDoc>()
        .exec();
    },
    /** The session this counsellor's words go to, as last set (it may have ended since). */
    async focusOf(counsellorId: string): Promise<string | undefined> {
      return (await Focus.findOne({ _id: counsellorId }))?.session;
    },
    /**
     * Make a session the counsellor's active one only if they have none set:
     * an insert against the unique _id, so of two sessions connecting at once
     * only one becomes active. False when another session is (or was) active.
     */
    async focusIfNone(counsellorId: string, session: string): Promise<boolean> {
      try {
        await Focus.insertOne({ _id: counsellorId, session });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    /** The counsellor chose a session: their words go there from now on. */
    async setFocus(counsellorId: string, session: string): Promise<void> {
      await Focus.updateOne({ _id: counsellorId }, { $set: { session } }, { upsert: true });
    },
    /** The counsellor ended their active session themselves: nothing is active. */
    async clearFocus(counsellorId: string): Promise<void> {
      await Focus.deleteOne({ _id: counsellorId });
    },
    async addCitizenLine(id: string, line: string): Promise<void> {
      const doc = await Session.findOne({ _id: id }).lean<CounsellorSessionDoc>().exec();
      if (!doc || doc.citizenLines.length >= MAX_LINES) return;
      await Session.updateOne({ _id: id }, { $push: { citizenLines: line } }).exec();
    },
  };
}

export type SessionStore = Awaited<ReturnType<typeof createSessionStore>>;
