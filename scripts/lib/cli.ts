/** A mistake in the command line: reported in one line, without a stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Run a script's main function: usage mistakes (ours and node:util parseArgs')
 * print one line, anything else its stack; either way the exit code is 1.
 * @example runMain(main)
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const code = (err as { code?: unknown } | null)?.code;
    const usage = err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
    const text = err instanceof Error ? (usage ? err.message : (err.stack ?? err.message)) : String(err);
    process.stderr.write(`${text}\n`);
    process.exitCode = 1;
  });
}
