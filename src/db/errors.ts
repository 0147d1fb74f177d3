import { AppError } from '../errors';

/**
 * The embedded database could not be built, started or reached.
 * The message says which server was tried and ends with the last lines it wrote
 * to stderr; `cause` keeps the underlying error when there is one.
 * @example throw new DatabaseStartError('ferretdb exited with code 1 before it was ready', { cause: err })
 */
export class DatabaseStartError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATABASE_UNAVAILABLE', message, options);
    this.name = 'DatabaseStartError';
  }
}
