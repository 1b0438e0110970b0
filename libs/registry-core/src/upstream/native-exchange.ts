/**
 * Upstream requests through the native addon's HTTP client (@wharf/native-io): JavaScript connects the TCP
 * socket (so the address policy and DNS are Node's), hands it to the addon, and then only builds the request
 * head, parses the response head and decides; the TLS handshake, the reading, the decrypting, the hashing and
 * the writing of a blob body happen on the addon's threads. HTTP and HTTPS, Content-Length, chunked or
 * until-close bodies, redirects to other hosts: all the same path. Connections are kept alive per origin.
 * Used for blob GETs, whose bodies are what costs (everything else goes through node:http/https).
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { type BodyFraming, BodyStream, dupFd, type IncomingBody, NativeConnection, type ReceiveOptions, type TlsTrust } from '@wharf/native-io';
import { UpstreamError } from './errors';
import {
  type Exchange,
  type HopRequest,
  type HttpMethod,
  type NativeTransport,
  RETRYABLE_ON_REUSED_SOCKET,
  type TransportSettings,
  describeUrl,
  headerValue,
  toUpstreamError,
} from './exchange';
import { bodyFraming, parseResponseHead, requestHead } from './http-head';

/** Idle connections kept per origin, and for how long. */
const MAX_IDLE = 8;
const IDLE_MS = 15_000;
const STREAM_CHUNK = 1024 * 1024;

type NativeFailure = Error & { code?: string; bytesRead?: number };

/** A native failure while taking a body, as the Node path words it. */
function bodyError(err: unknown, url: URL, what: string): UpstreamError {
  const e = err as NativeFailure;
  if (e.code === 'ETIMEDOUT') return new UpstreamError('timeout', `upstream ${describeUrl(url)} sent no data for a while while sending the ${what}: ${e.message}`, { cause: err });
  if (e.code === 'EOF' || e.code === 'EPROTO') return new UpstreamError(e.code === 'EOF' ? 'unreachable' : 'invalid', `upstream ${describeUrl(url)}: ${e.message}`, { cause: err });
  return toUpstreamError(err, url, `reading the ${what}`);
}

export class NativeClient implements NativeTransport {
  private readonly idle = new Map<string, { conn: NativeConnection; timer: NodeJS.Timeout }[]>();

  /** `trust` is asked for when the first HTTPS connection is made. */
  constructor(private readonly trust: () => TlsTrust) {}

  async send(hop: HopRequest, settings: TransportSettings): Promise<Exchange> {
    const origin = hop.url.origin;
    const reused = this.take(origin);
    const conn = reused ?? (await this.connect(hop.url, settings));
    const timeouts = { idleMs: settings.idleTimeoutMs, handshakeMs: settings.connectTimeoutMs };
    let head;
    try {
      let bytes = await conn.exchange(requestHead(hop.method, hop.url, hop.headers), timeouts);
      head = parseResponseHead(bytes, hop.url);
      // Interim answers (103 Early Hints) come before the real one.
      while (head.status >= 100 && head.status < 200) {
        bytes = await conn.exchange(Buffer.alloc(0), timeouts);
        head = parseResponseHead(bytes, hop.url);
      }
    } catch (err) {
      conn.close();
      const e = err as NativeFailure;
      const mapped =
        e.code === 'ETIMEDOUT'
          ? new UpstreamError('timeout', `upstream ${describeUrl(hop.url)}: ${e.message}`, { cause: err })
          : toUpstreamError(err, hop.url);
      // The server closed a kept-alive connection while it was idle: nothing of an answer arrived.
      if (reused && e.bytesRead === 0 && e.code !== undefined && (RETRYABLE_ON_REUSED_SOCKET.has(e.code) || e.code === 'EOF')) {
        Object.defineProperty(mapped, 'reusedSocketReset', { value: true });
      }
      throw mapped;
    }
    let framing: BodyFraming;
    try {
      framing = bodyFraming(hop.method, head.status, head.headers, hop.url);
    } catch (err) {
      conn.close();
      throw err;
    }
    // Transfer-Encoding and Content-Length together: the message is read as chunked, but the connection is not trusted further.
    const ambiguous = headerValue(head.headers, 'transfer-encoding') !== undefined && headerValue(head.headers, 'content-length') !== undefined;
    const keep = !head.closes && framing.kind !== 'until-close' && !ambiguous;
    return new NativeExchange(hop.method, hop.url, head.status, head.headers, framing, conn, settings.idleTimeoutMs, (done) => {
      if (keep && done.buffered() === 0) this.give(origin, done);
      else done.close();
    });
  }

  close(): void {
    for (const list of this.idle.values()) {
      for (const { conn, timer } of list) {
        clearTimeout(timer);
        conn.close();
      }
    }
    this.idle.clear();
  }

  private take(origin: string): NativeConnection | undefined {
    const entry = this.idle.get(origin)?.pop();
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    return entry.conn;
  }

