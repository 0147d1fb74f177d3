import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import { modelOnce } from '../db/model-once';

/** One firing of one job, claimed by the process that inserted it first. */
export interface JobRunDoc {
  /** `job:firingTime` (ISO): the unique key that makes each firing run once across processes. */
  _id: string;
  job: string;
  firingTime: Date;
  owner: string;
  startedAt: Date;
  finishedAt?: Date;
  outcome?: 'ok' | 'failed';
  /** The error's name and message when it failed (never message contents). */
  error?: string;
}

/** The run-keys of scheduled jobs. */
export interface RunKeyStore {
  /** Claim a firing; true for exactly one caller per `job:firingTime`, whichever process it is in. */
  claim(job: string, firingTime: Date, owner: string, now: Date): Promise<boolean>;
  finish(job: string, firingTime: Date, outcome: 'ok' | 'failed', now: Date, error?: string): Promise<void>;
  /** Delete run-keys of firings before `before` (FerretDB has no TTL indexes); returns how many. */
  purge(before: Date): Promise<number>;
  /** Recent runs, newest first (for tests and supervisors). */
  recent(job: string | undefined, limit: number): Promise<JobRunDoc[]>;
}

/** The run-key of a firing. */
export function runKeyOf(job: string, firingTime: Date): string {
  return `${job}:${firingTime.toISOString()}`;
}

const jobRunSchema = new Schema<JobRunDoc>(
  {
    _id: { type: String, required: true },
    job: { type: String, required: true },
    firingTime: { type: Date, required: true },
    owner: { type: String, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: Date,
    outcome: String,
    error: String,
  },
  { versionKey: false },
);
jobRunSchema.index({ firingTime: 1 });
jobRunSchema.index({ job: 1, firingTime: -1 });

/**
 * Run-keys in the `job_runs` collection. The key is the document's `_id`, so
 * its uniqueness is the server's own: an insert is the one compare-and-set
 * that MongoDB and FerretDB on SQLite both perform atomically.
 */
export async function createRunKeyStore(conn: Connection): Promise<RunKeyStore> {
  const JobRun: Model<JobRunDoc> = modelOnce<JobRunDoc>(conn, 'JobRun', jobRunSchema, 'job_runs');
  await JobRun.createIndexes();
  return {
    async claim(job, firingTime, owner, now) {
      try {
        await JobRun.create({ _id: runKeyOf(job, firingTime), job, firingTime, owner, startedAt: now });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async finish(job, firingTime, outcome, now, error) {
      await JobRun.updateOne(
        { _id: runKeyOf(job, firingTime) },
        { $set: { outcome, finishedAt: now, ...(error ? { error } : {}) } },
      ).exec();
    },
    async purge(before) {
      const res = await JobRun.deleteMany({ firingTime: { $lt: before } }).exec();
      return res.deletedCount;
    },
    async recent(job, limit) {
      return JobRun.find(job ? { job } : {})
        .sort({ firingTime: -1 })
        .limit(limit)
        .lean<JobRunDoc[]>()
        .exec();
    },
  };
}
