import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { takenBodyRead } from './taken-bodies';

/**
 * Answers given before the request body was read whole — a refused upload (507 store full, 401, 403, 416, a
 * malformed chunk), a REST body over its limit (413) — while the client may still be sending that body.
 *
 * Closing the socket right after such an answer makes the kernel reset the connection (there is unread data
 * in its receive buffer): a client still writing gets EPIPE/ECONNRESET and often never reads the answer. So,
 * as nginx and Apache do, the close lingers: the answer says `Connection: close`; once it is out, the write
 * side is shut (FIN), and what the client still sends is read and thrown away until it stops, for a bounded
 * time and number of bytes; then the socket is destroyed. A small declared body is drained by Node's parser
 * instead, and the connection kept alive.
 *
 * This is the one place that decides it, for every response of the registry servers (main port, connectors,
 * HTTP and HTTPS), for bodies read by Node's parser as well as for those taken off it (taken-bodies.ts).
 */

/** A lingering connection is destroyed this long after the answer at the latest: long enough for a client to
 *  read the answer and stop (or finish a body on a fast link), short enough that no client holds a socket. */
export const LINGER_MS = 5_000;
/** Silence that ends the lingering early: a client that sent nothing for this long has stopped sending. */
export const LINGER_IDLE_MS = 2_000;
/** Bytes thrown away at most: a big layer sent at full speed by a client that reads the answer only once its
 *  write fails. Past it the socket is destroyed; the time bound usually comes first on slower links. */
export const LINGER_MAX_BYTES = 256 * 1024 * 1024;
/** A declared body up to this size left unread is drained by the parser and the connection kept: cheaper for
 *  the client than a new connection, and bounded. */
export const DRAIN_MAX_BYTES = 64 * 1024;

type LingeringSocket = Socket & {
  destroySoon?: () => void;
  _paused?: boolean;
  _handle?: { reading?: boolean; readStart?: () => number } | null;
};

let lingered = 0;

/** Connections closed lingering since start (tests). */
export function lingeringCloses(): number {
  return lingered;
}

/** Every answer `server` gives before its request body was read whole closes the connection lingering. */
export function lingerAfterEarlyAnswers(server: Server): void {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => watch(req, res));
}

/** What is left of the request's body when the answer goes out. */
function unread(req: IncomingMessage): 'nothing' | 'small' | 'body' {
  const taken = takenBodyRead(req);
  if (taken !== undefined) return taken ? 'nothing' : 'body';
  if (req.complete || req.destroyed) return 'nothing';
  const declared = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined) return 'body';
  if (declared === undefined || Number(declared) === 0) return 'nothing';
  return Number(declared) <= DRAIN_MAX_BYTES ? 'small' : 'body';
}

function watch(req: IncomingMessage, res: ServerResponse): void {
  let left: ReturnType<typeof unread> = 'nothing';
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    left = unread(req);
    // Node then sends `Connection: close` and ends the connection after the answer (socket.destroySoon()).
    if (left === 'body') this.shouldKeepAlive = false;
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
  // Before Node's own 'finish' listener, which drains a body nobody read or calls destroySoon().
  res.prependListener('finish', () => {
    const socket = res.socket as LingeringSocket | null;
    if (!socket || socket.destroyed || left === 'nothing') return;
    const rest = unread(req);
    if (rest === 'nothing') return;
    // Node closes after this answer (`Connection: close`: ours, or the client's, or HTTP/1.0) or keeps it.
    const closing = (res as ServerResponse & { _last?: boolean })._last === true;
    if (rest === 'small' && !closing) req.resume();
    else socket.destroySoon = () => linger(socket);
  });
}

/** Shuts the write side once the answer is out, reads and drops what the client still sends, then destroys. */
function linger(socket: LingeringSocket): void {
  if (socket.destroyed) return;
  lingered += 1;

  let bytes = 0;
  const stop = () => {
    clearTimeout(deadline);
    clearTimeout(idle);
    socket.destroy();
  };
  const deadline = setTimeout(stop, LINGER_MS).unref();
  const idle = setTimeout(stop, LINGER_IDLE_MS).unref();
  const discard = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > LINGER_MAX_BYTES) stop();
    else idle.refresh();
  };
  // Node's parser must not see the rest: it would take it for requests, or answer it with a 400. Adding a
  // 'data' listener makes Node's server stop feeding its parser from the socket's handle; its own listener goes.
  socket.on('data', discard);
  for (const listener of socket.listeners('data')) if (listener !== discard) socket.off('data', listener as (chunk: Buffer) => void);
  // The client's FIN (or Node's server seeing it) ends it; so does an error.
  socket.once('end', stop);
  socket.once('error', stop);
  socket.once('close', stop);
  socket.end();
  socket._paused = false;
  socket.resume();
  // A socket Node's parser read in C++ never finished the stream's own read: start the handle reading, as
  // Node's server does when it resumes such a socket.
  const handle = socket._handle;
  if (handle && handle.reading === false && typeof handle.readStart === 'function') {
    handle.reading = true;
    handle.readStart();
  }
}
