import type { Connection } from 'mongoose';
import type { ChannelName } from '../../src/core/messages';
import type { Catalog } from '../../src/domain/catalog';
import { formatReference } from '../../src/domain/ticket';
import type { OutboxDoc, OutboxModels } from '../../src/outbox/outbox-model';
import { createBulkImport } from '../../src/storage/bulk-import';
import { createOpenWorkStore } from '../../src/storage/open-work-store';
import type { OpenWorkSource } from '../../src/domain/open-work';
import { isOpen } from '../../src/domain/ticket-lifecycle';
import { addCounts, dayOfIn, ticketCounts, type CountDelta } from '../../src/domain/ticket-counts';
import { TIME_ZONE } from '../../src/i18n/format';
import { createTicketWork } from '../../src/storage/ticket-work';
import { createTicketCountStore } from '../../src/storage/ticket-count-store';
import { citizenGroupModel, groupDocs, insertGroups } from '../../src/citizens/citizen-store';
import type { ChatProfileDoc, ConversationDoc, Models, TicketDoc } from '../../src/storage/models';
import type { StaffStore } from '../../src/storage/staff-store';
import { createTicketStore } from '../../src/storage/ticket-store';
import { foldOrder, type LoadedOrder } from '../../src/storage/reference-order';
import { createRandom, seedCitizen, seedTicket, type SeedContext } from './seed-data';

const DAY_MS = 86_400_000;
/** Documents per insert command. */
const BATCH = 2_000;

/** What to load. */
export interface SeedOptions {
  tickets: number;
  citizens: number;
  /** Finished notifications to load (default: five per ticket, as officers and citizens are told of each change). */
  notifications?: number;
  days: number;
  /** Load even though the database holds tickets the seed did not make. */
  force: boolean;
  end: Date;
  /** Conversations idle longer than this are left out, as the clean-up job removes them (default 72). */
  conversationIdleHours?: number;
  /** Closed tickets older than this many days go to the archive (the reopening window, default 7). */
  archiveAfterDays?: number;
  /** Random seed, for a repeatable load. */
  seed?: number;
  onProgress?: (done: { tickets: number; notifications: number; citizens: number }) => void;
}

/** What was loaded. */
export interface SeedResult {
  tickets: number;
  citizens: number;
  notifications: number;
  firstRef: string;
  lastRef: string;
}

/** The database holds tickets that are not seeded demo data; `--force` loads anyway. */
export class RealDataError extends Error {
  override readonly name = 'RealDataError';
}

/** Marker in the counters collection: how many references the seed has used, so its own data is told from real data. */
const seedMarkerId = (district: string) => `seed:${district}`;

/**
 * Fill a database with realistic demo data through the project's models:
 * officers, operators and supervisors through the staff store, then tickets
 * (their lives played through the domain's state machine), citizens'
 * conversations and phone links, and delivered notifications, in bulk.
 * Refuses a database with tickets it did not seed unless `force`.
 */
