import { type RequestListener, type Server, createServer } from 'node:http';
import { type Server as HttpsServer, createServer as createHttpsServer } from 'node:https';
import { takesUploadBody } from '../distribution/registry-handler';
import { lingerAfterEarlyAnswers } from '../http/lingering-close';
import { takeBodies } from '../http/taken-bodies';
import type { TlsCertificates } from '../tls/tls-certificates';

export class PortUnavailableError extends Error {}

/** Servers being closed: requests that still arrive on their kept-alive connections are turned away. */
const closing = new WeakSet<Server>();

/** How long a closing server lets requests in flight finish when nobody says otherwise (a connector moving port). */
export const DEFAULT_CLOSE_GRACE_MS = 2_000;

const TIMEOUTS = { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000 };

/**
 * An HTTP server tuned for registry traffic: no overall request timeout (a 1 GiB upload may take long), and
 * upload bodies read by the native I/O addon where it can (http/taken-bodies.ts). With `tls`, an HTTPS server
 * presenting its certificate (and the renewed one after a reload); bodies then stream through JavaScript, as
 * the addon reads plain TCP only. An answer given before its request body was read closes the connection
 * lingering, so that a client still sending reads it (http/lingering-close.ts).
 */
export function createRegistryServer(listener: RequestListener, tls?: TlsCertificates): Server {
  const handle: RequestListener = (req, res) => {
    if (!closing.has(server)) return listener(req, res);
    // Draining: what is under way finishes; a new request is told to go elsewhere, and the connection closes.
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1', Connection: 'close' }).end('Wharf is shutting down\n');
  };
  // An https.Server is an http.Server to everything that listens, closes or counts connections.
  const server: Server = tls ? (createHttpsServer({ ...TIMEOUTS, ...tls.options() }, handle) as unknown as Server) : createServer(TIMEOUTS, handle);
  lingerAfterEarlyAnswers(server);
  if (tls) tls.serve(server as unknown as HttpsServer);
  else takeBodies(server, takesUploadBody);
  return server;
}

/** Binds the server; a port that is taken or forbidden becomes a PortUnavailableError naming it. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new PortUnavailableError(`port ${port} is already in use on ${host}`));
      else if (err.code === 'EACCES') reject(new PortUnavailableError(`port ${port} needs privileges Wharf does not have`));
      else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Stops accepting connections, closes idle ones, lets requests in flight finish for up to `graceMs`
 * (new requests on kept-alive connections get 503), then cuts what is left. Resolves once all are closed.
 */
export function closeServer(server: Server, graceMs = DEFAULT_CLOSE_GRACE_MS): Promise<void> {
  closing.add(server);
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    // A kept-alive connection whose last request just finished is closed too, not held until the grace ends.
    const sweep = setInterval(() => server.closeIdleConnections(), 250);
    sweep.unref();
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
