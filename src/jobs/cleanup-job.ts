import type { Outbox } from '../outbox/outbox';
import { isDuplicateKey } from '../db/duplicate-key';
import type { ChatProfileDoc, ConversationDoc, Models } from '../storage/models';
import type { MessageRefStore } from '../storage/message-ref-store';
import { archiveClosedTickets } from '../storage/ticket-archive';
import type { RunKeyStore } from './run-key-store';
import type { ScheduledJob } from './scheduler';

const HOUR_MS = 3_600_000;
/** Tickets archived per read of the live collection. */
const ARCHIVE_BATCH = 500;
const DAY_MS = 24 * HOUR_MS;

export interface CleanupJobDeps {
  models: Pick<Models, 'Conversation' | 'ChatProfile' | 'Invite' | 'Ticket' | 'TicketArchive'>;
  /**
   * Closed tickets move to the archive this many days after closing: the
   * reopening window (flows/escalation.yaml `feedback.reopenDays`), after
   * which nothing changes them. Without it nothing is archived.
   */
  ticketArchiveDays?: number;
  /** CONVERSATION_IDLE_HOURS: a half-filled complaint untouched this long is dropped. */
  conversationIdleHours: number;
  /** Sent and failed notifications are deleted after `outboxKeepDays`. */
  outbox?: Pick<Outbox, 'purgeFinished' | 'archiveSent'>;
  outboxKeepDays?: number;
  /** Run-keys of firings older than `runKeyKeepDays` are deleted. */
  runKeys?: Pick<RunKeyStore, 'purge'>;
  runKeyKeepDays?: number;
  /** Which ticket a sent message was about: kept as long as finished notifications (`outboxKeepDays`). */
  messageRefs?: Pick<MessageRefStore, 'purge'>;
  /** The simulator's messages and files older than `webKeepDays` (default 30) are deleted. */
  web?: { purgeOlderThan(date: Date): Promise<{ messages: number; files: number }> };
  webKeepDays?: number;
  /**
   * WhatsApp's remembered menus older than `whatsappMenuKeepDays` (default 7)
   * and stored photos and voice notes older than `whatsappFileKeepDays`
   * (default 180) are deleted.
   */
  whatsapp?: { purgeOlderThan(before: { menus: Date; files: Date }): Promise<{ menus: number; files: number }> };
  whatsappMenuKeepDays?: number;
  whatsappFileKeepDays?: number;
  /** The ticket counters' once-only markers of changes applied more than a day ago (and no longer owed) are forgotten. */
  countMarkers?: { prune(before: Date): Promise<number> };
  /** The officers' open-ticket counts, recounted from the live tickets (mends a crash between a change and its count). */
  officerLoads?: { recountOfficerLoads(): Promise<number> };
  /** The open-work read model, checked against the live tickets after archiving (mends drift, prunes old tombstones). */
  openWork?: { reconcile(now: Date): Promise<{ fixed: number; pruned: number }> };
  cron: string;
}

/** How long each kind of data is kept when the configuration says nothing. */
export const DEFAULT_RETENTION_DAYS = {
  outbox: 30,
  runKeys: 7,
  web: 30,
  whatsappMenus: 7,
  whatsappFiles: 180,
} as const;

/**
 * The nightly clean-up (FerretDB has no TTL indexes, so expiry is a job):
 *
 * - conversations idle longer than CONVERSATION_IDLE_HOURS are removed, so
 *   the collection written on every message holds only chats in use; what
 *   lasts of a chat (citizen id, language, staff role) is in its profile,
 *   from which the next message starts afresh. One awaiting the citizen's
 *   answer to an officer's question stays, only losing its half-filled
 *   complaint and half-done staff action;
 * - invites that are used, cancelled or expired are deleted;
 * - the record of which ticket a sent message was about goes with the finished notifications;
 * - finished outbox messages (and their send claims) older than
 *   `outboxKeepDays` and run-keys older than `runKeyKeepDays` are deleted;
 * - messages sent more than a day ago move to `outbox_archive` (kept
 *   there until `outboxKeepDays`), so the outbox every poll reads stays small;
 * - the simulator's messages and files, and WhatsApp's menus and media,
 *   past their periods are deleted;
 * - the ticket counters forget which changes they applied a day ago (no
 *   relay still holds those), so their day documents stay small;
 * - the open-work read model is checked against the live tickets (a change
 *   it missed is mended, tombstones of tickets closed a day ago go);
 * - tickets closed longer than `ticketArchiveDays` move to the archive, so
 *   the live collection, which every ticket update reads on FerretDB, holds
 *   only current work.
 * Every period is a configuration variable (see README, Configuration).
 */
