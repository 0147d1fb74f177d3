import type { Logger } from 'pino';
import { createCitizenLinker, withCitizenLinks, type CitizenLinker } from '../../src/citizens/citizen-linker';
import { createCitizenStore, type CitizenStore } from '../../src/citizens/citizen-store';
import type { ReplyingHandler } from '../../src/channels/reply-policy';
import type { InboundContent } from '../../src/conversation/types';
import { createConversationStore } from '../../src/storage/conversation-store';
import {
  attachWhatsApp,
  createWhatsAppTestApp,
  eventually,
  type AttachedWhatsApp,
} from '../channels/whatsapp/whatsapp-test-app';
import type { TestApp } from '../support/test-app';
import { openTestDb, type TestDb } from '../support/test-db';

describe('the citizen store', () => {
  let db: TestDb;
  let store: CitizenStore;
  const now = new Date('2026-11-28T04:30:00.000Z');

  beforeAll(async () => {
    db = await openTestDb();
    store = await createCitizenStore(db.conn);
  });
  afterAll(() => db.close());

  test('a citizen id never linked is a person of its own', async () => {
    expect(await store.idsOf('lonely')).toEqual(['lonely']);
  });

  test('two chats proving one number are one person, seen from either side', async () => {
    await store.link({ phone: '+919876500001', citizenId: 'tg-a', identity: 'telegram:1', now });
    await store.link({ phone: '+919876500001', citizenId: 'wa-a', identity: 'whatsapp:919876500001@c.us', now });
    expect((await store.idsOf('tg-a')).sort()).toEqual(['tg-a', 'wa-a']);
    expect((await store.idsOf('wa-a')).sort()).toEqual(['tg-a', 'wa-a']);
    // Linking again changes nothing.
    await store.link({ phone: '+919876500001', citizenId: 'wa-a', identity: 'whatsapp:919876500001@c.us', now });
    const doc = await db.conn.collection('citizens').findOne({ _id: '+919876500001' as never });
    expect(doc?.citizenIds).toEqual(['tg-a', 'wa-a']);
    expect(doc?.identities).toEqual(['telegram:1', 'whatsapp:919876500001@c.us']);
  });

  test('a citizen id on two numbers joins the people behind both', async () => {
    await store.link({ phone: '+919876500002', citizenId: 'tg-b', identity: 'telegram:2', now });
    await store.link({ phone: '+919876500003', citizenId: 'wa-c', identity: 'whatsapp:919876500003@c.us', now });
    expect(await store.idsOf('wa-c')).toEqual(['wa-c']);
    // The Telegram person shares the second number too.
    await store.link({ phone: '+919876500003', citizenId: 'tg-b', identity: 'telegram:2', now });
    expect((await store.idsOf('wa-c')).sort()).toEqual(['tg-b', 'wa-c']);
    await store.link({ phone: '+919876500004', citizenId: 'wa-d', identity: 'whatsapp:919876500004@c.us', now });
    await store.link({ phone: '+919876500004', citizenId: 'wa-c', identity: 'whatsapp:919876500003@c.us', now });
    expect((await store.idsOf('tg-b')).sort()).toEqual(['tg-b', 'wa-c', 'wa-d']);
    // Other people stay apart.
    expect((await store.idsOf('tg-a')).sort()).toEqual(['tg-a', 'wa-a']);
    // Whose tickets each sees: the group's ids and the calls logged for its numbers.
    expect((await store.ticketOwnersOf('wa-d')).sort()).toEqual([
      'phone:+919876500002',
      'phone:+919876500003',
      'phone:+919876500004',
      'tg-b',
      'wa-c',
      'wa-d',
    ]);
  });

  test('phone links written before group documents existed (or by a bulk import) get them when the store starts', async () => {
    const old = await openTestDb();
    try {
      await old.conn.collection('citizens').insertMany([
        {
          _id: '+919876500010',
          personId: '+919876500010',
          citizenIds: ['x-1', 'x-2'],
          identities: [],
          createdAt: now,
          updatedAt: now,
        },
        {
          _id: '+919876500011',
          personId: '+919876500010',
          citizenIds: ['x-3'],
          identities: [],
          createdAt: now,
          updatedAt: now,
        },
        {
          _id: '+919876500012',
          personId: '+919876500012',
          citizenIds: ['y-1'],
          identities: [],
          createdAt: now,
          updatedAt: now,
        },
      ] as never[]);
      const started = await createCitizenStore(old.conn);
      expect((await started.idsOf('x-3')).sort()).toEqual(['x-1', 'x-2', 'x-3']);
      expect((await started.ticketOwnersOf('y-1')).sort()).toEqual(['phone:+919876500012', 'y-1']);
      expect(await started.idsOf('z-9')).toEqual(['z-9']);
    } finally {
      await old.close();
    }
  });
});

