/**
 * Build the FerretDB helper into its cache folder ahead of time, so that the
 * first test run or `npm start` does not spend minutes in `go build` (CI runs this).
 *
 *   npx tsx scripts/build-ferretdb.ts [--cache-dir DIR]
 *
 * Prints the binary's path on stdout; logs go to stderr.
 */
import pino from 'pino';
import { defaultFerretDbCacheDir, ensureFerretDbBinary } from '../src/db/embedded-server';

async function main(argv: string[]): Promise<void> {
  const flag = argv.indexOf('--cache-dir');
  const cacheDir = flag >= 0 ? argv[flag + 1] : defaultFerretDbCacheDir();
  if (!cacheDir) throw new Error('--cache-dir needs a directory');
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  const binary = await ensureFerretDbBinary(cacheDir, logger);
  process.stdout.write(`${binary}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
