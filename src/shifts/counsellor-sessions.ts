import type { Connection } from 'mongoose';

/** Collection of the live counsellor conversations (kept by the counsellor relay). */
export const COUNSELLOR_SESSIONS_COLLECTION = 'counsellor_sessions';

/**
 * Counsellor sessions still open: documents with `status: 'open'` in
 * `counsellor_sessions`. Zero while that collection does not exist yet.
 */
export function countOpenCounsellorSessions(conn: Connection): () => Promise<number> {
  return () => conn.collection(COUNSELLOR_SESSIONS_COLLECTION).countDocuments({ status: 'open' });
}
