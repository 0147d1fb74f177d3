/**
 * A stand-in for the parts of Meta's Graph API that the WhatsApp Cloud API
 * channel calls, on 127.0.0.1, with the same request and response shapes:
 * `POST /<phone-number-id>/messages`, `POST /<phone-number-id>/media`
 * (multipart), `GET /<media-id>` and the media download URL, all requiring
 * the bearer token. The real platform cannot be reached from here; this one
 * also answers with the platform's error shapes when told to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signCloudBody } from '../../src/channels/whatsapp-cloud/cloud-signature';

/** One message the channel sent: the recipient and the JSON body. */
export interface SentCloudMessage {
  to: string;
  type: string;
  body: Record<string, unknown>;
  id: string;
}

/** A Graph API error to answer the next send with. */
export interface GraphFailure {
  status: number;
  code: number;
  message?: string;
}

export interface FakeGraphApi {
  start(): Promise<{ apiRoot: string }>;
  stop(): Promise<void>;
  readonly sent: SentCloudMessage[];
  readonly uploads: Array<{ type: string; size: number }>;
  /** Media a citizen "sent": `GET /<id>` finds it. */
  addMedia(id: string, bytes: Buffer, mimeType: string): void;
  /** Answer the next `count` sends with this error. */
  failSends(failure: GraphFailure, count?: number): void;
  /** Messages sent to `to` (digits), in order. */
  sentTo(to: string): SentCloudMessage[];
  waitForSent(to: string, count: number, timeoutMs?: number): Promise<SentCloudMessage[]>;
}

