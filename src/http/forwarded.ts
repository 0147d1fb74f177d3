import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** What a request says about how it reached us, read with or without trusting a proxy. */
export interface RequestView {
  /** `https` when the browser's connection is encrypted (at the proxy, when one is trusted). */
  proto: 'http' | 'https';
  /** The host name and port the browser used; for comparing origins and building links, never for rights. */
  host: string | undefined;
  /** The client's address: the proxy's entry when trusted, else the socket's peer. For rate-limit keys. */
  clientIp: string | undefined;
}

/** The first value of a header that may be repeated or comma-separated. */
function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const item = v?.split(',')[0]?.trim();
  return item ? item : undefined;
}

/**
 * How a request reached the server. With `trustProxy` (TRUST_PROXY=true,
 * only behind a reverse proxy that sets these headers itself) the
 * `X-Forwarded-Proto`, `-Host` and `-For` headers are believed; without it
 * they are ignored, since any client can send them. The client address is
 * the last X-Forwarded-For entry: the one our proxy appended, not the ones a
 * client wrote before it.
 * @example requestView(req, false).proto // 'http' on a plain socket, whatever X-Forwarded-Proto says
 */
export function requestView(req: IncomingMessage, trustProxy: boolean): RequestView {
  const encrypted = Boolean((req.socket as Partial<TLSSocket>).encrypted);
  const peer = req.socket.remoteAddress;
  if (!trustProxy) return { proto: encrypted ? 'https' : 'http', host: req.headers.host, clientIp: peer };
  const fProto = first(req.headers['x-forwarded-proto'])?.toLowerCase();
  const forwardedFor = (
    Array.isArray(req.headers['x-forwarded-for'])
      ? req.headers['x-forwarded-for'].join(',')
      : (req.headers['x-forwarded-for'] ?? '')
  )
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    proto: fProto === 'https' || fProto === 'http' ? fProto : encrypted ? 'https' : 'http',
    host: first(req.headers['x-forwarded-host']) ?? req.headers.host,
    clientIp: forwardedFor[forwardedFor.length - 1] ?? peer,
  };
}

/**
 * Whether a state-changing request (a POST) comes from our own pages: the
 * browser's `Sec-Fetch-Site` says same-origin, or (older browsers, without
 * that header) its `Origin` is the public base URL or the origin the request
 * itself reached. A request with neither header is refused: every browser
 * sends Origin on a POST.
 */
export function isSameOrigin(
  req: IncomingMessage,
  opts: { trustProxy: boolean; publicBaseUrl?: string | undefined },
): boolean {
  // Browsers set Sec-Fetch-Site themselves (no page can), so it settles the question when present.
  const site = first(req.headers['sec-fetch-site']);
  if (site !== undefined) return site === 'same-origin';
  const origin = first(req.headers.origin);
  if (origin === undefined) return false;
  const allowed = new Set<string>();
  if (opts.publicBaseUrl) allowed.add(new URL(opts.publicBaseUrl).origin);
  const view = requestView(req, opts.trustProxy);
  if (view.host) {
    try {
      allowed.add(new URL(`${view.proto}://${view.host}`).origin);
    } catch {
      // A malformed Host adds nothing.
    }
  }
  return allowed.has(origin.toLowerCase());
}
