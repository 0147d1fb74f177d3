import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Logger } from 'pino';
import { DatabaseStartError } from './errors';
import { findFreePort } from './free-port';
import { safeError } from '../logger';

/** Which server backs an {@link EmbeddedDb}. */
export type EmbeddedDbKind = 'mongod' | 'ferretdb' | 'memory-server';

/** A local database server this process started and must stop. */
export interface EmbeddedDb {
  /** Connection string without credentials, e.g. `mongodb://127.0.0.1:41873/`. */
  uri: string;
  kind: EmbeddedDbKind;
  /** Terminate the server and wait until it has exited; safe to call twice. */
  stop(): Promise<void>;
}

/** Options for {@link startEmbeddedDb}. */
export interface StartEmbeddedDbOptions {
  /** Parent of the server's files; each kind keeps its own sub-folder so they never mix. */
  dataDir: string;
  logger: Logger;
  /** Where the FerretDB helper binary is built; defaults to `<repo>/.cache/ferretdb/`. */
  cacheDir?: string;
  /** How long a started server may take to accept connections; defaults to 30 s. */
  startTimeoutMs?: number;
}

/** Options for {@link ensureFerretDbBinary}. */
export interface EnsureFerretDbBinaryOptions {
  /** The `go` executable; found on PATH (or in /usr/local/go/bin) when omitted. */
  goBinary?: string;
  /** Limit for one `go build`; a cold module and build cache takes minutes. */
  buildTimeoutMs?: number;
}

const MIN_GO_VERSION: readonly [number, number] = [1, 24];
const STDERR_TAIL_LINES = 20;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const DEFAULT_BUILD_TIMEOUT_MS = 15 * 60_000;
const STOP_GRACE_MS = 10_000;
// A build holding the lock longer than any sane build must have died without cleaning up.
const STALE_LOCK_MS = 30 * 60_000;
const FERRETDB_SOURCES = ['main.go', 'id-index.go', 'go.mod', 'go.sum'] as const;

function repoRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/** Folder holding the Go source of the FerretDB helper (`scripts/ferretdb/`). */
export function ferretDbSourceDir(): string {
  return path.join(repoRoot(), 'scripts', 'ferretdb');
}

/** Default build folder for the FerretDB helper; `.cache/` is git-ignored. */
export function defaultFerretDbCacheDir(): string {
  return path.join(repoRoot(), '.cache', 'ferretdb');
}

/**
 * Start a local MongoDB-compatible server keeping its files under `dataDir`.
 *
 * Tries, in order: `mongod` on the PATH; FerretDB 1.24.2 on SQLite through the
 * project's Go helper when Go 1.24+ is installed (built once into `cacheDir`);
 * mongodb-memory-server if it happens to be installed. Throws a
 * {@link DatabaseStartError} when none is available or the chosen one fails.
 * @example
 * const db = await startEmbeddedDb({ dataDir: './data', logger });
 * const conn = mongoose.createConnection(db.uri, { dbName: 'jan_sahayak' });
 * // …on shutdown:
 * await conn.close();
 * await db.stop();
 */
export async function startEmbeddedDb(opts: StartEmbeddedDbOptions): Promise<EmbeddedDb> {
  const logger = opts.logger.child({ component: 'embedded-db' });
  const timeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const dataDir = path.resolve(opts.dataDir);

  const mongod = await findExecutable('mongod');
  if (mongod) return startMongod(mongod, dataDir, logger, timeoutMs);

  const go = await findGo(logger);
  if (go) {
    const binary = await buildFerretDb(opts.cacheDir ?? defaultFerretDbCacheDir(), logger, go);
    return startFerretDb(binary, dataDir, logger, timeoutMs);
  }

  return startMemoryServer(dataDir, logger);
}

/**
 * Build the FerretDB helper from `scripts/ferretdb/` unless a binary built from
 * the same sources, Go version and platform is already in `cacheDir`; returns
 * its path. A lock file in `cacheDir` makes concurrent callers wait for one build.
 * @example const binary = await ensureFerretDbBinary(defaultFerretDbCacheDir(), logger);
 */
