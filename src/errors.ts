/**
 * One error family with stable codes, grouped by origin, so a boundary can log
 * once and answer the person with a translated message chosen by code.
 */
export type ErrorOrigin = 'input' | 'domain' | 'channel' | 'infrastructure' | 'config';

/** Stable codes: tests, logs and translations key on these, never on messages. */
export const ERROR_CODES = {
  CONFIG_INVALID: 'config',
  FLOW_INVALID: 'config',
  CATALOG_INVALID: 'config',
  CONCURRENT_UPDATE: 'infrastructure',
  DATABASE_UNAVAILABLE: 'infrastructure',
  TICKET_NOT_FOUND: 'domain',
  FORBIDDEN: 'domain',
  INVALID_TRANSITION: 'domain',
  CHANNEL_SEND_FAILED: 'channel',
} as const satisfies Record<string, ErrorOrigin>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Base of every error the application raises on purpose.
 * @example throw new AppError('TICKET_NOT_FOUND', `no ticket ${ref}`)
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly origin: ErrorOrigin;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.origin = ERROR_CODES[code];
  }
}

/** Start-up configuration is missing or malformed; the message names the variable. */
export class ConfigError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.name = 'ConfigError';
  }
}

/** A flow or catalogue file failed validation at load time. */
export class FlowDefinitionError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FLOW_INVALID', message, options);
    this.name = 'FlowDefinitionError';
  }
}

/** Another writer changed the same document first (optimistic concurrency). */
export class ConcurrentUpdateError extends AppError {
  constructor(message: string) {
    super('CONCURRENT_UPDATE', message);
    this.name = 'ConcurrentUpdateError';
  }
}
