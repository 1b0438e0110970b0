import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';

/** A certificate and key to serve HTTPS with, and the host name URLs use. */
export interface ServeTls {
  cert: string | Buffer;
  key: string | Buffer;
  /** Host in `url` (default 127.0.0.1): another name than the registry's makes a redirect cross hosts. */
  hostName?: string;
}

/**
 * An HTTP (or, with `tls`, HTTPS) server on 127.0.0.1 that can be stopped, cutting every connection (an outage),
 * and started again on the same port. The servers of the upstream harness are built on it.
 */
export abstract class Served {
  private listening: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  protected constructor(readonly tls: ServeTls | null) {}

  /** Answers one request; a rejection becomes a 500 (or a cut connection once the head is out). */
  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void> | void;

  get port(): number {
    return this.boundPort;
  }

  /** Scheme, host and port: where the server is reached. */
  get origin(): string {
    return `${this.tls ? 'https' : 'http'}://${this.tls?.hostName ?? '127.0.0.1'}:${this.boundPort}`;
  }

  get url(): string {
    return this.origin;
  }

  /** host:port as docker, skopeo and registries.conf spell it. */
  get host(): string {
    return `127.0.0.1:${this.boundPort}`;
  }

  get running(): boolean {
    return this.listening !== null;
  }

  /** The listening node server (to watch its connections). */
  get server(): Server {
    if (!this.listening) throw new Error('the server is stopped');
    return this.listening;
  }

  /** Listens (again) on the same port as before, or on `port` / a free port the first time. */
  async start(port = this.boundPort): Promise<void> {
    if (this.listening) return;
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      Promise.resolve()
        .then(() => this.handle(req, res))
        .catch((err: Error) => {
          if (res.headersSent) return void res.destroy();
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`upstream harness: ${err.message}`);
        });
    };
    const server = this.tls ? createTlsServer({ cert: this.tls.cert, key: this.tls.key }, handler) : createServer(handler);
    server.keepAliveTimeout = 5_000;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as { port: number }).port;
    this.listening = server;
  }

  /** Stops listening and cuts every open connection: the next connect is refused. */
  async stop(): Promise<void> {
    const server = this.listening;
    if (!server) return;
    this.listening = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}
