import { isDuplicateKey } from '../db/duplicate-key';
import { isFerretDb } from '../db/connect';
import { createDocumentLock } from './document-lock';
import { ConcurrentUpdateError } from '../errors';
import type { ConversationState } from '../core/conversation-state';
import type { StaffIdentity } from '../domain/roles';
import type { RenderedMessage } from '../core/messages';
import type { ChatProfileDoc, ConversationDoc, Models } from './models';

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
    /** The replies to this update, kept until the next one so a redelivery can hand them out again. */
    replies?: RenderedMessage[];
  }): Promise<void>;
  /** The replies saved with `updateKey` have been sent (or recorded in the outbox): a redelivery then hands out nothing. */
  settleReplies(key: string, updateKey: string): Promise<void>;
  /** Change another chat's state from outside (an officer's question awaiting the citizen's answer). */
  patchState(key: string, patch: Partial<ConversationState>): Promise<boolean>;
}

/**
 * A conversation rebuilt from the chat's profile after the clean-up job
 * removed the idle one: version 0, which no stored conversation has, so
 * saving it inserts (and a racing delivery's insert loses, as for a new chat).
 */
const RESTORED_VERSION = 0;

/**
 * The store over the Conversation model (one findOne, one write per
 * message), with the chat's lasting facts in its profile: read by `_id` when
 * there is no conversation, written when the chat first speaks and when its
 * language or staff role changes.
 */
export function createConversationStore(models: Models): ConversationStore {
  const { Conversation, ChatProfile } = models;
  // On FerretDB a conditional update is a read and a separate write (two processes can both
  // "win") and a filter other than `{_id}` reads the whole collection: there each change is
  // read, checked and written by `_id` while holding the conversation's lock, shared by every
  // process on the database. MongoDB keeps its one atomic conditional update.
  // Asked once, now, so no citizen's message waits for the answer.
  const byIdOnly = isFerretDb(Conversation.db).catch(() => false);
  const locks = createDocumentLock(Conversation.db, { scope: 'conversation' });
  /** Run a read-check-write of conversation `key` alone (on FerretDB; MongoDB's conditional updates are atomic). */
  const exclusive = async <T>(key: string, work: () => Promise<T>): Promise<T> =>
    (await byIdOnly) ? locks.run(key, work) : work();
  /** The conversation's fields named, read by `_id`. */
  const current = (key: string, fields: Record<string, 1>) =>
    Conversation.findOne({ _id: key }, fields).lean<Partial<ConversationDoc>>().exec();

  async function fromProfile(key: string): Promise<ConversationDoc | null> {
    const p = await ChatProfile.findOne({ _id: key }).lean<ChatProfileDoc>().exec();
    if (!p) return null;
    return {
      _id: key,
      citizenId: p.citizenId,
      // The daily quota is not kept: a conversation is removed only after more than a day of silence.
      state: { language: p.language, quota: { day: '', count: 0 } },
      seen: [],
      ...(p.staff ? { staff: p.staff } : {}),
      version: RESTORED_VERSION,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }

  /** Keep the profile in step with what lasts: language and staff role (rarely changed, so rarely written). */
  async function updateProfile(
    key: string,
    citizenId: string,
    previous: ConversationDoc | null,
    state: ConversationState,
    staff: StaffIdentity | null | undefined,
    now: Date,
  ) {
    if (!previous) {
      try {
        await ChatProfile.create({
          _id: key,
          citizenId,
          language: state.language,
          ...(staff ? { staff } : {}),
          createdAt: now,
          updatedAt: now,
        } satisfies ChatProfileDoc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      return;
    }
    const languageChanged = previous.state.language !== state.language;
    if (!languageChanged && staff === undefined) return;
    const update: Record<string, unknown> = {
      $set: { language: state.language, updatedAt: now, ...(staff ? { staff } : {}) },
      $setOnInsert: { citizenId, createdAt: now },
    };
    if (staff === null) update.$unset = { staff: '' };
    await ChatProfile.collection.updateOne({ _id: key } as never, update, { upsert: true });
  }

  return {
    async load(key) {
      return (await Conversation.findOne({ _id: key }).lean<ConversationDoc>().exec()) ?? fromProfile(key);
    },
    async save({ key, previous, citizenId, state, updateKey, now, staff, replies }) {
      const seen = [...(previous?.seen ?? []), updateKey].slice(-SEEN_WINDOW);
      // Documents (an export) can be large and are asked for again easily: they are not kept.
      const lastReplies = { updateKey, messages: (replies ?? []).filter((m) => !m.document) };
      if (!previous || previous.version === RESTORED_VERSION) {
        try {
          const role = staff === undefined ? previous?.staff : (staff ?? undefined);
          await Conversation.create({
            _id: key,
            citizenId,
            state,
            seen,
            lastReplies,
            version: 1,
            createdAt: now,
            updatedAt: now,
            ...(role ? { staff: role } : {}),
          });
        } catch (err) {
          if (isDuplicateKey(err)) throw new ConcurrentUpdateError('conversation created concurrently');
          throw err;
        }
        await updateProfile(key, citizenId, previous, state, staff, now);
        return;
      }
      const update: Record<string, unknown> = {
        $set: { state, seen, lastReplies, version: previous.version + 1, updatedAt: now, ...(staff ? { staff } : {}) },
      };
      if (staff === null) update.$unset = { staff: '' };
      const matched = (await byIdOnly)
        ? await locks.run(key, async () => {
            if ((await current(key, { version: 1 }))?.version !== previous.version) return 0;
            return (await Conversation.collection.updateOne({ _id: key } as never, update)).matchedCount;
          })
        : (await Conversation.collection.updateOne({ _id: key, version: previous.version } as never, update))
            .matchedCount;
      // Chat keys are phone numbers on WhatsApp: keep them out of messages, which get logged.
      if (matched === 0) throw new ConcurrentUpdateError('conversation changed concurrently');
      await updateProfile(key, citizenId, previous, state, staff, now);
    },
    async settleReplies(key, updateKey) {
      const settle = { $set: { 'lastReplies.settled': true } };
      // A newer step has replaced them already if the update key does not match.
      if (!(await byIdOnly)) {
        await Conversation.collection.updateOne({ _id: key, 'lastReplies.updateKey': updateKey } as never, settle);
        return;
      }
      await locks.run(key, async () => {
        const doc = await current(key, { 'lastReplies.updateKey': 1 });
        if (doc?.lastReplies?.updateKey === updateKey)
          await Conversation.collection.updateOne({ _id: key } as never, settle);
      });
    },
    async patchState(key, patch) {
      const set = Object.fromEntries(Object.entries(patch).map(([k, v]) => [`state.${k}`, v]));
      // Bumping the version makes a save racing with this patch read again.
      const patchById = async () =>
        (
          await exclusive(key, () =>
            Conversation.collection.updateOne({ _id: key } as never, { $set: set, $inc: { version: 1 } }),
          )
        ).matchedCount > 0;
      if (await patchById()) return true;
      // The chat has been quiet long enough for its conversation to be removed: bring it back with the patch.
      const restored = await fromProfile(key);
      if (!restored) return false;
      try {
        await Conversation.create({
          ...restored,
          state: { ...restored.state, ...patch },
          version: 1,
          updatedAt: new Date(),
        });
        return true;
      } catch (err) {
        // A message of the chat brought it back meanwhile: patch that one.
        if (!isDuplicateKey(err)) throw err;
        return patchById();
      }
    },
  };
}
