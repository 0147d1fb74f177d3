import { CloudApiError } from '../../../src/channels/whatsapp-cloud/cloud-api';
import { cloudToInbound } from '../../../src/channels/whatsapp-cloud/cloud-inbound';
import { layoutForCloud, templateParameter } from '../../../src/channels/whatsapp-cloud/cloud-render';
import { classifyCloudError, CloudRecipientError } from '../../../src/channels/whatsapp-cloud/cloud-sender';
import { signCloudBody, verifyCloudSignature } from '../../../src/channels/whatsapp-cloud/cloud-signature';
import { loadConfig } from '../../../src/config';

const buttons = (n: number, label = (i: number) => `विकल्प ${i}`) =>
  Array.from({ length: n }, (_, i) => ({ label: label(i + 1), data: `pick|${i + 1}` }));

describe('laying messages out for the Cloud API', () => {
  test('up to three short choices are reply buttons whose ids are our button data', () => {
    const { body, menu } = layoutForCloud({ text: 'चुनें', buttons: buttons(3) }, 'सूची');
    expect(body).toMatchObject({
      type: 'interactive',
      interactive: { type: 'button', action: { buttons: [{ reply: { id: 'pick|1', title: 'विकल्प 1' } }, {}, {}] } },
    });
    expect(menu).toEqual([]);
  });

  test('four to ten choices are a list; a label too long for a row title is shortened there and whole in the description', () => {
    const long = 'राशन / खाद्यान्न की समस्या बहुत लंबी';
    const { body } = layoutForCloud(
      { text: 'चुनें', buttons: [...buttons(3), { label: long, data: 'category|ration' }] },
      'विकल्प चुनें',
    );
    const rows = (
      body as {
        interactive: {
          type: string;
          action: {
            button: string;
            sections: Array<{ rows: Array<{ id: string; title: string; description?: string }> }>;
          };
        };
      }
    ).interactive;
    expect(rows.type).toBe('list');
    expect(rows.action.button).toBe('विकल्प चुनें');
    const row = rows.action.sections[0]?.rows[3];
    expect([...(row?.title ?? '')].length).toBeLessThanOrEqual(24);
    expect(row).toMatchObject({ id: 'category|ration', description: long });
  });

  test('more than ten choices, or labels beyond what a list takes, become numbered text with a menu', () => {
    const { body, menu } = layoutForCloud({ text: 'चुनें', buttons: buttons(11) }, 'सूची');
    expect(body.type).toBe('text');
    expect(menu).toHaveLength(11);
    expect(JSON.stringify(body)).toContain('11. विकल्प 11');
    const tooLong = layoutForCloud({ text: 'चुनें', buttons: buttons(2, () => 'क'.repeat(80)) }, 'सूची');
    expect(tooLong.body.type).toBe('text');
  });

  test('the contact request is a button whose reply is the sender’s own number', () => {
    const { body } = layoutForCloud(
      { text: 'फ़ोन?', contactRequest: { label: '📱 मेरा नंबर' }, buttons: [{ label: 'छोड़ें', data: 'phone|skip' }] },
      'सूची',
    );
    expect(JSON.stringify(body)).toContain('contact|own');
    const inbound = cloudToInbound(
      {
        id: 'wamid.1',
        from: '919876543210',
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: 'contact|own', title: 'x' } },
      },
      { receivedAt: new Date(0) },
    );
    expect(inbound?.content).toEqual({ kind: 'contact', phone: '+919876543210', own: true });
  });

  test('a template parameter has no new lines, tabs or runs of spaces', () => {
    expect(templateParameter('पहली पंक्ति\n\n1. हाँ\t  2. नहीं     ठीक')).toBe('पहली पंक्ति · 1. हाँ 2. नहीं ठीक');
    expect([...templateParameter('क'.repeat(2000))].length).toBe(1000);
  });
});

