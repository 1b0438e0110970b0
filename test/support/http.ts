import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type Body = Buffer | string | Readable | undefined;

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Body;
  timeoutMs?: number;
}

/**
 * One plain-HTTP request with a streamed or in-memory body; resolves with the response stream.
 * The caller must consume or destroy it. No connection reuse, so a killed server never leaves a
 * pooled socket behind.
 */
export function sendStream(url: string | URL, opts: SendOptions = {}): Promise<IncomingMessage> {
  const u = new URL(url);
  return new Promise<IncomingMessage>((resolveResponse, reject) => {
    const headers: Record<string, string | number> = { ...(opts.headers ?? {}) };
    const body = opts.body;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      headers['Content-Length'] = Buffer.byteLength(body);
    } else if (body === undefined && !hasHeader(headers, 'content-length') && needsLength(opts.method)) {
      headers['Content-Length'] = 0;
    }
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? 'GET',
        headers,
        agent: false,
        timeout: opts.timeoutMs ?? 120_000,
      },
      (res) => resolveResponse(res),
    );
    req.once('timeout', () => req.destroy(new Error(`${opts.method ?? 'GET'} ${u} timed out`)));
    req.once('error', reject);
    if (body instanceof Readable) {
      pipeline(body, req).catch((err) => req.destroy(err));
    } else {
      req.end(body);
    }
  });
}

/** One request, with the whole (small) response body read into memory. */
export async function send(url: string | URL, opts: SendOptions = {}): Promise<HttpResponse> {
  return readResponse(await sendStream(url, opts));
}

/** A response with its whole (small) body read into memory. */
export async function readResponse(res: IncomingMessage): Promise<HttpResponse> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body,
    text: () => body.toString('utf8'),
    json: () => JSON.parse(body.toString('utf8')),
  };
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function needsLength(method: string | undefined): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH';
}