export function createCleanupJob(deps: CleanupJobDeps): ScheduledJob {
  const { Invite } = deps.models;
  return {
    name: 'cleanup',
    cron: deps.cron,
    async run({ now }) {
      const idleBefore = new Date(now.getTime() - deps.conversationIdleHours * HOUR_MS);
      const { reset, removed } = await retireIdleConversations(deps.models, idleBefore);
      const invites = await Invite.deleteMany({
        $or: [{ expiresAt: { $lt: now } }, { usedAt: { $ne: null } }, { cancelledAt: { $ne: null } }],
      }).exec();
      const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);
      const keep = DEFAULT_RETENTION_DAYS;
      const outbox = deps.outbox ? await deps.outbox.purgeFinished(daysAgo(deps.outboxKeepDays ?? keep.outbox)) : 0;
      const runKeys = deps.runKeys ? await deps.runKeys.purge(daysAgo(deps.runKeyKeepDays ?? keep.runKeys)) : 0;
      const web = deps.web
        ? await deps.web.purgeOlderThan(daysAgo(deps.webKeepDays ?? keep.web))
        : { messages: 0, files: 0 };
      const whatsapp = deps.whatsapp
        ? await deps.whatsapp.purgeOlderThan({
            menus: daysAgo(deps.whatsappMenuKeepDays ?? keep.whatsappMenus),
            files: daysAgo(deps.whatsappFileKeepDays ?? keep.whatsappFiles),
          })
        : { menus: 0, files: 0 };
      let outboxArchived = 0;
      if (deps.outbox) {
        // Sent a day ago: past any delivery report or redelivery that could still concern it.
        const before = new Date(now.getTime() - DAY_MS);
        for (let n = -1; n !== 0; outboxArchived += n) n = await deps.outbox.archiveSent(before, ARCHIVE_BATCH);
      }
      let ticketsArchived = 0;
      if (deps.ticketArchiveDays !== undefined) {
        // A little more than the window, so a reopening at its last moment is never raced.
        const before = new Date(now.getTime() - deps.ticketArchiveDays * DAY_MS - HOUR_MS);
        for (let n = -1; n !== 0; ticketsArchived += n)
          n = await archiveClosedTickets(deps.models, before, ARCHIVE_BATCH);
      }
      const refs = deps.messageRefs
        ? { messageRefsPurged: await deps.messageRefs.purge(daysAgo(deps.outboxKeepDays ?? keep.outbox)) }
        : {};
      const markers = deps.countMarkers ? { countMarkersPruned: await deps.countMarkers.prune(daysAgo(1)) } : {};
      const loads = deps.officerLoads ? { officerLoadsRecounted: await deps.officerLoads.recountOfficerLoads() } : {};
      const open = deps.openWork ? await deps.openWork.reconcile(now) : undefined;
      const openWork = open ? { openWorkFixed: open.fixed, openWorkTombstonesPruned: open.pruned } : {};
      return {
        conversationsReset: reset,
        conversationsRemoved: removed,
        invitesDeleted: invites.deletedCount,
        outboxPurged: outbox,
        runKeysPurged: runKeys,
        webMessagesPurged: web.messages,
        webFilesPurged: web.files,
        whatsappMenusPurged: whatsapp.menus,
        whatsappFilesPurged: whatsapp.files,
        ticketsArchived,
        outboxArchived,
        ...refs,
        ...markers,
        ...loads,
        ...openWork,
      };
    },
  };
}

/**
 * Remove conversations idle since `idleBefore` (after making sure the chat's
 * profile exists: conversations older than profiles have none); those
 * awaiting an answer stay, reset. A conversation that changes meanwhile (a
 * message arriving) is left alone: removal is conditional on its version.
 */
async function retireIdleConversations(
  models: Pick<Models, 'Conversation' | 'ChatProfile'>,
  idleBefore: Date,
): Promise<{ reset: number; removed: number }> {
  const { Conversation, ChatProfile } = models;
  const idle = await Conversation.find({ updatedAt: { $lt: idleBefore } })
    .lean<ConversationDoc[]>()
    .exec();
  let reset = 0;
  let removed = 0;
  for (const c of idle) {
    if (c.state.awaitingAnswer) {
      if (!c.state.flow && !c.state.staffPending) continue;
      // Raw driver update: the version bump makes a message being handled right now read the state again.
      const res = await Conversation.collection.updateOne({ _id: c._id, version: c.version } as never, {
        $unset: { 'state.flow': '', 'state.staffPending': '' },
        $inc: { version: 1 },
      });
      reset += res.modifiedCount;
      continue;
    }
    const profile: ChatProfileDoc = {
      _id: c._id,
      citizenId: c.citizenId,
      language: c.state.language,
      ...(c.staff ? { staff: c.staff } : {}),
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
    await ChatProfile.collection.insertOne(profile as never).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
    const res = await Conversation.collection.deleteOne({ _id: c._id, version: c.version } as never);
    removed += res.deletedCount;
  }
  return { reset, removed };
}
