import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { WebChannel } from '../channels/web/web-channel';
import { WebRequestError } from '../channels/web/web-inbound';
import type { SimulatorAuth, SimulatorSession } from './simulator-auth';
import { isLanguage, LANGUAGES, type Translator } from '../i18n/create-i18n';
import { allow, HttpError, intParam, readBody, readJson, sendBytes, sendJson } from './http-io';
import { loadStaticAssets, serveAsset } from './static-assets';

/** Where the simulator lives. */
export const SIM_PREFIX = '/sim';

/** Longest JSON request the simulator accepts (a message is at most a few kB). */
const MAX_JSON_BYTES = 32 * 1024;

/**
 * The pages load only their own script, style and data, so a message text
 * that somehow reached the DOM as markup still could not run anything.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface SimulatorRoutesDeps {
  web: WebChannel;
  translator: Translator;
  logger: Logger;
  /** Longest long-poll the page may ask for, in ms. */
  maxPollWaitMs: number;
  /** Ends every pending long poll (server shutting down). */
  closing: AbortSignal;
  publicDir?: string;
  /** Login required (every mode but plain local development): the API answers 401 without a session. */
  auth?: SimulatorAuth;
  /** SIMULATOR_PUBLIC: each browser session gets its own chats (needs `auth`). */
  isolate?: boolean;
}

/** Longest chat id a page may name when chats are namespaced (the prefix takes the rest of 40). */
const PAGE_CHAT_ID_RE = /^[A-Za-z0-9_-]{1,27}$/;

/** Handles one request under {@link SIM_PREFIX}; throws {@link HttpError} for a refused one. */
export type SimulatorRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/**
 * The simulator: its static page and the JSON API the page uses.
 *
 *   GET  /sim/                          the page
 *   GET  /sim/api/i18n?lang=hi          the page's words (locales/<lang>/web.json)
 *   GET  /sim/api/config                preset places, upload limit, languages
 *   POST /sim/api/messages              a message from the page (see web-inbound.ts)
 *   GET  /sim/api/messages?chatId&after&wait   messages after a sequence number (long poll up to `wait` s)
 *   POST /sim/api/files?chatId          an image as the raw body → { fileId }
 *   GET  /sim/api/files/:fileId         a stored file
 *   POST /sim/api/login {token}         use a one-time link → session cookie (login mode)
 *
 * With `auth`, every API route but i18n and login needs the session cookie.
 * With `isolate`, the chat ids a page names are prefixed with its session's
 * namespace, so one browser can neither read nor write another's chats, and
 * a file is served only to the browser whose chat uploaded it.
 */
