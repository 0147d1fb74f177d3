import { AsyncLocalStorage } from 'node:async_hooks';
import type { Connection } from 'mongoose';

/** Commands that keep the connection alive rather than do the application's work. */
export const IGNORED_COMMANDS: ReadonlySet<string> = new Set([
  'hello',
  'isMaster',
  'ismaster',
  'handshake',
  'ping',
  'endSessions',
  'saslStart',
  'saslContinue',
]);

/** Database commands counted for one piece of work, by command name. */
export interface CommandTally {
  total: number;
  byName: Record<string, number>;
  /** Milliseconds between sending each command and its reply (the driver's own measure), summed by command name. */
  msByName: Record<string, number>;
}

/** Counts the commands each measured call sends; see {@link createCommandCounter}. */
export interface CommandCounter {
  /** Run `fn` and return its result with the commands it sent (and only those, even when calls overlap). */
  measure<T>(fn: () => Promise<T>): Promise<{ result: T; commands: CommandTally }>;
  /** Commands sent outside any `measure` call since the counter was made. */
  readonly unattributed: CommandTally;
  /** Stop listening. */
  dispose(): void;
}

/** An empty tally. */
export function emptyTally(): CommandTally {
  return { total: 0, byName: {}, msByName: {} };
}

/** Add `from` into `into`. */
export function addTally(into: CommandTally, from: CommandTally): void {
  into.total += from.total;
  for (const [name, n] of Object.entries(from.byName)) into.byName[name] = (into.byName[name] ?? 0) + n;
  for (const [name, ms] of Object.entries(from.msByName)) into.msByName[name] = (into.msByName[name] ?? 0) + ms;
}

/**
 * Count the commands the MongoDB driver sends on `conns` (the main and the
 * history connection: a supervisor's list reads over the latter; it needs
 * `monitorCommands`, which {@link connectDatabase} turns on). Concurrent calls
 * are told apart with AsyncLocalStorage: the driver emits `commandStarted` in
 * the async context of the operation that sent it, so every command lands on
 * the call that caused it. Anything sent outside a measured call is kept in
 * `unattributed`, which shows when that assumption ever breaks.
 * @example
 * const counter = createCommandCounter(conn);
 * const { commands } = await counter.measure(() => handler(msg));
 */
export function createCommandCounter(...conns: Connection[]): CommandCounter {
  const store = new AsyncLocalStorage<CommandTally>();
  const unattributed = emptyTally();
  const clients = [...new Set(conns.map((c) => c.getClient()))];
  const onStarted = (ev: { commandName: string }) => {
    if (IGNORED_COMMANDS.has(ev.commandName)) return;
    const tally = store.getStore() ?? unattributed;
    tally.total += 1;
    tally.byName[ev.commandName] = (tally.byName[ev.commandName] ?? 0) + 1;
  };
  // Replies (and failures) are read in the same async context as the command was sent.
  const onFinished = (ev: { commandName: string; duration: number }) => {
    if (IGNORED_COMMANDS.has(ev.commandName)) return;
    const tally = store.getStore() ?? unattributed;
    tally.msByName[ev.commandName] = (tally.msByName[ev.commandName] ?? 0) + ev.duration;
  };
  for (const client of clients) {
    client.on('commandStarted', onStarted);
    client.on('commandSucceeded', onFinished);
    client.on('commandFailed', onFinished);
  }
  return {
    unattributed,
    async measure(fn) {
      const commands = emptyTally();
      const result = await store.run(commands, fn);
      return { result, commands };
    },
    dispose() {
      for (const client of clients) {
        client.off('commandStarted', onStarted);
        client.off('commandSucceeded', onFinished);
        client.off('commandFailed', onFinished);
      }
    },
  };
}
