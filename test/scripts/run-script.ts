import { spawn } from 'node:child_process';
import path from 'node:path';

/** The repository root, where the scripts run from. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** What a finished script left behind. */
export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a script as a person runs it, `npx tsx scripts/…` with `input` piped in,
 * against the test run's database: MONGODB_URI makes it use a throw-away
 * database there instead of starting a server of its own.
 * @example const { code, stdout } = await runScript('scripts/play-flow.ts', [], '/start\n');
 */
export function runScript(script: string, args: string[], input: string): Promise<ScriptRun> {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run tests through Jest');
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, MONGODB_URI: uri },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
