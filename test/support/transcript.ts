import type { Clock } from '../../src/clock';
import type { InboundHandler } from '../../src/conversation/inbound-handler';
import type { RenderedMessage } from '../../src/core/messages';
import type { InboundContent, InboundMessage } from '../../src/conversation/types';

/**
 * Golden transcripts: one input per line, read by {@link parseTranscriptLine}.
 *   plain line      text the citizen types (`\n` for a line break)
 *   /cmd args       a command
 *   [scope|value]   a button press
 *   @location LAT LON · @photo ID [caption] · @voice ID SECONDS
 *   @contact PHONE own|other · @sticker · @document · @video
 *   @repeat N TEXT  TEXT repeated N times (over-long input)
 *   @redeliver      the previous delivery again, same update id
 *   @advance HOURS  move the fixed clock
 *   # comment       ignored
 */
export function parseTranscriptLine(
  line: string,
): InboundContent | { directive: 'redeliver' } | { directive: 'advance'; hours: number } | undefined {
  const trimmed = line.replace(/\s+$/, '');
  if (!trimmed || trimmed.startsWith('#')) return undefined;
  const unescaped = trimmed
    .replace(/\\n/g, '\n')
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const button = /^\[([^|\]]+)\|([^\]]+)\]$/.exec(trimmed);
  if (button) return { kind: 'button', scope: button[1] ?? '', value: button[2] ?? '' };
  if (trimmed.startsWith('/')) {
    const [cmd = '', ...rest] = trimmed.slice(1).split(' ');
    return { kind: 'command', command: cmd, args: rest.join(' ') };
  }
  if (trimmed.startsWith('@')) {
    const [directive, ...args] = trimmed.slice(1).split(' ');
    switch (directive) {
      case 'location':
        return { kind: 'location', lat: Number(args[0]), lon: Number(args[1]) };
      case 'photo':
        return args.length > 1
          ? { kind: 'photo', fileId: args[0] ?? '', caption: args.slice(1).join(' ') }
          : { kind: 'photo', fileId: args[0] ?? '' };
      case 'voice':
        return { kind: 'voice', fileId: args[0] ?? '', durationSec: Number(args[1] ?? 1) };
      case 'contact':
        return { kind: 'contact', phone: args[0] ?? '', own: args[1] !== 'other' };
      case 'sticker':
      case 'document':
      case 'video':
        return { kind: 'unsupported', what: directive };
      case 'repeat':
        return { kind: 'text', text: args.slice(1).join(' ').repeat(Number(args[0])) };
      case 'redeliver':
        return { directive: 'redeliver' };
      case 'advance':
        return { directive: 'advance', hours: Number(args[0]) };
      default:
        throw new Error(`unknown transcript directive @${directive}`);
    }
  }
  return { kind: 'text', text: unescaped };
}

/** Print one rendered message as transcript lines. */
export function formatMessage(m: RenderedMessage): string {
  const lines = m.text.split('\n').map((l, i) => (i === 0 ? `< ${l}` : `<   ${l}`));
  if (m.contactRequest) lines.push(`  {${m.contactRequest.label}}`);
  if (m.buttons?.length) lines.push(`  ${m.buttons.map((b) => `[${b.label}](${b.data})`).join(' ')}`);
  return lines.join('\n');
}

/** Play a transcript through the real handler, returning the golden text. */
export async function playTranscript(opts: {
  source: string;
  handler: InboundHandler;
  clock: Clock & { advance(ms: number): void };
  chatId: string;
  firstName?: string;
}): Promise<string> {
  const out: string[] = [];
  let updateId = 1000;
  let last: InboundMessage | undefined;
  for (const line of opts.source.split('\n')) {
    const parsed = parseTranscriptLine(line);
    if (!parsed) continue;
    if ('directive' in parsed) {
      if (parsed.directive === 'advance') {
        opts.clock.advance(parsed.hours * 3_600_000);
        out.push(`@advance ${parsed.hours}`);
        continue;
      }
      if (!last) throw new Error('@redeliver before any input');
      out.push(`> (redelivered ${last.updateKey})`);
      const res = await opts.handler({ ...last, receivedAt: opts.clock.now() });
      out.push(res.duplicate ? '  (ignored: duplicate)' : res.messages.map(formatMessage).join('\n'));
      continue;
    }
    const msg: InboundMessage = {
      channel: 'telegram',
      chatId: opts.chatId,
      updateKey: String(++updateId),
      receivedAt: opts.clock.now(),
      ...(opts.firstName ? { firstName: opts.firstName } : {}),
      content: parsed,
    };
    last = msg;
    const shown = line.length > 120 ? `${line.slice(0, 117)}...` : line;
    out.push(`> ${shown}`);
    const res = await opts.handler(msg);
    out.push(res.messages.map(formatMessage).join('\n'));
  }
  return `${out.join('\n')}\n`;
}
