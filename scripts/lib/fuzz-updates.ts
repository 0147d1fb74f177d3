/**
 * Random updates for the fuzz run (`npm run fuzz`, and a smaller run in the
 * test suite): Telegram updates of every kind with any Unicode (lone
 * surrogates, NUL, bidi, huge and empty texts), forged callback data, unknown
 * fields, and channel-neutral WhatsApp and web messages, all sent through the
 * real inbound handler. Reproducible: the same seed gives the same updates.
 */
import fc from 'fast-check';
import type { Update } from 'grammy/types';
import { mongo, type Connection } from 'mongoose';
import { telegramUpdateToInbound } from '../../src/channels/telegram/telegram-inbound';
import type { HandleResult, InboundHandler } from '../../src/conversation/inbound-handler';
import type { InboundContent, InboundMessage } from '../../src/conversation/types';

/** Any code point, lone surrogates and control characters included. */
const anyChar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 1 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n)),
  fc.constantFrom(
    '\u0000',
    '\u202E',
    '\u2066',
    '\uFEFF',
    '\u200D',
    '\n',
    '\r',
    '\t',
    '०',
    '९',
    'ज़',
    '😀',
    '$',
    '.',
    '{',
    '"',
    '\\',
  ),
);
const anyText = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: anyChar, maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\u200B',
      '1',
      '२',
      'हाँ',
      'ration nahi mila',
      '/start',
      'ALR-000001',
      '$where',
      'a.b',
      '__proto__',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 4_000, max: 70_000 }), anyChar)
      .map(([n, c]) => c.repeat(Math.max(1, Math.floor(n / Math.max(1, c.length))))),
  },
);
const scopes = [
  'category',
  'block',
  'summary',
  'lang',
  'menu',
  'skip',
  'feedback',
  'reopen',
  'tk',
  'tr',
  'svp',
  'cs',
  'ops',
  'x',
  '',
];
const forgedData = fc.oneof(
  fc.tuple(fc.constantFrom(...scopes), fc.string({ unit: anyChar, maxLength: 30 })).map(([s, v]) => `${s}|${v}`),
  fc.constantFrom(
    'tk|ack:ALR-000001',
    'tk|resolve:ALR-999999',
    'tr|ALR-000001:FOOD',
    'summary|submit',
    'category|ration',
    'block|jobat',
    'lang|xx',
    '|',
    'a|',
    '|b',
    'svp|f:2:',
    'feedback|ALR-000001:9',
  ),
  fc.string({ unit: anyChar, maxLength: 80 }),
);
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 1e308, -91, 181),
);
/** Fields Telegram may add tomorrow; the adapter must ignore them. */
const unknownFields = fc.dictionary(
  fc.string({ maxLength: 12 }).map((k) => `x_${k}`),
  fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)),
  { maxKeys: 3 },
);

/** One Telegram update (without update_id) from a chat of the pool. */
function telegramUpdate(chats: number) {
  const from = fc.integer({ min: 1, max: chats }).map((n) => 800_000 + n);
  const user = (id: number, name: string) => ({ id, is_bot: false, first_name: name });
  const message = (id: number, name: string, body: object, extra: object) => ({
    message: {
      message_id: 1,
      date: 0,
      chat: { id, type: 'private', first_name: name },
      from: user(id, name),
      ...body,
      ...extra,
    },
  });
  const body = fc.oneof(
    fc.record({ text: anyText }),
    fc.tuple(fc.string({ maxLength: 12 }), anyText).map(([cmd, args]) => {
      const text = `/${cmd}${args ? ` ${args}` : ''}`;
      return { text, entities: [{ type: 'bot_command', offset: 0, length: cmd.length + 1 }] };
    }),
    fc.record({
      photo: fc.constant([{ file_id: 'AgAD', file_unique_id: 'u', width: 1, height: 1, file_size: 1000 }]),
      caption: fc.option(anyText, { nil: undefined }),
    }),
    fc.record({
      voice: fc.record({
        file_id: fc.string({ maxLength: 20 }),
        file_unique_id: fc.constant('v'),
        duration: number,
        file_size: fc.integer({ min: 0, max: 50_000_000 }),
      }),
    }),
    fc.record({ location: fc.record({ latitude: number, longitude: number }) }),
    fc.record({
      contact: fc.record({
        phone_number: anyText,
        first_name: anyText,
        user_id: fc.option(fc.integer(), { nil: undefined }),
      }),
    }),
    fc.constantFrom(
      { sticker: { file_id: 's' } },
      { document: { file_id: 'd', file_size: 99_000_000 } },
      { video: { file_id: 'v' } },
      { dice: { emoji: '🎲', value: 3 } },
      {},
    ),
  );
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(from, anyText, body, unknownFields)
        .map(([id, name, b, extra]) => message(id, name, b, extra)),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(from, anyText, forgedData).map(([id, name, data]) => ({
        callback_query: {
          id: 'q',
          from: user(id, name),
          chat_instance: 'c',
          data,
          message: { message_id: 1, date: 0, chat: { id, type: 'private' } },
        },
      })),
    },
  );
}

