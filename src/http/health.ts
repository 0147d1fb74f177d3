import type { Connection } from 'mongoose';

/** A channel's state: receiving, configured but not receiving, or not configured at all. */
export type ChannelHealth = 'up' | 'down' | 'off';

/** Asked at every /healthz; should answer from memory (e.g. `bot.isRunning()`), not over the network. */
export type HealthCheck = () => ChannelHealth | Promise<ChannelHealth>;

/** The body of /healthz. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  db: 'up' | 'down';
  channels: Record<string, ChannelHealth>;
}

/** How long the database ping may take before it counts as down. */
export const DB_PING_TIMEOUT_MS = 3000;

/**
 * Check the database (a `ping` command) and ask each channel. Healthy means
 * the database answers and no configured channel is down; a channel that is
 * `off` (no token) does not count against it.
 * @example const report = await checkHealth(conn, { telegram: () => (bot?.isRunning() ? 'up' : 'off') })
 */
export async function checkHealth(
  conn: Connection,
  checks: Readonly<Record<string, HealthCheck>>,
  pingTimeoutMs = DB_PING_TIMEOUT_MS,
): Promise<HealthReport> {
  const [db, channels] = await Promise.all([pingDb(conn, pingTimeoutMs), askChannels(checks)]);
  const ok = db === 'up' && Object.values(channels).every((c) => c !== 'down');
  return { status: ok ? 'ok' : 'unavailable', db, channels };
}

async function pingDb(conn: Connection, timeoutMs: number): Promise<'up' | 'down'> {
  // readyState 1 = connected; a closed connection may still hold a db handle.
  if (conn.readyState !== 1 || !conn.db) return 'down';
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timed out')), timeoutMs);
    });
    await Promise.race([conn.db.admin().ping(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

async function askChannels(checks: Readonly<Record<string, HealthCheck>>): Promise<Record<string, ChannelHealth>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, ChannelHealth]> => {
      try {
        return [name, await check()];
      } catch {
        return [name, 'down'];
      }
    }),
  );
  return Object.fromEntries(entries);
}
