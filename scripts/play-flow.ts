/**
 * Play the citizen's conversation by hand in the terminal, through the real
 * handler and a real database, with no chat app and no tokens.
 *
 *   npm run play -- [--lang en] [--data-dir DIR] [--chat ID] [--name NAME] [--log-level warn]
 *   printf '/start\n2\n' | npm run -s play
 *
 * Each input line is one message:
 *   text                 what the citizen types
 *   /command args        a command (/start, /status ALR-000001, /cancel …)
 *   [scope|value]        press a button (its data is shown beside it)
 *   @location LAT LON · @contact PHONE · @photo FILE_ID [caption]
 * A number is sent as typed text: the bot itself takes it as the option of
 * that number, as it would on WhatsApp.
 * The database is MONGODB_URI (a throw-away database unless --db-name is given),
 * else an embedded server under --data-dir (kept) or a temporary folder
 * (removed at the end). End with Ctrl-D, or end of the piped input.
 */
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { RenderedMessage } from '../src/core/messages';
import type { InboundContent } from '../src/conversation/types';
import { isLanguage, LANGUAGES } from '../src/i18n/create-i18n';
import { runMain, UsageError } from './lib/cli';
import { openLocalApp } from './lib/local-app';

/** Turn one typed line into a message; undefined for a blank line. */
function parseInput(line: string): InboundContent | undefined {
  const s = line.trim();
  if (!s) return undefined;
  const button = /^\[([^\]|]+)\|([^\]]+)\]$/.exec(s);
  if (button) return { kind: 'button', scope: button[1] ?? '', value: button[2] ?? '' };
  if (s.startsWith('/')) {
    const [command = '', ...args] = s.slice(1).split(/\s+/);
    return { kind: 'command', command, args: args.join(' ') };
  }
  const [directive, ...args] = s.split(/\s+/);
  const [lat, lon] = [Number(args[0]), Number(args[1])];
  if (directive === '@location' && Number.isFinite(lat) && Number.isFinite(lon)) return { kind: 'location', lat, lon };
  if (directive === '@contact') return { kind: 'contact', phone: args[0] ?? '', own: true };
  if (directive === '@photo') {
    return args.length > 1
      ? { kind: 'photo', fileId: args[0] ?? '', caption: args.slice(1).join(' ') }
      : { kind: 'photo', fileId: args[0] ?? 'photo' };
  }
  return { kind: 'text', text: line };
}

/** The bot's replies as terminal text; each message's buttons numbered as the bot counts them, with their data. */
function formatReplies(messages: readonly RenderedMessage[]): string {
  const out: string[] = [];
  for (const m of messages) {
    m.text.split('\n').forEach((l, i) => out.push(`${i === 0 ? 'bot> ' : '     '}${l}`));
    m.buttons?.forEach((b, i) => out.push(`     ${i + 1}. ${b.label}  [${b.data}]`));
    if (m.contactRequest) out.push(`     {${m.contactRequest.label}: type @contact +91…}`);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      lang: { type: 'string', default: 'hi' },
      'data-dir': { type: 'string' },
      'db-name': { type: 'string' },
      chat: { type: 'string', default: 'player' },
      name: { type: 'string', default: 'Sunita' },
      'log-level': { type: 'string', default: 'warn' },
    },
  });
  if (!isLanguage(values.lang))
    throw new UsageError(`--lang must be one of ${LANGUAGES.join(', ')}, got "${values.lang}"`);
  const logger = pino({ level: values['log-level'] }, pino.destination(2));
  const local = await openLocalApp({
    logger,
    scratchPrefix: 'play',
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values['db-name'] ? { dbName: values['db-name'] } : {}),
  });
  const interactive = Boolean(process.stdin.isTTY);
  let update = Date.now();
  const send = (content: InboundContent) =>
    local.app.handler({
      channel: 'web',
      chatId: values.chat,
      updateKey: String(++update),
      receivedAt: new Date(),
      firstName: values.name,
      content,
    });

  try {
    // The conversation starts in Hindi; another language is chosen the way a citizen would.
    if (values.lang !== 'hi') await send({ kind: 'command', command: 'language', args: values.lang });
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
    rl.on('SIGINT', () => rl.close());
    rl.setPrompt('you> ');
    if (interactive) {
      process.stdout.write('Type a message, /start to begin, a number to press a button; Ctrl-D ends.\n');
      rl.prompt();
    }
    for await (const line of rl) {
      const content = parseInput(line);
      if (content) {
        // Piped input is echoed so the output reads as a transcript.
        if (!interactive) process.stdout.write(`you> ${line}\n`);
        const res = await send(content);
        process.stdout.write(`${formatReplies(res.messages)}\n`);
      }
      if (interactive) rl.prompt();
    }
  } finally {
    await local.close();
  }
}

runMain(main);
