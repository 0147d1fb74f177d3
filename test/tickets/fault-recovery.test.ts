import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import pino from 'pino';
import { createApp, type App } from '../../src/app';
import { createFixedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { startEmbeddedDb, type EmbeddedDb } from '../../src/db/embedded-server';
import type { InboundContent, InboundMessage } from '../../src/conversation/types';
import { createTranslator } from '../../src/i18n/create-i18n';
import { createLogger } from '../../src/logger';
import type { OutboxDoc } from '../../src/outbox/outbox-model';
import type { TicketDoc } from '../../src/storage/models';
import { startDbFaultProxy, type DbFaultProxy, type FaultMode } from '../support/db-fault-proxy';
import { unmarkedWork } from '../support/unmarked-work';
import { captureLogs, FAST_OUTBOX, FIXED_START, NO_FLOOD_LIMIT, REPO_ROOT } from '../support/test-app';

// Issue 11: at every boundary of an action, one database command fails — before it reaches the
// server, or after it ran with its answer lost. The actor may be told to retry (and does); after one
// recovery pass the action is complete and every notice it owes is in the outbox exactly once.

const ADMIN = '9001';
const OFFICER = '9101';
const MODES: FaultMode[] = ['drop-request', 'drop-reply'];

const cmd = (command: string, args = ''): InboundContent => ({ kind: 'command', command, args });
const button = (scope: string, value: string): InboundContent => ({ kind: 'button', scope, value });
const text = (t: string): InboundContent => ({ kind: 'text', text: t });

interface Harness {
  app: App;
  conn: mongoose.Connection;
  clock: ReturnType<typeof createFixedClock>;
  hi(key: string, params?: Record<string, unknown>): string;
  /** Handle one message; the texts answered. */
  send(chatId: string, content: InboundContent): Promise<string[]>;
  /** A citizen fills in a ration complaint up to its summary. */
  toSummary(chatId: string): Promise<void>;
  /** A citizen files a ration complaint; its reference. */
  file(chatId: string): Promise<string>;
  ticket(ref: string): Promise<TicketDoc>;
  outboxTo(chatId: string): Promise<OutboxDoc[]>;
  close(): Promise<void>;
}

async function startHarness(proxy: DbFaultProxy): Promise<Harness> {
  const dbName = `fault_${randomBytes(5).toString('hex')}`;
  // Short server selection: an outage surfaces as an error (and an apology) rather than a long wait.
  const conn = mongoose.createConnection(proxy.uri(dbName), { serverSelectionTimeoutMS: 3_000 });
  await conn.asPromise();
  const config = loadConfig(
    { NODE_ENV: 'test', HTTP_PORT: '0', JOBS_ENABLED: 'false', ADMIN_TELEGRAM_IDS: ADMIN, ...NO_FLOOD_LIMIT },
    REPO_ROOT,
  );
  const clock = createFixedClock(FIXED_START);
  const logger = createLogger({ level: 'debug', pretty: false, destination: captureLogs().stream });
  // Not started: no dispatcher polls in the background, so the commands counted are the action's own.
  const app = await createApp({ config, logger, clock, conn, outboxOptions: FAST_OUTBOX });
  const translator = createTranslator(config.localesDirAbs);
  let update = 0;
  const send = async (chatId: string, content: InboundContent) => {
    const msg: InboundMessage = {
      channel: 'telegram',
      chatId,
      updateKey: `u${(update += 1)}`,
      receivedAt: clock.now(),
      content,
    };
    return (await app.handler(msg)).messages.map((m) => m.text);
  };
  const h: Harness = {
    app,
    conn,
    clock,
    hi: (key, params) => translator.t('hi', key, params),
    send,
    async toSummary(chatId) {
      for (const input of [
        cmd('new'),
        button('category', 'ration'),
        button('block', 'jobat'),
        text('Ward 5'),
        text('राशन की दुकान दस दिन से बंद है'),
        button('phone', 'skip'),
      ])
        await send(chatId, input);
    },
    async file(chatId) {
      await h.toSummary(chatId);
      const [receipt] = await send(chatId, button('summary', 'submit'));
      const ref = /(ALR-\d{6})/.exec(receipt ?? '')?.[1];
      if (!ref) throw new Error(`no reference in ${receipt}`);
      return ref;
    },
    async ticket(ref) {
      const found = await conn.collection<TicketDoc>('tickets').findOne({ ref });
      if (!found) throw new Error(`no ticket ${ref}`);
      return found as TicketDoc;
    },
    async outboxTo(chatId) {
      return (await conn.collection<OutboxDoc>('outbox').find({ chatId }).sort({ seq: 1 }).toArray()) as OutboxDoc[];
    },
    async close() {
      await app.stop();
      await conn.dropDatabase();
      await conn.close();
    },
  };
  // The officer joins by invite, as in production.
  const [invite] = await send(ADMIN, cmd('invite', 'officer FOOD'));
  const code = /\/start ([A-Za-z0-9]+)/.exec(invite ?? '')?.[1];
  if (!code) throw new Error(`no invite code in ${invite}`);
  const [welcome] = await send(OFFICER, cmd('start', code));
  if (!welcome?.includes(h.hi('staff.role.officer'))) throw new Error(`the officer could not join: ${welcome}`);
  return h;
}

/** Texts to a chat that mention `ref`. */
async function mentions(h: Harness, chatId: string, ref: string): Promise<string[]> {
  return (await h.outboxTo(chatId)).map((d) => d.message.text).filter((t) => t.includes(ref));
}

/**
 * A ticket as it must be after a (faulted) action: the given fields, these
 * many history entries of each action, and no notice left owed. `faulted`
 * names the run in a failure's diff.
 */
function expectTicketAfter(
  faulted: string,
  ticket: TicketDoc,
  want: { actions: Record<string, number> } & Partial<
    Pick<TicketDoc, 'status' | 'department' | 'level' | 'routePending'>
  >,
): void {
  const { actions, ...fields } = want;
  const got: Record<string, unknown> = { faulted, owed: ticket.owed?.length ?? 0 };
  for (const key of Object.keys(fields) as Array<keyof typeof fields>)
    got[key] = key === 'routePending' ? (ticket.routePending ?? false) : ticket[key];
  for (const action of Object.keys(actions)) got[action] = ticket.history.filter((e) => e.action === action).length;
  expect(got).toEqual({ faulted, owed: 0, ...fields, ...actions });
}

/**
 * Notices counted in each run of {@link everyFault}: the clean run's counts
 * are recorded, and every faulted run must come to the same (once each, never twice).
 */
function sameAsClean<T extends Record<string, number>>() {
  let clean: T | undefined;
  return {
    check(faulted: string, counts: T): void {
      if (faulted === 'none') clean = counts;
      expect({ faulted, ...counts }).toEqual({ faulted, ...clean });
    },
    /** The clean run's counts (after the runs). */
    get clean(): T {
      if (!clean) throw new Error('no clean run recorded');
      return clean;
    },
  };
}

/** After /resolve with `note`, however it was interrupted: resolved once, nothing owed, the citizen told once and asked for a rating once. */
async function expectResolvedOnce(h: Harness, ref: string, chat: string, note: string): Promise<void> {
  const ticket = await h.ticket(ref);
  expectTicketAfter('outage', ticket, { status: 'resolved', actions: { resolve: 1 } });
  expect((await mentions(h, chat, ref)).filter((x) => x.includes(note))).toHaveLength(1);
  expect((await h.outboxTo(chat)).filter((d) => d.message.buttons?.some((b) => b.data === `fb|${ref}:5`))).toHaveLength(
    1,
  );
}

describe('a failed database command at any point of an action', () => {
  let proxy: DbFaultProxy;
  let h: Harness;
  let chats = 500_000;
  const nextChat = () => String((chats += 1));

  beforeAll(async () => {
    proxy = await startDbFaultProxy(process.env.TEST_MONGODB_URI ?? '');
    h = await startHarness(proxy);
  });
  afterAll(async () => {
    await h.close();
    await proxy.close();
  });

  /**
   * Run `act` once cleanly to count its commands, then once per command and fault mode with that
   * command failing; `retry` is what the actor does after an apology. Each run gets a fresh `setup`.
   */
  async function everyFault<S>(
    setup: () => Promise<S>,
    act: (s: S) => Promise<string[]>,
    check: (s: S, faulted: string) => Promise<void>,
    retry = act,
  ): Promise<number> {
    const clean = await setup();
    proxy.reset();
    await act(clean);
    const count = proxy.commands().length;
    await check(clean, 'none');
    let runs = 0;
    for (let n = 1; n <= count; n++) {
      for (const mode of MODES) {
        const s = await setup();
        proxy.reset();
        proxy.failNth(n, mode);
        const replies = await act(s);
        const which = `${mode} at ${n}/${count} (${proxy.commands()[n - 1] ?? '?'})`;
        if (replies.includes(h.hi('error.generic'))) await retry(s);
        // Whatever the failure left owed has a work marker, or the recovery pass (which reads only those) would miss it.
        expect({ which, unmarked: await unmarkedWork(h.conn) }).toEqual({ which, unmarked: [] });
        expect(await h.app.recover({ graceMs: 0 })).toMatchObject({ failed: [] });
        await check(s, which);
        runs += 1;
      }
    }
    return runs;
  }

  test('submit → route: one ticket, routed, the officer’s card and the citizen’s notice once each', async () => {
    const notices = sameAsClean<{ citizen: number; officer: number }>();
    const runs = await everyFault(
      async () => {
        const chat = nextChat();
        await h.toSummary(chat);
        return chat;
      },
      (chat) => h.send(chat, button('summary', 'submit')),
      async (chat, faulted) => {
        const tickets = await h.conn.collection<TicketDoc>('tickets').find({ chatId: chat }).toArray();
        expect({ faulted, tickets: tickets.length }).toEqual({ faulted, tickets: 1 });
        const ticket = tickets[0] as TicketDoc;
        expectTicketAfter(faulted, ticket, { status: 'assigned', routePending: false, actions: { assign: 1 } });
        const citizen = await mentions(h, chat, ticket.ref);
        const officer = await mentions(h, OFFICER, ticket.ref);
        expect(
          citizen.filter((x) => x === h.hi('notify.assigned', { ref: ticket.ref, department: h.hi('department.FOOD') }))
            .length,
        ).toBeLessThanOrEqual(1);
        notices.check(faulted, { citizen: citizen.length, officer: officer.length });
      },
    );
    expect(notices.clean.citizen).toBeGreaterThan(0);
    expect(notices.clean.officer).toBeGreaterThan(0);
    expect(runs).toBeGreaterThan(10);
  }, 300_000);

  test('assign → notify: moved once, the new officer’s card and the citizen’s notice once each', async () => {
    const HEALTH_OFFICER = '9102';
    const [invite] = await h.send(ADMIN, cmd('invite', 'officer HEALTH'));
    const code = /\/start ([A-Za-z0-9]+)/.exec(invite ?? '')?.[1] ?? '';
    await h.send(HEALTH_OFFICER, cmd('start', code));
    const notices = sameAsClean<{ citizen: number; officer: number }>();
    await everyFault(
      async () => {
        const ref = await h.file(nextChat());
        return { ref, chat: (await h.ticket(ref)).chatId };
      },
      ({ ref }) => h.send(ADMIN, cmd('assign', `${ref} HEALTH`)),
      async ({ ref, chat }, faulted) => {
        expectTicketAfter(faulted, await h.ticket(ref), { department: 'HEALTH', actions: { assign: 2 } });
        const [before, after] = h.hi('notify.transferred', { ref, department: '§' }).split('§') as [string, string];
        const citizen = (await mentions(h, chat, ref)).filter((x) => x.startsWith(before) && x.endsWith(after));
        const officer = await mentions(h, HEALTH_OFFICER, ref);
        notices.check(faulted, { citizen: citizen.length, officer: officer.length });
      },
    );
    expect(notices.clean.citizen).toBe(1);
    expect(notices.clean.officer).toBeGreaterThan(0);
  }, 300_000);

  test('citizen answer → officer: recorded once and forwarded once, even when the same message is handled again', async () => {
    const notices = sameAsClean<{ forwarded: number }>();
    let seq = 0;
    await everyFault(
      async () => {
        const ref = await h.file(nextChat());
        await h.send(OFFICER, cmd('ask', `${ref} दुकान का नाम क्या है?`));
        return { ref, chat: (await h.ticket(ref)).chatId, update: `answer-${(seq += 1)}` };
      },
      // The platform delivers the answer; after an apology (or a crash) it delivers the same update again.
      async ({ chat, update }) =>
        (
          await h.app.handler({
            channel: 'telegram',
            chatId: chat,
            updateKey: update,
            receivedAt: h.clock.now(),
            content: text('सरकारी दुकान नंबर 12'),
          })
        ).messages.map((m) => m.text),
      async ({ ref }, faulted) => {
        expectTicketAfter(faulted, await h.ticket(ref), { actions: { citizen_reply: 1 } });
        const forwarded = (await mentions(h, OFFICER, ref)).filter((x) => x.includes('सरकारी दुकान नंबर 12'));
        notices.check(faulted, { forwarded: forwarded.length });
      },
    );
    expect(notices.clean.forwarded).toBe(1);
  }, 300_000);

  test('resolve → notify: resolved once, the citizen hears of it and gets the rating question exactly once', async () => {
    const notices = sameAsClean<{ texts: number }>();
    await everyFault(
      async () => {
        const ref = await h.file(nextChat());
        await h.send(OFFICER, cmd('ack', ref));
        return { ref, chat: (await h.ticket(ref)).chatId };
      },
      ({ ref }) => h.send(OFFICER, cmd('resolve', `${ref} दुकान खुल गई`)),
      async ({ ref, chat }, faulted) => {
        expectTicketAfter(faulted, await h.ticket(ref), { status: 'resolved', actions: { resolve: 1 } });
        const texts = await mentions(h, chat, ref);
        const resolved = texts.filter((x) => x.includes('दुकान खुल गई'));
        const question = (await h.outboxTo(chat)).filter((d) =>
          d.message.buttons?.some((b) => b.data === `fb|${ref}:5`),
        );
        expect({ faulted, resolved: resolved.length, question: question.length }).toEqual({
          faulted,
          resolved: 1,
          question: 1,
        });
        notices.check(faulted, { texts: texts.length });
      },
    );
  }, 300_000);

  test('escalate → notify: one level up, the officer and the citizen told once each', async () => {
    const notices = sameAsClean<{ officer: number; citizen: number }>();
    await everyFault(
      async () => {
        const ref = await h.file(nextChat());
        return { ref, chat: (await h.ticket(ref)).chatId };
      },
      async ({ ref }) => {
        try {
          const r = await h.app.escalation.escalate(ref, {
            by: { kind: 'staff', id: 'test', role: 'supervisor' },
            reason: { text: 'परीक्षण' },
          });
          return r.ok ? [] : [h.hi('error.generic')];
        } catch {
          return [h.hi('error.generic')];
        }
      },
      async ({ ref, chat }, faulted) => {
        expectTicketAfter(faulted, await h.ticket(ref), { level: 2, actions: { escalate: 1 } });
        const citizen = (await mentions(h, chat, ref)).filter((x) => x === h.hi('escalation.citizen', { ref }));
        const officer = (await mentions(h, OFFICER, ref)).filter((x) => x.includes('परीक्षण'));
        notices.check(faulted, { officer: officer.length, citizen: citizen.length });
      },
      // The supervisor, told to retry, escalates again; a ticket already raised is not raised twice (the
      // retry asks for level 2 → 3 only if the first did not happen).
      async ({ ref }) => {
        const ticket = await h.ticket(ref);
        if (ticket.level === 1)
          await h.app.escalation.escalate(ref, {
            by: { kind: 'staff', id: 'test', role: 'supervisor' },
            reason: { text: 'परीक्षण' },
          });
        return [];
      },
    );
    expect(notices.clean).toEqual({ officer: 1, citizen: 1 });
  }, 300_000);

  test('feedback → reopen: reopened once, the officer gets the card once', async () => {
    const notices = sameAsClean<{ cards: number }>();
    await everyFault(
      async () => {
        const chat = nextChat();
        const ref = await h.file(chat);
        await h.send(OFFICER, cmd('resolve', `${ref} दुकान खुल गई`));
        return { ref, chat };
      },
      ({ ref, chat }) => h.send(chat, button('fb', `${ref}:1`)),
      async ({ ref }, faulted) => {
        expectTicketAfter(faulted, await h.ticket(ref), { status: 'reopened', actions: { reopen: 1 } });
        const cards = (await h.outboxTo(OFFICER)).filter((d) => d.dedupeKey.startsWith(`${ref}:reopen:`));
        notices.check(faulted, { cards: cards.length });
      },
    );
    expect(notices.clean.cards).toBeGreaterThan(0);
  }, 300_000);

  test('a second reopening escalates in the same write: level, notices and reopening all or nothing', async () => {
    const chat = nextChat();
    const ref = await h.file(chat);
    await h.send(OFFICER, cmd('resolve', `${ref} पहली बार`));
    await h.send(chat, button('fb', `${ref}:1`));
    await h.send(OFFICER, cmd('resolve', `${ref} दूसरी बार`));
    proxy.reset();
    // The write of the reopening runs, its answer is lost.
    const writes = ['findAndModify', 'update'];
    await h.send(chat, button('fb', `${ref}:2`));
    const all = proxy.commands();
    const at = all.findIndex((c) => writes.includes(c));
    expect(at).toBeGreaterThanOrEqual(0);
    // Replay the same situation on a fresh ticket with the fault on that write.
    const chat2 = nextChat();
    const ref2 = await h.file(chat2);
    await h.send(OFFICER, cmd('resolve', `${ref2} पहली बार`));
    await h.send(chat2, button('fb', `${ref2}:1`));
    await h.send(OFFICER, cmd('resolve', `${ref2} दूसरी बार`));
    proxy.reset();
    proxy.failNth(at + 1, 'drop-reply');
    await h.send(chat2, button('fb', `${ref2}:2`));
    expect(proxy.fired()).toBe(true);
    await h.app.recover({ graceMs: 0 });
    for (const r of [ref, ref2]) {
      const ticket = await h.ticket(r);
      expect(ticket).toMatchObject({ status: 'reopened', reopenCount: 2, level: 2 });
      expect(ticket.history.filter((e) => e.action === 'escalate')).toHaveLength(1);
      expect(ticket.owed ?? []).toEqual([]);
    }
  }, 120_000);

  test('routing that keeps failing leaves the ticket filed and the citizen answered; the recovery pass routes it', async () => {
    const dry = nextChat();
    await h.toSummary(dry);
    proxy.reset();
    await h.send(dry, button('summary', 'submit'));
    // Filing ends with inserts in a row (the owner entry, the work marker, then the ticket); routing follows with reads.
    const dryRun = proxy.commands();
    let insertAt = dryRun.indexOf('insert');
    while (dryRun[insertAt] === 'insert') insertAt += 1;
    expect(dryRun.slice(0, insertAt).filter((c) => c === 'insert')).toHaveLength(3);

    // The database goes away right after the ticket is written, and stays away while routing is tried.
    const chat = nextChat();
    await h.toSummary(chat);
    proxy.reset();
    proxy.downFromNth(insertAt + 1);
    const replies = await h.send(chat, button('summary', 'submit'));
    expect(proxy.fired()).toBe(true);
    proxy.up();
    const ticket = (await h.conn.collection<TicketDoc>('tickets').findOne({ chatId: chat })) as TicketDoc;
    expect(ticket).toMatchObject({ status: 'new', routePending: true });
    // Told to try again (the chat's state could not be saved either); the retry files nothing new.
    expect(replies).toEqual([h.hi('error.generic')]);
    const again = await h.send(chat, button('summary', 'submit'));
    expect(again.join('\n')).toContain(ticket.ref);
    await h.app.recover({ graceMs: 0 });
    expect(await h.conn.collection('tickets').countDocuments({ chatId: chat })).toBe(1);
    const routed = await h.ticket(ticket.ref);
    expect(routed).toMatchObject({ status: 'assigned' });
    expect(routed.routePending).toBeUndefined();
    expect(await mentions(h, OFFICER, ticket.ref)).not.toEqual([]);
  }, 60_000);

  test('an officer’s message handled again (redelivered after a crash that followed the change) changes the ticket once', async () => {
    const chat = nextChat();
    const ref = await h.file(chat);
    await h.send(OFFICER, cmd('ack', ref));
    const officer = { id: (await h.ticket(ref)).assignedTo as string, role: 'officer' as const, department: 'FOOD' };
    const ask = { type: 'ask' as const, text: 'कौन सी दुकान?' };
    const first = await h.app.tickets.act(officer, ref, ask, { actionKey: `telegram:${OFFICER}:u-redelivered` });
    const again = await h.app.tickets.act(officer, ref, ask, { actionKey: `telegram:${OFFICER}:u-redelivered` });
    expect(first.ok && again.ok).toBe(true);
    expect((await h.ticket(ref)).history.filter((e) => e.action === 'ask')).toHaveLength(1);
    expect((await mentions(h, chat, ref)).filter((x) => x.includes('कौन सी दुकान?'))).toHaveLength(1);
    // A new message asking the same is a new question.
    await h.app.tickets.act(officer, ref, ask, { actionKey: `telegram:${OFFICER}:u-next` });
    expect((await h.ticket(ref)).history.filter((e) => e.action === 'ask')).toHaveLength(2);
  });

  test('a 30-second database outage in the middle of /resolve loses nothing: the officer is told to retry, the resolution and its notices complete', async () => {
    const chat = nextChat();
    const ref = await h.file(chat);
    await h.send(OFFICER, cmd('ack', ref));
    // Where the resolution's write falls among the commands of a /resolve.
    const probe = await h.file(nextChat());
    await h.send(OFFICER, cmd('ack', probe));
    proxy.reset();
    await h.send(OFFICER, cmd('resolve', `${probe} हो गया`));
    const writeAt = proxy.commands().indexOf('findAndModify') + 1;
    expect(writeAt).toBeGreaterThan(0);

    proxy.reset();
    proxy.downFromNth(writeAt + 1);
    const during = await h.send(OFFICER, cmd('resolve', `${ref} दुकान खुल गई`));
    expect(proxy.fired()).toBe(true);
    expect(during).toEqual([h.hi('error.generic')]);
    const started = Date.now();
    // The officer tries again while the database is still away: told to retry again.
    expect(await h.send(OFFICER, cmd('resolve', `${ref} दुकान खुल गई`))).toEqual([h.hi('error.generic')]);
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - started))));
    proxy.up();
    await h.app.recover();
    await expectResolvedOnce(h, ref, chat, 'दुकान खुल गई');
    // And the officer's next try is answered as already done, changing nothing.
    await h.send(OFFICER, cmd('resolve', `${ref} दुकान खुल गई`));
    expect((await h.ticket(ref)).history.filter((e) => e.action === 'resolve')).toHaveLength(1);
  }, 90_000);
});