export async function ensureFerretDbBinary(
  cacheDir: string,
  logger: Logger,
  opts: EnsureFerretDbBinaryOptions = {},
): Promise<string> {
  const go = opts.goBinary ? await goToolchain(opts.goBinary) : await findGo(logger);
  if (!go) {
    throw new DatabaseStartError(
      `cannot build the FerretDB helper: no Go ${MIN_GO_VERSION.join('.')}+ found on PATH or in /usr/local/go/bin`,
    );
  }
  return buildFerretDb(cacheDir, logger, go, opts.buildTimeoutMs);
}

interface GoToolchain {
  binary: string;
  /** As `go env GOVERSION` prints it, e.g. `go1.26.8`. */
  version: string;
}

async function goToolchain(binary: string): Promise<GoToolchain> {
  const version = (await run(binary, ['env', 'GOVERSION'], { timeoutMs: 60_000 })).trim();
  return { binary, version };
}

async function buildFerretDb(
  cacheDir: string,
  logger: Logger,
  go: GoToolchain,
  buildTimeoutMs = DEFAULT_BUILD_TIMEOUT_MS,
): Promise<string> {
  const sourceDir = ferretDbSourceDir();
  const goVersion = go.version;

  const hash = createHash('sha256');
  hash.update(`${goVersion}\0${process.platform}\0${process.arch}\0`);
  for (const name of FERRETDB_SOURCES) {
    hash.update(name);
    hash.update('\0');
    hash.update(await fs.readFile(path.join(sourceDir, name)));
    hash.update('\0');
  }
  const key = hash.digest('hex').slice(0, 16);
  const exe = process.platform === 'win32' ? '.exe' : '';
  const binary = path.join(path.resolve(cacheDir), `ferretdb-${key}${exe}`);

  if (await isExecutable(binary)) {
    logger.debug({ event: 'ferretdb.build.cached', binary }, 'FerretDB helper already built');
    return binary;
  }

  await fs.mkdir(path.dirname(binary), { recursive: true });
  return withLockFile(path.join(path.dirname(binary), 'build.lock'), logger, async () => {
    // Another process may have finished the build while we waited for the lock.
    if (await isExecutable(binary)) return binary;

    const started = Date.now();
    logger.info(
      { event: 'ferretdb.build.start', goVersion, binary },
      'building the FerretDB helper (the first build downloads modules and can take minutes)',
    );
    // Building beside the target and renaming keeps a half-written binary from ever being run.
    const tmp = `${binary}.tmp-${process.pid}`;
    try {
      await run(go.binary, ['build', '-trimpath', '-ldflags=-s -w', '-o', tmp, '.'], {
        cwd: sourceDir,
        timeoutMs: buildTimeoutMs,
        // FerretDB's SQLite is pure Go; without cgo no C compiler is needed.
        env: { ...process.env, CGO_ENABLED: '0' },
      });
      await fs.rename(tmp, binary);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw new DatabaseStartError(`go build of the FerretDB helper failed in ${sourceDir}: ${messageOf(err)}`, {
        cause: err,
      });
    }
    logger.info({ event: 'ferretdb.build.done', durationMs: Date.now() - started, binary }, 'FerretDB helper built');
    await removeOtherBuilds(path.dirname(binary), path.basename(binary));
    return binary;
  });
}