describe('inbound messages', () => {
  test('a quoted reply carries the quoted message id (a staff reply to a ticket card is found by it)', () => {
    const msg = {
      id: 'wamid.2',
      from: '919876543210',
      type: 'text',
      text: { body: 'कल जाँच' },
      context: { id: 'wamid.card', from: '15550001111' },
    };
    expect(cloudToInbound(msg, { receivedAt: new Date(0) })?.replyToId).toBe('wamid.card');
    expect(cloudToInbound({ ...msg, context: undefined }, { receivedAt: new Date(0) })?.replyToId).toBeUndefined();
  });

  test('senders that are not phone numbers, reactions and over-long ids are ignored', () => {
    expect(
      cloudToInbound({ id: 'w', from: 'abc', type: 'text', text: { body: 'hi' } }, { receivedAt: new Date(0) }),
    ).toBeNull();
    expect(cloudToInbound({ id: 'w', from: '919876543210', type: 'reaction' }, { receivedAt: new Date(0) })).toBeNull();
    expect(
      cloudToInbound(
        { id: 'x'.repeat(300), from: '919876543210', type: 'text', text: { body: 'hi' } },
        { receivedAt: new Date(0) },
      ),
    ).toBeNull();
  });

  test('a button from a message we no longer understand is a stale button; stickers are unsupported', () => {
    const stale = cloudToInbound(
      {
        id: 'w1',
        from: '919876543210',
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'garbage' } },
      },
      { receivedAt: new Date(0) },
    );
    expect(stale?.content).toEqual({ kind: 'button', scope: 'stale', value: 'stale' });
    const sticker = cloudToInbound(
      { id: 'w2', from: '919876543210', type: 'sticker', sticker: { id: '1' } },
      { receivedAt: new Date(0) },
    );
    expect(sticker?.content).toEqual({ kind: 'unsupported', what: 'sticker' });
  });
});

describe('the platform’s errors', () => {
  test.each([
    [429, 130429, { retry: true, afterMs: 30_000 }],
    [400, 131056, { retry: true, afterMs: 60_000 }],
    [400, 131026, { retry: false, reason: 'chat_not_found' }],
    [400, 132001, { retry: false, reason: 'rejected' }],
    [401, 190, { retry: true, afterMs: 300_000 }],
    [503, 131000, { retry: true }],
  ])('HTTP %i code %i', (status, code, expected) => {
    expect(classifyCloudError(new CloudApiError(status, code, 'x'))).toMatchObject(expected);
  });

  test('no answer retries with back-off; a chat id that is no number fails for good', () => {
    expect(classifyCloudError(new CloudApiError(0, undefined, 'down'))).toEqual({
      retry: true,
      code: 'whatsapp_cloud_network',
    });
    expect(classifyCloudError(new CloudRecipientError())).toMatchObject({ retry: false, reason: 'chat_not_found' });
  });
});

describe('webhook signatures', () => {
  test('only the HMAC of the exact body under the app secret passes', () => {
    const body = Buffer.from('{"object":"whatsapp_business_account"}');
    const good = signCloudBody(body, 'secret-0123456789');
    expect(verifyCloudSignature(body, good, 'secret-0123456789')).toBe(true);
    expect(verifyCloudSignature(Buffer.from(`${body.toString()} `), good, 'secret-0123456789')).toBe(false);
    expect(verifyCloudSignature(body, good, 'other-secret-0123')).toBe(false);
    expect(verifyCloudSignature(body, 'sha256=abc', 'secret-0123456789')).toBe(false);
    expect(verifyCloudSignature(body, undefined, 'secret-0123456789')).toBe(false);
  });
});

describe('configuration', () => {
  const all = {
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: '106540352242922',
    WHATSAPP_CLOUD_ACCESS_TOKEN: 'EAAG-test-access-token-0123456789',
    WHATSAPP_CLOUD_APP_SECRET: 'cloud-app-secret-0123456789',
    WHATSAPP_CLOUD_VERIFY_TOKEN: 'verify-token-0123456789abcdef',
  };
  test('all four variables together turn the channel on', () => {
    expect(loadConfig(all, '/tmp').whatsappCloud).toMatchObject({
      phoneNumberId: '106540352242922',
      apiRoot: 'https://graph.facebook.com/v21.0',
    });
    expect(loadConfig({}, '/tmp').whatsappCloud).toBeUndefined();
  });
  test('a missing one is named; both WhatsApp adapters at once are refused', () => {
    const { WHATSAPP_CLOUD_APP_SECRET: _omit, ...three } = all;
    expect(() => loadConfig(three, '/tmp')).toThrow(/WHATSAPP_CLOUD_APP_SECRET is required/);
    expect(() => loadConfig({ ...all, WHATSAPP_ENABLED: 'true' }, '/tmp')).toThrow(/one WhatsApp adapter at a time/);
  });
});