export async function seedDatabase(
  deps: {
    conn: Connection;
    models: Models;
    outbox: OutboxModels;
    staff: StaffStore;
    catalog: Catalog;
    district: string;
    timeZone?: string;
  },
  opts: SeedOptions,
): Promise<SeedResult> {
  const bulk = createBulkImport(deps);
  const { Counter } = deps.models;
  const used = await bulk.referenceCounter(deps.district);
  const seeded =
    (
      await Counter.findOne({ _id: seedMarkerId(deps.district) })
        .lean()
        .exec()
    )?.seq ?? 0;
  const anyTicket = async () =>
    (await deps.models.Ticket.findOne({}, { _id: 1 }).lean().exec()) !== null ||
    (await deps.models.TicketArchive.findOne({}, { _id: 1 }).lean().exec()) !== null;
  const realTickets = used > seeded || (used === 0 && (await anyTicket()));
  if (realTickets && !opts.force) {
    throw new RealDataError('the database already holds real tickets; use --force to add demo data to it anyway');
  }

  // The ticket counters get the loaded tickets too, unless they were never built for the tickets already
  // there (a database from before them): then the start-up rebuild counts everything at once.
  const counters = createTicketCountStore(deps.models);
  const countLoaded = (await counters.isBuilt()) || !(await anyTicket());
  // Seeded tickets owe no work: a database swept for work from before the markers (or empty) stays so.
  const work = createTicketWork(deps.models);
  const workMarked = (await work.allMarked()) || !(await anyTicket());
  const dayOf = dayOfIn(deps.timeZone ?? TIME_ZONE);
  const counts: CountDelta = {};
  // Likewise the open-work read model: the live tickets' entries, written once at the end.
  const openWork = createOpenWorkStore(deps.models);
  const openWorkLoaded = (await openWork.isBuilt()) || !(await anyTicket());
  const live: OpenWorkSource[] = [];

  const staff = await seedStaff(deps.staff, deps.catalog, opts.end);
  const categories = new Map(
    deps.catalog.categories.map((c) => [
      c.id,
      { department: c.department, acknowledgeHours: c.sla.acknowledgeHours, resolveHours: c.sla.resolveHours },
    ]),
  );
  const ctx: SeedContext = {
    district: deps.district,
    categories,
    officers: staff.officers,
    operators: staff.operators,
    citizens: Math.max(1, opts.citizens),
    end: opts.end,
    days: opts.days,
    total: opts.tickets,
    firstSeq: used + 1,
  };
  const rnd = createRandom(opts.seed ?? 20_200_401);
  const notificationsWanted = opts.notifications ?? opts.tickets * 5;
  const progress = { tickets: 0, notifications: 0, citizens: 0 };
  let seq = Date.now() * 1000;
  // As the clean-up job leaves them: closed longer than the reopening window means archived.
  const archiveBefore = new Date(opts.end.getTime() - (opts.archiveAfterDays ?? 7) * DAY_MS);

  // The loaded tickets' creation times in reference order, for the reference counter (src/storage/reference-order.ts).
  let order: LoadedOrder | undefined;
  // Tickets, with their share of notifications.
  for (let from = 0; from < opts.tickets; from += BATCH) {
    const batch: TicketDoc[] = [];
    for (let i = from; i < Math.min(opts.tickets, from + BATCH); i++) batch.push(seedTicket(i, ctx, rnd));
    for (const t of batch) addCounts(counts, ticketCounts(t, dayOf));
    if (openWorkLoaded) for (const t of batch) if (isOpen(t.status)) live.push(t);
    for (const t of batch) order = foldOrder(order, t.createdAt);
    const notices: Array<Omit<OutboxDoc, '_id'>> = [];
    const share =
      Math.floor((notificationsWanted * Math.min(opts.tickets, from + BATCH)) / Math.max(1, opts.tickets)) -
      progress.notifications;
    for (let k = 0; k < share; k++) notices.push(notice(batch[k % batch.length]!, k, staff.officerChats, ++seq));
    await Promise.all([bulk.tickets(batch, archiveBefore), bulk.notifications(notices)]);
    progress.tickets += batch.length;
    progress.notifications += notices.length;
    opts.onProgress?.({ ...progress });
  }
  if (countLoaded) {
    await counters.addBulk(counts);
    await counters.markBuilt();
  }
  if (openWorkLoaded) {
    await openWork.load(live, opts.end);
    await openWork.markBuilt();
  }
  if (workMarked) await work.markAllMarked();
  if (opts.tickets > 0) {
    // Routing reads the officers' open-ticket counts from their load documents: count the seeded tickets in.
    await createTicketStore(deps.models, deps.district).recountOfficerLoads();
    await bulk.raiseReferenceCounter(deps.district, used + opts.tickets, order);
    await Counter.updateOne(
      { _id: seedMarkerId(deps.district) },
      { $set: { seq: used + opts.tickets } },
      { upsert: true },
    ).exec();
  }

  // Citizens: a profile per chat (citizen id, language); a conversation only for chats active within the
  // idle period (the clean-up job removes the others); a phone link for those who shared their number.
  const idleBefore = opts.end.getTime() - (opts.conversationIdleHours ?? 72) * 3_600_000;
  for (let from = 0; from < opts.citizens; from += BATCH) {
    const convs: ConversationDoc[] = [];
    const profiles: ChatProfileDoc[] = [];
    const links = [];
    for (let i = from; i < Math.min(opts.citizens, from + BATCH); i++) {
      const c = seedCitizen(i);
      const touched = new Date(opts.end.getTime() - Math.floor(rnd() * opts.days * DAY_MS));
      const key = `${c.channel}:${c.chatId}`;
      profiles.push({ _id: key, citizenId: c.citizenId, language: c.language, createdAt: touched, updatedAt: touched });
      if (touched.getTime() >= idleBefore) {
        convs.push({
          _id: key,
          citizenId: c.citizenId,
          state: { language: c.language, quota: { day: touched.toISOString().slice(0, 10), count: 1 } },
          seen: [],
          version: 1,
          createdAt: touched,
          updatedAt: touched,
        });
      }
      if (c.channel === 'whatsapp' || rnd() < 0.3) {
        links.push({
          _id: c.phone,
          personId: c.phone,
          citizenIds: [c.citizenId],
          identities: [`${c.channel}:${c.chatId}`],
          createdAt: touched,
          updatedAt: touched,
        });
      }
    }
    await Promise.all([
      ignoreDuplicates(bulk.conversations(convs)),
      ignoreDuplicates(bulk.chatProfiles(profiles)),
      ignoreDuplicates(bulk.citizenLinks(links)),
      // What /status reads (by _id) of the phone links.
      insertGroups(citizenGroupModel(deps.conn), groupDocs(links, opts.end)),
    ]);
    progress.citizens += profiles.length;
    opts.onProgress?.({ ...progress });
  }

  return {
    tickets: opts.tickets,
    citizens: opts.citizens,
    notifications: progress.notifications,
    firstRef: formatReference(deps.district, used + 1),
    lastRef: formatReference(deps.district, used + opts.tickets),
  };
}