async function startFerretDb(binary: string, dataDir: string, logger: Logger, timeoutMs: number): Promise<EmbeddedDb> {
  const sqliteDir = path.join(dataDir, 'ferretdb');
  // FerretDB refuses to start when the SQLite directory does not exist.
  await makeDataDir(sqliteDir);
  const started = Date.now();
  logger.debug({ event: 'db.embedded.starting', kind: 'ferretdb', dataDir: sqliteDir }, 'starting FerretDB');

  // Port 0 lets FerretDB bind a free port itself and report it, so no other process can take it in between.
  const child = spawn(binary, ['-listen', '127.0.0.1:0', '-sqlite-dir', sqliteDir, '-watch-stdin'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const proc = supervise(child, 'ferretdb', logger);

  const readyLine = new Promise<string>((resolve) => {
    // Keep reading after READY so that stray output can never fill the pipe and block the server.
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^READY (mongodb:\/\/\S+)$/.exec(line.trim());
      if (match?.[1]) resolve(match[1]);
    });
  });

  let uri: string;
  try {
    uri = await proc.untilReady(readyLine, timeoutMs);
    const { hostname, port } = new URL(uri);
    const remainingMs = timeoutMs - (Date.now() - started);
    await proc.untilReady(waitForTcp(hostname, Number(port), remainingMs, proc.isAlive), remainingMs);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc.ready('ferretdb', serialisedUri(uri), Date.now() - started);
}

/**
 * FerretDB 1.24 runs findAndModify/update as "read, then write the whole document"
 * without a transaction (FerretDB/FerretDB#3040), so two connections racing on one
 * document lose updates: 50 concurrent `$inc` upserts ended at 10–12, not 50. It
 * handles one connection's commands in order, so a pool of one connection makes
 * every single-document update atomic again for this (single) process.
 */
function serialisedUri(uri: string): string {
  const url = new URL(uri);
  url.searchParams.set('maxPoolSize', '1');
  return url.toString();
}

async function startMongod(mongod: string, dataDir: string, logger: Logger, timeoutMs: number): Promise<EmbeddedDb> {
  const dbPath = path.join(dataDir, 'mongod');
  await makeDataDir(dbPath);

  // mongod cannot report a kernel-chosen port, so a free port can be taken by someone else before mongod binds it.
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const started = Date.now();
    logger.debug({ event: 'db.embedded.starting', kind: 'mongod', dataDir: dbPath, port }, 'starting mongod');
    const child = spawn(
      mongod,
      ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1', '--nounixsocket'],
      // mongod logs to stdout; it goes into the same tail as stderr for error messages.
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const proc = supervise(child, 'mongod', logger);
    try {
      await proc.untilReady(waitForTcp('127.0.0.1', port, timeoutMs, proc.isAlive), timeoutMs);
      return proc.ready('mongod', `mongodb://127.0.0.1:${port}/`, Date.now() - started);
    } catch (err) {
      await proc.stop();
      if (attempt < 3 && /address already in use/i.test(proc.tail())) continue;
      throw err;
    }
  }
}

interface MemoryServerModule {
  MongoMemoryServer: {
    create(opts: { instance: { dbPath: string; ip: string; storageEngine: string } }): Promise<{
      getUri(): string;
      stop(): Promise<unknown>;
    }>;
  };
}

async function startMemoryServer(dataDir: string, logger: Logger): Promise<EmbeddedDb> {
  // A variable keeps the type checker and bundlers from requiring a package we do not depend on.
  const moduleName = 'mongodb-memory-server';
  let mod: MemoryServerModule;
  try {
    mod = (await import(moduleName)) as MemoryServerModule;
  } catch (err) {
    if (isModuleNotFound(err, moduleName)) {
      throw new DatabaseStartError(
        'no embedded database available: neither `mongod` nor `go` (1.24+) was found on PATH, ' +
          'and mongodb-memory-server is not installed. Install MongoDB or Go, or set MONGODB_URI.',
        { cause: err },
      );
    }
    throw new DatabaseStartError(`mongodb-memory-server could not be loaded: ${messageOf(err)}`, { cause: err });
  }

  const dbPath = path.join(dataDir, 'memory-server');
  await makeDataDir(dbPath);
  const started = Date.now();
  logger.debug(
    { event: 'db.embedded.starting', kind: 'memory-server', dataDir: dbPath },
    'starting mongodb-memory-server',
  );
  let server: Awaited<ReturnType<MemoryServerModule['MongoMemoryServer']['create']>>;
  try {
    server = await mod.MongoMemoryServer.create({
      instance: { dbPath, ip: '127.0.0.1', storageEngine: 'wiredTiger' },
    });
  } catch (err) {
    throw new DatabaseStartError(`mongodb-memory-server failed to start: ${messageOf(err)}`, { cause: err });
  }
  const uri = server.getUri();
  logger.info(
    { event: 'db.embedded.ready', kind: 'memory-server', uri, durationMs: Date.now() - started },
    'embedded database ready',
  );
  let stopping: Promise<void> | undefined;
  return {
    uri,
    kind: 'memory-server',
    stop: () => {
      stopping ??= server.stop().then(() => {
        logger.info({ event: 'db.embedded.stopped', kind: 'memory-server' }, 'embedded database stopped');
      });
      return stopping;
    },
  };
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Supervised {
  /** Resolve with `promise`, or reject if the child exits or `timeoutMs` passes first. */
  untilReady<T>(promise: Promise<T>, timeoutMs: number): Promise<T>;
  /** Log readiness and hand out the public handle. */
  ready(kind: EmbeddedDbKind, uri: string, durationMs: number): EmbeddedDb;
  stop(): Promise<void>;
  tail(): string;
  isAlive(): boolean;
}

/**
 * Keep the last lines the child wrote, kill it if this process exits first, and
 * turn exits and timeouts during start-up into errors that show those lines.
 */
function supervise(child: ChildProcess, name: string, logger: Logger): Supervised {
  const lines: string[] = [];
  const remember = (stream: NodeJS.ReadableStream | null) => {
    if (!stream) return;
    readline.createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > STDERR_TAIL_LINES) lines.shift();
    });
  };
  remember(child.stderr);
  if (name === 'mongod') remember(child.stdout);
  const tail = () => lines.join('\n');

  let exitInfo: ExitInfo | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      exitInfo ??= { code: null, signal: null };
      resolve(exitInfo);
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  // A sync kill is all an 'exit' handler may do; it spares the server from outliving us on process.exit().
  const killOnExit = () => {
    if (!exitInfo) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);

  let isStopping = false;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      isStopping = true;
      if (!exitInfo) {
        // Referenced again so that the process stays alive until the server has really gone.
        child.ref();
        child.stdin?.end();
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(resolve, STOP_GRACE_MS, 'timeout');
        });
        const outcome = await Promise.race([exited, grace]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          logger.warn({ event: 'db.embedded.kill', kind: name }, `${name} ignored SIGTERM; killing it`);
          child.kill('SIGKILL');
          await exited;
        }
      }
      process.removeListener('exit', killOnExit);
    })();
    return stopping;
  };

  const failure = (what: string, cause?: unknown) =>
    new DatabaseStartError(`${name} ${what}${tail() ? `; its last output:\n${tail()}` : ' (it wrote nothing)'}`, {
      cause,
    });

  return {
    tail,
    stop,
    isAlive: () => !exitInfo,
    async untilReady<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(failure(`was not ready within ${timeoutMs} ms`)), Math.max(timeoutMs, 0));
      });
      const died = exited.then((info): never => {
        if (spawnError) throw failure(`could not be started: ${spawnError.message}`, spawnError);
        throw failure(`exited before it was ready (code ${info.code}, signal ${info.signal})`);
      });
      try {
        return await Promise.race([promise, timeout, died]);
      } finally {
        clearTimeout(timer);
        // The losing branch of the race must not surface as an unhandled rejection.
        died.catch(() => undefined);
      }
    },
    ready(kind, uri, durationMs) {
      logger.info({ event: 'db.embedded.ready', kind, uri, pid: child.pid, durationMs }, 'embedded database ready');
      void exited.then((info) => {
        if (!isStopping) {
          logger.error(
            { event: 'db.embedded.crashed', kind, code: info.code, signal: info.signal, lastOutput: tail() },
            `${name} exited unexpectedly`,
          );
        }
      });
      // Unreferenced, the server never keeps this process alive; the exit hook and
      // FerretDB's stdin watch still take it down with us.
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) {
        (stream as unknown as { unref?: () => void } | null)?.unref?.();
      }
      return {
        uri,
        kind,
        stop: async () => {
          const wasRunning = !exitInfo;
          await stop();
          if (wasRunning) logger.info({ event: 'db.embedded.stopped', kind }, 'embedded database stopped');
        },
      };
    },
  };
}

