import {
  menuNumberOf,
  phoneOfWhatsAppId,
  whatsappChatOf,
  whatsappToInbound,
  type WhatsAppInboundContext,
} from '../../../src/channels/whatsapp/whatsapp-inbound';
import { FakeWhatsAppMessage, type FakeMessageInit } from '../../support/fake-whatsapp-client';

const CHAT = '919876543210@c.us';
const AT = new Date('2026-11-28T04:30:00.000Z');

function inbound(init: Partial<FakeMessageInit>, ctx: Partial<WhatsAppInboundContext> = {}) {
  const msg = new FakeWhatsAppMessage({ from: CHAT, ...init });
  return { msg, result: whatsappToInbound(msg, { chatId: CHAT, receivedAt: AT, phone: '+919876543210', ...ctx }) };
}

describe('which WhatsApp messages are for the conversation', () => {
  test('a person writing privately, by phone-number id or linked id', () => {
    expect(whatsappChatOf(new FakeWhatsAppMessage({ from: CHAT }))).toBe(CHAT);
    expect(whatsappChatOf(new FakeWhatsAppMessage({ from: '140274853331030@lid' }))).toBe('140274853331030@lid');
  });

  test('groups, status updates, broadcasts, channels and our own messages are not', () => {
    expect(whatsappChatOf(new FakeWhatsAppMessage({ from: '120363025246125486@g.us', author: CHAT }))).toBeNull();
    expect(whatsappChatOf(new FakeWhatsAppMessage({ from: '120363025246125486@g.us' }))).toBeNull();
    expect(whatsappChatOf(new FakeWhatsAppMessage({ from: 'status@broadcast', author: CHAT }))).toBeNull();
    expect(whatsappChatOf(new FakeWhatsAppMessage({ from: CHAT, broadcast: true }))).toBeNull();
    expect(whatsappChatOf(new FakeWhatsAppMessage({ from: '120363144038483540@newsletter' }))).toBeNull();
    expect(whatsappChatOf(new FakeWhatsAppMessage({ from: CHAT, fromMe: true }))).toBeNull();
  });

  test('the phone number comes from a phone-number id only', () => {
    expect(phoneOfWhatsAppId(CHAT)).toBe('+919876543210');
    expect(phoneOfWhatsAppId('140274853331030@lid')).toBeUndefined();
    expect(phoneOfWhatsAppId('120363025246125486@g.us')).toBeUndefined();
  });
});

