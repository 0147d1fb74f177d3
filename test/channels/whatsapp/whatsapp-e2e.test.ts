import { createFakeTelegramApi, type FakeTelegramApi, textOf } from '../../support/fake-telegram-api';
import type { FakeWhatsAppClient, FakeWhatsAppMessage } from '../../support/fake-whatsapp-client';
import { callbackQuery, command, textMessage } from '../../support/telegram-updates';
import type { TestApp } from '../../support/test-app';
import {
  attachWhatsApp,
  createWhatsAppTestApp,
  eventually,
  optionNumber,
  type AttachedWhatsApp,
} from './whatsapp-test-app';

const TOKEN = '123456789:WA-E2E-token-abcdefghijklmnopqrstuvwxyz';
const ADMIN = 9001;
const TG_OFFICER = 9101;
const TG_CITIZEN = 424242;
const WA_CITIZEN = '919876543210@c.us';
const WA_OFFICER = '919812345678@c.us';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);

describe('WhatsApp and Telegram in one application', () => {
  let api: FakeTelegramApi;
  let t: TestApp & { logger: import('pino').Logger };
  let wa: AttachedWhatsApp;
  const hi = (key: string, params?: Record<string, unknown>) => t.translator.t('hi', key, params);

  /** WhatsApp: a person writes; wait until the chat has `count` more messages from the bot. */
  async function say(
    chatId: string,
    body: string,
    count: number,
    extra: Partial<Parameters<FakeWhatsAppClient['receive']>[0]> = {},
  ): Promise<FakeWhatsAppMessage[]> {
    const client = wa.client();
    const before = client.sent(chatId).length;
    client.receive({ from: chatId, body, notifyName: 'Seema', ...extra });
    const all = await client.waitForSent(chatId, before + count);
    // Numbers typed next are read against the menus just sent: let the outbox finish recording them.
    await t.app.outbox.drain(10_000);
    return all.slice(before);
  }

  async function inviteCode(role: string, dept: string): Promise<string> {
    const [created] = await api.exchange(command(ADMIN, '/invite', `${role} ${dept}`), ADMIN, 1);
    const code = /([A-Z2-9]{13})\n/.exec(textOf(created))?.[1];
    expect(code).toBeDefined();
    return code as string;
  }

  beforeEach(async () => {
    api = createFakeTelegramApi({ token: TOKEN });
    const { apiRoot } = await api.start();
    t = await createWhatsAppTestApp({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      ADMIN_TELEGRAM_IDS: String(ADMIN),
    });
    await t.app.start();
    wa = await attachWhatsApp(t);
  });

  afterEach(async () => {
    await wa.channel.stop();
    await t.close();
    await api.stop();
  });

  test('a citizen files over WhatsApp with numbered menus, a photo and their own number; an officer on Telegram resolves it', async () => {
    const code = await inviteCode('officer', 'FOOD');
    await api.exchange(command(TG_OFFICER, '/start', code), TG_OFFICER, 2);

    const [category] = await say(WA_CITIZEN, '/new', 1);
    expect(category?.body).toContain(hi('intake.category.prompt'));
    const [block] = await say(WA_CITIZEN, optionNumber(category?.body ?? '', hi('category.ration')), 1);
    expect(block?.body).toContain(hi('intake.block.prompt'));
    const [locality] = await say(WA_CITIZEN, optionNumber(block?.body ?? '', hi('block.jobat')), 1);
    expect(locality?.body).toContain(hi('intake.locality.prompt'));
    await say(WA_CITIZEN, 'वार्ड 5', 1);
    // A photo whose caption describes the problem answers the description step.
    const [phone] = await say(WA_CITIZEN, 'राशन की दुकान दस दिन से बंद है', 1, {
      media: { mimetype: 'image/jpeg', data: JPEG.toString('base64') },
    });
    expect(phone?.body).toContain(hi('intake.phone.prompt'));
    expect(phone?.body).toContain(`. ${hi('intake.phone.share')}`);
    // Choosing "share my number" sends the number WhatsApp delivered the message from.
    const [summary] = await say(WA_CITIZEN, optionNumber(phone?.body ?? '', hi('intake.phone.share')), 1);
    expect(summary?.body).toContain('+919876543210');
    const [done] = await say(WA_CITIZEN, optionNumber(summary?.body ?? '', hi('intake.summary.submit')), 1);
    const ref = /(ALR-\d{6})/.exec(done?.body ?? '')?.[1] as string;
    expect(ref).toBeDefined();

    const ticket = await t.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket).toMatchObject({
      channel: 'whatsapp',
      chatId: WA_CITIZEN,
      category: 'ration',
      block: 'jobat',
      phone: '+919876543210',
    });
    const fileId = ticket?.attachments[0]?.fileId ?? '';
    expect(fileId).toMatch(/^waf_[0-9a-f]{24}$/);
    const stored = await t.db.conn.collection('whatsapp_files').findOne({ _id: fileId as never });
    expect(Buffer.from(stored?.bytes.buffer ?? []).equals(JPEG)).toBe(true);

    // The officer on Telegram gets the card and resolves by command.
    const card = await api.waitFor(() => api.sent(TG_OFFICER).find((c) => textOf(c).includes(ref)), 10_000);
    expect(textOf(card)).toContain('राशन की दुकान दस दिन से बंद है');
    await api.exchange(command(TG_OFFICER, '/resolve', `${ref} दुकान खुलवा दी गई`), TG_OFFICER, 1);
    const resolved = await wa.client().waitForText(WA_CITIZEN, (b) => b.includes('दुकान खुलवा दी गई'));
    expect(resolved.body).toContain(hi('notify.resolved', { ref, text: 'दुकान खुलवा दी गई' }));

    // /status over WhatsApp lists it, as resolved.
    const status = await say(WA_CITIZEN, '/status', 1);
    expect(status[0]?.body).toContain(ref);
    expect(status[0]?.body).toContain(hi('ticket.status.resolved'));

    // Logs hold no phone number and no message text.
    const logs = t.logs().join('\n');
    expect(logs).not.toContain('9876543210');
    expect(logs).not.toContain('राशन की दुकान');
  });

  test('a citizen who cannot type files over WhatsApp with numbers and one voice note', async () => {
    const [category] = await say(WA_CITIZEN, '/new', 1);
    const [block] = await say(WA_CITIZEN, optionNumber(category?.body ?? '', hi('category.ration')), 1);
    await say(WA_CITIZEN, optionNumber(block?.body ?? '', hi('block.jobat')), 1);
    // The voice note at the place question stands for the place and the problem.
    const [taken, phone] = await say(WA_CITIZEN, '', 2, {
      type: 'ptt',
      media: { mimetype: 'audio/ogg; codecs=opus', data: Buffer.from('OggS-voice').toString('base64') },
    });
    expect(taken?.body).toBe(hi('intake.voice_taken'));
    const [summary] = await say(WA_CITIZEN, optionNumber(phone?.body ?? '', hi('intake.phone.skip')), 1);
    expect(summary?.body).toContain(hi('intake.summary.in_voice'));
    expect(summary?.body).not.toContain('दबाएँ');
    await say(WA_CITIZEN, optionNumber(summary?.body ?? '', hi('intake.summary.submit')), 1);
    const ticket = await t.app.models.Ticket.findOne({ channel: 'whatsapp' }).lean();
    expect(ticket).toMatchObject({
      category: 'ration',
      block: 'jobat',
      attachments: [expect.objectContaining({ kind: 'voice' })],
    });
  });

  test('an officer on WhatsApp joins by invite, acknowledges by number, updates by quoting the card, resolves with a bare word', async () => {
    const code = await inviteCode('officer', 'FOOD');
    const joined = await say(WA_OFFICER, `/start ${code}`, 2);
    expect(joined[0]?.body).toContain(hi('staff.role.officer'));

    // A citizen files on Telegram.
    await api.exchange(command(TG_CITIZEN, '/new'), TG_CITIZEN, 1);
    await api.exchange(callbackQuery(TG_CITIZEN, 'category|ration'), TG_CITIZEN, 1);
    await api.exchange(callbackQuery(TG_CITIZEN, 'block|jobat'), TG_CITIZEN, 1);
    await api.exchange(textMessage(TG_CITIZEN, 'Ward 5'), TG_CITIZEN, 1);
    await api.exchange(textMessage(TG_CITIZEN, 'राशन की दुकान दस दिन से बंद है'), TG_CITIZEN, 1);
    await api.exchange(callbackQuery(TG_CITIZEN, 'phone|skip'), TG_CITIZEN, 1);
    const [done] = await api.exchange(callbackQuery(TG_CITIZEN, 'summary|submit'), TG_CITIZEN, 1);
    const ref = /(ALR-\d{6})/.exec(textOf(done))?.[1] as string;
    expect(ref).toBeDefined();

    // The card reaches WhatsApp as numbered actions.
    const card = await wa.client().waitForText(WA_OFFICER, (b) => b.includes(ref));
    await t.app.outbox.drain(10_000);
    expect(card.body).toContain(`1. ${hi('staff.button.ack')}`);
    expect(card.body).toContain(`4. ${hi('staff.button.resolve')}`);

    // "1" acknowledges.
    const [ack] = await say(WA_OFFICER, optionNumber(card.body, hi('staff.button.ack')), 1);
    expect(ack?.body).toBe(hi('staff.done.acknowledge', { ref }));
    await api.waitFor(
      () => api.sent(TG_CITIZEN).find((c) => textOf(c).includes(hi('notify.acknowledged', { ref }))),
      10_000,
    );

    // Quoting the card with words is a progress update.
    const [updated] = await say(WA_OFFICER, 'कल निरीक्षण होगा', 1, { quoted: card });
    expect(updated?.body).toBe(hi('staff.done.update', { ref, department: '' }));
    await api.waitFor(() => api.sent(TG_CITIZEN).find((c) => textOf(c).includes('कल निरीक्षण होगा')), 10_000);

    // The command word without its slash.
    const [resolved] = await say(WA_OFFICER, `resolve ${ref} दुकान खुलवा दी गई`, 1);
    expect(resolved?.body).toBe(hi('staff.done.resolve', { ref, department: '' }));
    await api.waitFor(() => api.sent(TG_CITIZEN).find((c) => textOf(c).includes('दुकान खुलवा दी गई')), 10_000);

    const ticket = await t.app.models.Ticket.findOne({ ref }).lean();
    expect(ticket?.status).toBe('resolved');
    expect(ticket?.history.map((h) => h.action)).toEqual(['created', 'assign', 'acknowledge', 'update', 'resolve']);
    const officer = await t.app.models.Staff.findOne({ channel: 'whatsapp', chatId: WA_OFFICER }).lean();
    expect(ticket?.assignedTo).toBe(officer?._id);
  });

  test('group messages, status updates and our own messages get no answer', async () => {
    const client = wa.client();
    client.receive({ from: '120363025246125486@g.us', author: WA_CITIZEN, body: '/new' });
    client.receive({ from: 'status@broadcast', author: WA_CITIZEN, body: 'नमस्ते' });
    client.receive({ from: WA_CITIZEN, fromMe: true, body: '/new' });
    // A private message after them is answered: so the ones before were seen, and ignored.
    await say(WA_CITIZEN, '/start', 2);
    expect(client.sent('120363025246125486@g.us')).toHaveLength(0);
    expect(client.sent('status@broadcast')).toHaveLength(0);
    expect(client.sent(WA_CITIZEN)).toHaveLength(2);
    const conversations = await t.app.models.Conversation.find({ _id: { $regex: '^whatsapp:' } }).lean();
    expect(conversations.map((c) => c._id)).toEqual([`whatsapp:${WA_CITIZEN}`]);
  });

  test('messages from one chat are handled in the order they were written', async () => {
    const client = wa.client();
    const before = client.sent(WA_CITIZEN).length;
    client.receive({ from: WA_CITIZEN, body: '/new' });
    client.receive({ from: WA_CITIZEN, body: '/cancel' });
    const [first, second] = (await client.waitForSent(WA_CITIZEN, before + 3)).slice(before);
    expect(first?.body).toContain(hi('intake.category.prompt'));
    expect(second?.body).toBe(hi('intake.cancelled'));
    await eventually(
      async () => (await t.app.models.Conversation.findById(`whatsapp:${WA_CITIZEN}`).lean())?.state.flow === undefined,
    );
  });
});