describe('one person on Telegram and WhatsApp', () => {
  let t: TestApp & { logger: Logger };
  let wa: AttachedWhatsApp;
  let citizens: CitizenStore;
  let linker: CitizenLinker;
  let handler: ReplyingHandler;
  const TG_CHAT = '424242';
  const WA_CHAT = '919876543210@c.us';
  let update = 0;

  async function tg(content: InboundContent) {
    update += 1;
    return handler({
      channel: 'telegram',
      chatId: TG_CHAT,
      updateKey: `u${update}`,
      receivedAt: t.clock.now(),
      firstName: 'Seema',
      content,
    });
  }

  async function citizenIdOf(key: string): Promise<string> {
    const doc = await t.app.models.Conversation.findById(key).lean();
    return doc?.citizenId as string;
  }

  beforeEach(async () => {
    t = await createWhatsAppTestApp();
    await t.app.start();
    citizens = await createCitizenStore(t.db.conn);
    linker = createCitizenLinker({
      citizens,
      conversations: createConversationStore(t.app.models),
      clock: t.clock,
      logger: t.logger,
    });
    handler = withCitizenLinks(t.app.replies.outbox, linker, t.logger);
    wa = await attachWhatsApp(t, {
      deps: { handler, linkCitizen: (chatId, phone) => linker.linkChat({ channel: 'whatsapp', chatId, phone }) },
    });
  });

  afterEach(async () => {
    await wa.channel.stop();
    await t.close();
  });

  test('a number shared with the platform’s button ties the Telegram citizen to the WhatsApp one; a typed or someone else’s number does not', async () => {
    // A complaint on Telegram, with the number shared at the phone step.
    await tg({ kind: 'command', command: 'new', args: '' });
    await tg({ kind: 'button', scope: 'category', value: 'ration' });
    await tg({ kind: 'button', scope: 'block', value: 'jobat' });
    await tg({ kind: 'text', text: 'Ward 5' });
    await tg({ kind: 'text', text: 'राशन की दुकान दस दिन से बंद है' });
    // Someone else's contact card first: not theirs, so no link.
    await tg({ kind: 'contact', phone: '+919811111111', own: false });
    expect(await t.db.conn.collection('citizens').countDocuments()).toBe(0);
    await tg({ kind: 'contact', phone: '919876543210', own: true });
    const submitted = await tg({ kind: 'button', scope: 'summary', value: 'submit' });
    const ref = /(ALR-\d{6})/.exec(submitted.messages[0]?.text ?? '')?.[1];
    expect(ref).toBeDefined();
    const tgCitizen = await citizenIdOf(`telegram:${TG_CHAT}`);
    expect(await citizens.idsOf(tgCitizen)).toEqual([tgCitizen]);

    // The same person writes on WhatsApp: the chat's number ties both.
    const client = wa.client();
    client.receive({ from: WA_CHAT, body: '/start' });
    await client.waitForSent(WA_CHAT, 2);
    await eventually(async () => (await citizens.idsOf(tgCitizen)).length === 2);
    const waCitizen = await citizenIdOf(`whatsapp:${WA_CHAT}`);
    expect(waCitizen).not.toBe(tgCitizen);
    const ids = await citizens.idsOf(waCitizen);
    expect(ids.sort()).toEqual([tgCitizen, waCitizen].sort());
    // What /status will read once the effect runner asks for all ids (see the wiring note).
    const tickets = await t.app.models.Ticket.find({ citizenId: { $in: ids } }).lean();
    expect(tickets.map((x) => x.ref)).toEqual([ref]);

    // A number typed by hand on another Telegram chat proves nothing.
    update += 1;
    await handler({
      channel: 'telegram',
      chatId: '515151',
      updateKey: `u${update}`,
      receivedAt: t.clock.now(),
      content: { kind: 'command', command: 'new', args: '' },
    });
    update += 1;
    await handler({
      channel: 'telegram',
      chatId: '515151',
      updateKey: `u${update}`,
      receivedAt: t.clock.now(),
      content: { kind: 'text', text: '9876543210' },
    });
    expect((await citizens.idsOf(await citizenIdOf('telegram:515151'))).length).toBe(1);
  });
});