/** Citizens are the same people on every run (stable ids): a second seed finds them there already. */
async function ignoreDuplicates(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    const writeErrors = (err as { writeErrors?: Array<{ code?: number }> } | null)?.writeErrors;
    const code = (err as { code?: number } | null)?.code;
    const onlyDuplicates = Array.isArray(writeErrors) ? writeErrors.every((e) => e.code === 11000) : code === 11000;
    if (!onlyDuplicates) throw err;
  }
}

/** Officers (three per department), four operators and three supervisors, through the staff store. */
async function seedStaff(staff: StaffStore, catalog: Catalog, now: Date) {
  const officers = new Map<string, string[]>();
  const officerChats = new Map<string, { channel: ChannelName; chatId: string }>();
  const departments = [...new Set(catalog.categories.map((c) => c.department))];
  for (const [d, department] of departments.entries()) {
    for (let k = 0; k < 3; k++) {
      const chatId = String(4_000_000_000 + d * 10 + k);
      const doc = await staff.upsertStaff({
        channel: 'telegram',
        chatId,
        role: 'officer',
        department,
        name: `${department} अधिकारी ${k + 1}`,
        language: 'hi',
        invitedBy: 'seed',
        now,
      });
      officers.set(department, [...(officers.get(department) ?? []), doc._id]);
      officerChats.set(doc._id, { channel: 'telegram', chatId });
    }
  }
  const operators: Array<{ id: string; channel: ChannelName; chatId: string }> = [];
  for (let k = 0; k < 4; k++) {
    const chatId = String(4_100_000_000 + k);
    const doc = await staff.upsertStaff({
      channel: 'telegram',
      chatId,
      role: 'operator',
      name: `Operator ${k + 1}`,
      language: 'hi',
      invitedBy: 'seed',
      now,
    });
    operators.push({ id: doc._id, channel: 'telegram', chatId });
  }
  for (let k = 0; k < 3; k++) {
    await staff.upsertStaff({
      channel: 'telegram',
      chatId: String(4_200_000_000 + k),
      role: 'supervisor',
      name: `Supervisor ${k + 1}`,
      language: 'hi',
      invitedBy: 'seed',
      now,
    });
  }
  return { officers, operators, officerChats };
}

/** The k-th notification about a ticket: to the citizen or to the officer, delivered. */
function notice(
  t: TicketDoc,
  k: number,
  officerChats: ReadonlyMap<string, { channel: ChannelName; chatId: string }>,
  seq: number,
): Omit<OutboxDoc, '_id'> {
  const officer = t.assignedTo ? officerChats.get(t.assignedTo) : undefined;
  const to = k % 2 === 1 && officer ? officer : { channel: t.channel, chatId: t.chatId };
  const at = t.history[Math.min(t.history.length - 1, k % Math.max(1, t.history.length))]?.at ?? t.createdAt;
  return {
    dedupeKey: `seed:${t.ref}:${k}`,
    channel: to.channel,
    chatId: to.chatId,
    chatKey: `${to.channel}:${to.chatId}`,
    seq,
    status: 'sent',
    claimGen: 1,
    message: { text: `${t.ref} · ${t.description.slice(0, 80)}` },
    attempts: 1,
    throttles: 0,
    nextAttemptAt: at,
    platformMessageId: String(seq % 1_000_000_000),
    paceUntil: new Date(at.getTime() + 1000),
    createdAt: at,
    updatedAt: at,
    sentAt: at,
  };
}
