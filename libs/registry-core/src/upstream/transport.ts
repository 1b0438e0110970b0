/**
 * One HTTP exchange with an upstream host over node:http / node:https, with the client's
 * keep-alive agent: connect and idle timeouts, error translation, and four ways to take the
 * body (bounded buffer, diagnostic snippet, stream with backpressure, or the connection itself
 * for a blob store to read off the JavaScript thread). No redirects and no auth here; the
 * RegistryClient drives those.
 *
 * Timeouts are our own timers, not socket timeouts, so nothing leaks into pooled sockets:
 * - connect: from the request until the socket is connected (TLS: handshake done); a reused
 *   keep-alive socket is connected at once;
 * - idle: whenever we are waiting for upstream bytes (response head, next body chunk) and
 *   none arrive. A stream paused because its reader is slow is not waiting, so backpressure
 *   never times out.
 */
import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { dupFd, type IncomingBody, ingestSocket, nativeIoAvailable, type ReceiveOptions } from '@wharf/native-io';
import { UpstreamError, isUpstreamError } from './errors';

export type HttpMethod = 'GET' | 'HEAD';

export interface HopRequest {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
}

export interface TransportSettings {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

/** origin + path, never the query (signed object-storage URLs carry credentials there) nor userinfo. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Content-Length as a safe non-negative integer, null when absent; 'invalid' when malformed. */
export function parseContentLength(headers: IncomingHttpHeaders, url: URL): number | null {
  const raw = headerValue(headers, 'content-length');
  if (raw === undefined) return null;
  const text = raw.trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new UpstreamError('invalid', `upstream ${describeUrl(url)} sent a malformed Content-Length`);
  }
  return n;
}

const RETRYABLE_ON_REUSED_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH)/;

export function toUpstreamError(e: unknown, url: URL, phase = 'request'): UpstreamError {
  if (isUpstreamError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (code === 'ETIMEDOUT') {
    return new UpstreamError('timeout', `${phase} to upstream ${url.origin} timed out (${code})`, { cause: e });
  }
  const what = code ?? (err instanceof Error ? err.message : String(e));
  const tls = code !== undefined && TLS_CODE.test(code) ? 'TLS error ' : '';
  return new UpstreamError('unreachable', `cannot reach upstream ${url.origin}: ${tls}${what}`, { cause: e });
}

const noop = (): void => undefined;

/**
 * Sends one request and resolves with the response head. A request that fails on a reused
 * keep-alive socket before any response (the server closed it while idle) is retried once on
 * a new connection: GET and HEAD are idempotent.
 */
export async function sendHop(req: HopRequest, settings: TransportSettings): Promise<Exchange> {
  try {
    return await sendOnce(req, settings);
  } catch (e) {
    if ((e as { reusedSocketReset?: boolean }).reusedSocketReset === true) return sendOnce(req, settings);
    throw e;
  }
}

function sendOnce(hop: HopRequest, s: TransportSettings): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    const isHttps = hop.url.protocol === 'https:';
    const mod = isHttps ? https : http;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const clear = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };

    const req: ClientRequest = mod.request(hop.url, {
      method: hop.method,
      headers: hop.headers,
      agent: isHttps ? s.httpsAgent : s.httpAgent,
    });
    const arm = (ms: number, make: () => UpstreamError) => {
      clear();
      timer = setTimeout(() => {
        timer = undefined;
        req.destroy(make());
      }, ms);
    };

    arm(
      s.connectTimeoutMs,
      () => new UpstreamError('timeout', `connecting to upstream ${hop.url.origin} timed out after ${s.connectTimeoutMs} ms`),
    );
    req.on('socket', (socket: Socket) => {
      const waitForResponse = () => {
        if (settled) return;
        arm(
          s.idleTimeoutMs,
          () =>
            new UpstreamError(
              'timeout',
              `upstream ${describeUrl(hop.url)} sent no response within ${s.idleTimeoutMs} ms`,
            ),
        );
      };
      if (req.reusedSocket || (!isHttps && !socket.connecting)) waitForResponse();
      else socket.once(isHttps ? 'secureConnect' : 'connect', waitForResponse);
    });
    req.on('response', (res: IncomingMessage) => {
      clear();
      settled = true;
      resolve(new Exchange(hop.method, hop.url, req, res, s.idleTimeoutMs));
    });
    // Stays attached after the response: later socket errors surface through the body.
    req.on('error', (e: NodeJS.ErrnoException) => {
      clear();
      if (settled) return;
      settled = true;
      const mapped = toUpstreamError(e, hop.url);
      if (req.reusedSocket && typeof e.code === 'string' && RETRYABLE_ON_REUSED_SOCKET.has(e.code)) {
        Object.defineProperty(mapped, 'reusedSocketReset', { value: true });
      }
      reject(mapped);
    });
    req.end();
  });
}

