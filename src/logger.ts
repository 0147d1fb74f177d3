import pino, { type Logger } from 'pino';
import { maskPhones } from './domain/phone-mask';

/**
 * Paths pino blanks out wherever they appear: people's phone numbers and the
 * words they wrote must never reach a log file.
 */
export const REDACTED_PATHS = [
  'phone',
  '*.phone',
  'text',
  '*.text',
  'description',
  '*.description',
  'body',
  '*.body',
  'caption',
  '*.caption',
  'token',
  '*.token',
];

/** pino serializers: an error logged under `err` or `error` is reduced by {@link safeError} even if a call forgets to. */
const serializers = {
  err: (v: unknown) => (v instanceof Error ? safeError(v) : v),
  error: (v: unknown) => (v instanceof Error ? safeError(v) : v),
};

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  level: string;
  pretty: boolean;
  destination?: pino.DestinationStream;
}

/**
 * The one pino logger of the process; children carry per-update context.
 * @example const log = createLogger({ level: 'info', pretty: false })
 */
export function createLogger(opts: LoggerOptions): Logger {
  const base: pino.LoggerOptions = {
    level: opts.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers,
    base: { service: 'jan-sahayak' },
  };
  if (opts.destination) return pino(base, opts.destination);
  if (opts.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } });
  }
  return pino(base);
}

export type { Logger };

/**
 * An error as it may be logged: its type, code and where it was thrown, but
 * not its message, which can quote data (a duplicate key names a WhatsApp
 * chat id, that is a phone number). Our own errors' messages are safe.
 */
export function safeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const own = (err as { code?: unknown; origin?: unknown }).origin !== undefined;
  const frames = (err.stack ?? '')
    .split('\n')
    .slice(1, 8)
    .map((l) => l.trim());
  // A refused API call says which method, HTTP status and error code (grammY's
  // GrammyError, WhatsApp Cloud's CloudApiError); its description may quote text.
  const api = err as { method?: unknown; error_code?: unknown; apiCode?: unknown; status?: unknown };
  const number = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return {
    type: err.name,
    code: (err as { code?: unknown }).code ?? number(api.error_code) ?? number(api.apiCode) ?? null,
    ...(typeof api.method === 'string' ? { method: api.method } : {}),
    ...(number(api.status) !== undefined ? { status: api.status } : {}),
    // Even our own messages may name a chat id: numbers in them are masked.
    ...(own ? { message: maskPhones(err.message) } : {}),
    frames,
  };
}

/**
 * An error in one short line for a database record (a failed job's run-key):
 * its type and code, never its message, which may quote message text or a
 * chat id (a duplicate key error names the key).
 * @example safeErrorText(new TypeError('x is 9198…')) // 'TypeError'
 */
export function safeErrorText(err: unknown): string {
  const e = safeError(err);
  return e.code !== null && e.code !== undefined ? `${String(e.type)} (${String(e.code)})` : String(e.type);
}
