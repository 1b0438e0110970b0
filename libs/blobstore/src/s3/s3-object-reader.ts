/**
 * Object GETs through the native addon's HTTP client (@wharf/native-io), for blob downloads: the request is
 * presigned by the SDK (signing is local), Node connects the TCP socket, and the addon reads the body and
 * writes it straight to the client's socket on a thread of its own (`relay`), so the bytes never enter
 * JavaScript. Streaming an object through the SDK's Node streams cost about 4 s of CPU per GiB (allocation,
 * garbage collection, the JavaScript thread busy throughout); see docs/benchmarks.md (s3-warm-read).
 * Connections are kept alive per endpoint origin. HTTP and HTTPS endpoints alike (TLS done by the addon,
 * trusting what the upstream client trusts).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { BodyStream, type BodyFraming, NativeConnection, defaultTrustedCertificates, dupFd, nativeIoAvailable, nativeTrust } from '@wharf/native-io';
import { StorageError } from '../storage-error';

const IDLE_MS = 120_000;
const CONNECT_MS = 10_000;
const MAX_IDLE = 16;
const KEEP_IDLE_MS = 10_000;
const PIECE = 1024 * 1024;

type NativeFailure = Error & { code?: string; bytesRead?: number; side?: string };

/** A GET's answer whose body is still on the connection: relay it, stream it, or drop it (exactly once). */
export interface ObjectBody {
  readonly status: number;
  /** Bytes of the body. */
  readonly length: number;
  /** Writes the body to a connected socket (a response's, its head already out); resolves once all went out. */
  relay(socketFd: number): Promise<void>;
  stream(): Readable;
  /** Gives the body up unread (the connection is closed). */
  drop(): void;
}

export class S3ObjectReader {
  private readonly idle = new Map<string, NativeConnection[]>();

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /** Whether reads can go this way here (the addon is built and on). */
  static available(): boolean {
    return nativeIoAvailable();
  }

  /** The object (or bytes [start, end] of it); null when there is no such object. */
  async get(key: string, range?: { start: number; end: number }): Promise<ObjectBody | null> {
    const url = new URL(await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: 300 }));
    const head = [`GET ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, ...(range ? [`range: bytes=${range.start}-${range.end}`] : []), '', ''].join('\r\n');
    // A kept-alive connection the endpoint closed meanwhile fails before any answer: once more on a new one.
    for (let attempt = 0; ; attempt++) {
      const reused = attempt === 0 ? this.take(url.origin) : undefined;
      const conn = reused ?? (await this.connect(url));
      let answer: { status: number; headers: Map<string, string> };
      try {
        answer = parseHead(await conn.exchange(Buffer.from(head, 'latin1'), { idleMs: IDLE_MS, handshakeMs: CONNECT_MS }));
      } catch (err) {
        conn.close();
        if (reused && (err as NativeFailure).bytesRead === 0) continue;
        throw storageError(err);
      }
      return this.answer(url.origin, conn, answer, range);
    }
  }

  /** Closes the idle connections. */
  destroy(): void {
    for (const list of this.idle.values()) for (const conn of list) conn.close();
    this.idle.clear();
  }

  private answer(origin: string, conn: NativeConnection, { status, headers }: { status: number; headers: Map<string, string> }, range?: { start: number; end: number }): ObjectBody | null {
    const wanted = range ? 206 : 200;
    if (status !== wanted) {
      conn.close();
      if (status === 404) return null;
      throw new StorageError(`S3 GetObject failed: HTTP ${status}${range ? ` for bytes ${range.start}-${range.end}` : ''}`);
    }
    const length = Number(headers.get('content-length'));
    if (headers.has('transfer-encoding') || !Number.isSafeInteger(length) || length < 0 || (range && length !== range.end - range.start + 1)) {
      conn.close();
      throw new StorageError(`S3 GetObject: unexpected body framing (content-length ${headers.get('content-length')}, transfer-encoding ${headers.get('transfer-encoding')})`);
    }
    const keep = !/\bclose\b/i.test(headers.get('connection') ?? '');
    const framing: BodyFraming = { kind: 'length', length };
    const finished = () => {
      if (keep && conn.buffered() === 0) this.give(origin, conn);
      else conn.close();
    };
    let taken = false;
    const take = () => {
      if (taken) throw new Error('the object body was already taken');
      taken = true;
      conn.beginBody(framing);
    };
    return {
      status,
      length,
      relay: async (socketFd) => {
        take();
        try {
          await conn.relay(socketFd, IDLE_MS);
        } catch (err) {
          conn.close();
          // The client going away is the client's business (as Node names it); anything else is the store's.
          throw (err as NativeFailure).side === 'client' ? err : storageError(err);
        }
        finished();
      },
      stream: () => {
        take();
        return new BodyStream(conn, { idleMs: IDLE_MS, pieceBytes: PIECE, onEnd: finished, toError: storageError });
      },
      drop: () => {
        taken = true;
        conn.close();
      },
    };
  }

  private take(origin: string): NativeConnection | undefined {
    return this.idle.get(origin)?.pop();
  }

  private give(origin: string, conn: NativeConnection): void {
    const list = this.idle.get(origin) ?? [];
    if (list.length >= MAX_IDLE) return conn.close();
    list.push(conn);
    this.idle.set(origin, list);
    // Endpoints close idle connections after a while; ours go first.
    setTimeout(() => {
      const at = list.indexOf(conn);
      if (at < 0) return;
      list.splice(at, 1);
      conn.close();
    }, KEEP_IDLE_MS).unref();
  }

  private async connect(url: URL): Promise<NativeConnection> {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const tls = url.protocol === 'https:';
    const socket = connect({ host, port: Number(url.port) || (tls ? 443 : 80) });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`connecting to ${url.origin} timed out`)), CONNECT_MS);
        socket.once('connect', () => resolve(clearTimeout(timer)));
        socket.once('error', (err) => reject((clearTimeout(timer), err)));
      });
      const fd = dupFd((socket as unknown as { _handle: { fd: number } })._handle.fd);
      if (fd === null) throw new Error('the native I/O addon is not available');
      return NativeConnection.open(fd, { host, ...(tls ? { tls: nativeTrust(defaultTrustedCertificates(), true) } : {}) })!;
    } catch (err) {
      throw storageError(err);
    } finally {
      socket.destroy();
    }
  }
}

function storageError(err: unknown): Error {
  if (err instanceof StorageError) return err;
  const e = err as NativeFailure;
  return new StorageError(`S3 GetObject failed: ${e.code ? `${e.code} ` : ''}${e.message}`, err);
}

/** Status and (lower-case) header fields of a response head; repeated fields joined with ', '. */
function parseHead(head: Buffer): { status: number; headers: Map<string, string> } {
  const [statusLine = '', ...lines] = head.toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!status) throw new StorageError(`S3 GetObject: invalid response status line ${JSON.stringify(statusLine.slice(0, 60))}`);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { status: Number(status[1]), headers };
}
