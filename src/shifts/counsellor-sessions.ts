import type { Connection } from 'mongoose';

/** Collection of the live counsellor conversations (kept by the counsellor relay). */
export const COUNSELLOR_SESSIONS_COLLECTION = 'counsellor_sessions';

/** Counsellor sessions not yet ended: talking with a counsellor, or still waiting for one. */
export interface CounsellorSessionCounts {
  open: number;
  waiting: number;
}

/**
 * Counts the sessions in `counsellor_sessions` whose `status` is `open` or
 * `waiting` (one aggregation); zeros while the collection does not exist yet.
 */
export function countOpenCounsellorSessions(conn: Connection): () => Promise<CounsellorSessionCounts> {
  return async () => {
    const rows = await conn
      .collection(COUNSELLOR_SESSIONS_COLLECTION)
      .aggregate<{ _id: string; n: number }>([
        { $match: { status: { $in: ['open', 'waiting'] } } },
        { $group: { _id: '$status', n: { $sum: 1 } } },
      ])
      .toArray();
    const count = (s: string) => rows.find((r) => r._id === s)?.n ?? 0;
    return { open: count('open'), waiting: count('waiting') };
  };
}
