import { isDuplicateKey } from '../db/duplicate-key';
import { ConcurrentUpdateError } from '../errors';
import type { ConversationState } from '../conversation/types';
import type { StaffIdentity } from '../domain/roles';
import type { ConversationDoc, Models } from './models';

/** How many recent update keys a conversation remembers for de-duplication. */
export const SEEN_WINDOW = 50;

/** Saved conversations, read and written once per message. */
export interface ConversationStore {
  load(key: string): Promise<ConversationDoc | null>;
  /**
   * Save the state after one message; fails with ConcurrentUpdateError when
   * another delivery saved first (the caller then reads again).
   */
  save(input: {
    key: string;
    previous: ConversationDoc | null;
    citizenId: string;
    state: ConversationState;
    updateKey: string;
    now: Date;
    /** A new staff role for this chat (null removes it); absent leaves it as it is. */
    staff?: StaffIdentity | null;
  }): Promise<void>;
  /** Change another chat's state from outside (an officer's question awaiting the citizen's answer). */
  patchState(key: string, patch: Partial<ConversationState>): Promise<boolean>;
}

/** The store over the Conversation model (one findOne, one write per message). */
export function createConversationStore(models: Models): ConversationStore {
  const { Conversation } = models;
  return {
    async load(key) {
      return Conversation.findOne({ _id: key }).lean<ConversationDoc>().exec();
    },
    async save({ key, previous, citizenId, state, updateKey, now, staff }) {
      const seen = [...(previous?.seen ?? []), updateKey].slice(-SEEN_WINDOW);
      if (!previous) {
        try {
          await Conversation.create({ _id: key, citizenId, state, seen, version: 1, createdAt: now, updatedAt: now, ...(staff ? { staff } : {}) });
        } catch (err) {
          if (isDuplicateKey(err)) throw new ConcurrentUpdateError('conversation created concurrently');
          throw err;
        }
        return;
      }
      const update: Record<string, unknown> = { $set: { state, seen, version: previous.version + 1, updatedAt: now, ...(staff ? { staff } : {}) } };
      if (staff === null) update.$unset = { staff: '' };
      const res = await Conversation.collection.updateOne({ _id: key, version: previous.version } as never, update);
      // Chat keys are phone numbers on WhatsApp: keep them out of messages, which get logged.
      if (res.matchedCount === 0) throw new ConcurrentUpdateError('conversation changed concurrently');
    },
    async patchState(key, patch) {
      const set = Object.fromEntries(Object.entries(patch).map(([k, v]) => [`state.${k}`, v]));
      // Bumping the version makes a save racing with this patch read again.
      const res = await Conversation.collection.updateOne({ _id: key } as never, { $set: set, $inc: { version: 1 } });
      return res.matchedCount > 0;
    },
  };
}
