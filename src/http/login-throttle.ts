import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { requestView } from './forwarded';
import { sendJson } from './http-io';

/** Refused logins allowed per client in one window, and the window. */
export const LOGIN_THROTTLE_DEFAULTS = { max: 20, windowMs: 15 * 60_000 } as const;
/** Clients remembered at most; beyond this the oldest windows are forgotten first. */
const MAX_CLIENTS = 10_000;

/**
 * Counts refused login attempts per client (its address: the socket's, or
 * the trusted proxy's X-Forwarded-For entry with TRUST_PROXY) in fixed
 * windows, so one client cannot hammer the login routes. Successful logins
 * are not counted. In memory: a restart forgets, which is fine for this.
 * @example
 * const throttle = createLoginThrottle({ clock });
 * if (!throttle.allows(ip)) answer429(); else if (refused) throttle.refused(ip);
 */
export function createLoginThrottle(deps: { clock: Clock; max?: number; windowMs?: number }) {
  const max = deps.max ?? LOGIN_THROTTLE_DEFAULTS.max;
  const windowMs = deps.windowMs ?? LOGIN_THROTTLE_DEFAULTS.windowMs;
  const windows = new Map<string, { count: number; resetAt: number }>();

  function current(key: string, now: number) {
    const w = windows.get(key);
    if (w && w.resetAt > now) return w;
    if (w) windows.delete(key);
    return undefined;
  }

  return {
    /** Whether this client may try once more now; otherwise how many seconds until it may. */
    allows(key: string): { ok: true } | { ok: false; retryAfterSec: number } {
      const now = deps.clock.now().getTime();
      const w = current(key, now);
      if (!w || w.count < max) return { ok: true };
      return { ok: false, retryAfterSec: Math.ceil((w.resetAt - now) / 1000) };
    },
    /** Count one refused attempt of this client. */
    refused(key: string): void {
      const now = deps.clock.now().getTime();
      const w = current(key, now);
      if (w) {
        w.count += 1;
        return;
      }
      // Maps keep insertion order: the first keys are the oldest windows.
      while (windows.size >= MAX_CLIENTS) windows.delete(windows.keys().next().value as string);
      windows.set(key, { count: 1, resetAt: now + windowMs });
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

/**
 * The door of a login route (the dashboard's, the simulator's): the client's
 * throttle key when it may try, or undefined once it has used up its tries,
 * after answering 429 with Retry-After and logging `<name>_login_throttled`.
 * @example const client = admitLogin(throttle, req, res, { name: 'dashboard', trustProxy, logger }); if (!client) return;
 */
export function admitLogin(
  throttle: LoginThrottle,
  req: IncomingMessage,
  res: ServerResponse,
  opts: { name: 'dashboard' | 'simulator'; trustProxy: boolean; logger: Logger },
): string | undefined {
  const client = requestView(req, opts.trustProxy).clientIp ?? 'unknown';
  const allowed = throttle.allows(client);
  if (allowed.ok) return client;
  opts.logger.warn({ event: `${opts.name}_login_throttled` }, `too many refused ${opts.name} logins from one client`);
  sendJson(
    res,
    429,
    { error: 'too_many_attempts', message: 'too many refused logins; try again later' },
    { 'Retry-After': String(allowed.retryAfterSec) },
  );
  return undefined;
}
