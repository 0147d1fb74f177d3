import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { BASE_HEADERS, sendBytes } from './http-io';

/** One file of the simulator's pages, held in memory. */
export interface StaticAsset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/** The folder of plain HTML/CSS/JS pages shipped beside this file. */
export const DEFAULT_PUBLIC_DIR = path.join(__dirname, 'public');

/**
 * Read every file of the public folder (not its sub-folders) once. Serving
 * from this fixed map means no request path ever reaches the file system, so
 * `..` tricks have nothing to find; the pages are a few kilobytes.
 */
export function loadStaticAssets(dir: string = DEFAULT_PUBLIC_DIR): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const type = TYPES[path.extname(entry.name)];
    if (!entry.isFile() || !type) continue;
    const body = fs.readFileSync(path.join(dir, entry.name));
    assets.set(entry.name, { body, type, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` });
  }
  return assets;
}

/**
 * Answer with a page file: revalidated by ETag (304 when unchanged), and
 * HTML pages under the page's content security policy `csp`.
 */
export function serveAsset(req: IncomingMessage, res: ServerResponse, asset: StaticAsset, csp: string): void {
  const headers: Record<string, string> = { ETag: asset.etag, 'Cache-Control': 'no-cache' };
  if (asset.type.startsWith('text/html')) headers['Content-Security-Policy'] = csp;
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, { ...BASE_HEADERS, ...headers });
    res.end();
    return;
  }
  sendBytes(res, 200, asset.body, asset.type, headers);
}
