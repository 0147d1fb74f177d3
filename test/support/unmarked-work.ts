import type { Connection } from 'mongoose';
import type { TicketDoc } from '../../src/storage/models';
import { TICKET_WORK_COLLECTION, type TicketWorkDoc } from '../../src/storage/ticket-work';

/**
 * Live tickets that owe work (routing, notices, counts) with no work marker
 * naming them: the recovery pass reads only the markers, so after a crash at
 * any point this must be empty, or the work is lost.
 * @example expect(await unmarkedWork(conn)).toEqual([])
 */
export async function unmarkedWork(conn: Connection): Promise<string[]> {
  const owing = await conn
    .collection<TicketDoc>('tickets')
    .find({ $or: [{ routePending: true }, { 'owed.0': { $exists: true } }, { 'owedCounts.0': { $exists: true } }] })
    .toArray();
  const marked = new Set(
    (await conn.collection<TicketWorkDoc>(TICKET_WORK_COLLECTION).find({}).toArray()).map((m) => m.ref),
  );
  return owing.map((t) => t.ref).filter((ref) => !marked.has(ref));
}
