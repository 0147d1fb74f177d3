import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Catalog } from '../domain/catalog';
import { ConcurrentUpdateError } from '../errors';
import type { Language, Translator } from '../i18n/create-i18n';
import type { ConversationStore } from '../storage/conversation-store';
import { advance, initialState } from './engine';
import type { EffectRunner } from './effect-runner';
import type { Flow } from './flow-definition';
import { placeOnEarth } from './location-pin';
import { renderReplies } from '../core/render';
import type { RenderedMessage, Reply } from '../core/messages';
import type { Effect, InboundMessage, StaffOutcome } from './types';
import type { ConversationState } from '../core/conversation-state';
import type { StaffIdentity } from '../domain/roles';
import { safeError } from '../logger';
import { districtDay } from '../i18n/format';

/** Attempts when two deliveries for one chat race each other. */
const MAX_ATTEMPTS = 4;

export interface InboundHandlerDeps {
  flow: Flow;
  catalog: Catalog;
  translator: Translator;
  conversations: ConversationStore;
  effects: EffectRunner;
  clock: Clock;
  logger: Logger;
  maxTicketsPerDay: number;
  /** Media limits (MEDIA_MAX_MB, MEDIA_PER_DAY); without them media are taken as they come. */
  media?: MediaLimits;
  /** Staff commands and buttons, tried before the citizen engine. */
  staff?: {
    handle(
      msg: InboundMessage,
      state: ConversationState,
      stored: StaffIdentity | undefined,
    ): Promise<StaffOutcome | undefined>;
  };
}

/** How much media one chat may send. */
export interface MediaLimits {
  maxBytes: number;
  perDay: number;
}

/** The outcome of one incoming message. */
export interface HandleResult {
  /** Messages to send back to the same chat, in order. */
  messages: RenderedMessage[];
  /**
   * True when this delivery was seen before and nothing was done; `messages`
   * then holds the replies saved with its step (to be handed out again under
   * the same keys), or nothing.
   */
  duplicate: boolean;
  /**
   * True when `messages` were saved with the conversation step of this
   * update, so they are the same each time the update is delivered and may be
   * recorded for sending under keys named by the update. False or absent for
   * an apology, a flood warning or anything else not saved.
   */
  recorded?: boolean;
  language: Language;
  /** The chat belongs to a staff member (for a larger message allowance); unknown when absent. */
  staff?: boolean;
}

/** Channel adapters call this with every message from a citizen. */
export type InboundHandler = (msg: InboundMessage) => Promise<HandleResult>;

/**
 * Load the chat's saved conversation, advance it, carry out the effects, save
 * it (conditionally on the version read) and return the replies. A delivery
 * already recorded returns nothing. The only error boundary for citizens: an
 * unexpected failure is logged once and answered with a polite apology, and
 * the saved state is left as it was so the citizen can simply try again.
 */
