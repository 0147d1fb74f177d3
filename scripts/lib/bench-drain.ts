import { performance } from 'node:perf_hooks';
import { Api } from 'grammy';
import type { Logger } from 'pino';
import { createTelegramSender } from '../../src/channels/telegram/telegram-sender';
import { createOutbox } from '../../src/outbox/outbox';
import { createOutboxModel } from '../../src/outbox/outbox-model';
import { DEFAULT_PACING } from '../../src/outbox/pacing';
import { createFakeTelegramApi } from '../../test/support/fake-telegram-api';
import { createCommandCounter } from './command-counter';
import { openLocalApp } from './local-app';

/** What the drain of a full outbox measured. */
export interface DrainReport {
  server: string;
  messages: number;
  chats: number;
  /** Telegram's overall limit the outbox paces to (messages a second). */
  limitPerSecond: number;
  /** From the dispatcher's start to the last delivery. */
  seconds: number;
  perSecond: number;
  /** `perSecond` as a share of the limit, in per cent. */
  ofLimitPct: number;
  /** Sends answered 429 by the stand-in, each retried after its `retry_after`. */
  throttled: number;
  /** Most sends started (delivered or refused) in any one second, by the outbox's clock. */
  peakStartsPerSecond: number;
  /** Most send attempts the stand-in recorded in any one second (its arrival times). */
  peakAttemptsPerSecond: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Database commands per delivered message and their mean round trip, by name. */
  commands: Record<string, { perMessage: number; meanMs: number }>;
  ok: boolean;
}

/** The issue's bar: at least this share of Telegram's 30 messages a second. */
export const DRAIN_TARGET_PCT = 90;

/**
 * 1,000 notices (by default) queued to as many chats, then delivered by the
 * real outbox and Telegram sender, at Telegram's default pacing, through the
 * stand-in Bot API, which answers every `throttleEvery`-th send with 429 and
 * `retry_after`. Counts what each chat received: none lost, none twice.
 */
export async function runDrainBench(opts: {
  logger: Logger;
  messages: number;
  throttleEvery: number;
  retryAfterSeconds: number;
  timeoutMs?: number;
}): Promise<DrainReport> {
  const fake = createFakeTelegramApi({ throttle: { every: opts.throttleEvery, retryAfter: opts.retryAfterSeconds } });
  const { apiRoot } = await fake.start();
  const local = await openLocalApp({ logger: opts.logger, scratchPrefix: 'bench' });
  try {
    // When each send started, as the outbox's rate gate counts them (the stand-in, in this process, records
    // a request only when its handler runs, so a busy moment of the process bunches its arrival times).
    const starts: number[] = [];
    const telegram = createTelegramSender({ api: new Api(fake.token, { apiRoot }) });
    const recording: typeof telegram = {
      ...telegram,
      send: (chatId, message, options) => {
        starts.push(Date.now());
        return telegram.send(chatId, message, options);
      },
    };
    const outbox = createOutbox({
      models: await createOutboxModel(local.conn),
      logger: opts.logger,
      senders: [recording],
    });
    const chats = Array.from({ length: opts.messages }, (_, i) => 700_000_001 + i);
    await outbox.enqueue(
      chats.map((chat, i) => ({
        channel: 'telegram',
        chatId: String(chat),
        message: { text: `सूचना ${i + 1}: आपकी शिकायत दर्ज हो गई है।` },
        dedupeKey: `drain:${i}`,
      })),
    );
    const startedAt = Date.now();
    const started = performance.now();
    const counter = createCommandCounter(local.conn);
    outbox.start();
    // Watch the stand-in rather than poll the outbox: the check would queue on the database connection too.
    const timeoutMs = opts.timeoutMs ?? Math.max(120_000, opts.messages * 200);
    const arrived = await fake
      .waitFor(() => fake.sent().length >= opts.messages, timeoutMs)
      .then(
        () => true,
        () => false,
      );
    const drained = arrived && (await outbox.drain(10_000));
    const seconds = (performance.now() - started) / 1000;
    await outbox.stop();
    const tally = counter.unattributed;
    counter.dispose();

    const attempts = fake.calls.filter((c) => c.method === 'sendMessage' && c.at >= startedAt);
    const delivered = fake.sent();
    const perChat = new Map<number, number>();
    for (const c of delivered) perChat.set(Number(c.params.chat_id), (perChat.get(Number(c.params.chat_id)) ?? 0) + 1);
    const lost = chats.filter((c) => !perChat.has(c)).length;
    const duplicates = [...perChat.values()].reduce((n, k) => n + Math.max(0, k - 1), 0);
    // From the start to the last delivery, not to when drain() noticed.
    const lastAt = Math.max(startedAt, ...delivered.map((c) => c.at));
    const activeSeconds = Math.max(0.001, (lastAt - startedAt) / 1000);
    const perSecond = Math.round((delivered.length / activeSeconds) * 10) / 10;
    const limit = DEFAULT_PACING.telegram.perSecond;
    const peakIn = (times: number[]) => {
      let peak = 0;
      for (let i = 0, j = 0; j < times.length; j++) {
        while ((times[j] ?? 0) - (times[i] ?? 0) >= 1000) i++;
        peak = Math.max(peak, j - i + 1);
      }
      return peak;
    };
    const ofLimitPct = Math.round((perSecond / limit) * 1000) / 10;
    return {
      server: local.server,
      messages: opts.messages,
      chats: chats.length,
      limitPerSecond: limit,
      seconds: Math.round(Math.max(seconds, activeSeconds) * 10) / 10,
      perSecond,
      ofLimitPct,
      throttled: attempts.filter((c) => c.failed === 429).length,
      peakStartsPerSecond: peakIn(starts),
      peakAttemptsPerSecond: peakIn(attempts.map((c) => c.at)),
      delivered: delivered.length,
      lost,
      duplicates,
      commands: Object.fromEntries(
        Object.entries(tally.byName).map(([k, n]) => [
          k,
          {
            perMessage: Math.round((n / Math.max(1, delivered.length)) * 100) / 100,
            meanMs: Math.round(((tally.msByName[k] ?? 0) / n) * 10) / 10,
          },
        ]),
      ),
      ok: drained && lost === 0 && duplicates === 0 && ofLimitPct >= DRAIN_TARGET_PCT,
    };
  } finally {
    await local.close();
    await fake.stop();
  }
}

/** The drain's result in a few lines. */
export function drainText(r: DrainReport): string {
  return [
    `Outbox drain — ${r.messages} notices to ${r.chats} different Telegram chats through the stand-in Bot API (database: ${r.server}):`,
    `  delivered ${r.delivered} in ${r.seconds} s  →  ${r.perSecond} messages/s = ${r.ofLimitPct}% of Telegram's ${r.limitPerSecond}/s (target ≥ ${DRAIN_TARGET_PCT}%)`,
    `  429 answers ${r.throttled} (each retried after retry_after), peak ${r.peakStartsPerSecond} sends started in one second (${r.peakAttemptsPerSecond} by the stand-in's arrival times)`,
    `  db commands       ${Object.entries(r.commands)
      .map(([k, v]) => `${k} ${v.perMessage} (${v.meanMs} ms each)`)
      .join(', ')} per message`,
    `  check             ${r.ok ? 'OK' : 'FAILED'}: lost ${r.lost}, sent twice ${r.duplicates}`,
  ].join('\n');
}