/** A channel-neutral message as the WhatsApp and web adapters produce, including kinds they would not. */
function neutralMessage(chats: number) {
  const content: fc.Arbitrary<InboundContent> = fc.oneof(
    anyText.map((text) => ({ kind: 'text' as const, text })),
    fc
      .tuple(fc.string({ maxLength: 12 }), anyText)
      .map(([command, args]) => ({ kind: 'command' as const, command, args })),
    fc
      .tuple(fc.constantFrom(...scopes), fc.string({ unit: anyChar, maxLength: 30 }))
      .map(([scope, value]) => ({ kind: 'button' as const, scope, value })),
    fc.tuple(number, number).map(([lat, lon]) => ({ kind: 'location' as const, lat, lon })),
    fc.tuple(anyText, fc.boolean()).map(([phone, own]) => ({ kind: 'contact' as const, phone, own })),
    fc.string({ maxLength: 30 }).map((fileId) => ({ kind: 'photo' as const, fileId })),
    fc.string({ maxLength: 30 }).map((fileId) => ({ kind: 'voice' as const, fileId, durationSec: 3 })),
    fc.string({ maxLength: 10 }).map((what) => ({ kind: 'unsupported' as const, what })),
  );
  return fc
    .tuple(
      fc.constantFrom('whatsapp' as const, 'web' as const),
      fc.integer({ min: 1, max: chats }),
      content,
      fc.option(anyText, { nil: undefined }),
      fc.option(anyText, { nil: undefined }),
    )
    .map(([channel, n, c, firstName, replyToText]) => ({
      channel,
      chatId: channel === 'web' ? `fuzz-${n}` : `91980${String(n).padStart(7, '0')}@c.us`,
      content: c,
      firstName,
      replyToText,
    }));
}

export interface FuzzReport {
  sent: number;
  /** Updates the adapter passed to the handler (others are not for the conversation, as Telegram's groups). */
  handled: number;
  /** Of those, how many each shard handled. */
  handledByShard: number[];
  unanswered: number;
  apologies: number;
  duplicates: number;
  unhandledRejections: number;
  thrown: number;
  examples: string[];
  largestDocument: { collection: string; bytes: number };
  seconds: number;
}

/** One application on its own database: a shard of the fuzz run's chats. */
export interface FuzzShard {
  handler: InboundHandler;
  conn: Connection;
}

/** Which shard a chat lives in: a fixed hash of its channel and id, so each chat's updates all go to one shard, in order. */
export function shardOf(chatKey: string, shards: number): number {
  let h = 2166136261;
  for (let i = 0; i < chatKey.length; i++) h = Math.imul(h ^ chatKey.charCodeAt(i), 16777619);
  return (h >>> 0) % shards;
}

/**
 * Send `count` random updates from `chats` chats (`concurrency` chats at a
 * time, each chat's updates in order) through the shards' handlers, each chat
 * always to the same shard, then measure the largest document in `collections`
 * of every shard. Shards are how a long run stays fast on FerretDB, whose
 * updates read a whole collection: each shard's database holds only its share
 * of the chats. Never throws for what the handlers do: everything is counted in
 * the report.
 */
