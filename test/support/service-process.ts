import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import mongoose from 'mongoose';

export const ROOT = path.resolve(__dirname, '../..');

/** The test server's URI with a database of the test's own. */
export function privateDbUri(dbName: string): string {
  const url = new URL(process.env.TEST_MONGODB_URI ?? '');
  url.pathname = `/${dbName}`;
  return url.toString();
}

/** Drop a private database made with {@link privateDbUri}. */
export async function dropPrivateDb(dbName: string): Promise<void> {
  const conn = await mongoose.createConnection(privateDbUri(dbName)).asPromise();
  await conn.dropDatabase();
  await conn.close();
}

/**
 * Start the real service (src/main.ts) as its own process and wait until
 * its log says `readyEvent` (by default Telegram has started).
 */
export async function startService(
  env: Record<string, string>,
  readyEvent = 'telegram_started',
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, HTTP_PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'info', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(`"event":"${readyEvent}"`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  // Keep reading so a full pipe never blocks the service.
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/** Send `signal` and wait for the exit; the exit code (null when killed by a signal). */
export async function stopService(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill(signal);
  return exited;
}
