import { MessageMedia } from 'whatsapp-web.js';
import { createWhatsAppFileStore, type WhatsAppFileStore } from '../../../src/channels/whatsapp/whatsapp-file-store';
import { createWhatsAppMenuStore, type WhatsAppMenuStore } from '../../../src/channels/whatsapp/whatsapp-menu-store';
import {
  classifyWhatsAppError,
  createWhatsAppSender,
  WhatsAppChatNotFoundError,
  WhatsAppUnavailableError,
} from '../../../src/channels/whatsapp/whatsapp-sender';
import { createFixedClock } from '../../../src/clock';
import { createLogger } from '../../../src/logger';
import type { ChannelSender } from '../../../src/outbox/channel-sender';
import { FakeWhatsAppClient, FakeWhatsAppMessage } from '../../support/fake-whatsapp-client';
import { captureLogs, FIXED_START } from '../../support/test-app';
import { openTestDb, type TestDb } from '../../support/test-db';

const CHAT = '919876543210@c.us';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe('the WhatsApp sender', () => {
  let db: TestDb;
  let menus: WhatsAppMenuStore;
  let files: WhatsAppFileStore;
  let client: FakeWhatsAppClient;
  let connected: boolean;
  let sender: ChannelSender;
  const clock = createFixedClock(FIXED_START);

  beforeAll(async () => {
    db = await openTestDb();
    menus = await createWhatsAppMenuStore(db.conn);
    files = await createWhatsAppFileStore(db.conn);
  });
  afterAll(() => db.close());

  beforeEach(async () => {
    client = new FakeWhatsAppClient('manual');
    await client.initialize();
    client.ready();
    connected = true;
    const logs = captureLogs();
    sender = createWhatsAppSender({
      client: () => (connected ? client : undefined),
      menus,
      files,
      clock,
      logger: createLogger({ level: 'debug', pretty: false, destination: logs.stream }),
    });
  });

  test('choices go out as numbered lines and are remembered for the typed answer', async () => {
    const { messageId } = await sender.send(CHAT, {
      text: 'चुनें',
      buttons: [
        { label: 'हाँ', data: 'c.confirm|yes' },
        { label: 'नहीं', data: 'c.confirm|no' },
      ],
    });
    const [sent] = client.sent(CHAT);
    expect(sent?.body).toBe('चुनें\n\n1. हाँ\n2. नहीं');
    // The message's own id: no phone number in it, and the same whichever id form the chat has.
    expect(messageId).toBe(sent?.id.id);
    expect(messageId).not.toContain('9876543210');
    expect(await menus.latest(CHAT)).toEqual([
      { n: 1, data: 'c.confirm|yes' },
      { n: 2, data: 'c.confirm|no' },
    ]);
    // Kept under the message's own id, which stays the same whichever id form the chat has.
    expect(await menus.ofMessage(sent?.id.id as string)).toHaveLength(2);
    expect(await menus.ofMessage(sent?.id._serialized as string)).toBeUndefined();

    // A later message without choices ends that menu; the message's own entry stays for quoting.
    await sender.send(CHAT, { text: 'धन्यवाद' });
    expect(await menus.latest(CHAT)).toBeUndefined();
    expect(await menus.ofMessage(sent?.id.id as string)).toHaveLength(2);
  });

  test('a citizen’s WhatsApp photo is forwarded as a photo with the words as caption, and the card’s menu stays', async () => {
    await sender.send(CHAT, { text: 'card', buttons: [{ label: 'Seen', data: 'tk|ack:ALR-000001' }] });
    const fromCitizen = new FakeWhatsAppMessage({
      from: '919811111111@c.us',
      media: { mimetype: 'image/png', data: PNG.toString('base64') },
    });
    const fileId = await files.saveFrom(fromCitizen, 'photo', clock.now());
    await sender.send(CHAT, { text: '📎 ALR-000001', media: { kind: 'photo', fileId } });
    const photo = client.sent(CHAT)[1];
    expect(photo?.type).toBe('image');
    expect(photo?.body).toBe('📎 ALR-000001');
    expect((await photo?.downloadMedia())?.data).toBe(PNG.toString('base64'));
    expect(await menus.latest(CHAT)).toEqual([{ n: 1, data: 'tk|ack:ALR-000001' }]);
  });

  test('a voice note goes after its words; media from another platform goes as words alone', async () => {
    const voice = new FakeWhatsAppMessage({
      from: '919811111111@c.us',
      type: 'ptt',
      media: { mimetype: 'audio/ogg; codecs=opus', data: 'T2dnUw==' },
    });
    const fileId = await files.saveFrom(voice, 'voice', clock.now());
    await sender.send(CHAT, { text: '📎 voice', media: { kind: 'voice', fileId } });
    await sender.send(CHAT, { text: '📎 telegram photo', media: { kind: 'photo', fileId: 'AgACAgIAAxkBAAIB' } });
    expect(client.sent(CHAT).map((m) => [m.type, m.body])).toEqual([
      ['chat', '📎 voice'],
      ['ptt', ''],
      ['chat', '📎 telegram photo'],
    ]);
    expect(client.sent(CHAT)[1]?.options).toMatchObject({ sendAudioAsVoice: true });
  });

  test('media WhatsApp could not hand over at intake is fetched from the original message', async () => {
    const original = client.receive({
      from: '919811111111@c.us',
      media: { mimetype: 'image/png', data: PNG.toString('base64') },
    });
    const fileId = await files.saveFrom(
      { id: original.id, downloadMedia: async () => undefined },
      'photo',
      clock.now(),
    );
    expect((await files.get(fileId))?.bytes).toBeUndefined();
    await sender.send(CHAT, { text: 'again', media: { kind: 'photo', fileId } });
    expect((await client.sent(CHAT)[0]?.downloadMedia())?.data).toBe(PNG.toString('base64'));
  });

  test('a document goes as a file with its name', async () => {
    await sender.send(CHAT, {
      text: 'export',
      document: { fileName: 'tickets.csv', bytes: Buffer.from('ref,status\n'), mimeType: 'text/csv' },
    });
    const [doc] = client.sent(CHAT);
    expect(doc?.type).toBe('document');
    expect(doc?.body).toBe('export');
    const media = await doc?.downloadMedia();
    expect(media).toBeInstanceOf(MessageMedia);
    expect(media?.filename).toBe('tickets.csv');
    expect(Buffer.from(media?.data ?? '', 'base64').toString()).toBe('ref,status\n');
  });

  test('failures are sorted into wait, retry and give up', async () => {
    connected = false;
    const down = await sender.send(CHAT, { text: 'x' }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(WhatsAppUnavailableError);
    expect(sender.classify(down)).toEqual({ retry: true, afterMs: 15_000, code: 'whatsapp_down' });
    connected = true;

    client.unknownChats.add('911234567890@c.us');
    const unknown = await sender.send('911234567890@c.us', { text: 'x' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(WhatsAppChatNotFoundError);
    expect(sender.classify(unknown)).toMatchObject({ retry: false, reason: 'chat_not_found' });

    const group = await sender.send('120363025246125486@g.us', { text: 'x' }).catch((e: unknown) => e);
    expect(sender.classify(group)).toMatchObject({ retry: false, reason: 'chat_not_found' });

    // A closed browser is retried, and counts (no afterMs), so the outbox's attempts cap it.
    client.sendFailures.push(
      new Error('Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has been closed.'),
    );
    expect(sender.classify(await sender.send(CHAT, { text: 'x' }).catch((e: unknown) => e))).toEqual({
      retry: true,
      code: 'whatsapp_browser',
    });
    expect(classifyWhatsAppError(Object.assign(new Error('Target closed'), { name: 'TargetCloseError' }))).toEqual({
      retry: true,
      code: 'whatsapp_browser',
    });
    // A page-side bug after a WhatsApp Web update is no closed browser: an ordinary, counted retry.
    expect(
      classifyWhatsAppError(
        new TypeError("Evaluation failed: TypeError: Cannot read properties of null (reading 'id')"),
      ),
    ).toEqual({ retry: true, code: 'whatsapp_error' });
    expect(classifyWhatsAppError(new Error('Protocol error (DOM.resolveNode): Could not find node'))).toEqual({
      retry: true,
      code: 'whatsapp_error',
    });

    // "No LID for user" for a number that exists is retried (counted); an invalid id is given up.
    expect(classifyWhatsAppError(new Error('No LID for user'))).toEqual({ retry: true, code: 'whatsapp_no_lid' });
    expect(classifyWhatsAppError(new Error('invalid wid'))).toMatchObject({ retry: false, reason: 'chat_not_found' });
    expect(classifyWhatsAppError(Object.assign(new Error('late'), { name: 'TimeoutError' }))).toEqual({
      retry: true,
      code: 'whatsapp_timeout',
    });
    expect(classifyWhatsAppError('evaluation failed')).toEqual({ retry: true, code: 'whatsapp_error' });
  });

  test('a send that does not finish is given up when the outbox aborts it', async () => {
    const stuck = new FakeWhatsAppClient('manual');
    const s = createWhatsAppSender({
      client: () => stuck,
      menus,
      files,
      clock,
      logger: createLogger({ level: 'silent', pretty: false }),
    });
    stuck.sendMessage = () => new Promise(() => undefined);
    const controller = new AbortController();
    const pending = s.send(CHAT, { text: 'x' }, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    expect(s.classify(await pending)).toMatchObject({ retry: true });
  });
});
