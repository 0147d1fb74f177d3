import type { Logger } from 'pino';
import { safeError } from './logger';

/** The part of `process` the guard uses (a stand-in in tests). */
export interface GuardedProcess {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (err: Error) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'uncaughtException', listener: (err: Error) => void): unknown;
  exit(code: number): void;
}

/** What {@link installProcessGuard} returns. */
export interface ProcessGuard {
  /** What the guard does with a rejection nobody awaited (also for tests). */
  onRejection(reason: unknown): void;
  /** What the guard does with an exception nobody caught. */
  onException(err: Error): void;
  /** Remove the handlers. */
  uninstall(): void;
}

/** Stack frames from the WhatsApp library or the browser driver under it. */
const LIBRARY_FRAME = /node_modules[\\/](whatsapp-web\.js|puppeteer|puppeteer-core|ws)[\\/]/;
/** What the WhatsApp library rejects with, unawaited, without a stack of its own (`throw 'auth timeout'`). */
const LIBRARY_WORDS =
  /auth timeout|protocol error|target closed|session closed|execution context|evaluation failed|navigation|detached frame/i;

/**
 * Keep one channel's failure from ending the process. whatsapp-web.js starts
 * work it never awaits (requestPairingCode, the re-injection after a LOGOUT,
 * `throw 'auth timeout'`); without a handler Node exits on the first such
 * rejection and takes Telegram and the outbox with it.
 *
 * - A rejection nobody awaited is logged (type and frames only, never its
 *   message, which may quote a phone number) and the process goes on: a
 *   promise that failed has finished; nothing is left half-done.
 * - An exception nobody caught from the WhatsApp library or the browser
 *   driver (judged by its stack) is logged and the process goes on: the
 *   WhatsApp channel notices a broken client and replaces it.
 * - Any other uncaught exception means our own state may be corrupt: it is
 *   logged and the process exits with 1, for the supervisor to restart.
 * @example installProcessGuard({ process, logger }) // in src/main.ts only
 */
export function installProcessGuard(deps: { process: GuardedProcess; logger: Logger }): ProcessGuard {
  const { logger } = deps;
  const onRejection = (reason: unknown): void => {
    logger.error(
      { event: 'unhandled_rejection', library: fromLibrary(reason), err: safeError(reason) },
      'a promise failed with nobody waiting for it; carrying on',
    );
  };
  const onException = (err: Error): void => {
    if (fromLibrary(err)) {
      logger.error(
        { event: 'uncaught_exception', library: true, err: safeError(err) },
        'the WhatsApp library threw outside any handler; carrying on',
      );
      return;
    }
    logger.fatal({ event: 'uncaught_exception', library: false, err: safeError(err) }, 'uncaught exception; exiting');
    logger.flush?.();
    deps.process.exit(1);
  };
  deps.process.on('unhandledRejection', onRejection);
  deps.process.on('uncaughtException', onException);
  return {
    onRejection,
    onException,
    uninstall() {
      deps.process.off('unhandledRejection', onRejection);
      deps.process.off('uncaughtException', onException);
    },
  };
}

function fromLibrary(reason: unknown): boolean {
  if (reason instanceof Error)
    return (
      LIBRARY_FRAME.test(reason.stack ?? '') ||
      (!/\n\s+at /.test(reason.stack ?? '') && LIBRARY_WORDS.test(reason.message))
    );
  return typeof reason === 'string' && LIBRARY_WORDS.test(reason);
}
