// Small node:http(s) helpers: buffered requests, streamed uploads with backpressure, streamed downloads.
// https URLs trust the bench's CA (setTrustedCa) and get an https agent of their own per http agent.
import * as http from 'node:http';
import * as https from 'node:https';
import { createHash } from 'node:crypto';
import { errorMessage } from './proc';

const DEFAULT_TIMEOUT_MS = 120_000;

/** A whole (small) response. */
export interface BufferedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A response streamed through sha256 and counted, its bytes discarded. */
export interface HashedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  digest: string;
}

export interface RequestOptions {
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  agent?: http.Agent | undefined;
  timeoutMs?: number;
}

export function makeAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 64 });
}

let trustedCa: string | undefined;
const httpsAgents = new WeakMap<http.Agent, https.Agent>();

/** The CA (PEM) https requests trust: the one the bench made for its TLS upstreams. */
export function setTrustedCa(pem: string): void {
  trustedCa = pem;
}

/** The https twin of an http agent (same pooling), created on first use. */
function httpsAgentFor(agent: http.Agent | undefined): https.Agent | undefined {
  if (!agent) return undefined;
  let twin = httpsAgents.get(agent);
  if (!twin) {
    twin = new https.Agent({ keepAlive: true, maxSockets: agent.maxSockets, ca: trustedCa });
    httpsAgents.set(agent, twin);
    const destroy = agent.destroy.bind(agent);
    agent.destroy = () => {
      twin?.destroy();
      destroy();
    };
  }
  return twin;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function openRequest(url: string, { method = 'GET', headers = {}, agent, timeoutMs = DEFAULT_TIMEOUT_MS }: RequestOptions): http.ClientRequest {
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  return (secure ? https : http).request({
    host: u.hostname,
    port: u.port,
    path: u.pathname + u.search,
    method,
    headers,
    agent: secure ? httpsAgentFor(agent) : agent,
    timeout: timeoutMs,
    ...(secure && !agent ? { ca: trustedCa } : {}),
  });
}

function failOnTimeout(req: http.ClientRequest, url: string, timeoutMs: number): void {
  req.on('timeout', () => req.destroy(new Error(`${req.method} ${url}: no activity for ${timeoutMs} ms`)));
}

/** A request with an optional small body; resolves with status, headers and the whole response body. */
export function request(
  url: string,
  { method = 'GET', headers = {}, body, agent, timeoutMs = DEFAULT_TIMEOUT_MS }: RequestOptions & { body?: Buffer | string } = {},
): Promise<BufferedResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = openRequest(url, {
      method,
      headers: payload ? { 'Content-Length': payload.length, ...headers } : headers,
      agent,
      timeoutMs,
    });
    failOnTimeout(req, url, timeoutMs);
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.end(payload);
  });
}

/**
 * A request whose body is produced by `produce(write)`, an async function that calls
 * `await write(buffer)` for each piece; backpressure is honoured, so nothing accumulates in memory.
 */
export function streamUpload(
  url: string,
  { method = 'PATCH', headers = {}, agent, timeoutMs = DEFAULT_TIMEOUT_MS }: RequestOptions,
  produce: (write: (piece: Buffer) => Promise<void>) => Promise<void>,
): Promise<BufferedResponse> {
  return new Promise((resolve, reject) => {
    const req = openRequest(url, { method, headers, agent, timeoutMs });
    failOnTimeout(req, url, timeoutMs);
    let failed: Error | null = null;
    req.on('error', (err) => {
      failed = err;
      reject(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    const write = (buf: Buffer) =>
      new Promise<void>((ok, ko) => {
        if (failed) return ko(failed);
        if (req.write(buf)) return ok();
        const onDrain = () => {
          req.off('close', onClose);
          ok();
        };
        const onClose = () => {
          req.off('drain', onDrain);
          ko(failed || new Error(`${method} ${url}: connection closed during upload`));
        };
        req.once('drain', onDrain);
        req.once('close', onClose);
      });
    produce(write).then(
      () => req.end(),
      (err: Error) => {
        req.destroy(err);
        reject(err);
      },
    );
  });
}

/**
 * GET streamed to a sha256 and a byte counter (bytes are discarded). Redirects (a registry sending blob GETs
 * to its CDN) are followed, at most 3, without the Authorization header once the origin changes.
 */
export function downloadAndHash(
  url: string,
  { headers = {}, agent, timeoutMs = DEFAULT_TIMEOUT_MS }: RequestOptions = {},
  hops = 0,
): Promise<HashedResponse> {
  return new Promise((resolve, reject) => {
    const req = openRequest(url, { method: 'GET', headers, agent, timeoutMs });
    failOnTimeout(req, url, timeoutMs);
    req.on('error', reject);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location && hops < 3) {
        res.resume();
        const next = new URL(res.headers.location, url);
        const sameOrigin = next.origin === new URL(url).origin;
        const { Authorization: _a, authorization: _b, ...rest } = headers;
        downloadAndHash(next.href, { headers: sameOrigin ? headers : rest, agent, timeoutMs }, hops + 1).then(resolve, reject);
        return;
      }
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status, headers: res.headers, bytes, digest: `sha256:${hash.digest('hex')}` }),
      );
    });
    req.end();
  });
}

/** Polls `url` until `accept(status)` or the deadline. */
export async function waitFor(
  url: string,
  {
    headers,
    timeoutMs = 60_000,
    accept = (s: number) => s === 200,
    isAlive = () => true,
  }: { headers?: http.OutgoingHttpHeaders; timeoutMs?: number; accept?: (status: number) => boolean; isAlive?: () => boolean } = {},
): Promise<BufferedResponse> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited while waiting for ${url}`);
    try {
      const res = await request(url, { headers, timeoutMs: 2000 });
      if (accept(res.status)) return res;
      last = `status ${res.status}`;
    } catch (err) {
      last = errorMessage(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}
