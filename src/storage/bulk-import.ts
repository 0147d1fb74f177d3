import type { Connection } from 'mongoose';
import type { OutboxDoc, OutboxModels } from '../outbox/outbox-model';
import type { ChatProfileDoc, ConversationDoc, Models, TicketDoc, TicketOwnerDoc } from './models';
import { recordLoadedOrder, type LoadedOrder } from './reference-order';
import { createOwnerIndex } from './ticket-store';

/**
 * Bulk loading for demo data and benchmarks (`npm run seed`): many documents
 * per command, in the same collections and shapes the stores write, so the
 * product reads seeded data exactly as its own.
 */
export interface BulkImport {
  /**
   * Tickets keyed by reference, each with its owner entry; those closed
   * before `archiveBefore` go straight to the archive, as the clean-up job
   * would have moved them.
   */
  tickets(docs: readonly TicketDoc[], archiveBefore: Date): Promise<void>;
  conversations(docs: readonly ConversationDoc[]): Promise<void>;
  /** Chats' lasting facts (see ChatProfileDoc). */
  chatProfiles(docs: readonly ChatProfileDoc[]): Promise<void>;
  /** Delivered notifications, in the outbox's archive where the clean-up job moves them. */
  notifications(docs: ReadonlyArray<Omit<OutboxDoc, '_id'>>): Promise<void>;
  /** Phone links between citizen ids (see citizen-store). */
  citizenLinks(
    docs: ReadonlyArray<{
      _id: string;
      personId: string;
      citizenIds: string[];
      identities: string[];
      createdAt: Date;
      updatedAt: Date;
    }>,
  ): Promise<void>;
  /**
   * Move the district's reference counter to at least `seq`, so new tickets continue after the loaded ones,
   * with the loaded tickets' creation order (see recordLoadedOrder).
   */
  raiseReferenceCounter(district: string, seq: number, loaded?: LoadedOrder): Promise<void>;
  /** The reference counter's value (0 when no ticket was ever filed). */
  referenceCounter(district: string): Promise<number>;
}

/** The bulk loader over the project's models on one connection. */
export function createBulkImport(deps: { conn: Connection; models: Models; outbox: OutboxModels }): BulkImport {
  const { models, outbox, conn } = deps;
  const owners = createOwnerIndex(models.TicketOwner);
  /** Owner entries used so far per citizen (probed once per citizen when the database already held tickets). */
  const lastOwner = new Map<string, number>();
  let probeOwners: boolean | undefined;
  // Raw driver inserts: mongoose would validate and hydrate each of hundreds of thousands of documents.
  const insert = async (collection: string, docs: readonly object[]) => {
    if (docs.length)
      await conn.collection(collection).insertMany(
        docs.map((d) => ({ ...d })),
        { ordered: false },
      );
  };
  return {
    async tickets(docs, archiveBefore) {
      probeOwners ??= (await models.TicketOwner.findOne({}, { _id: 1 }).lean().exec()) !== null;
      const entries: TicketOwnerDoc[] = [];
      for (const d of docs) {
        let k = lastOwner.get(d.citizenId);
        if (k === undefined) k = probeOwners ? await owners.last(d.citizenId) : 0;
        lastOwner.set(d.citizenId, k + 1);
        entries.push({ _id: `${d.citizenId}#${k + 1}`, ref: d.ref, createdAt: d.createdAt });
      }
      const keyed = docs.map((d) => ({ ...d, _id: d.ref }));
      const archived = (d: TicketDoc) => d.status === 'closed' && !!d.closedAt && d.closedAt < archiveBefore;
      await insert(models.TicketOwner.collection.collectionName, entries);
      await Promise.all([
        insert(
          models.Ticket.collection.collectionName,
          keyed.filter((d) => !archived(d)),
        ),
        insert(models.TicketArchive.collection.collectionName, keyed.filter(archived)),
      ]);
    },
    conversations: (docs) => insert(models.Conversation.collection.collectionName, docs),
    chatProfiles: (docs) => insert(models.ChatProfile.collection.collectionName, docs),
    // Delivered long ago: where the clean-up job keeps them.
    notifications: (docs) => insert(outbox.Archive.collection.collectionName, docs),
    citizenLinks: (docs) => insert('citizens', docs),
    raiseReferenceCounter: (district, seq, loaded) => recordLoadedOrder(models.Counter, district, seq, loaded),
    async referenceCounter(district) {
      return (
        (
          await models.Counter.findOne({ _id: `ticket:${district}` })
            .lean()
            .exec()
        )?.seq ?? 0
      );
    },
  };
}
