import type { Update } from 'grammy/types';
import { telegramUpdateToInbound } from '../../src/channels/telegram/telegram-inbound';
import { webRequestToInbound } from '../../src/channels/web/web-inbound';
import { whatsappToInbound } from '../../src/channels/whatsapp/whatsapp-inbound';
import { MAX_NAME_LENGTH, sanitizeName } from '../../src/core/text-normalize';
import { FakeWhatsAppMessage } from '../support/fake-whatsapp-client';
import { callbackQuery, textMessage } from '../support/telegram-updates';

const AT = new Date('2026-11-28T04:30:00.000Z');

/** The same profile name as each channel delivers it, turned into ours. */
function namesFor(raw: string): { telegram?: string; telegramButton?: string; whatsapp?: string; web?: string } {
  const tg = telegramUpdateToInbound({ update_id: 1, ...textMessage(42, 'नमस्ते', { firstName: raw }) } as Update, AT);
  const tgButton = telegramUpdateToInbound(
    { update_id: 2, ...callbackQuery(42, 'lang|hi', undefined, { firstName: raw }) } as Update,
    AT,
  );
  const wa = whatsappToInbound(
    new FakeWhatsAppMessage({ from: '919876543210@c.us', type: 'chat', body: 'नमस्ते', notifyName: raw }),
    { chatId: '919876543210@c.us', receivedAt: AT },
  );
  // The simulator's page caps the field at 64 UTF-16 units; a longer name is refused there.
  const web =
    raw.length <= 64
      ? webRequestToInbound(
          { chatId: 'citizen-1', clientId: 'abcdefgh1', kind: 'text', text: 'hi', firstName: raw },
          [],
          AT,
        ).inbound
      : undefined;
  return {
    ...(tg?.firstName !== undefined ? { telegram: tg.firstName } : {}),
    ...(tgButton?.firstName !== undefined ? { telegramButton: tgButton.firstName } : {}),
    ...(wa?.firstName !== undefined ? { whatsapp: wa.firstName } : {}),
    ...(web?.firstName !== undefined ? { web: web.firstName } : {}),
  };
}

describe('names from chat profiles: one sanitiser on every channel', () => {
  test.each([
    ['a bidi override that flips the line', '\u202Eअमित\u202C', 'अमित'],
    ['isolates and the BOM', '\u2066Ravi\u2069\uFEFF', 'Ravi'],
    ['control characters and NUL (FerretDB cannot store NUL)', 'Se\u0000e\u0007ma\u001B[31m', 'Seema[31m'],
    ['line breaks become one space', 'राम\nश्याम\r\nघनश्याम', 'राम श्याम घनश्याम'],
    ['C1 controls', 'Ma\u0085ya\u009B', 'Maya'],
    ['Devanagari with ZWJ kept', 'क्\u200Dष', 'क्\u200Dष'],
  ])('%s', (_name, raw, expected) => {
    expect(namesFor(raw)).toEqual({ telegram: expected, telegramButton: expected, whatsapp: expected, web: expected });
  });

  test('long names are cut to the same length everywhere, never inside an emoji', () => {
    const raw = `${'a'.repeat(MAX_NAME_LENGTH - 1)}😀😀😀`;
    const got = namesFor(raw);
    expect(got.telegram).toBe(`${'a'.repeat(MAX_NAME_LENGTH - 1)}😀`);
    expect(got.whatsapp).toBe(got.telegram);
    expect(got.telegramButton).toBe(got.telegram);
    expect([...(got.telegram ?? '')]).toHaveLength(MAX_NAME_LENGTH);
    const huge = namesFor('न'.repeat(5000));
    expect(huge.telegram).toBe('न'.repeat(MAX_NAME_LENGTH));
  });

  test('a name of nothing but invisible characters is no name', () => {
    expect(namesFor('\u202E\u0000\u200B'.replace('\u200B', ''))).toEqual({});
    expect(sanitizeName('   ')).toBe('');
  });
});
