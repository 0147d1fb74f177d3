import net from 'node:net';
import { BSON } from 'mongodb';

/** How an injected fault treats the chosen command. */
export type FaultMode =
  /** The connection drops before the command reaches the server: it never runs. */
  | 'drop-request'
  /** The command runs, then the connection drops before its answer arrives. */
  | 'drop-reply';

/** Commands of the driver's own housekeeping, never counted or failed. */
const HOUSEKEEPING = new Set([
  'hello',
  'ismaster',
  'isMaster',
  'ping',
  'buildInfo',
  'buildinfo',
  'saslStart',
  'saslContinue',
  'endSessions',
  'getParameter',
  'killCursors',
]);
const OP_MSG = 2013;

/**
 * A TCP proxy in front of the test database that sees every command on the
 * wire (MongoDB's OP_MSG) and can make the N-th one fail the way a network or
 * server failure does, or take the database away entirely for a while. The
 * application under test connects through it with its ordinary driver; nothing
 * in the application is mocked.
 *
 * @example
 * const proxy = await startDbFaultProxy(process.env.TEST_MONGODB_URI!);
 * proxy.failNth(3, 'drop-reply');
 * const conn = await mongoose.createConnection(proxy.uri(dbName)).asPromise();
 */
export interface DbFaultProxy {
  /** A connection string to `dbName` through the proxy. */
  uri(dbName: string): string;
  /** Names of the commands seen since the last {@link reset}, in order (housekeeping left out). */
  commands(): string[];
  /** Forget the commands seen and any pending fault. */
  reset(): void;
  /** Fail the `n`-th command from now (1 is the next one). */
  failNth(n: number, mode: FaultMode): void;
  /** An outage from the `n`-th command from now on: it and every later command are cut until {@link up}. */
  downFromNth(n: number): void;
  /** Whether the armed fault has fired. */
  fired(): boolean;
  /** The database is unreachable: open connections drop, new ones are cut at once. */
  down(): void;
  /** The database is reachable again, optionally at another port (a restarted server). */
  up(upstreamPort?: number): void;
  close(): Promise<void>;
}

/** Start a proxy to the server of `targetUri` on a free local port. */
export async function startDbFaultProxy(targetUri: string): Promise<DbFaultProxy> {
  const target = new URL(targetUri);
  const host = target.hostname;
  let port = Number(target.port || 27017);
  let seen: string[] = [];
  let fault: { at: number; mode: FaultMode } | undefined;
  let downFrom: number | undefined;
  let fired = false;
  let isDown = false;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (isDown) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host, port });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    let pending = Buffer.alloc(0);
    let dropNextReply = false;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('data', (chunk: Buffer) => {
      if (dropNextReply) return cut();
      client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const length = pending.readInt32LE(0);
        if (pending.length < length) break;
        const message = pending.subarray(0, length);
        pending = pending.subarray(length);
        const name = commandName(message);
        if (name !== undefined && !HOUSEKEEPING.has(name)) {
          seen.push(name);
          if (downFrom !== undefined && seen.length >= downFrom) {
            isDown = true;
            downFrom = undefined;
            fired = true;
          }
          if (isDown) return cut();
          if (fault && seen.length === fault.at) {
            const mode = fault.mode;
            fault = undefined;
            fired = true;
            if (mode === 'drop-request') return cut();
            dropNextReply = true;
          }
        }
        upstream.write(message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxyPort = (server.address() as net.AddressInfo).port;

  return {
    uri(dbName) {
      const url = new URL(targetUri);
      url.host = `127.0.0.1:${proxyPort}`;
      url.pathname = `/${dbName}`;
      return url.toString();
    },
    commands: () => [...seen],
    reset() {
      seen = [];
      fault = undefined;
      downFrom = undefined;
      fired = false;
    },
    failNth(n, mode) {
      fault = { at: seen.length + n, mode };
      fired = false;
    },
    downFromNth(n) {
      downFrom = seen.length + n;
      fired = false;
    },
    fired: () => fired,
    down() {
      isDown = true;
      for (const s of sockets) s.destroy();
    },
    up(upstreamPort) {
      if (upstreamPort !== undefined) port = upstreamPort;
      isDown = false;
      downFrom = undefined;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The command name of an OP_MSG (the first key of its body), if the message is one. */
function commandName(message: Buffer): string | undefined {
  if (message.length < 21 || message.readInt32LE(12) !== OP_MSG || message.readUInt8(20) !== 0) return undefined;
  const size = message.readInt32LE(21);
  const body = BSON.deserialize(message.subarray(21, 21 + size));
  return Object.keys(body)[0];
}