/** A response head whose body has not been taken yet. Take it exactly once. */
export class Exchange {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  private taken = false;

  constructor(
    readonly method: HttpMethod,
    readonly url: URL,
    private readonly req: ClientRequest,
    private readonly res: IncomingMessage,
    private readonly idleTimeoutMs: number,
  ) {
    this.status = res.statusCode ?? 0;
    this.headers = res.headers;
    // Nobody may be reading yet when the socket fails: never let that crash the process.
    res.on('error', noop);
  }

  header(name: string): string | undefined {
    return headerValue(this.headers, name);
  }

  /** Closes the connection (it is not returned to the pool). */
  destroy(): void {
    this.taken = true;
    this.res.destroy();
    this.req.destroy();
  }

  /** The whole body, at most `limit` bytes; more, or a short body, is UpstreamError('invalid'). */
  readBody(limit: number, what: string): Promise<Buffer> {
    return this.collect(limit, what, true);
  }

  /** Up to `limit` bytes for an error message; never rejects; longer bodies close the connection. */
  readSnippet(limit = 4096): Promise<Buffer> {
    return this.collect(limit, 'body', false).catch(() => Buffer.alloc(0));
  }

  /**
   * Throws the body away: a small one is drained, so the connection goes back to the pool
   * before the next request (await it for that), a large or stalled one closes the connection.
   */
  async discard(): Promise<void> {
    if (this.taken) return;
    await this.readSnippet(64 * 1024);
  }

  /** The body as a stream with backpressure; destroying it closes the upstream connection. */
  stream(): Readable {
    this.take();
    const expected = this.method === 'HEAD' ? 0 : parseContentLength(this.headers, this.url);
    return new UpstreamBodyStream(this.req, this.res, this.url, this.idleTimeoutMs, expected);
  }

  /**
   * The body as an IncomingBody. It can receive itself into a file off the JavaScript thread (the native
   * addon takes the connection over) when it is a plain-HTTP GET answer with a Content-Length of at least
   * `minBytes` and no transfer or content coding, so that what remains on the socket is exactly the body.
   */
  body(minBytes: number): IncomingBody {
    const length = this.method === 'HEAD' ? 0 : parseContentLength(this.headers, this.url);
    const coding = this.header('content-encoding')?.trim().toLowerCase();
    const handOver =
      nativeIoAvailable() &&
      this.method === 'GET' &&
      this.url.protocol === 'http:' &&
      length !== null &&
      length >= minBytes &&
      this.header('transfer-encoding') === undefined &&
      (coding === undefined || coding === 'identity');
    return {
      length,
      stream: () => this.stream(),
      ...(handOver ? { receive: (fd: number, options: ReceiveOptions) => this.receiveInto(fd, length, options) } : {}),
    };
  }

