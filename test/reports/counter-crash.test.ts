import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { createApp, type App } from '../../src/app';
import { createFixedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { addCounts, dayOfIn, ticketCounts, type CountDelta } from '../../src/domain/ticket-counts';
import { createLogger } from '../../src/logger';
import type { TicketDoc } from '../../src/storage/models';
import { createTicketCountStore, type TicketCountDoc } from '../../src/storage/ticket-count-store';
import { createTicketStore } from '../../src/storage/ticket-store';
import { createOpenWorkStore } from '../../src/storage/open-work-store';
import type { OpenTicket } from '../../src/domain/open-work';
import { isOpen } from '../../src/domain/ticket-lifecycle';
import type { StaffRequest } from '../../src/tickets/ticket-service';
import { MARKER_GRACE_MS } from '../../src/tickets/ticket-recovery';
import { newTicket } from '../support/new-ticket';
import { startDbFaultProxy, type DbFaultProxy, type FaultMode } from '../support/db-fault-proxy';
import { unmarkedWork } from '../support/unmarked-work';
import { captureLogs, FAST_OUTBOX, FIXED_START, NO_FLOOD_LIMIT, REPO_ROOT } from '../support/test-app';

// A crash (a lost connection) between a ticket's change and the counters, or in the middle of
// applying the counts (the count relay's own commands are failed too), at every command of a
// filing and of an officer action: after one recovery pass every counter equals the count over
// the tickets, nothing counted twice, and the open-work read model (kept by the same relay) holds
// exactly the open tickets as they are.

const MODES: FaultMode[] = ['drop-request', 'drop-reply'];
const ADMIN = { id: 'tg-admin-9001', role: 'admin' as const };

jest.setTimeout(600_000);

describe('the ticket counters after a failed command at any point', () => {
  let proxy: DbFaultProxy;
  let conn: mongoose.Connection;
  let app: App;
  let seq = 0;
  const clock = createFixedClock(FIXED_START);

  beforeAll(async () => {
    clock.advance(3_600_000);
    proxy = await startDbFaultProxy(process.env.TEST_MONGODB_URI ?? '');
    conn = mongoose.createConnection(proxy.uri(`counts_${randomBytes(5).toString('hex')}`), {
      serverSelectionTimeoutMS: 3_000,
    });
    await conn.asPromise();
    const config = loadConfig(
      { NODE_ENV: 'test', HTTP_PORT: '0', JOBS_ENABLED: 'false', ADMIN_TELEGRAM_IDS: '9001', ...NO_FLOOD_LIMIT },
      REPO_ROOT,
    );
    app = await createApp({
      config,
      logger: createLogger({ level: 'debug', pretty: false, destination: captureLogs().stream }),
      clock,
      conn,
      outboxOptions: FAST_OUTBOX,
    });
  });
  afterAll(async () => {
    await app?.stop();
    await conn?.dropDatabase();
    await conn?.close();
    await proxy?.close();
  });

  /** File and route a complaint as the intake does (the routing relays the new ticket's counts). */
  async function file(): Promise<string> {
    seq += 1;
    const now = clock.now();
    const { ticket } = await createTicketStore(app.models, 'ALR').create(
      newTicket(seq, now, {
        block: 'jobat',
        ackDueAt: new Date(now.getTime() + 86_400_000),
        resolveDueAt: new Date(now.getTime() + 3 * 86_400_000),
        routePending: true,
      }),
    );
    await app.tickets.route(ticket);
    return ticket.ref;
  }

  async function expectCountersAgree(faulted: string): Promise<void> {
    const tickets = await app.models.Ticket.find({}).lean<TicketDoc[]>();
    const expected: CountDelta = {};
    for (const t of tickets) addCounts(expected, ticketCounts(t, dayOfIn('Asia/Kolkata')));
    for (const paths of Object.values(expected))
      for (const [p, n] of Object.entries(paths)) if (n === 0) delete paths[p];
    const docs = await app.models.TicketCount.find({}).lean<TicketCountDoc[]>();
    const stored = await createTicketCountStore(app.models).days(docs.map((d) => d._id));
    const actual: CountDelta = {};
    for (const [day, c] of stored) for (const [p, n] of c) if (n !== 0) (actual[day] ??= {})[p] = n;
    // The open-work read model, kept by the same relay, holds exactly the open tickets as they are.
    const entry = (t: OpenTicket) => [
      t.ref,
      t.status,
      t.department,
      t.createdAt,
      t.ackDueAt,
      t.resolveDueAt,
      !!t.acknowledgedAt,
    ];
    const open = (await createOpenWorkStore(app.models).open()).map(entry).sort();
    const openTickets = tickets
      .filter((t) => isOpen(t.status))
      .map((t) => entry({ ...t, acknowledgedAt: t.acknowledgedAt }))
      .sort();
    expect({
      faulted,
      owing: tickets.filter((t) => t.owed?.length || t.owedCounts?.length).length,
      counts: actual,
      open,
    }).toEqual({ faulted, owing: 0, counts: expected, open: openTickets });
  }

  /** Count the commands of `act` once, then fail each of them in each mode; recover; compare. */
  async function everyFault(
    setup: () => Promise<string | undefined>,
    act: (ref: string | undefined) => Promise<unknown>,
  ): Promise<number> {
    const clean = await setup();
    proxy.reset();
    await act(clean);
    // The counts are applied by the count relay off the action's path: its commands are failed too.
    await app.recover({ graceMs: 0 });
    const commands = proxy.commands();
    await expectCountersAgree('none');
    let runs = 0;
    for (let n = 1; n <= commands.length; n++) {
      for (const mode of MODES) {
        const ref = await setup();
        proxy.reset();
        proxy.failNth(n, mode);
        await act(ref).catch(() => undefined);
        const which = `${mode} at ${n}/${commands.length} (${commands[n - 1] ?? '?'})`;
        // Whatever the failure left owed has a work marker: the recovery pass reads only those.
        expect({ which, unmarked: await unmarkedWork(conn) }).toEqual({ which, unmarked: [] });
        await app.recover({ graceMs: 0 }).catch(() => undefined);
        // The next recovery pass (at start-up and every minute) finishes what the failure left.
        await app.recover({ graceMs: 0 });
        await expectCountersAgree(which);
        runs += 1;
      }
    }
    expect(commands.filter((c) => c === 'update').length).toBeGreaterThan(0);
    // Every marker goes: those of done work at once, those of changes a failure stopped once old enough.
    clock.advance(MARKER_GRACE_MS + 1_000);
    await app.recover({ graceMs: 0 });
    expect(await app.models.TicketWork.find({}).lean()).toEqual([]);
    return runs;
  }

  test('filing and routing a complaint', async () => {
    expect(
      await everyFault(
        async () => undefined,
        () => file(),
      ),
    ).toBeGreaterThan(10);
  });

  test.each<[string, StaffRequest]>([
    ['acknowledge', { type: 'acknowledge' }],
    ['resolve', { type: 'resolve', text: 'दुकान खुल गई' }],
  ])('an officer action: %s', async (_name, request) => {
    expect(
      await everyFault(
        () => file(),
        (ref) => app.tickets.act(ADMIN, ref ?? '', request),
      ),
    ).toBeGreaterThan(10);
  });
});
