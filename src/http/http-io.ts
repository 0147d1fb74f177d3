import type { IncomingMessage, ServerResponse } from 'node:http';

/** An answer other than 200 that a route chooses on purpose; the server turns it into JSON. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Headers on every answer: nothing is framed, sniffed or leaked through the referrer. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/**
 * Read the whole request body, refusing (413) once it passes `limit` bytes
 * instead of buffering whatever a client sends.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    throw new HttpError(413, 'too_large', `body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new HttpError(413, 'too_large', `body is larger than ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * Read a JSON body. Requiring the JSON content type also keeps other web
 * sites from posting to the simulator: a cross-site form cannot send it, and
 * the CORS pre-flight it needs is never answered.
 */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new HttpError(415, 'unsupported_media_type', 'send Content-Type: application/json');
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'bad_json', 'body is not valid JSON');
  }
}

/** Answer with JSON (never cached: these are live data). */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

/** Answer with bytes of a given type. */
export function sendBytes(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  type: string,
  headers: Record<string, string> = {},
): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': type, 'Content-Length': String(buf.length), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : buf);
}

/** The standard error answer: `{ error: code, message }`. */
export function sendError(res: ServerResponse, err: HttpError, headers: Record<string, string> = {}): void {
  sendJson(res, err.status, { error: err.code, message: err.message }, headers);
}

/** Refuse (405) a method the route does not take. */
export function allow(method: string, methods: readonly string[]): void {
  if (!methods.includes(method)) throw new HttpError(405, 'method_not_allowed', `use ${methods.join(' or ')}`);
}

/** An integer query parameter within bounds, or `fallback` when absent; 400 otherwise. */
export function intParam(url: URL, name: string, min: number, max: number, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new HttpError(400, 'bad_request', `${name} must be an integer from ${min} to ${max}`);
  return n;
}
