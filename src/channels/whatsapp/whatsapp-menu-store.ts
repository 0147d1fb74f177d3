import { Schema, type Connection } from 'mongoose';
import type { WhatsAppMenuOption } from './whatsapp-inbound';
import { modelOnce } from '../../db/model-once';

/**
 * The numbered menus sent to WhatsApp chats, so that a reply of "2" can be
 * read as the second choice of what the person was shown. Two kinds of
 * document share the collection `whatsapp_menus`:
 * - `chat:<chatId>`: the last message sent to the chat, with its options
 *   (none when the last message offered no choices);
 * - `msg:<messageId>`: every message that offered choices, for a person who
 *   quotes an older menu and types a number.
 * Kept in the database so a restart between the question and the answer
 * loses nothing. Old entries go with {@link WhatsAppMenuStore.purgeOlderThan}
 * from a scheduled job (FerretDB has no TTL indexes).
 */
export interface WhatsAppMenuStore {
  /** Record what was just sent to a chat; an empty `options` clears the chat's menu. */
  remember(chatId: string, messageId: string, options: readonly WhatsAppMenuOption[], now: Date): Promise<void>;
  /** The options of the last message sent to the chat; undefined when it offered none. */
  latest(chatId: string): Promise<WhatsAppMenuOption[] | undefined>;
  /** The options of one sent message, if it offered any. */
  ofMessage(messageId: string): Promise<WhatsAppMenuOption[] | undefined>;
  /** Delete entries written before `date`; returns how many. */
  purgeOlderThan(date: Date): Promise<number>;
}

interface MenuDoc {
  _id: string;
  options: WhatsAppMenuOption[];
  sentAt: Date;
}

const optionSchema = new Schema<WhatsAppMenuOption>(
  { n: { type: Number, required: true }, data: String, contact: Boolean },
  { _id: false },
);
const menuSchema = new Schema<MenuDoc>(
  {
    _id: { type: String, required: true },
    options: { type: [optionSchema], default: [] },
    sentAt: { type: Date, required: true },
  },
  { versionKey: false },
);
menuSchema.index({ sentAt: 1 });

/** The menu store over its own collection on the given connection. */
export async function createWhatsAppMenuStore(conn: Connection): Promise<WhatsAppMenuStore> {
  const Menu = modelOnce<MenuDoc>(conn, 'WhatsAppMenu', menuSchema, 'whatsapp_menus');
  await Menu.createIndexes();

  async function optionsOf(id: string): Promise<WhatsAppMenuOption[] | undefined> {
    const doc = await Menu.findById(id).lean<MenuDoc>().exec();
    if (!doc?.options.length) return undefined;
    return doc.options.map((o) => ({
      n: o.n,
      ...(o.data ? { data: o.data } : {}),
      ...(o.contact ? { contact: true } : {}),
    }));
  }

  return {
    async remember(chatId, messageId, options, now) {
      const set = { options: [...options], sentAt: now };
      const ops: Parameters<typeof Menu.bulkWrite>[0] = [
        { updateOne: { filter: { _id: `chat:${chatId}` }, update: { $set: set }, upsert: true } },
      ];
      if (options.length)
        ops.push({ updateOne: { filter: { _id: `msg:${messageId}` }, update: { $set: set }, upsert: true } });
      await Menu.bulkWrite(ops, { ordered: false });
    },
    latest: (chatId) => optionsOf(`chat:${chatId}`),
    ofMessage: (messageId) => optionsOf(`msg:${messageId}`),
    async purgeOlderThan(date) {
      const res = await Menu.deleteMany({ sentAt: { $lt: date } });
      return res.deletedCount;
    },
  };
}
