import { deflateSync, crc32 } from 'node:zlib';
import type { WebChannel } from '../../src/channels/web/web-channel';
import type { WebMessageView } from '../../src/channels/web/web-message-store';
import type { WebPlace } from '../../src/channels/web/web-places';
import { createHttpServer, type HttpServer, type HttpServerDeps } from '../../src/http/http-server';
import { createSimulatorAuth, type SimulatorAuth } from '../../src/http/simulator-auth';
import { createLogger } from '../../src/logger';
import type { AppMetrics } from '../../src/metrics/app-metrics';
import { captureLogs, createTestApp, type TestApp } from '../support/test-app';

/** The real application, its web channel and the HTTP server on a free loopback port. */
export interface SimTestServer extends TestApp {
  web: WebChannel;
  http: HttpServer;
  metrics: AppMetrics;
  places: readonly WebPlace[];
  /** `http://127.0.0.1:<port>` */
  url: string;
  httpLogs: () => string[];
  /** The simulator's login, when the server was started in `login` mode. */
  auth?: SimulatorAuth;
}

/**
 * Start the whole stack the way `npm start` wires it, on a private test
 * database, with a fixed clock; `overrides` change the server's options.
 * With `listen: false` the server is built but not started (`url` is empty),
 * so a test can bind it to loopback whatever host the configuration names.
 */
export async function startSimTestServer(
  overrides: Partial<Pick<HttpServerDeps, 'config' | 'healthChecks' | 'maxPollWaitMs'>> = {},
  opts: { listen?: boolean } = {},
): Promise<SimTestServer> {
  const t = await createTestApp();
  const logs = captureLogs();
  const logger = createLogger({ level: 'debug', pretty: false, destination: logs.stream });
  // The app's own web channel and metrics: the replies its handler sends wake the same page's long poll.
  const { metrics, web } = t.app;
  const places = web.places;
  const login = overrides.config?.simulator === 'login';
  const auth = login
    ? createSimulatorAuth({
        secret: t.app.dashboard.secret,
        models: t.app.dashboard.authModels,
        sessions: t.app.dashboard.sessions,
        clock: t.clock,
        logger,
        linkTtlMs: 3_600_000,
        sessionMs: 12 * 3_600_000,
        secureCookie: false,
        trustProxy: false,
      })
    : undefined;
  const http = createHttpServer({
    config: { host: '127.0.0.1', port: 0, simulator: 'dev', simulatorPublic: false },
    ...(auth ? { simulatorAuth: auth } : {}),
    conn: t.db.conn,
    web,
    translator: t.translator,
    logger,
    metrics,
    ...overrides,
  });
  const { url } = opts.listen === false ? { url: '' } : await http.listen();
  return {
    ...t,
    web,
    http,
    metrics,
    places,
    url,
    httpLogs: logs.lines,
    ...(auth ? { auth } : {}),
    async close() {
      await http.close();
      await t.close();
    },
  };
}

let counter = 0;
/** A fresh client id, as the page makes one per send. */
export function clientId(): string {
  counter += 1;
  return `test${process.pid}x${Date.now().toString(36)}x${counter}`;
}

/** POST a message as the page does. */
export async function postMessage(
  url: string,
  body: Record<string, unknown>,
): Promise<{ status: number; json: { duplicate?: boolean; messages?: WebMessageView[]; error?: string } }> {
  const res = await fetch(`${url}/sim/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as never };
}

/** Every stored message of a chat. */
export async function chatLog(url: string, chatId: string): Promise<WebMessageView[]> {
  const res = await fetch(`${url}/sim/api/messages?chatId=${encodeURIComponent(chatId)}&after=0`);
  if (res.status !== 200) throw new Error(`GET messages answered ${res.status}`);
  return ((await res.json()) as { messages: WebMessageView[] }).messages;
}

/** Upload an image as the page does. */
export async function uploadImage(url: string, bytes: Buffer, chatId: string, type = 'image/png'): Promise<Response> {
  return fetch(`${url}/sim/api/files?chatId=${encodeURIComponent(chatId)}`, {
    method: 'POST',
    headers: { 'Content-Type': type },
    body: new Uint8Array(bytes),
  });
}

/**
 * A real PNG (RGB, no interlace) of horizontal colour bands, made here so
 * the tests need no binary fixtures.
 */
export function makePng(width: number, height: number): Buffer {
  const bands = [
    [255, 153, 51],
    [255, 255, 255],
    [19, 136, 8],
  ];
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    const [r, g, b] = bands[Math.min(bands.length - 1, Math.floor((y * bands.length) / height))] ?? [0, 0, 0];
    for (let x = 0; x < width; x++) raw.set([r ?? 0, g ?? 0, b ?? 0], row + 1 + x * 3);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
