import { isDuplicateKey } from '../db/duplicate-key';
import type { Models, TicketDoc } from './models';
import { createOwnerIndex } from './ticket-store';

/** Marker in `counters`: tickets are keyed by their reference and have owner entries. */
const KEYS_MIGRATED = 'schema:ticket-keys';

/**
 * Make tickets filed before references became the `_id` look like new ones:
 * each gets its owner entry and is stored again under `_id: ref`. Runs once
 * per database (a marker document remembers it); on a database created by
 * this version it only writes the marker. Safe to repeat after a crash.
 */
export async function migrateTicketKeys(
  models: Pick<Models, 'Ticket' | 'TicketArchive' | 'TicketOwner' | 'Counter'>,
): Promise<number> {
  const { Ticket, TicketArchive, TicketOwner, Counter } = models;
  if (await Counter.findOne({ _id: KEYS_MIGRATED }).lean().exec()) return 0;
  const owners = createOwnerIndex(TicketOwner);
  const ignoreDuplicate = (err: unknown) => {
    if (!isDuplicateKey(err)) throw err;
  };
  // A run that stopped half-way left some tickets parked in the archive (below): back to live first.
  for (const doc of await TicketArchive.find({ status: { $ne: 'closed' } })
    .lean<TicketDoc[]>()
    .exec()) {
    await Ticket.collection.insertOne({ ...doc } as never).catch(ignoreDuplicate);
    await TicketArchive.collection.deleteOne({ _id: doc._id } as never);
  }
  const legacy = await Ticket.find({}).lean<Array<TicketDoc & { _id: unknown }>>().exec();
  let moved = 0;
  for (const doc of legacy
    .filter((d) => typeof d._id !== 'string')
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    await owners.add(doc.citizenId, doc.ref, doc.createdAt);
    // The old copy holds the unique ref and idempotency key, so it must go before the keyed copy comes in;
    // meanwhile a keyed copy waits in the archive, where findByRef also looks.
    await TicketArchive.collection.insertOne({ ...doc, _id: doc.ref } as never).catch(ignoreDuplicate);
    await Ticket.collection.deleteOne({ _id: doc._id } as never);
    await Ticket.collection.insertOne({ ...doc, _id: doc.ref } as never).catch(ignoreDuplicate);
    await TicketArchive.collection.deleteOne({ _id: doc.ref } as never);
    moved++;
  }
  await Counter.updateOne({ _id: KEYS_MIGRATED }, { $set: { seq: 1 } }, { upsert: true }).exec();
  return moved;
}

/**
 * Move closed tickets out of the live collection once they can no longer be
 * reopened (closed before `closedBefore`): copied into `tickets_archive`, then
 * deleted from `tickets`. A crash between the two leaves the ticket in both,
 * which readers tolerate (live wins) and the next run finishes. Returns how
 * many moved; at most `limit` per call.
 */
export async function archiveClosedTickets(
  models: Pick<Models, 'Ticket' | 'TicketArchive'>,
  closedBefore: Date,
  limit: number,
): Promise<number> {
  const { Ticket, TicketArchive } = models;
  // A ticket still owing notices or counts stays until the relays have moved them on.
  const done = await Ticket.find({
    status: 'closed',
    closedAt: { $lt: closedBefore },
    'owed.0': { $exists: false },
    'owedCounts.0': { $exists: false },
  })
    .limit(limit)
    .lean<TicketDoc[]>()
    .exec();
  for (const doc of done) {
    try {
      await TicketArchive.collection.insertOne({ ...doc } as never);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    // Changed since it was read (a late rating): the next run copies it again.
    const res = await Ticket.collection.deleteOne({
      _id: doc._id,
      status: 'closed',
      updatedAt: doc.updatedAt,
    } as never);
    if (res.deletedCount === 0) await TicketArchive.collection.deleteOne({ _id: doc._id } as never);
  }
  return done.length;
}