export function createFakeGraphApi(opts: { phoneNumberId: string; accessToken: string }): FakeGraphApi {
  const sent: SentCloudMessage[] = [];
  const uploads: Array<{ type: string; size: number }> = [];
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  const failures: GraphFailure[] = [];
  let root = '';
  let seq = 0;

  function json(res: http.ServerResponse, status: number, value: unknown): void {
    const body = JSON.stringify(value);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
  function graphError(res: http.ServerResponse, f: GraphFailure): void {
    json(res, f.status, {
      error: { message: f.message ?? `(#${f.code}) error`, type: 'OAuthException', code: f.code, fbtrace_id: 'Afake' },
    });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.headers.authorization !== `Bearer ${opts.accessToken}`) {
        return graphError(res, { status: 401, code: 190, message: 'Invalid OAuth access token' });
      }
      if (req.method === 'POST' && url.pathname === `/${opts.phoneNumberId}/messages`) {
        const failure = failures.shift();
        if (failure) return graphError(res, failure);
        const payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        if (payload.messaging_product !== 'whatsapp' || typeof payload.to !== 'string')
          return graphError(res, { status: 400, code: 100, message: 'Invalid parameter' });
        const id = `wamid.FAKE${++seq}`;
        sent.push({ to: payload.to, type: String(payload.type), body: payload, id });
        return json(res, 200, {
          messaging_product: 'whatsapp',
          contacts: [{ input: payload.to, wa_id: payload.to }],
          messages: [{ id }],
        });
      }
      if (req.method === 'POST' && url.pathname === `/${opts.phoneNumberId}/media`) {
        const type = /name="type"\r\n\r\n([^\r]+)/.exec(body.toString('latin1'))?.[1] ?? '';
        if (!/multipart\/form-data/.test(req.headers['content-type'] ?? '') || !type)
          return graphError(res, { status: 400, code: 100, message: 'Invalid parameter' });
        uploads.push({ type, size: body.length });
        return json(res, 200, { id: `upload-${uploads.length}` });
      }
      const download = /^\/download\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && download?.[1]) {
        const m = media.get(decodeURIComponent(download[1]));
        if (!m) return graphError(res, { status: 404, code: 100, message: 'not found' });
        res.writeHead(200, { 'Content-Type': m.mimeType, 'Content-Length': m.bytes.length });
        return res.end(m.bytes);
      }
      const mediaId = /^\/([^/]+)$/.exec(url.pathname)?.[1];
      if (req.method === 'GET' && mediaId) {
        const id = decodeURIComponent(mediaId);
        const m = media.get(id);
        if (!m) return graphError(res, { status: 400, code: 100, message: 'Unsupported get request' });
        return json(res, 200, {
          messaging_product: 'whatsapp',
          url: `${root}/download/${encodeURIComponent(id)}`,
          mime_type: m.mimeType,
          file_size: m.bytes.length,
          id,
        });
      }
      graphError(res, { status: 404, code: 803, message: 'unknown path' });
    });
  });

  const api: FakeGraphApi = {
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return { apiRoot: root };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    sent,
    uploads,
    addMedia(id, bytes, mimeType) {
      media.set(id, { bytes, mimeType });
    },
    failSends(failure, count = 1) {
      for (let i = 0; i < count; i += 1) failures.push(failure);
    },
    sentTo: (to) => sent.filter((m) => m.to === to),
    async waitForSent(to, count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mine = api.sentTo(to);
        if (mine.length >= count) return mine;
        if (Date.now() > deadline)
          throw new Error(`waitForSent: ${mine.length} of ${count} messages to ${to} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  return api;
}

/** The text a person reads in a sent message, whatever its type. */
export function cloudTextOf(m: SentCloudMessage | undefined): string {
  if (!m) return '';
  const b = m.body as Record<string, any>;
  if (m.type === 'text') return String(b.text?.body ?? '');
  if (m.type === 'interactive') return String(b.interactive?.body?.text ?? '');
  if (m.type === 'image') return String(b.image?.caption ?? '');
  if (m.type === 'document') return String(b.document?.caption ?? '');
  if (m.type === 'template') return String(b.template?.components?.[0]?.parameters?.[0]?.text ?? '');
  return '';
}

/**
 * How a person picks the choice whose label contains `label`: the button or
 * list row's reply (interactive messages), or its number typed (numbered text).
 */
export function choose(m: SentCloudMessage | undefined, label: string): Record<string, unknown> {
  const i = (m?.body as Record<string, any> | undefined)?.interactive;
  if (i) {
    const options: Array<{ id: string; title: string; description?: string }> =
      i.type === 'button'
        ? i.action.buttons.map((b: { reply: { id: string; title: string } }) => b.reply)
        : i.action.sections.flatMap((s: { rows: unknown[] }) => s.rows);
    const found = options.find((o) => (o.description ?? o.title).includes(label));
    if (!found) throw new Error(`no choice "${label}" in ${JSON.stringify(i)}`);
    return i.type === 'button'
      ? {
          type: 'interactive',
          interactive: { type: 'button_reply', button_reply: { id: found.id, title: found.title } },
        }
      : { type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: found.id, title: found.title } } };
  }
  const line = cloudTextOf(m)
    .split('\n')
    .find((l) => /^\d+\. /.test(l) && l.includes(label));
  const n = /^(\d+)\./.exec(line ?? '')?.[1];
  if (!n) throw new Error(`no numbered choice "${label}" in ${cloudTextOf(m)}`);
  return { type: 'text', text: { body: n } };
}

/** Webhook payloads as the platform posts them, and a poster that signs them. */
export function cloudWebhook(phoneNumberId: string) {
  let seq = 0;
  const envelope = (value: Record<string, unknown>) => ({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA-1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  });
  return {
    /** A message from `from` (digits) with the given type-specific part. */
    message(from: string, part: Record<string, unknown>, id = `wamid.IN${++seq}`) {
      return {
        id,
        payload: envelope({
          contacts: [{ wa_id: from, profile: { name: 'Seema' } }],
          messages: [{ from, id, timestamp: '1764300000', ...part }],
        }),
      };
    },
    statuses(statuses: Array<Record<string, unknown>>) {
      return envelope({ statuses });
    },
  };
}

/** POST a webhook body to the app, signed with `secret` unless told otherwise. */
export async function postWebhook(
  appUrl: string,
  payload: unknown,
  secret: string,
  opts: { signature?: string | null } = {},
): Promise<number> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const signature = opts.signature === undefined ? signCloudBody(body, secret) : opts.signature;
  if (signature !== null) headers['X-Hub-Signature-256'] = signature;
  const res = await fetch(`${appUrl}/webhooks/whatsapp`, { method: 'POST', headers, body });
  await res.arrayBuffer();
  return res.status;
}