/** Poll until `host:port` accepts a TCP connection, the deadline passes, or `isAlive()` turns false. */
function waitForTcp(host: string, port: number, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', (err) => {
        socket.destroy();
        if (Date.now() >= deadline || !isAlive()) reject(err);
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

async function makeDataDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new DatabaseStartError(`cannot create the database directory ${dir}: ${messageOf(err)}`, { cause: err });
  }
}

/** Find Go 1.24+; older or missing Go yields undefined so the caller moves on. */
async function findGo(logger: Logger): Promise<GoToolchain | undefined> {
  const go = (await findExecutable('go')) ?? (await findExecutable('go', ['/usr/local/go/bin']));
  if (!go) return undefined;
  let version: string;
  try {
    ({ version } = await goToolchain(go));
  } catch (err) {
    logger.warn(
      { event: 'go.unusable', go, err: safeError(err) },
      'found go but `go env GOVERSION` failed; skipping FerretDB',
    );
    return undefined;
  }
  const match = /^go(\d+)\.(\d+)/.exec(version);
  const [major, minor] = [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  if (major < MIN_GO_VERSION[0] || (major === MIN_GO_VERSION[0] && minor < MIN_GO_VERSION[1])) {
    logger.warn({ event: 'go.too_old', go, version }, `FerretDB needs Go ${MIN_GO_VERSION.join('.')}+`);
    return undefined;
  }
  return { binary: go, version };
}

async function findExecutable(name: string, dirs?: string[]): Promise<string | undefined> {
  const searchDirs = dirs ?? (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of searchDirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Run `fn` while holding an exclusive lock file; waits for other holders and breaks stale locks. */
async function withLockFile<T>(lockPath: string, logger: Logger, fn: () => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await isStaleLock(lockPath)) {
        logger.warn({ event: 'ferretdb.build.stale_lock', lockPath }, 'removing a build lock left by a dead process');
        await fs.rm(lockPath, { force: true });
        continue;
      }
      if (!announced) {
        logger.info(
          { event: 'ferretdb.build.wait', lockPath },
          'another process is building the FerretDB helper; waiting',
        );
        announced = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

async function isStaleLock(lockPath: string): Promise<boolean> {
  let content: string;
  let mtimeMs: number;
  try {
    [content, { mtimeMs }] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.stat(lockPath)]);
  } catch {
    // Gone already: not stale, just retry creating it.
    return false;
  }
  const age = Date.now() - mtimeMs;
  if (age > STALE_LOCK_MS) return true;
  const pid = Number(content.trim());
  // The holder writes its pid right after creating the file; give it a moment.
  if (!Number.isInteger(pid) || pid <= 0) return age > 5_000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function removeOtherBuilds(dir: string, keep: string): Promise<void> {
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((e) => e.startsWith('ferretdb-') && e !== keep && !e.includes('.tmp-'))
      .map((e) => fs.rm(path.join(dir, e), { force: true })),
  );
}

function run(file: string, args: string[], opts: { cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv }) {
  return new Promise<string>((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const command = `${path.basename(file)} ${args.join(' ')}`;
          const lastLines = stderr.trim().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
          reject(new Error(`${command}: ${err.message.split('\n')[0]}\n${lastLines}`, { cause: err }));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** True only when `name` itself is missing, not one of its own dependencies. */
function isModuleNotFound(err: unknown, name: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && messageOf(err).includes(`'${name}'`);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
