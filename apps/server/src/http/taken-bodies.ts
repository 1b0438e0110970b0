import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { BodyStream, type IncomingBody, NativeConnection, type ReceiveOptions, dupFd, nativeIoAvailable } from '@wharf/native-io';
import { RegistryError } from '@wharf/oci';
import { factsOf } from './request-facts';

/**
 * Large request bodies (blob uploads) taken off Node's HTTP parser, so that the native I/O addon reads them
 * straight from the socket into the blob store's file, hashing them as they arrive (no byte passes through
 * JavaScript), on the server's own keep-alive connection.
 *
 * How, on a plain-TCP connection whose socket Node's parser reads in C++ ("consumed"): when the head of a
 * request `wants` arrives, the parser is told the request has no body and to stop right after its head (the
 * answer 2 of an `onIncoming` callback, what Node does for an Upgrade), and the socket stops reading. The body
 * bytes already read with the head, a duplicate of the socket's descriptor and the body's framing (length or
 * chunked) go to the addon's connection (`NativeConnection`), which the blob store asks to receive the body into
 * its file (`IncomingBody.receive`) or to hand it over piece by piece (`stream()`, for stores without a local
 * file). Once the last byte of the body is read, what the addon read past it goes back through the parser and
 * the socket reads again: the next request on the connection is Node's as before.
 *
 * A response that goes out before its body was read whole (an error, a refused upload) closes the connection
 * lingering (lingering-close.ts): the rest of the body is still on the wire.
 *
 * This relies on Node's HTTP server internals (`socket.parser`, its `onIncoming` and execute callbacks); where
 * they are not what is expected, nothing is taken and bodies stream through JavaScript as usual.
 */

/** How long the addon waits for more of a body before it gives up on the client (as for downloads). */
const IDLE_TIMEOUT_MS = 120_000;
/** Pieces of a body read for a stream (stores without a local file). */
const STREAM_PIECE = 256 * 1024;

/** Node's HTTP parser of a server connection, as far as this module uses it. */
interface Parser {
  onIncoming: (req: IncomingMessage, keepAlive: boolean) => number;
  getCurrentBuffer(): Buffer;
  execute(data: Buffer): number | Error;
  pause(): void;
  resume(): void;
  _consumed?: boolean;
  [key: number]: unknown;
}

type ServerSocket = Socket & { parser?: Parser | null; _paused?: boolean; _handle?: { fd?: unknown } | null; encrypted?: boolean };

const bodies = new WeakMap<IncomingMessage, TakenBody>();
let taken = 0;

/** Request bodies taken since start (tests). */
export function takenBodies(): number {
  return taken;
}

/** The request's body when it was taken off the parser (to be read by the addon); undefined otherwise. */
export function takenBody(req: IncomingMessage): IncomingBody | undefined {
  return bodies.get(req);
}

/** Whether the request's body, taken off the parser, has been read whole; undefined when it was not taken. */
export function takenBodyRead(req: IncomingMessage): boolean | undefined {
  return bodies.get(req)?.wholeBodyRead;
}

/** From now on, the bodies of requests on `server` that `wants` accepts are taken off the parser (where possible). */
export function takeBodies(server: Server, wants: (req: IncomingMessage) => boolean): void {
  if (!nativeIoAvailable()) return;
  // Before the application's listener: the response must be watched before anyone writes to it.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => bodies.get(req)?.watch(res));
  server.on('connection', (socket: ServerSocket) => adopt(socket, wants));
}

/** The numeric key of the parser's execute callback (Node's kOnExecute), found by what it holds. */
function executeKey(parser: Parser): number | undefined {
  for (let key = 0; key < 16; key++) {
    const value = parser[key];
    if (typeof value === 'function' && value.name === 'bound onParserExecute') return key;
  }
  return undefined;
}

function adopt(socket: ServerSocket, wants: (req: IncomingMessage) => boolean): void {
  const parser = socket.parser;
  if (!parser || socket.encrypted || typeof parser.onIncoming !== 'function') return;
  const key = executeKey(parser);
  if (key === undefined) return;
  const onIncoming = parser.onIncoming;
  const onExecute = parser[key] as (ret: number | Error) => void;
  let pending: TakenBody | null = null;

  const takeable = (req: IncomingMessage) =>
    parser._consumed === true &&
    // Node answers these itself, without a request event (417, 400 without Host).
    (req.headers.expect === undefined || /^100-continue$/i.test(req.headers.expect)) &&
    (req.headers.host !== undefined || req.httpVersion !== '1.1') &&
    wants(req);

  parser.onIncoming = (req, keepAlive) => {
    if (pending || !takeable(req)) return onIncoming(req, keepAlive);
    const body = new TakenBody(req, socket, (leftover) => handBack(leftover), (bytes) => (factsOf(req).bodyBytes = bytes));
    bodies.set(req, body);
    // Node's server must neither read nor resume reading while the body is ours.
    socket._paused = true;
    const result = onIncoming(req, keepAlive);
    if (result !== 0) {
      bodies.delete(req);
      socket._paused = false;
      return result;
    }
    pending = body;
    taken += 1;
    // No body for the parser, and stop right after this head: the rest of the buffer is the body's.
    return 2;
  };

  const afterExecute = (ret: number | Error, buffer: () => Buffer) => {
    const body = pending;
    if (!body) return;
    pending = null;
    if (typeof ret !== 'number') return body.start(null);
    socket.pause();
    body.start(buffer().subarray(ret));
  };
  parser[key] = (ret: number | Error) => {
    onExecute(ret);
    afterExecute(ret, () => parser.getCurrentBuffer());
  };

  /** The body has been read whole: what was read past it goes through the parser, then the socket reads again. */
  const handBack = (leftover: Buffer) => {
    if (socket.destroyed || socket.parser !== parser) return;
    socket._paused = false;
    parser.resume();
    if (leftover.length > 0) {
      const ret = parser.execute(leftover);
      onExecute(ret);
      afterExecute(ret, () => leftover);
    }
    // Unless the leftover began another taken body.
    if (!socket._paused && !socket.destroyed) socket.resume();
  };
}

