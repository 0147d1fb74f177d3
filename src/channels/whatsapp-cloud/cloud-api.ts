import { AppError } from '../../errors';

/** The Graph API refused a request, or could not be reached. */
export class CloudApiError extends AppError {
  /** HTTP status; 0 when no answer came (network, time-out). */
  readonly status: number;
  /** The Graph API's `error.code` (e.g. 131047, 130429), when it gave one. */
  readonly apiCode: number | undefined;
  constructor(status: number, apiCode: number | undefined, message: string, options?: { cause?: unknown }) {
    super('CHANNEL_SEND_FAILED', message, options);
    this.name = 'CloudApiError';
    this.status = status;
    this.apiCode = apiCode;
  }
}

/** The few Graph API calls the channel makes. */
export interface CloudApi {
  /** POST `/<phone-number-id>/messages`; resolves with the platform's message id (`wamid…`). */
  sendMessage(to: string, body: Record<string, unknown>): Promise<{ id: string }>;
  /** POST `/<phone-number-id>/media`; resolves with the media id to send by. */
  uploadMedia(bytes: Buffer, mimeType: string, fileName: string): Promise<string>;
  /** GET `/<media-id>` for its short-lived URL, then the bytes from it (both with the token). */
  downloadMedia(mediaId: string, maxBytes: number): Promise<{ bytes: Buffer; mimeType: string }>;
}

export interface CloudApiOptions {
  /** Graph API base, e.g. `https://graph.facebook.com/v21.0` or a local stand-in. */
  apiRoot: string;
  phoneNumberId: string;
  accessToken: string;
  /** Per request; default 20 s. */
  timeoutMs?: number;
}

/**
 * A small Graph API client over `fetch`. Errors carry the HTTP status and
 * the platform's error code, never the token, the number or message text.
 * @example const api = createCloudApi({ apiRoot, phoneNumberId, accessToken }); await api.sendMessage('919876543210', { type: 'text', text: { body: 'नमस्ते' } })
 */
export function createCloudApi(opts: CloudApiOptions): CloudApi {
  const root = opts.apiRoot.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const auth = { Authorization: `Bearer ${opts.accessToken}` };

  async function call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new CloudApiError(0, undefined, `Graph API unreachable (${err instanceof Error ? err.name : 'error'})`, {
        cause: err,
      });
    }
  }

  async function json(res: Response): Promise<Record<string, unknown>> {
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.ok) return body;
    const error = (body.error ?? {}) as { code?: unknown; message?: unknown; error_subcode?: unknown };
    const code = typeof error.code === 'number' ? error.code : undefined;
    // The platform's own words name the problem (rate limit, template missing); they hold no message text.
    const words =
      typeof error.message === 'string' ? error.message.replace(/\d{7,}/g, '…').slice(0, 200) : res.statusText;
    throw new CloudApiError(
      res.status,
      code,
      `Graph API ${res.status}${code !== undefined ? ` code ${code}` : ''}: ${words}`,
    );
  }

  return {
    async sendMessage(to, body) {
      const res = await call(`${root}/${opts.phoneNumberId}/messages`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, ...body }),
      });
      const out = await json(res);
      const id = (out.messages as Array<{ id?: unknown }> | undefined)?.[0]?.id;
      if (typeof id !== 'string')
        throw new CloudApiError(res.status, undefined, 'Graph API answered without a message id');
      return { id };
    },
    async uploadMedia(bytes, mimeType, fileName) {
      const form = new FormData();
      form.append('messaging_product', 'whatsapp');
      form.append('type', mimeType);
      form.append('file', new Blob([new Uint8Array(bytes)], { type: mimeType }), fileName);
      const out = await json(
        await call(`${root}/${opts.phoneNumberId}/media`, { method: 'POST', headers: auth, body: form }),
      );
      if (typeof out.id !== 'string')
        throw new CloudApiError(200, undefined, 'Graph API answered an upload without a media id');
      return out.id;
    },
    async downloadMedia(mediaId, maxBytes) {
      const meta = await json(await call(`${root}/${encodeURIComponent(mediaId)}`, { method: 'GET', headers: auth }));
      const url = meta.url;
      const size = Number(meta.file_size);
      if (typeof url !== 'string' || !/^https?:\/\//.test(url))
        throw new CloudApiError(200, undefined, 'Graph API gave no media URL');
      if (Number.isFinite(size) && size > maxBytes)
        throw new CloudApiError(413, undefined, 'media is larger than allowed');
      const res = await call(url, { method: 'GET', headers: auth });
      if (!res.ok) throw new CloudApiError(res.status, undefined, `media download answered ${res.status}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      if (bytes.length > maxBytes) throw new CloudApiError(413, undefined, 'media is larger than allowed');
      const mimeType =
        typeof meta.mime_type === 'string'
          ? meta.mime_type
          : (res.headers.get('content-type') ?? 'application/octet-stream');
      return { bytes, mimeType };
    },
  };
}
