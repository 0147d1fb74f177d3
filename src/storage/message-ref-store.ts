import { Schema, type Model } from 'mongoose';
import type { ChannelName } from '../core/messages';

/**
 * One sent message that is about a ticket (an officer's card, a notice), found
 * by the platform's own id for it. `_id` is `channel:chatId:messageId`, so the
 * lookup for a reply is a find by `_id` alone (the one query FerretDB pushes down).
 */
export interface MessageRefDoc {
  _id: string;
  ref: string;
  at: Date;
}

export const messageRefSchema = new Schema<MessageRefDoc>(
  { _id: { type: String, required: true }, ref: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);
messageRefSchema.index({ at: 1 });

/** Which ticket a message sent to a chat was about. */
export interface MessageRefStore {
  /** Remember that message `messageId` sent to the chat is about ticket `ref` (repeating it is harmless). */
  record(input: { channel: ChannelName; chatId: string; messageId: string; ref: string; at: Date }): Promise<void>;
  /** The ticket a message of this chat was about, or undefined when it was about none. */
  refOf(channel: ChannelName, chatId: string, messageId: string): Promise<string | undefined>;
  /** Forget messages recorded before `before` (for the clean-up job); returns how many. */
  purge(before: Date): Promise<number>;
}

const keyOf = (channel: ChannelName, chatId: string, messageId: string) => `${channel}:${chatId}:${messageId}`;

/**
 * The store of ticket messages by id, so that a staff member's reply counts as
 * an update only when it answers a card or a notice of that very ticket.
 * @example const refs = createMessageRefStore(models.MessageRef); await refs.refOf('telegram', '42', '1007')
 */
export function createMessageRefStore(model: Model<MessageRefDoc>): MessageRefStore {
  return {
    async record({ channel, chatId, messageId, ref, at }) {
      await model
        .replaceOne(
          { _id: keyOf(channel, chatId, messageId) },
          { _id: keyOf(channel, chatId, messageId), ref, at },
          { upsert: true },
        )
        .exec();
    },
    async refOf(channel, chatId, messageId) {
      const doc = await model
        .findOne({ _id: keyOf(channel, chatId, messageId) })
        .lean<MessageRefDoc>()
        .exec();
      return doc?.ref;
    },
    async purge(before) {
      const res = await model.deleteMany({ at: { $lt: before } }).exec();
      return res.deletedCount;
    },
  };
}