/** A request body taken off the parser: an IncomingBody read by the addon, once, one way or the other. */
class TakenBody implements IncomingBody {
  readonly length: number | null;
  private state: 'waiting' | 'reading' | 'read' | 'failed' = 'waiting';
  private readonly head: Promise<Buffer>;
  private setHead!: (head: Buffer | null) => void;
  private connection: NativeConnection | null = null;

  constructor(
    req: IncomingMessage,
    private readonly socket: ServerSocket,
    private readonly handBack: (leftover: Buffer) => void,
    /** Told the body's size once read (for the access log). */
    private readonly onRead: (bytes: number) => void,
  ) {
    const chunked = /\bchunked\s*$/i.test(req.headers['transfer-encoding'] ?? '');
    this.length = chunked ? null : Number(req.headers['content-length'] ?? 0);
    this.head = new Promise<Buffer | null>((resolve) => (this.setHead = resolve)).then((head) => {
      if (head === null) throw new RegistryError('BLOB_UPLOAD_INVALID', 'the request could not be parsed');
      return head;
    });
    // Not asked for (a refused request): nothing to wait for.
    this.head.catch(() => undefined);
  }

  /** Called once the parser stopped after the head: `head` is what it read past it (null: the head was bad). */
  start(head: Buffer | null): void {
    this.setHead(head);
  }

  get wholeBodyRead(): boolean {
    return this.state === 'read';
  }

  /** A response that ends while the addon reads the body stops the read. */
  watch(res: ServerResponse): void {
    res.once('close', () => {
      if (this.state === 'reading') this.fail();
    });
  }

  async receive(fd: number, options: ReceiveOptions): Promise<{ bytes: number; hex: string } | null> {
    const connection = await this.open();
    try {
      const got = await connection.receive(fd, {
        algorithm: options.algorithm,
        maxBytes: options.maxBytes,
        idleMs: IDLE_TIMEOUT_MS,
        onProgress: options.onProgress,
        ...(options.position !== undefined ? { position: options.position } : {}),
        ...(options.hasher ? { hasher: options.hasher } : {}),
      });
      this.onRead(got.bytes);
      this.done();
      return got;
    } catch (err) {
      throw this.fail(err);
    }
  }

  stream(): Readable {
    const opening = this.open();
    opening.catch(() => undefined); // the stream reports it
    const stream: BodyStream = new BodyStream(opening, {
      idleMs: IDLE_TIMEOUT_MS,
      pieceBytes: STREAM_PIECE,
      onEnd: () => {
        this.onRead(stream.bytes);
        this.done();
      },
      toError: (err) => this.fail(err),
    });
    return stream;
  }

  /** The addon's connection over a duplicate of the socket, positioned at the start of the body. */
  private async open(): Promise<NativeConnection> {
    if (this.state !== 'waiting') throw new Error('the request body was already taken');
    this.state = 'reading';
    try {
      const head = await this.head;
      const fd = this.socket.destroyed ? undefined : this.socket._handle?.fd;
      const owned = typeof fd === 'number' && fd >= 0 ? dupFd(fd) : null;
      const connection = owned === null ? null : NativeConnection.open(owned, { host: '', head });
      if (!connection) throw Object.assign(new Error('the client closed the connection'), { code: 'ECONNRESET' });
      connection.beginBody(this.length === null ? { kind: 'chunked' } : { kind: 'length', length: this.length });
      this.connection = connection;
      return connection;
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** The whole body was read: the connection goes back to Node's parser with what was read past the body. */
  private done(): void {
    const connection = this.connection!;
    const leftover = connection.takeBuffered();
    connection.close();
    this.connection = null;
    this.state = 'read';
    this.handBack(leftover);
  }

  /**
   * The body could not be read whole: the addon lets go of the socket and the connection closes after the
   * answer. Returns the error to report: a client that went away or stalled as Node names it, a body that is not
   * valid chunked encoding as 400.
   */
  private fail(err?: unknown): Error {
    this.connection?.close();
    this.connection = null;
    this.state = 'failed';
    const code = (err as { code?: unknown } | undefined)?.code;
    if (code === 'EPROTO') {
      return new RegistryError('BLOB_UPLOAD_INVALID', `the request body is malformed: ${(err as Error).message}`, undefined, { status: 400 });
    }
    if (code === 'EOF' || code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'ECONNABORTED') {
      // Gone or silent: nothing more will come, and no answer is owed to a connection that is cut.
      this.socket.destroy();
      return Object.assign(err as Error, { code: 'ECONNRESET' });
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}
