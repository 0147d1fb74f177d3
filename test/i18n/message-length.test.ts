import path from 'node:path';
import { STATUS_LIST_LIMIT } from '../../src/conversation/effect-runner';
import { renderReplies } from '../../src/core/render';
import type { Text, TextParam } from '../../src/core/messages';
import { createTranslator, LANGUAGES, loadLanguage, type Language } from '../../src/i18n/create-i18n';

const LOCALES = path.resolve(__dirname, '../../locales');
const tr = createTranslator(LOCALES);

function leaves(tree: unknown, prefix = ''): string[] {
  if (typeof tree !== 'object' || tree === null) return [prefix];
  return Object.entries(tree).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

/** Every key a citizen may be sent: their own words, ratings, notices of their complaint, the counsellor's relay. */
function citizenKeys(): string[] {
  const counsellorToCitizen = [
    'unavailable',
    'connected',
    'queued',
    'still_waiting',
    'already_connected',
    'not_in_session',
    'you_left',
    'from_counsellor',
    'ended_for_citizen',
    'ticket_for_citizen',
  ];
  const all = leaves(loadLanguage(path.join(LOCALES, 'hi')));
  const base = (k: string) => k.replace(/_(one|other|whatsapp)$/, '').replace(/_(one|other)$/, '');
  return [
    ...new Set(
      all
        .filter(
          (k) =>
            /^(greeting|menu|help|language|category|intake|status|ticket|error|common|notify)\./.test(k) ||
            (k.startsWith('feedback.') && !k.startsWith('feedback.staff.')) ||
            counsellorToCitizen.some((c) => k === `counsellor.${c}`),
        )
        // The operator's words for a telephone caller are not sent to the citizen.
        .filter((k) => !k.includes('caller'))
        .map((k) => (k.endsWith('_whatsapp') ? k : base(k))),
    ),
  ];
}

// Realistic values: a long-ish Hindi description, a full place, a real date.
const DESCRIPTION =
  'हमारे फलिये में कंट्रोल की दुकान दो महीने से नहीं खुली, अंगूठा लगाने की मशीन भी खराब है और सेल्समैन कहता है अगले महीने आना। बच्चे भूखे हैं।';
function params(lang: Language): Record<string, TextParam> {
  const item: Text = {
    key: 'status.item',
    params: {
      ref: 'ALR-000123',
      category: { key: 'category.stranded' },
      status: { key: 'ticket.status.acknowledged' },
      date: lang === 'hi' ? '28 नव॰ 2026, 10:00 am' : '28 Nov 2026, 10:00 am',
    },
  };
  return {
    name: 'सुनीता',
    district: { key: 'district.name' },
    ref: 'ALR-000123',
    date: lang === 'hi' ? '28 नव॰ 2026, 10:00 am' : '28 Nov 2026, 10:00 am',
    category: { key: 'category.stranded' },
    place: {
      key: 'intake.summary.place_text',
      params: { block: { key: 'block.bhabra' }, locality: 'अंबारी, पटेल फलिया' },
    },
    description: DESCRIPTION,
    attachments: { key: 'intake.summary.attachments', params: { photos: 2, voices: 1 } },
    phone: '+919876543210',
    items: Array.from({ length: STATUS_LIST_LIMIT }, () => item),
    text: 'कल शाम तक दुकान खुलवा दी जाएगी, सेल्समैन को नोटिस दिया गया है। आप जाँच लें कि अनाज पूरा तौलकर दिया जाए।',
    department: 'खाद्य एवं नागरिक आपूर्ति विभाग',
    status: { key: 'ticket.status.acknowledged' },
    created: '28 नव॰ 2026, 10:00 am',
    updated: '29 नव॰ 2026, 4:30 pm',
    count: 7,
    min: 10,
    max: 1000,
    length: 1012,
    lat: '22.30512',
    lon: '74.35417',
    n: 3,
    total: 6,
    block: { key: 'block.bhabra' },
    locality: 'अंबारी, पटेल फलिया',
    photos: 2,
    voices: 1,
  };
}

describe('messages to citizens are short enough for a basic phone', () => {
  const keys = citizenKeys();

  test('the scan finds the citizen keys', () => {
    expect(keys).toEqual(
      expect.arrayContaining([
        'greeting.body',
        'help.body',
        'intake.summary.prompt',
        'status.list',
        'feedback.question',
        'notify.resolved',
      ]),
    );
  });

  test.each(LANGUAGES)(
    '%s: the greeting at most 300 characters, every other message at most 400 (with the question number)',
    (lang) => {
      const tooLong: string[] = [];
      for (const key of keys) {
        for (const channel of ['telegram', 'whatsapp'] as const) {
          const [msg] = renderReplies(
            tr,
            lang,
            [{ text: { key: key.replace(/_whatsapp$/, ''), params: params(lang) }, progress: { n: 3, total: 6 } }],
            channel,
          );
          const length = [...(msg?.text ?? '')].length;
          const limit = key === 'greeting.body' ? 300 : 400;
          if (length > limit) tooLong.push(`${key} (${channel}): ${length} > ${limit}`);
        }
      }
      expect(tooLong).toEqual([]);
    },
  );

  test('the emergency numbers are given once, in the greeting, not in every help text', () => {
    for (const lang of LANGUAGES) {
      expect(tr.t(lang, 'greeting.body', { name: 'x', district: 'y' })).toMatch(/112[\s\S]*108[\s\S]*104[\s\S]*181/);
      const repeating = keys.filter(
        (k) =>
          k !== 'greeting.body' &&
          /\b(112|108)\b/.test(
            tr.t(lang, k.replace(/_whatsapp$/, ''), { context: k.endsWith('_whatsapp') ? 'whatsapp' : undefined }),
          ),
      );
      expect(repeating).toEqual([]);
    }
  });
});
