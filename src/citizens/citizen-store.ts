import { Schema, type Connection, type Model } from 'mongoose';

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

/** The store over its own collection on the given connection. */
export async function createCitizenStore(conn: Connection): Promise<CitizenStore> {
  const Citizen = (conn.models.Citizen as Model<CitizenDoc> | undefined) ?? conn.model<CitizenDoc>('Citizen', citizenSchema, 'citizens');
  await Citizen.createIndexes();
  /** The phone documents of everyone linked with this citizen id. */
  async function group(citizenId: string): Promise<Array<Pick<CitizenDoc, '_id' | 'citizenIds'>>> {
    const mine = await Citizen.find({ citizenIds: citizenId }, { personId: 1 }).lean<Array<Pick<CitizenDoc, 'personId'>>>().exec();
    if (mine.length === 0) return [];
    return Citizen.find({ personId: { $in: [...new Set(mine.map((d) => d.personId))] } }, { citizenIds: 1 })
      .lean<Array<Pick<CitizenDoc, '_id' | 'citizenIds'>>>()
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
        { $set: { personId, updatedAt: now }, $addToSet: { citizenIds: citizenId, identities: identity }, $setOnInsert: { createdAt: now } },
        { upsert: true },
      ).exec();
      if (groups.length > 1) await Citizen.updateMany({ personId: { $in: groups.slice(1) } }, { $set: { personId, updatedAt: now } }).exec();
    },
    async idsOf(citizenId) {
      return [...new Set([citizenId, ...(await group(citizenId)).flatMap((d) => d.citizenIds)])];
    },
    async ticketOwnersOf(citizenId) {
      const docs = await group(citizenId);
      return [...new Set([citizenId, ...docs.flatMap((d) => [...d.citizenIds, `phone:${d._id}`])])];
    },
  };
}
