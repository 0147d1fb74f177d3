import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import { modelOnce } from '../db/model-once';

/**
 * Which citizen ids belong to one person, keyed by verified phone number
 * (collection `citizens`). A conversation gets a citizen id on its first
 * message; the same person on Telegram and on WhatsApp starts with two. Once
 * both are tied to one phone number — a Telegram contact shared with the
 * platform's own button, a WhatsApp id, which is the number itself — they
 * are one person, and `/status` can list the tickets of both.
 *
 * One document per phone: `{ _id: '+9198…', personId, citizenIds, identities }`.
 * `personId` groups documents: a citizen id reached through two phones puts
 * both phones in one group. Nothing is rewritten in tickets or
 * conversations: ownership is widened where it is read.
 *
 * What `/status` and every answer to an officer need is read from a second
 * collection, `citizen_groups`: one document per linked citizen id (`_id` is
 * the citizen id) holding the whole group, rewritten for each member when a
 * link changes the group. So the hot path reads one document by `_id` (on
 * FerretDB the only lookup that does not read the whole collection), while
 * linking, which is rare, may search the phone documents.
 */
export interface CitizenStore {
  /** Tie `citizenId` (and the chat `identity`, `channel:chatId`) to a verified phone number in E.164. */
  link(input: { phone: string; citizenId: string; identity: string; now: Date }): Promise<void>;
  /** Every citizen id of the person behind `citizenId`, itself included (alone when never linked). */
  idsOf(citizenId: string): Promise<string[]>;
  /** Whose tickets this citizen may see: `idsOf`, plus `phone:<number>` for calls an operator logged for their numbers. */
  ticketOwnersOf(citizenId: string): Promise<string[]>;
}

/** One verified phone number and the citizen ids tied to it. */
export interface CitizenDoc {
  _id: string;
  personId: string;
  citizenIds: string[];
  /** `channel:chatId` of the chats that proved the number. */
  identities: string[];
  createdAt: Date;
  updatedAt: Date;
}

