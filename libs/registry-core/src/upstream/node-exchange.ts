/**
 * One HTTP exchange over node:http / node:https with the client's keep-alive agents (manifests, tokens, and
 * blobs when the native addon is missing). Timeouts are our own timers, not socket timeouts, so nothing
 * leaks into pooled sockets:
 * - connect: from the request until the socket is connected (TLS: handshake done); a reused keep-alive
 *   socket is connected at once;
 * - idle: whenever we are waiting for upstream bytes (response head, next body chunk) and none arrive. A
 *   stream paused because its reader is slow is not waiting, so backpressure never times out.
 */
import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { IncomingBody } from '@wharf/native-io';
import { UpstreamError } from './errors';
import {
  type Exchange,
  type HopRequest,
  type HttpMethod,
  RETRYABLE_ON_REUSED_SOCKET,
  type TransportSettings,
  describeUrl,
  headerValue,
  parseContentLength,
  toUpstreamError,
} from './exchange';

const noop = (): void => undefined;

export function sendNodeHop(hop: HopRequest, s: TransportSettings): Promise<Exchange> {
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
      resolve(new NodeExchange(hop.method, hop.url, req, res, s.idleTimeoutMs));
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
export class NodeExchange implements Exchange {
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

  /** The body as an IncomingBody that can only be streamed (Node's HTTP client holds the connection). */
  body(): IncomingBody {
    return { length: this.method === 'HEAD' ? 0 : parseContentLength(this.headers, this.url), stream: () => this.stream() };
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
