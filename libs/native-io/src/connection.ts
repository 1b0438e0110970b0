import { addon, type ConnectionHandle, type TlsContextHandle } from './addon';
import type { Hasher } from './hasher';

/** How a response body is delimited (RFC 9112 section 6.3). */
export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'until-close' };

const MODE = { none: 0, length: 1, chunked: 2, 'until-close': 3 } as const;

let receives = 0;

/** Bodies received into files by the addon since start (tests). */
export function nativeReceives(): number {
  return receives;
}

/** Trusted certificates for the addon's TLS client (what Node would trust for the same connection). */
export class TlsTrust {
  private constructor(readonly handle: TlsContextHandle) {}

  /** Trusts the certificates in `caPem` (concatenated PEM); with `verify` false, any certificate. Throws without the addon. */
  static create(caPem: string, verify = true): TlsTrust {
    if (!addon) throw new Error('the native I/O addon is not available');
    return new TlsTrust(addon.tlsContext(verify ? caPem : null, verify));
  }
}

/**
 * One HTTP/1.1 connection of the addon's client: plain TCP, or TLS done by the addon (OpenSSL inside the Node
 * binary), on a socket JavaScript connected and handed over. Every operation runs on a thread of the addon's;
 * body bytes never enter JavaScript unless asked for (`read`, `readChunk`). One operation at a time. Failures
 * are Errors with a `code` (ECONNRESET, ETIMEDOUT, EOF, EPROTO, ETOOBIG, EWRITE, TLS verification codes as
 * Node names them) and `bytesRead`.
 */
export class NativeConnection {
  private closed = false;

  private constructor(private readonly handle: ConnectionHandle) {}

  /**
   * Takes over `fd` (a descriptor the caller owns, e.g. a dup of a connected socket's): TLS with `tls` (the
   * handshake, with `host` for SNI and the certificate check, happens on the first exchange), plain without.
   * `head`: bytes already read off the socket, which come first. Null without the addon.
   */
  static open(fd: number, options: { tls?: TlsTrust; host: string; head?: Buffer }): NativeConnection | null {
    if (!addon) return null;
    return new NativeConnection(addon.connOpen(fd, options.tls?.handle, options.host, options.head ?? Buffer.alloc(0)));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends `request` (nothing when empty) and resolves with the next response head, CRLFCRLF included. */
  exchange(request: Buffer, timeouts: { idleMs: number; handshakeMs: number }): Promise<Buffer> {
    return addon!.connExchange(this.handle, request, timeouts.idleMs, timeouts.handshakeMs);
  }

  /** How the body of the response whose head was just read is delimited. */
  beginBody(framing: BodyFraming): void {
    addon!.connBeginBody(this.handle, MODE[framing.kind], framing.kind === 'length' ? framing.length : 0);
  }

  /**
   * Writes the whole body into `fileFd` from offset `position` (0), hashing it (continuing `hasher` when given:
   * `hex` is then its digest so far); fails with ETOOBIG past `maxBytes`.
   */
  receive(
    fileFd: number,
    options: { algorithm: 'sha256' | 'sha512'; maxBytes: number | null; idleMs: number; onProgress: (bytes: number) => void; position?: number; hasher?: Hasher },
  ): Promise<{ bytes: number; hex: string }> {
    receives += 1;
    const { algorithm, maxBytes, idleMs, onProgress, position, hasher } = options;
    return addon!.connReceive(this.handle, fileFd, algorithm, maxBytes ?? -1, idleMs, onProgress, position ?? 0, hasher?.handle);
  }

  /** The rest of the body, at most `limit` bytes (ETOOBIG past it). */
  read(limit: number, idleMs: number): Promise<Buffer> {
    return addon!.connRead(this.handle, limit, idleMs);
  }

  /** The next piece of the body, at most `max` bytes; empty once the body is complete. */
  readChunk(max: number, idleMs: number): Promise<Buffer> {
    return addon!.connReadChunk(this.handle, max, idleMs);
  }

  /**
   * Writes the whole body to the connected socket `socketFd` (e.g. a server response's, whose head is out), as
   * it arrives, on the addon's thread: the bytes never enter JavaScript. Resolves with the bytes sent; fails
   * as the other operations do, or with EPIPE/ECONNRESET when the socket's peer went away, ETIMEDOUT when it
   * took nothing for `idleMs`: failures on the socket's side carry `side: 'client'`. Nothing else may write to
   * that socket until it settles.
   */
  relay(socketFd: number, idleMs: number): Promise<number> {
    return addon!.connRelay(this.handle, socketFd, idleMs);
  }

  /** Bytes read past the end of the body (a connection with any cannot be reused). */
  buffered(): number {
    return addon!.connBuffered(this.handle);
  }

  /** Takes the bytes read past the end of the body (on a server connection: the next request's). */
  takeBuffered(): Buffer {
    return addon!.connTakeBuffered(this.handle);
  }

  /** Closes the connection; an operation under way fails with ECONNABORTED. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    addon!.connClose(this.handle);
  }
}
