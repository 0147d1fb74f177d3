import { parse } from 'csv-parse/sync';
import { filterOf } from '../../src/dashboard/dashboard-routes';
import { createDashboardQueries } from '../../src/dashboard/dashboard-queries';
import { createCleanupJob } from '../../src/jobs/cleanup-job';
import { archiveClosedTickets, migrateTicketKeys } from '../../src/storage/ticket-archive';
import type { TicketDoc } from '../../src/storage/models';
import { ist } from '../supervisor/seed-tickets';
import { createSupervisorKit, who, type SupervisorKit } from '../supervisor/supervisor-kit';

const DAY_MS = 86_400_000;

describe('archiving closed tickets never loses one', () => {
  let kit: SupervisorKit;
  beforeAll(async () => {
    kit = await createSupervisorKit();
  });
  afterAll(() => kit.close());

  test('the clean-up job moves tickets closed longer than the reopening window; every reader still finds them', async () => {
    const now = kit.clock.now();
    const longClosed = await kit.seedTicket({
      category: 'ration',
      department: 'FOOD',
      citizenId: 'citizen-archive',
      createdAt: new Date(now.getTime() - 30 * DAY_MS),
      status: 'closed',
      closedAt: new Date(now.getTime() - 20 * DAY_MS),
      description: 'हैंडपंप पुराना मामला',
    });
    const recentlyClosed = await kit.seedTicket({
      category: 'ration',
      department: 'FOOD',
      citizenId: 'citizen-archive',
      createdAt: new Date(now.getTime() - 5 * DAY_MS),
      status: 'closed',
      closedAt: new Date(now.getTime() - 2 * DAY_MS),
    });
    const open = await kit.seedTicket({
      category: 'ration',
      department: 'FOOD',
      citizenId: 'citizen-archive',
      createdAt: new Date(now.getTime() - DAY_MS),
    });

    const job = createCleanupJob({
      models: kit.models,
      conversationIdleHours: 72,
      ticketArchiveDays: 7,
      cron: '40 3 * * *',
    });
    expect(await job.run({ firingTime: now, now, logger: kit.logger })).toMatchObject({ ticketsArchived: 1 });
    expect(await kit.models.Ticket.find({}, { ref: 1 }).sort({ ref: 1 }).lean()).toEqual([
      { _id: recentlyClosed.ref, ref: recentlyClosed.ref },
      { _id: open.ref, ref: open.ref },
    ]);
    expect(
      (await kit.models.TicketArchive.find({}).lean<TicketDoc[]>()).map((t) => [
        t.ref,
        t.description,
        t.history.length,
      ]),
    ).toEqual([[longClosed.ref, 'हैंडपंप पुराना मामला', longClosed.history.length]]);

    // The citizen's /status REF and /status list.
    expect((await kit.tickets.findByRef(longClosed.ref))?.status).toBe('closed');
    expect((await kit.tickets.recentForCitizen('citizen-archive', 5)).map((t) => t.ref)).toEqual([
      open.ref,
      recentlyClosed.ref,
      longClosed.ref,
    ]);
    // Supervisors: /ticket REF, /find by words and by reference, /export.
    const admin = await kit.addStaff('admin', { name: 'Admin' });
    const details = await kit.command(who(admin), 'ticket', longClosed.ref, 'en');
    expect(details.texts.join('\n')).toContain(longClosed.ref);
    expect(details.texts.join('\n')).toContain('हैंडपंप पुराना मामला');
    expect((await kit.command(who(admin), 'find', 'पुराना', 'en')).texts.join('\n')).toContain(longClosed.ref);
    expect((await kit.command(who(admin), 'find', longClosed.ref, 'en')).texts.join('\n')).toContain(longClosed.ref);
    const from = new Date(now.getTime() - 40 * DAY_MS).toISOString().slice(0, 10);
    await kit.command(who(admin), 'export', `${from} ${now.toISOString().slice(0, 10)}`, 'en');
    const doc = (await kit.queued()).find((q) => q.message.document)?.message.document;
    const stored = doc?.bytes as unknown as Buffer | { buffer: Uint8Array };
    const rows = parse(Buffer.isBuffer(stored) ? stored : Buffer.from(stored.buffer), { bom: true }) as string[][];
    expect(rows.slice(1).map((r) => r[0])).toEqual([longClosed.ref, recentlyClosed.ref, open.ref]);

    // The dashboard: the ticket's page, the latest list, the CSV export and counts over chosen days.
    const dash = createDashboardQueries({ models: kit.models, figures: kit.figures });
    expect((await dash.ticket(longClosed.ref, now))?.ref).toBe(longClosed.ref);
    expect((await dash.latest({}, 1, 10, now)).items.map((r) => r.ref)).toEqual([
      open.ref,
      recentlyClosed.ref,
      longClosed.ref,
    ]);
    expect((await dash.latest({}, 2, 2, now)).items.map((r) => r.ref)).toEqual([longClosed.ref]);
    const exported: string[] = [];
    for await (const row of dash.exportCursor({})) exported.push(row.ref);
    expect(exported).toEqual([longClosed.ref, recentlyClosed.ref, open.ref]);
    const summary = await dash.summary(
      filterOf(new URL(`http://x/?from=${from}&to=${now.toISOString().slice(0, 10)}`)),
      now,
    );
    expect(summary.range?.total).toBe(3);
  });

  test('a ticket changed while being archived stays live (and the archive copy is dropped)', async () => {
    const now = kit.clock.now();
    const t = await kit.seedTicket({
      category: 'other',
      department: 'CONTROL',
      createdAt: new Date(now.getTime() - 30 * DAY_MS),
      status: 'closed',
      closedAt: new Date(now.getTime() - 20 * DAY_MS),
    });
    // A rating lands between the job's read and its delete: the delete is conditional on the version read.
    const find = kit.models.Ticket.find.bind(kit.models.Ticket);
    const spy = jest.spyOn(kit.models.Ticket, 'find').mockImplementationOnce(((...args: Parameters<typeof find>) => {
      const q = find(...args);
      const exec = q.exec.bind(q);
      q.exec = async () => {
        const docs = await exec();
        await kit.models.Ticket.updateOne({ _id: t.ref }, { $set: { updatedAt: now } });
        return docs;
      };
      return q;
    }) as never);
    await archiveClosedTickets(kit.models, new Date(now.getTime() - 7 * DAY_MS), 100);
    spy.mockRestore();
    expect(await kit.models.Ticket.findOne({ _id: t.ref }).lean()).not.toBeNull();
    expect(await kit.models.TicketArchive.findOne({ _id: t.ref }).lean()).toBeNull();
  });

  test('tickets stored before references were the key are rewritten once, with their owner entries', async () => {
    const created = ist('2026-11-20', '10:00');
    const legacy = {
      ref: 'ALR-900001',
      idempotencyKey: 'legacy-1',
      district: 'ALR',
      citizenId: 'citizen-legacy',
      channel: 'telegram',
      chatId: '77',
      language: 'hi',
      category: 'ration',
      department: 'FOOD',
      description: 'पुराना',
      attachments: [],
      status: 'new',
      ackDueAt: created,
      resolveDueAt: created,
      createdAt: created,
      updatedAt: created,
      history: [],
      intake: 'telegram',
      level: 1,
      reopenCount: 0,
    };
    await kit.models.Ticket.collection.insertOne({ ...legacy } as never);
    await kit.models.Counter.deleteOne({ _id: 'schema:ticket-keys' });
    expect(await migrateTicketKeys(kit.models)).toBe(1);
    expect(await migrateTicketKeys(kit.models)).toBe(0);
    expect((await kit.models.Ticket.findOne({ _id: 'ALR-900001' }).lean())?.description).toBe('पुराना');
    expect(await kit.models.Ticket.countDocuments({ ref: 'ALR-900001' })).toBe(1);
    expect((await kit.tickets.recentForCitizen('citizen-legacy', 5)).map((t) => t.ref)).toEqual(['ALR-900001']);
  });
});