export function createSimulatorRoutes(deps: SimulatorRoutesDeps): SimulatorRoutes {
  const assets = loadStaticAssets(deps.publicDir);

  return async (req, res, url) => {
    const method = req.method ?? 'GET';
    const p = url.pathname.slice(SIM_PREFIX.length);

    if (p === '') {
      res.writeHead(302, { Location: `${SIM_PREFIX}/` });
      res.end();
      return;
    }
    if (!p.startsWith('/api/')) {
      const name = p === '/' || p === '/login' ? 'index.html' : p.slice(1);
      const asset = assets.get(name);
      if (!asset) throw new HttpError(404, 'not_found', 'no such page');
      allow(method, ['GET', 'HEAD']);
      return serveAsset(req, res, asset, PAGE_CSP);
    }

    if (p === '/api/login' && deps.auth) {
      allow(method, ['POST']);
      return deps.auth.login(req, res);
    }
    let session: SimulatorSession | undefined;
    if (deps.auth && p !== '/api/i18n') {
      session = await deps.auth.session(req);
      if (!session)
        throw new HttpError(
          401,
          'unauthorized',
          'the simulator needs a login: open the link from the start-up log or /simulator',
        );
    }
    /** The stored chat id for one the page names: its own namespace when isolated. */
    const chatOf = (raw: unknown): unknown => {
      if (!deps.isolate) return raw;
      if (!session) throw new HttpError(401, 'unauthorized', 'no session');
      if (typeof raw !== 'string' || !PAGE_CHAT_ID_RE.test(raw))
        throw new HttpError(400, 'bad_request', 'chatId must be 1–27 letters, digits, _ or -');
      return `${session.namespace}-${raw}`;
    };

    if (p === '/api/i18n') {
      allow(method, ['GET']);
      const lang = url.searchParams.get('lang') ?? 'hi';
      if (!isLanguage(lang)) throw new HttpError(400, 'bad_request', `lang must be one of ${LANGUAGES.join(', ')}`);
      const bundle = deps.translator.instance.getResourceBundle(lang, 'translation') as
        Record<string, unknown> | undefined;
      return sendJson(res, 200, { lang, strings: bundle?.web ?? {} });
    }

    if (p === '/api/config') {
      allow(method, ['GET']);
      return sendJson(res, 200, {
        languages: LANGUAGES,
        places: deps.web.places.map((pl) => ({ id: pl.id, label: pl.label, lat: pl.lat, lon: pl.lon })),
        maxUploadBytes: deps.web.maxUploadBytes,
        maxPollWaitSec: Math.floor(deps.maxPollWaitMs / 1000),
      });
    }

    if (p === '/api/messages' && method === 'POST') {
      const raw = await readJson(req, MAX_JSON_BYTES);
      const body =
        deps.isolate && raw && typeof raw === 'object'
          ? { ...raw, chatId: chatOf((raw as { chatId?: unknown }).chatId) }
          : raw;
      const result = await asHttp(() => deps.web.receive(body));
      return sendJson(res, 200, result);
    }

    if (p === '/api/messages') {
      allow(method, ['GET', 'POST']);
      const chatId = chatOf(url.searchParams.get('chatId') ?? '') as string;
      const after = intParam(url, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
      const waitMs = intParam(url, 'wait', 0, 3600, 0) * 1000;
      const ended = new AbortController();
      // A page that goes away, or a server that shuts down, ends the wait.
      const onClose = () => ended.abort();
      res.on('close', onClose);
      deps.closing.addEventListener('abort', onClose, { once: true });
      if (deps.closing.aborted) ended.abort();
      try {
        const messages = await asHttp(() =>
          deps.web.messages(chatId, after, { waitMs: Math.min(waitMs, deps.maxPollWaitMs), signal: ended.signal }),
        );
        if (!res.writableEnded && !res.destroyed) sendJson(res, 200, { messages });
      } finally {
        res.off('close', onClose);
        deps.closing.removeEventListener('abort', onClose);
      }
      return;
    }

    if (p === '/api/files' && method === 'POST') {
      // An image content type is not one a cross-site form can send.
      const type = (req.headers['content-type'] ?? '').toLowerCase();
      if (!type.startsWith('image/'))
        throw new HttpError(415, 'unsupported_media_type', 'send the image as the body with an image/* Content-Type');
      const bytes = await readBody(req, deps.web.maxUploadBytes);
      const named = url.searchParams.get('chatId') ?? undefined;
      const chatId = deps.isolate ? (chatOf(named) as string) : named;
      const stored = await asHttp(() => deps.web.upload({ bytes, ...(chatId ? { chatId } : {}) }));
      return sendJson(res, 200, stored);
    }

    const file = /^\/api\/files\/([A-Za-z0-9_]+)$/.exec(p);
    if (file) {
      allow(method, ['GET', 'HEAD']);
      const found = await deps.web.file(file[1] ?? '');
      // Another browser's file is as good as missing.
      if (!found || (deps.isolate && !found.chatId.startsWith(`${session?.namespace ?? '?'}-`)))
        throw new HttpError(404, 'not_found', 'no such file');
      const image = found.mimeType.startsWith('image/');
      return sendBytes(res, 200, found.bytes, found.mimeType, {
        'Cache-Control': 'private, max-age=86400, immutable',
        'Content-Security-Policy': "default-src 'none'",
        'Content-Disposition': `${image ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(found.fileName)}`,
      });
    }

    throw new HttpError(404, 'not_found', 'no such route');
  };
}

/** The web channel's request errors as HTTP answers. */
async function asHttp<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof WebRequestError) {
      const code = { 400: 'bad_request', 404: 'not_found', 413: 'too_large', 415: 'unsupported_media_type' }[
        err.status
      ];
      throw new HttpError(err.status, code, err.message);
    }
    throw err;
  }
}