  private give(origin: string, conn: NativeConnection): void {
    const list = this.idle.get(origin) ?? [];
    if (list.length >= MAX_IDLE) return conn.close();
    const timer = setTimeout(() => {
      const at = list.findIndex((e) => e.conn === conn);
      if (at >= 0) list.splice(at, 1);
      conn.close();
    }, IDLE_MS);
    timer.unref();
    list.push({ conn, timer });
    this.idle.set(origin, list);
  }

  /** A TCP connection made by Node (address policy, DNS, connect timeout), then handed to the addon. */
  private async connect(url: URL, settings: TransportSettings): Promise<NativeConnection> {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    settings.addressPolicy?.assertAllowed(host);
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const socket = netConnect({ host, port, ...(settings.addressPolicy ? { lookup: settings.addressPolicy.lookup } : {}) });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new UpstreamError('timeout', `connecting to upstream ${url.origin} timed out after ${settings.connectTimeoutMs} ms`));
      }, settings.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(toUpstreamError(err, url));
      });
    });
    const fd = dupFd((socket as Socket & { _handle: { fd: number } })._handle.fd);
    socket.destroy();
    if (fd === null) throw new UpstreamError('unreachable', `cannot reach upstream ${url.origin}: the native client is not available`);
    return NativeConnection.open(fd, { host, ...(url.protocol === 'https:' ? { tls: this.trust() } : {}) })!;
  }
}

/** A response received by the native client; its body is taken once (and the connection then reused or closed). */
class NativeExchange implements Exchange {
  private taken = false;

  constructor(
    readonly method: HttpMethod,
    readonly url: URL,
    readonly status: number,
    readonly headers: import('node:http').IncomingHttpHeaders,
    private readonly framing: BodyFraming,
    private readonly conn: NativeConnection,
    private readonly idleMs: number,
    /** The body was read to its end: the connection may serve another request. */
    private readonly finished: (conn: NativeConnection) => void,
  ) {}

  header(name: string): string | undefined {
    return headerValue(this.headers, name);
  }

  destroy(): void {
    this.taken = true;
    this.conn.close();
  }

  async readBody(limit: number, what: string): Promise<Buffer> {
    const declared = this.framing.kind === 'length' ? this.framing.length : null;
    if (declared !== null && declared > limit) {
      this.destroy();
      throw new UpstreamError('invalid', `upstream ${describeUrl(this.url)}: ${what} is ${declared} bytes, over the ${limit}-byte limit`);
    }
    this.begin();
    try {
      const bytes = await this.conn.read(limit, this.idleMs);
      this.finished(this.conn);
      return bytes;
    } catch (err) {
      this.conn.close();
      if ((err as NativeFailure).code === 'ETOOBIG') {
        throw new UpstreamError('invalid', `upstream ${describeUrl(this.url)}: ${what} is larger than the ${limit}-byte limit`);
      }
      throw bodyError(err, this.url, what);
    }
  }

  async readSnippet(limit = 4096): Promise<Buffer> {
    if (this.taken) return Buffer.alloc(0);
    this.begin();
    const parts: Buffer[] = [];
    let got = 0;
    try {
      for (;;) {
        const piece = await this.conn.readChunk(Math.max(1, limit - got), this.idleMs);
        if (piece.length === 0) {
          this.finished(this.conn);
          break;
        }
        parts.push(piece);
        got += piece.length;
        if (got >= limit) {
          this.conn.close();
          break;
        }
      }
    } catch {
      this.conn.close();
    }
    return Buffer.concat(parts).subarray(0, limit);
  }

  async discard(): Promise<void> {
    if (!this.taken) await this.readSnippet(64 * 1024);
  }

  stream(): Readable {
    this.begin();
    return new BodyStream(this.conn, {
      idleMs: this.idleMs,
      pieceBytes: STREAM_CHUNK,
      onEnd: (conn) => this.finished(conn),
      toError: (err) => bodyError(err, this.url, 'blob'),
    });
  }

  body(): IncomingBody {
    const length = this.framing.kind === 'length' ? this.framing.length : this.framing.kind === 'none' ? 0 : null;
    return {
      length,
      stream: () => this.stream(),
      receive: (fd, options) => this.receive(fd, options),
    };
  }

  private async receive(fd: number, options: ReceiveOptions): Promise<{ bytes: number; hex: string }> {
    this.begin();
    try {
      const received = await this.conn.receive(fd, { ...options, idleMs: this.idleMs });
      this.finished(this.conn);
      return received;
    } catch (err) {
      this.conn.close();
      const code = (err as NativeFailure).code;
      // The store's own conditions keep their codes; the connection's become UpstreamErrors.
      if (code === 'ETOOBIG' || code === 'EWRITE') throw err;
      throw bodyError(err, this.url, 'blob');
    }
  }

  private begin(): void {
    if (this.taken) throw new Error('upstream response body already taken');
    this.taken = true;
    this.conn.beginBody(this.framing);
  }
}