describe('the database server stopped for 30 seconds in the middle of an action', () => {
  let dataDir: string;
  let server: EmbeddedDb;
  let proxy: DbFaultProxy;
  let h: Harness;
  const log = pino({ level: 'warn' }, pino.destination(2));

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jan-sahayak-outage-'));
    server = await startEmbeddedDb({ dataDir, logger: log });
    proxy = await startDbFaultProxy(server.uri);
    h = await startHarness(proxy);
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await proxy.close();
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  test('/resolve: the server stops right after the resolution is written and starts again 30 s later; nothing is lost or sent twice', async () => {
    const probe = await h.file('800001');
    await h.send(OFFICER, cmd('ack', probe));
    proxy.reset();
    await h.send(OFFICER, cmd('resolve', `${probe} हो गया`));
    const writeAt = proxy.commands().indexOf('findAndModify') + 1;

    const chat = '800002';
    const ref = await h.file(chat);
    await h.send(OFFICER, cmd('ack', ref));
    proxy.reset();
    proxy.downFromNth(writeAt + 1);
    const during = await h.send(OFFICER, cmd('resolve', `${ref} दुकान खुल गई`));
    expect(proxy.fired()).toBe(true);
    const started = Date.now();
    // The server itself goes away (the proxy held the line until the moment was right).
    await server.stop();
    expect(during).toEqual([h.hi('error.generic')]);
    expect(await h.send(OFFICER, cmd('resolve', `${ref} दुकान खुल गई`))).toEqual([h.hi('error.generic')]);
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - started))));
    // Started again on the same files (at a new port, which the proxy hides from the application).
    server = await startEmbeddedDb({ dataDir, logger: log });
    proxy.up(Number(new URL(server.uri).port));
    await h.app.recover();
    await expectResolvedOnce(h, ref, chat, 'दुकान खुल गई');
  }, 120_000);
});
