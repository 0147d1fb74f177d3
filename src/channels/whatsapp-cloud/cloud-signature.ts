import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Whether `header` (the webhook's `X-Hub-Signature-256`, `sha256=<hex>`) is
 * the HMAC-SHA256 of the raw request body under the app secret. Compared in
 * constant time, so a forger learns nothing from how long a refusal takes.
 * @example verifyCloudSignature(rawBody, req.headers['x-hub-signature-256'], config.WHATSAPP_CLOUD_APP_SECRET)
 */
export function verifyCloudSignature(
  rawBody: Buffer,
  header: string | string[] | undefined,
  appSecret: string,
): boolean {
  if (typeof header !== 'string') return false;
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1].toLowerCase(), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The signature header a sender with `appSecret` puts on `rawBody` (for stand-ins and tests). */
export function signCloudBody(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
