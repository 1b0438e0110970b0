import { type Socket, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** A response read off a raw connection: its body is as long as its Content-Length says. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * One TCP connection to a server, written and read by hand: several requests on one keep-alive connection,
 * pipelined when written together, and bodies in any framing (or malformed). Responses must carry a
 * Content-Length (every registry answer does).
 */
export class RawConnection {
  private buffered = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.notify();
    });
    // The server's FIN ends what can be read (it may still read what this side sends: a half-close).
    for (const event of ['end', 'close']) {
      socket.on(event, () => {
        this.ended = true;
        this.notify();
      });
    }
    socket.on('error', () => undefined);
  }

  /** A connection to 127.0.0.1:`port`; over TLS trusting `tls.ca` when given. */
  static open(port: number, tls?: { ca: string }): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      // Half-open allowed, as curl's or Go's sockets: writing goes on after the server's FIN.
      const options = { port, host: '127.0.0.1', allowHalfOpen: true };
      const socket: Socket = tls
        ? tlsConnect({ ...options, ca: tls.ca }, () => resolve(new RawConnection(socket)))
        : connect(options, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** The next response on the connection; rejects when the connection closes before it is complete. */
  async response(timeoutMs = 30_000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine, ...lines] = this.buffered.subarray(0, end).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (this.buffered.length >= end + 4 + length) {
          const body = this.buffered.subarray(end + 4, end + 4 + length);
          this.buffered = this.buffered.subarray(end + 4 + length);
          return { status: Number(statusLine!.split(' ')[1]), headers, body: Buffer.from(body) };
        }
      }
      if (this.ended) throw new Error(`the connection closed before a complete response (${this.buffered.length} bytes pending)`);
      await this.next(deadline);
    }
  }

  /** Whether the server closed the connection, or its side of it (within `timeoutMs`). */
  async closed(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) await this.next(deadline).catch(() => undefined);
    return this.ended;
  }

  /** Ends the client's side (FIN); the server's answers can still be read. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private next(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for the server')), Math.max(0, deadline - Date.now()));
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** `pieces` in chunked transfer coding, with the last (empty) chunk. */
export function chunked(pieces: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const piece of pieces) parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** A request head (CRLF line ends, blank line included). */
export function requestHead(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** What a client that sends a whole request body, reading all the while, saw. */
export interface SentBody {
  /** Body bytes the kernel accepted before the client stopped. */
  sent: number;
  /** The first write that failed (EPIPE/ECONNRESET: the server reset the connection), if one did. */
  writeError?: string;
}

/**
 * Writes `head`, then `size` body bytes in `pieceBytes` pieces (`pauseMs` apart: a slow client; 0: as fast as
 * the connection takes them) or until `stopAfterMs`, then ends its side, like a client that reads the answer
 * only once it is done sending. A write that fails stops it, as it stops real clients.
 */
export async function sendBody(
  conn: RawConnection,
  head: string,
  options: { size: number; pieceBytes?: number; pauseMs?: number; stopAfterMs?: number },
): Promise<SentBody> {
  const { size, pieceBytes = 256 * 1024, pauseMs = 0, stopAfterMs = Infinity } = options;
  const piece = Buffer.alloc(pieceBytes, 0x61);
  const started = Date.now();
  let sent = 0;
  try {
    await conn.write(head);
    while (sent < size && Date.now() - started < stopAfterMs) {
      const n = Math.min(pieceBytes, size - sent);
      await conn.write(n === pieceBytes ? piece : piece.subarray(0, n));
      sent += n;
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
    conn.end();
  } catch (err) {
    return { sent, writeError: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
  return { sent };
}