const citizenSchema = new Schema<CitizenDoc>(
  {
    _id: { type: String, required: true },
    personId: { type: String, required: true },
    citizenIds: { type: [String], default: [] },
    identities: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
citizenSchema.index({ citizenIds: 1 });
citizenSchema.index({ personId: 1 });

/** A linked citizen id's group, as the phone documents say (see {@link CitizenStore}). */
export interface CitizenGroupDoc {
  _id: string;
  /** Every citizen id of the person, this one included. */
  citizenIds: string[];
  /** The person's verified numbers. */
  phones: string[];
  updatedAt: Date;
}

const citizenGroupSchema = new Schema<CitizenGroupDoc>(
  {
    _id: { type: String, required: true },
    citizenIds: { type: [String], default: [] },
    phones: { type: [String], default: [] },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/** The `citizen_groups` model of a connection (registered once). */
export function citizenGroupModel(conn: Connection): Model<CitizenGroupDoc> {
  return modelOnce<CitizenGroupDoc>(conn, 'CitizenGroup', citizenGroupSchema, 'citizen_groups');
}

/** Marker in `citizen_groups`: every phone document's citizen ids have their group document (built once per database). */
const GROUPS_BUILT = '#groups-built';

/** The group documents of phone documents (grouped by person), ready to write. */
export function groupDocs(
  phones: ReadonlyArray<Pick<CitizenDoc, '_id' | 'personId' | 'citizenIds'>>,
  now: Date,
): CitizenGroupDoc[] {
  const people = new Map<string, { citizenIds: Set<string>; phones: Set<string> }>();
  for (const d of phones) {
    const p = people.get(d.personId) ?? { citizenIds: new Set<string>(), phones: new Set<string>() };
    for (const id of d.citizenIds) p.citizenIds.add(id);
    p.phones.add(d._id);
    people.set(d.personId, p);
  }
  return [...people.values()].flatMap((p) => {
    const citizenIds = [...p.citizenIds].sort();
    const numbers = [...p.phones].sort();
    return citizenIds.map((id) => ({ _id: id, citizenIds, phones: numbers, updatedAt: now }));
  });
}

/** The store over its own collection on the given connection. */
export async function createCitizenStore(conn: Connection): Promise<CitizenStore> {
  const Citizen = modelOnce<CitizenDoc>(conn, 'Citizen', citizenSchema, 'citizens');
  const Group = citizenGroupModel(conn);
  await Promise.all([Citizen.createIndexes(), Group.createIndexes()]);
  await buildGroups(Citizen, Group);

  /** The group of a citizen id: one lookup by `_id` (null when never linked). */
  async function group(citizenId: string): Promise<Pick<CitizenGroupDoc, 'citizenIds' | 'phones'> | null> {
    return Group.findOne({ _id: citizenId }, { citizenIds: 1, phones: 1 })
      .lean<Pick<CitizenGroupDoc, 'citizenIds' | 'phones'>>()
      .exec();
  }

  return {
    async link({ phone, citizenId, identity, now }) {
      const touching = await Citizen.find({ $or: [{ _id: phone }, { citizenIds: citizenId }] }, { personId: 1 })
        .lean<Array<Pick<CitizenDoc, '_id' | 'personId'>>>()
        .exec();
      // The smallest group id wins, so two processes merging the same groups agree.
      const groups = [...new Set(touching.map((d) => d.personId))].sort();
      const personId = groups[0] ?? phone;
      await Citizen.updateOne(
        { _id: phone },
        {
          $set: { personId, updatedAt: now },
          $addToSet: { citizenIds: citizenId, identities: identity },
          $setOnInsert: { createdAt: now },
        },
        { upsert: true },
      ).exec();
      if (groups.length > 1)
        await Citizen.updateMany({ personId: { $in: groups.slice(1) } }, { $set: { personId, updatedAt: now } }).exec();
      // Every member's group document, from the phone documents as they are now (a crash before this is mended by the next link of the person).
      const members = await Citizen.find({ personId }, { personId: 1, citizenIds: 1 })
        .lean<Array<Pick<CitizenDoc, '_id' | 'personId' | 'citizenIds'>>>()
        .exec();
      for (const doc of groupDocs(members, now)) {
        await Group.updateOne(
          { _id: doc._id },
          { $set: { citizenIds: doc.citizenIds, phones: doc.phones, updatedAt: now } },
          { upsert: true },
        ).exec();
      }
    },
    async idsOf(citizenId) {
      return [...new Set([citizenId, ...((await group(citizenId))?.citizenIds ?? [])])];
    },
    async ticketOwnersOf(citizenId) {
      const g = await group(citizenId);
      return [...new Set([citizenId, ...(g?.citizenIds ?? []), ...(g?.phones ?? []).map((p) => `phone:${p}`)])];
    },
  };
}

/**
 * Once per database: group documents for phone documents written before
 * groups existed (or by a bulk import). Inserts only; a group document that
 * is there already (written by a link) is left as it is.
 */
async function buildGroups(Citizen: Model<CitizenDoc>, Group: Model<CitizenGroupDoc>): Promise<void> {
  if (await Group.findOne({ _id: GROUPS_BUILT }, { _id: 1 }).lean().exec()) return;
  const now = new Date();
  const phones = await Citizen.find({}, { personId: 1, citizenIds: 1 })
    .lean<Array<Pick<CitizenDoc, '_id' | 'personId' | 'citizenIds'>>>()
    .exec();
  await insertGroups(Group, groupDocs(phones, now));
  await Group.updateOne(
    { _id: GROUPS_BUILT },
    { $set: { citizenIds: [], phones: [], updatedAt: now } },
    { upsert: true },
  ).exec();
}

/** Insert group documents in batches, keeping any already there. */
export async function insertGroups(
  Group: Pick<Model<CitizenGroupDoc>, 'collection'>,
  docs: readonly CitizenGroupDoc[],
): Promise<void> {
  for (let i = 0; i < docs.length; i += 1000) {
    try {
      await Group.collection.insertMany(docs.slice(i, i + 1000).map((d) => ({ ...d })) as never[], { ordered: false });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
}
