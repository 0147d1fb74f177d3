import type { Language, Translator } from '../i18n/create-i18n';
import { formatNumber } from '../i18n/format';
import type { RenderedMessage, ChannelName, Reply, Text, TextParam } from './messages';

/** Separator inside button data; step ids and values never contain it. */
export const BUTTON_DATA_SEPARATOR = '|';

/**
 * Translate a text, translating nested texts in its parameters first.
 * `channel` is the i18next context: a key may say it differently where the
 * channel differs (`intake.summary.prompt_whatsapp`: no buttons there, the
 * person types the option's number); without such a variant the plain key is used.
 */
export function translate(tr: Translator, lang: Language, text: Text, channel?: ChannelName): string {
  const params: Record<string, string | number> = channel ? { context: channel } : {};
  // `count` stays a number: i18next chooses the plural form by it (and formats it).
  for (const [k, v] of Object.entries(text.params ?? {}))
    params[k] = k === 'count' && typeof v === 'number' ? v : resolveParam(tr, lang, v, channel);
  return tr.t(lang, text.key, params);
}

function resolveParam(tr: Translator, lang: Language, v: TextParam, channel: ChannelName | undefined): string | number {
  if (Array.isArray(v)) return v.map((x) => translate(tr, lang, x, channel)).join('\n');
  // Counts and limits read the Indian way (1,00,000); ids and references are strings.
  if (typeof v === 'number') return formatNumber(v, lang);
  if (typeof v !== 'object') return v;
  return 'key' in v ? translate(tr, lang, v, channel) : v[lang];
}

/** Turn the engine's replies into words in the person's language (and the channel's way of choosing, when given). */
export function renderReplies(
  tr: Translator,
  lang: Language,
  replies: readonly Reply[],
  channel?: ChannelName,
): RenderedMessage[] {
  return replies.map((r) => {
    const body = translate(tr, lang, r.text, channel);
    const text = r.progress ? `${tr.t(lang, 'common.progress', r.progress)}\n${body}` : body;
    const out: RenderedMessage = { text };
    if (r.buttons) {
      out.buttons = r.buttons.options.map((o) => ({
        label: translate(tr, lang, o.label, channel),
        data: `${r.buttons?.scope}${BUTTON_DATA_SEPARATOR}${o.value}`,
      }));
    }
    if (r.request === 'contact') out.contactRequest = { label: tr.t(lang, 'intake.phone.share') };
    return out;
  });
}

/** Split button data back into scope and value; undefined when malformed. */
export function parseButtonData(data: string): { scope: string; value: string } | undefined {
  const i = data.indexOf(BUTTON_DATA_SEPARATOR);
  if (i <= 0 || i === data.length - 1) return undefined;
  return { scope: data.slice(0, i), value: data.slice(i + 1) };
}
