import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { RegistryError } from '@wharf/oci';
import { readBodyUpTo } from '../http/read-body';

export const API_VERSION_HEADER = { 'Docker-Distribution-API-Version': 'registry/2.0' } as const;

export function send(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body?: Buffer | string, head = false): void {
  const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    ...API_VERSION_HEADER,
    'Content-Length': payload?.length ?? 0,
    ...headers,
  });
  res.end(head ? undefined : payload);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: OutgoingHttpHeaders = {}, head = false): void {
  send(res, status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(value), head);
}

/** Reads a small request body (a manifest) whole, refusing more than `limit` bytes without buffering them. */
export async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const body = await readBodyUpTo(req, limit);
  if (body === null) throw tooLarge(Math.max(Number(req.headers['content-length']) || 0, limit + 1), limit);
  return body;
}

function tooLarge(size: number, limit: number): RegistryError {
  return new RegistryError('MANIFEST_INVALID', `manifest is larger than the ${limit} byte limit (at least ${size} bytes)`, undefined, {
    status: 413,
  });
}

/** True when the request carries a body (Content-Length > 0 or chunked transfer encoding). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

export function singleQuery(query: URLSearchParams, key: string): string | undefined {
  return query.get(key) ?? undefined;
}

/** Parses the `n` page-size query parameter; absent is fine, garbage is a client error. */
export function pageQuery(query: URLSearchParams): { n?: number; last?: string } {
  const n = query.get('n');
  const last = query.get('last');
  let size: number | undefined;
  if (n !== null && n !== '') {
    size = Number(n);
    if (!Number.isInteger(size) || size < 0) throw new RegistryError('UNSUPPORTED', `n must be a non-negative integer, not "${n}"`, undefined, { status: 400 });
  }
  return { ...(size !== undefined ? { n: size } : {}), ...(last ? { last } : {}) };
}

/**
 * The request body for storage that may fail midway (a full disk): the storage destroys this stream,
 * not the request, so the connection survives long enough to carry the error answer (which then closes
 * it, the body being unread). A client that goes away still fails the stream.
 */
export function uploadBody(req: IncomingMessage): Readable {
  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  const aborted = () => body.destroy(new Error('the client closed the connection during the upload'));
  req.once('aborted', aborted);
  req.once('error', (err) => body.destroy(err));
  body.once('close', () => {
    req.off('aborted', aborted);
    req.unpipe(body);
  });
  req.pipe(body);
  return body;
}