  /** Hands the connection to the addon, which writes the rest of the body into `fd`; null when it cannot take it. */
  private async receiveInto(fd: number, length: number, options: ReceiveOptions): Promise<{ bytes: number; hex: string } | null> {
    if (options.maxBytes !== null && length > options.maxBytes) {
      throw Object.assign(new Error(`the body is ${length} bytes, more than ${options.maxBytes}`), { code: 'ETOOBIG' });
    }
    const taken = this.takeSocket(length);
    if (!taken) return null;
    const done = ingestSocket(taken.fd, fd, taken.head, length, {
      algorithm: options.algorithm,
      idleTimeoutMs: this.idleTimeoutMs,
      onProgress: options.onProgress,
    });
    try {
      return { bytes: length, hex: await done! };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'EWRITE') throw err;
      const kind = code === 'ETIMEDOUT' ? 'timeout' : 'unreachable';
      throw new UpstreamError(kind, `upstream ${describeUrl(this.url)}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Hands the connection over: the body bytes Node already read (parsed into the response, or still raw in
   * the paused socket, in that order) and a duplicate of the socket's descriptor. Node's own socket is then
   * destroyed, which closes only its descriptor: the connection lives on in the duplicate. All synchronous,
   * so no byte can be read in between.
   */
  private takeSocket(length: number): { fd: number; head: Buffer } | null {
    const socket = this.res.socket as (Socket & { _handle?: { fd?: unknown } }) | null;
    const fd = socket?._handle?.fd;
    if (this.taken || !socket || socket.destroyed || typeof fd !== 'number' || fd < 0 || this.res.readableEncoding !== null) return null;
    const buffered = (stream: Readable) => [...((stream as Readable & { readableBuffer?: Iterable<Buffer> }).readableBuffer ?? [])];
    const head = Buffer.concat([...buffered(this.res), ...buffered(socket)]);
    if (head.length > length) return null;
    let owned: number | null;
    try {
      owned = dupFd(fd);
    } catch {
      return null;
    }
    if (owned === null) return null;
    this.taken = true;
    this.res.destroy();
    this.req.destroy();
    return { fd: owned, head };
  }

  private take(): void {
    if (this.taken) throw new Error('upstream response body already taken');
    this.taken = true;
  }

  private collect(limit: number, what: string, strict: boolean): Promise<Buffer> {
    this.take();
    const { res, url } = this;
    // No body (HEAD, 204, 304): still wait for 'end', which frees the socket for the next request.
    const bodiless = this.method === 'HEAD' || this.status === 204 || this.status === 304;
    let declared: number | null;
    try {
      declared = bodiless ? 0 : parseContentLength(this.headers, url);
    } catch (e) {
      this.destroy();
      return Promise.reject(e as Error);
    }
    if (declared !== null && declared > limit) {
      this.destroy();
      return strict
        ? Promise.reject(
            new UpstreamError('invalid', `upstream ${describeUrl(url)}: ${what} is ${declared} bytes, over the ${limit}-byte limit`),
          )
        : Promise.resolve(Buffer.alloc(0));
    }
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (err: UpstreamError | null) => {
        if (done) return;
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        res.off('data', onData);
        res.off('end', onEnd);
        res.off('error', onError);
        res.off('close', onClose);
        if (err === null) {
          resolve(Buffer.concat(chunks, size));
          return;
        }
        this.destroy();
        if (strict) reject(err);
        else resolve(Buffer.concat(chunks, size));
      };
      const arm = () => {
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(
          () => finish(new UpstreamError('timeout', `upstream ${describeUrl(url)} stalled for ${this.idleTimeoutMs} ms while sending the ${what}`)),
          this.idleTimeoutMs,
        );
      };
      const onData = (chunk: Buffer) => {
        if (size + chunk.length > limit) {
          if (!strict) chunks.push(chunk.subarray(0, limit - size));
          size = strict ? size : limit;
          finish(new UpstreamError('invalid', `upstream ${describeUrl(url)}: ${what} is larger than the ${limit}-byte limit`));
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
        arm();
      };
      const onEnd = () => {
        if (declared !== null && size !== declared) {
          finish(new UpstreamError('invalid', `upstream ${describeUrl(url)}: ${what} is ${size} bytes, Content-Length said ${declared}`));
        } else {
          finish(null);
        }
      };
      const onError = (e: Error) => finish(toUpstreamError(e, url, 'reading the response'));
      const onClose = () => {
        if (!res.complete) finish(new UpstreamError('unreachable', `upstream ${describeUrl(url)} closed the connection before the ${what} was complete`));
      };
      res.on('data', onData);
      res.on('end', onEnd);
      res.on('error', onError);
      res.on('close', onClose);
      arm();
    });
  }
}

/**
 * Pulls from the IncomingMessage only when its own reader wants data (backpressure), with the
 * idle timer running only while it is waiting for upstream bytes.
 */
class UpstreamBodyStream extends Readable {
  private timer: NodeJS.Timeout | undefined;
  private received = 0;
  private ended = false;

  constructor(
    private readonly req: ClientRequest,
    private readonly res: IncomingMessage,
    private readonly url: URL,
    private readonly idleTimeoutMs: number,
    private readonly expected: number | null,
  ) {
    super({ highWaterMark: 64 * 1024 });
    res.pause();
    res.on('data', (chunk: Buffer) => {
      this.disarm();
      this.received += chunk.length;
      if (this.expected !== null && this.received > this.expected) {
        this.destroy(new UpstreamError('invalid', `upstream ${describeUrl(url)} sent more bytes than its Content-Length`));
        return;
      }
      if (this.push(chunk)) this.arm();
      else res.pause();
    });
    res.on('end', () => {
      this.disarm();
      this.ended = true;
      if (this.expected !== null && this.received !== this.expected) {
        this.destroy(
          new UpstreamError('invalid', `upstream ${describeUrl(url)} sent ${this.received} of ${this.expected} bytes`),
        );
        return;
      }
      this.push(null);
    });
    res.on('error', (e: Error) => this.destroy(toUpstreamError(e, url, 'reading the blob')));
    res.on('close', () => {
      if (!this.ended && !res.complete && !this.destroyed) {
        this.destroy(
          new UpstreamError(
            'unreachable',
            `upstream ${describeUrl(url)} closed the connection after ${this.received}${this.expected !== null ? ` of ${this.expected}` : ''} bytes`,
          ),
        );
      }
    });
  }

  override _read(): void {
    if (this.ended) return;
    this.arm();
    this.res.resume();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.disarm();
    if (!this.ended || err !== null) {
      // Abandoned or failed mid-body: the connection cannot be reused.
      this.res.destroy();
      this.req.destroy();
    }
    callback(err);
  }

  private arm(): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.destroy(
        new UpstreamError('timeout', `upstream ${describeUrl(this.url)} sent no data for ${this.idleTimeoutMs} ms`),
      );
    }, this.idleTimeoutMs);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