export async function runFuzz(opts: {
  shards: readonly FuzzShard[];
  count: number;
  chats: number;
  concurrency: number;
  seed: number;
  collections: readonly string[];
  apology: ReadonlySet<string>;
  now: () => Date;
  /** Called after each batch of updates (about 2,000), for a progress line in long runs. */
  onProgress?: (sent: number) => void;
}): Promise<FuzzReport> {
  const started = Date.now();
  const report: FuzzReport = {
    sent: 0,
    handled: 0,
    handledByShard: opts.shards.map(() => 0),
    unanswered: 0,
    apologies: 0,
    duplicates: 0,
    unhandledRejections: 0,
    thrown: 0,
    examples: [],
    largestDocument: { collection: '', bytes: 0 },
    seconds: 0,
  };
  const onRejection = () => {
    report.unhandledRejections += 1;
  };
  process.on('unhandledRejection', onRejection);
  const arb = fc.oneof(
    { weight: 3, arbitrary: telegramUpdate(opts.chats).map((u) => ({ telegram: u })) },
    { weight: 2, arbitrary: neutralMessage(opts.chats).map((m) => ({ neutral: m })) },
  );
  // Updates are generated in batches and queued per chat, so each chat's stay in order.
  const queues = new Map<string, InboundMessage[]>();
  let generated = 0;
  let seed = opts.seed;
  let updateId = 0;
  const note = (what: string, msg: InboundMessage) => {
    if (report.examples.length < 10)
      report.examples.push(`${what}: ${JSON.stringify({ channel: msg.channel, content: msg.content }).slice(0, 300)}`);
  };
  const check = (shard: number, msg: InboundMessage, r: HandleResult) => {
    report.handled += 1;
    report.handledByShard[shard] = (report.handledByShard[shard] ?? 0) + 1;
    if (r.duplicate) report.duplicates += 1;
    else if (r.messages.length === 0) {
      report.unanswered += 1;
      note('unanswered', msg);
    }
    if (r.messages.some((m) => opts.apology.has(m.text))) {
      report.apologies += 1;
      note('apology', msg);
    }
  };
  try {
    while (generated < opts.count) {
      const batch = fc.sample(arb, { numRuns: Math.min(2_000, opts.count - generated), seed: seed++ });
      generated += batch.length;
      report.sent += batch.length;
      for (const item of batch) {
        updateId += 1;
        let msg: InboundMessage | null;
        if ('telegram' in item)
          msg = telegramUpdateToInbound({ update_id: updateId, ...item.telegram } as unknown as Update, opts.now());
        else {
          const m = item.neutral;
          msg = {
            channel: m.channel,
            chatId: m.chatId,
            updateKey: `f${updateId}`,
            receivedAt: opts.now(),
            content: m.content,
            ...(m.firstName ? { firstName: m.firstName } : {}),
            ...(m.replyToText ? { replyToText: m.replyToText } : {}),
          };
        }
        if (!msg) continue;
        const key = `${msg.channel}:${msg.chatId}`;
        queues.set(key, [...(queues.get(key) ?? []), msg]);
      }
      const keys = [...queues.keys()];
      let next = 0;
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          for (let i = next++; i < keys.length; i = next++) {
            const shard = shardOf(keys[i] as string, opts.shards.length);
            for (const msg of queues.get(keys[i] as string) ?? []) {
              try {
                check(shard, msg, await (opts.shards[shard] as FuzzShard).handler(msg));
              } catch {
                report.thrown += 1;
                note('thrown', msg);
              }
            }
          }
        }),
      );
      queues.clear();
      opts.onProgress?.(report.sent);
    }
  } finally {
    // Let stray rejections surface before counting them.
    await new Promise((r) => setTimeout(r, 50));
    process.off('unhandledRejection', onRejection);
  }
  for (const { conn } of opts.shards) {
    for (const name of opts.collections) {
      for await (const doc of conn.collection(name).find({})) {
        const bytes = mongo.BSON.calculateObjectSize(doc);
        if (bytes > report.largestDocument.bytes) report.largestDocument = { collection: name, bytes };
      }
    }
  }
  report.seconds = Math.round((Date.now() - started) / 100) / 10;
  return report;
}
