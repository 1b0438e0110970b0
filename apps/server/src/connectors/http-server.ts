import { type RequestListener, type Server, createServer } from 'node:http';
import { takesUploadBody } from '../distribution/registry-handler';
import { takeBodies } from '../http/taken-bodies';

export class PortUnavailableError extends Error {}

/**
 * An HTTP server tuned for registry traffic: no overall request timeout (a 1 GiB upload may take long), and
 * upload bodies read by the native I/O addon where it can (http/taken-bodies.ts).
 */
export function createRegistryServer(listener: RequestListener): Server {
  const server = createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000 }, listener);
  takeBodies(server, takesUploadBody);
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

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // Connections still busy get a grace period, then are cut so a port is free again promptly.
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}
