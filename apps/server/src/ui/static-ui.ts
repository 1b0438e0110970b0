import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { factsOf } from '../http/request-facts';

/** Content types of what `vite build` emits (and a few files people add to public/). */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const INDEX_CACHE = 'no-cache';
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/** Paths that belong to the REST and registry APIs, never to the UI. */
const API_PREFIXES = ['/service/', '/v2/', '/repository/'];
const API_EXACT = new Set(['/service', '/v2', '/repository']);

/** Vite names built assets `<name>-<hash>.<ext>` under assets/: their content never changes under that name. */
function isHashedAsset(relative: string): boolean {
  return relative.startsWith('/assets/') && /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/i.test(relative);
}

function inside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}

interface Found {
  file: string;
  size: number;
  mtimeMs: number;
}

async function findFile(root: string, realRoot: string | null, relative: string): Promise<Found | null> {
  const file = resolve(root, `.${relative}`);
  if (!inside(root, file)) return null;
  try {
    const info = await stat(file);
    if (!info.isFile()) return null;
    // A symlink inside the build must not lead outside it.
    const real = await realpath(file);
    if (realRoot === null || !inside(realRoot, real)) return null;
    return { file: real, size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return null;
  }
}

function setHeaders(res: ServerResponse, headers: Record<string, string | number>): void {
  for (const [name, value] of Object.entries({ ...SECURITY_HEADERS, ...headers })) res.setHeader(name, value);
}

function sendText(res: ServerResponse, status: number, text: string, head: boolean, extra: Record<string, string> = {}): void {
  const body = Buffer.from(`${text}\n`, 'utf8');
  setHeaders(res, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store', ...extra });
  res.statusCode = status;
  res.end(head ? undefined : body);
}

function sendFile(req: IncomingMessage, res: ServerResponse, found: Found, cacheControl: string, head: boolean): void {
  const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`;
  const type = CONTENT_TYPES[extname(found.file).toLowerCase()] ?? 'application/octet-stream';
  setHeaders(res, { 'Content-Type': type, 'Cache-Control': cacheControl, ETag: etag, 'Last-Modified': new Date(found.mtimeMs).toUTCString() });
  const match = req.headers['if-none-match'];
  if (match && match.split(',').some((t) => t.trim() === etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Length', found.size);
  if (head) {
    res.end();
    return;
  }
  const stream = createReadStream(found.file);
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/**
 * Serves the built admin UI (`web/dist`) for every path that is not an API path: files with their
 * content type, hashed assets cached for a year, index.html at `/` revalidated every time, 404 for
 * anything else. Never reads outside `distDir`.
 */
export function uiHandler(distDir: string): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const root = resolve(distDir);
  let realRoot: Promise<string | null> | null = null;
  const rootReal = () => (realRoot ??= realpath(root).catch(() => null));

  return (req, res, next) => {
    const url = req.url ?? '/';
    const q = url.search(/[?#]/);
    const rawPath = q < 0 ? url : url.slice(0, q);
    if (API_EXACT.has(rawPath) || API_PREFIXES.some((p) => rawPath.startsWith(p))) return next();
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return next();
    const head = method === 'HEAD';
    factsOf(req).route = 'ui';

    void (async () => {
      let path: string;
      try {
        path = decodeURIComponent(rawPath);
      } catch {
        return sendText(res, 400, 'Bad request: the path is not valid percent-encoding.', head);
      }
      if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return sendText(res, 400, 'Bad request.', head);

      const real = await rootReal();
      const index = await findFile(root, real, '/index.html');
      if (!index) {
        realRoot = null; // the build may appear later: look again next time
        return sendText(res, 503, 'The Wharf web UI is not built. Run `npm run build -w web`, then reload this page.', head, { 'Retry-After': '10' });
      }
      // Dot files (e.g. .env, .git) are never served, even if a build copied them.
      const hidden = path.split('/').some((segment) => segment.startsWith('.') && segment !== '');
      const found = path === '/' || hidden ? null : await findFile(root, real, path);
      if (found) {
        const cache = found.file === index.file ? INDEX_CACHE : isHashedAsset(path) ? IMMUTABLE_CACHE : INDEX_CACHE;
        return sendFile(req, res, found, cache, head);
      }
      // The UI routes by the URL's #fragment, so `/` is its only page: any other missing path is a 404, so that a
      // mistyped probe or API path (/healthz, /metrics, /api-docs) never looks healthy with the UI's HTML.
      if (path !== '/') return sendText(res, 404, `Not found: ${path}`, head);
      return sendFile(req, res, index, INDEX_CACHE, head);
    })().catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error while serving the web UI.', head);
      else res.destroy();
    });
  };
}
