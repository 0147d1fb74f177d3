import net from 'node:net';

/**
 * True when a listening address is reachable only from this machine
 * (127.0.0.0/8, ::1, localhost). `0.0.0.0`, `::` and any real interface are not.
 * @example isLoopbackHost('127.0.0.1') // true
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * True when a request's Host header names this machine by a loopback name.
 * A page on another site that rebinds its own domain name to 127.0.0.1 still
 * sends its own domain in Host, so checking it keeps such a page out of a
 * simulator that only listens on loopback.
 */
export function isLoopbackHostHeader(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  const name = bracketed ? (bracketed[1] ?? '') : hostHeader.replace(/:\d+$/, '');
  return isLoopbackHost(name);
}

/** The URL a person types to reach a server listening on host:port. */
export function baseUrl(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