export function createInboundHandler(deps: InboundHandlerDeps): InboundHandler {
  const labelsOf = (key: string) => deps.translator.allOf(key);

  return async function handle(received) {
    const msg: InboundMessage = { ...received, content: placeOnEarth(received.content) };
    const key = `${msg.channel}:${msg.chatId}`;
    const log = deps.logger.child({ channel: msg.channel, update: msg.updateKey, kind: msg.content.kind });
    // The language to apologise in if anything below throws.
    const spoken: { language: Language } = { language: 'hi' };
    try {
      for (let attempt = 1; ; attempt++) {
        const doc = await deps.conversations.load(key);
        if (doc?.seen.includes(msg.updateKey)) {
          log.info({ event: 'duplicate_update' }, 'update already handled');
          // The replies saved with that step and not yet settled (a crash came between the save and
          // their sending), handed out again under the same keys.
          const again =
            doc.lastReplies?.updateKey === msg.updateKey && !doc.lastReplies.settled ? doc.lastReplies.messages : [];
          return { messages: again, duplicate: true, language: doc.state.language, recorded: again.length > 0 };
        }
        const state = doc?.state ?? initialState();
        spoken.language = state.language;
        const citizenId = doc?.citizenId ?? randomUUID();
        const now = deps.clock.now();
        let turn: { state: ConversationState; replies: Reply[]; effects: Effect[]; staff?: StaffIdentity | null };
        const staffOutcome = deps.staff ? await deps.staff.handle(msg, state, doc?.staff) : undefined;
        if (staffOutcome) {
          turn = {
            state: staffOutcome.state,
            replies: staffOutcome.replies,
            // A staff command's notices run through the same effect runner as a citizen's step.
            effects: staffOutcome.effects ?? [],
            ...(staffOutcome.staffChange !== undefined ? { staff: staffOutcome.staffChange } : {}),
          };
        } else {
          turn = advance(deps.flow, state, msg, {
            now,
            catalog: deps.catalog,
            labelsOf,
            maxTicketsPerDay: deps.maxTicketsPerDay,
          });
          // Without configured limits a deferred download still happens when the media is taken.
          if (deps.media || msg.media?.fetch)
            turn = await takeMedia(turn, state, msg, deps.media ?? { maxBytes: Infinity, perDay: Infinity }, now);
        }
        const language = turn.state.language;
        spoken.language = language;
        const effectReplies = await deps.effects.run(turn.effects, { msg, citizenId, language });
        const messages = renderReplies(deps.translator, language, [...effectReplies, ...turn.replies], msg.channel);
        let recorded = true;
        const save = (previous: typeof doc) =>
          deps.conversations.save({
            key,
            previous,
            citizenId,
            state: turn.state,
            updateKey: msg.updateKey,
            now,
            replies: messages,
            ...(turn.staff !== undefined ? { staff: turn.staff } : {}),
          });
        try {
          await save(doc);
        } catch (err) {
          if (!(err instanceof ConcurrentUpdateError) || attempt >= MAX_ATTEMPTS) throw err;
          if (!staffOutcome) continue;
          // Staff actions have already changed tickets and must not run twice:
          // keep their outcome and write it over the newer version; if even
          // that loses a race, the action stands and only the chat state is stale.
          await save(await deps.conversations.load(key)).catch((again: unknown) => {
            if (!(again instanceof ConcurrentUpdateError)) throw again;
            recorded = false;
            log.warn({ event: 'staff_state_not_saved' }, 'staff chat state lost a race; the action itself was done');
          });
        }
        log.debug(
          { event: 'update_handled', step: turn.state.flow?.step ?? null, effects: turn.effects.length },
          'handled',
        );
        return {
          messages,
          duplicate: false,
          recorded,
          language,
          staff: turn.staff !== undefined ? turn.staff !== null : Boolean(doc?.staff),
        };
      }
    } catch (err) {
      log.error({ event: 'update_failed', error: safeError(err) }, 'could not handle update');
      return {
        messages: renderReplies(deps.translator, spoken.language, [{ text: { key: 'error.generic' } }], msg.channel),
        duplicate: false,
        language: spoken.language,
      };
    }
  };
}

type Turn = { state: ConversationState; replies: Reply[]; effects: Effect[] };

/**
 * A photo or voice note is downloaded and counted only when the engine took
 * it (its file id appears in the new state or an effect): a step that wants
 * words answers as it always does and nothing is fetched. A taken one larger
 * than `maxBytes`, or beyond the day's `perDay`, is refused politely and the
 * conversation stays where it was.
 */
async function takeMedia(
  turn: Turn,
  before: ConversationState,
  msg: InboundMessage,
  limits: MediaLimits,
  now: Date,
): Promise<Turn> {
  const c = msg.content;
  if (c.kind !== 'photo' && c.kind !== 'voice') return turn;
  if (!JSON.stringify([turn.state, turn.effects]).includes(JSON.stringify(c.fileId))) return turn;
  const refuse = (key: string, params: Record<string, number>): Turn => ({
    state: before,
    replies: [{ text: { key, params } }],
    effects: [],
  });
  const tooBig = () => refuse('limits.media_too_big', { mb: Math.round((limits.maxBytes / 1024 / 1024) * 10) / 10 });
  const day = districtDay(now);
  const used = before.mediaQuota?.day === day ? before.mediaQuota.count : 0;
  if (used >= limits.perDay) return refuse('limits.media_quota', { max: limits.perDay });
  if (msg.media?.size !== undefined && msg.media.size > limits.maxBytes) return tooBig();
  let fileId = c.fileId;
  if (msg.media?.fetch) {
    const got = await msg.media.fetch(limits.maxBytes);
    if ('tooBig' in got) return tooBig();
    fileId = got.fileId;
  }
  const swap = <T>(v: T): T =>
    fileId === c.fileId
      ? v
      : (JSON.parse(JSON.stringify(v).split(JSON.stringify(c.fileId)).join(JSON.stringify(fileId))) as T);
  return {
    state: { ...swap(turn.state), mediaQuota: { day, count: used + 1 } },
    replies: turn.replies,
    effects: swap(turn.effects),
  };
}