describe('WhatsApp messages in channel-neutral form', () => {
  test('text, with the push name as first name; the update key holds no phone number', () => {
    const { msg, result } = inbound({ body: '  राशन नहीं मिला  ', notifyName: 'Seema' });
    expect(result).toEqual({
      channel: 'whatsapp',
      chatId: CHAT,
      updateKey: `wa:${msg.id.id}`,
      receivedAt: AT,
      firstName: 'Seema',
      content: { kind: 'text', text: 'राशन नहीं मिला' },
    });
    expect(result?.updateKey).not.toContain('9876543210');
  });

  test('an empty text is nothing to answer', () => {
    expect(inbound({ body: '   ' }).result).toBeNull();
  });

  test('a leading slash is a command', () => {
    expect(inbound({ body: '/status ALR-000123' }).result?.content).toEqual({
      kind: 'command',
      command: 'status',
      args: 'ALR-000123',
    });
    expect(inbound({ body: '/START abcd2345' }).result?.content).toEqual({
      kind: 'command',
      command: 'start',
      args: 'abcd2345',
    });
  });

  test('staff words without the slash are commands only when what follows fits', () => {
    expect(inbound({ body: 'resolve ALR-000123 दुकान खुल गई' }).result?.content).toEqual({
      kind: 'command',
      command: 'resolve',
      args: 'ALR-000123 दुकान खुल गई',
    });
    expect(inbound({ body: 'Ack alr-000123' }).result?.content).toEqual({
      kind: 'command',
      command: 'ack',
      args: 'alr-000123',
    });
    expect(inbound({ body: 'transfer ALR-000123 HEALTH बीमारी' }).result?.content).toMatchObject({
      kind: 'command',
      command: 'transfer',
    });
    expect(inbound({ body: 'mine' }).result?.content).toEqual({ kind: 'command', command: 'mine', args: '' });
    expect(inbound({ body: 'status ALR-000123' }).result?.content).toEqual({
      kind: 'command',
      command: 'status',
      args: 'ALR-000123',
    });
    // Ordinary words stay words.
    expect(inbound({ body: 'update please' }).result?.content).toEqual({ kind: 'text', text: 'update please' });
    expect(inbound({ body: 'resolve ALR-000123' }).result?.content).toEqual({
      kind: 'text',
      text: 'resolve ALR-000123',
    });
    expect(inbound({ body: 'mine bhi' }).result?.content).toEqual({ kind: 'text', text: 'mine bhi' });
    expect(inbound({ body: 'status' }).result?.content).toEqual({ kind: 'text', text: 'status' });
  });

  test('a number answers the menu it refers to: a button, or "share my number"', () => {
    const menu = [
      { n: 1, data: 'phone|skip' },
      { n: 2, contact: true },
    ];
    expect(inbound({ body: '1' }, { menu }).result?.content).toEqual({ kind: 'button', scope: 'phone', value: 'skip' });
    expect(inbound({ body: '२' }, { menu }).result?.content).toEqual({
      kind: 'contact',
      phone: '+919876543210',
      own: true,
    });
    expect(inbound({ body: '2.' }, { menu }).result?.content).toEqual({
      kind: 'contact',
      phone: '+919876543210',
      own: true,
    });
    // Outside the menu, or without one, the number goes on as typed (the engine reads numbers too).
    expect(inbound({ body: '3' }, { menu }).result?.content).toEqual({ kind: 'text', text: '3' });
    expect(inbound({ body: '1' }).result?.content).toEqual({ kind: 'text', text: '1' });
    // "Share my number" from a linked id whose number is unknown: the words go on.
    const { result } = inbound({ body: '2' }, { menu, phone: undefined } as Partial<WhatsAppInboundContext>);
    expect(result?.content).toEqual({ kind: 'text', text: '2' });
  });

  test('the quoted message becomes replyToText, and its id replyToId', () => {
    const { result } = inbound(
      { body: 'कल निरीक्षण होगा' },
      { quotedText: '🆕 New complaint ALR-000123', quotedId: 'true_919876500001@c.us_3EB0CARD' },
    );
    expect(result?.replyToText).toBe('🆕 New complaint ALR-000123');
    expect(result?.replyToId).toBe('true_919876500001@c.us_3EB0CARD');
  });

  test('a location pin', () => {
    expect(inbound({ location: { latitude: 22.3, longitude: 74.36 } }).result?.content).toEqual({
      kind: 'location',
      lat: 22.3,
      lon: 74.36,
    });
  });

  test('photos and voice notes by stored file id, with caption and duration', () => {
    const media = { mimetype: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff]).toString('base64') };
    expect(inbound({ media, body: 'दुकान बंद' }, { fileId: 'waf_0123456789abcdef01234567' }).result?.content).toEqual({
      kind: 'photo',
      fileId: 'waf_0123456789abcdef01234567',
      caption: 'दुकान बंद',
    });
    expect(
      inbound(
        { media: { mimetype: 'audio/ogg; codecs=opus', data: 'AAAA' }, type: 'ptt', duration: 7 },
        { fileId: 'waf_0123456789abcdef01234567' },
      ).result?.content,
    ).toEqual({
      kind: 'voice',
      fileId: 'waf_0123456789abcdef01234567',
      durationSec: 7,
    });
    // Media that could not be stored is not accepted as an attachment.
    expect(inbound({ media }).result?.content).toEqual({ kind: 'unsupported', what: 'photo' });
  });

  test('stickers, documents and videos are unsupported; WhatsApp bookkeeping is ignored', () => {
    expect(inbound({ type: 'sticker', media: { mimetype: 'image/webp', data: 'AA' } }).result?.content).toEqual({
      kind: 'unsupported',
      what: 'sticker',
    });
    expect(inbound({ type: 'document', media: { mimetype: 'application/pdf', data: 'AA' } }).result?.content).toEqual({
      kind: 'unsupported',
      what: 'document',
    });
    expect(inbound({ type: 'video', media: { mimetype: 'video/mp4', data: 'AA' } }).result?.content).toEqual({
      kind: 'unsupported',
      what: 'video',
    });
    expect(inbound({ type: 'e2e_notification' }).result).toBeNull();
    expect(inbound({ type: 'revoked' }).result).toBeNull();
  });

  test('a contact card is the sender’s own only when its WhatsApp id is the sender’s', () => {
    const card = (waid: string) =>
      `BEGIN:VCARD\nVERSION:3.0\nFN:Seema\nTEL;type=CELL;type=VOICE;waid=${waid}:+${waid}\nEND:VCARD`;
    expect(inbound({ type: 'vcard', vCards: [card('919876543210')] }).result?.content).toEqual({
      kind: 'contact',
      phone: '+919876543210',
      own: true,
    });
    expect(inbound({ type: 'vcard', vCards: [card('919999999999')] }).result?.content).toEqual({
      kind: 'contact',
      phone: '+919999999999',
      own: false,
    });
  });

  test('menu numbers: digits alone, Latin or Devanagari', () => {
    expect(menuNumberOf('3')).toBe(3);
    expect(menuNumberOf(' १२ ')).toBe(12);
    expect(menuNumberOf('3 bags')).toBeUndefined();
    expect(menuNumberOf('9876543210')).toBeUndefined();
  });
});
