/**
 * A real HTTP(S) server and client for the BlobStore contract's delivery tests: content is delivered as a
 * response body (BlobContent.deliver), as the registry's blob GET does, and read by a client on loopback.
 */
import { Agent as HttpAgent, createServer as createHttpServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { BlobContent } from '../src/blob-store';

export type Transport = 'http' | 'https';

/** What a route answers with: the content to deliver (status 206 when it has a range). */
export type Route = () => Promise<BlobContent>;

export class DeliveryServer {
  private readonly routes = new Map<string, Route>();
  /** How each delivery ended on the server: 'ok' or the error. */
  readonly outcomes = new Map<string, Promise<'ok' | Error>>();
  private next = 0;

  private constructor(
    readonly transport: Transport,
    private readonly server: Server,
    readonly newAgent: () => HttpAgent,
    readonly agent = newAgent(),
  ) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.answer(req, res));
  }

  static async start(transport: Transport, tls?: { cert: string; key: string; ca: string }): Promise<DeliveryServer> {
    const server = transport === 'https' ? createHttpsServer({ cert: tls!.cert, key: tls!.key }) : createHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const newAgent = () =>
      transport === 'https' ? new HttpsAgent({ keepAlive: true, maxSockets: 1, ca: tls!.ca }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    return new DeliveryServer(transport, server, newAgent);
  }

  /** A path answered by `route` once. */
  route(route: Route): string {
    const path = `/${++this.next}`;
    this.routes.set(path, route);
    return path;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const route = this.routes.get(req.url ?? '');
    this.routes.delete(req.url ?? '');
    // A client hanging up resets the connection; the delivery's own outcome is what the tests look at.
    res.socket?.on('error', () => undefined);
    const outcome = (async (): Promise<'ok' | Error> => {
      try {
        if (!route) throw new Error(`no route ${req.url}`);
        const content = await route();
        const { range } = content;
        res.writeHead(range ? 206 : 200, { 'Content-Length': range ? range.end - range.start + 1 : content.size });
        await content.deliver(res);
        return 'ok';
      } catch (err) {
        if (!res.headersSent) res.writeHead(500).end();
        return err as Error;
      }
    })();
    this.outcomes.set(req.url ?? '', outcome);
  }
}

export interface Fetched {
  status: number;
  body: Buffer;
  /** The body arrived whole, as its Content-Length announced, and the response ended normally. */
  complete: boolean;
  socket: Socket;
}

export interface FetchOptions {
  /** Called with the byte count each time more arrives. */
  onBytes?(received: number): void;
  /** Stop reading after this many bytes, then hang up `hangUpAfterMs` later. */
  stopAfter?: number;
  hangUpAfterMs?: number;
  /** Pause this long after every chunk (a slow client). */
  delayPerChunkMs?: number;
  /** On a connection of its own, not the server's keep-alive one. */
  ownConnection?: boolean;
}

/** GETs a path of the server with its keep-alive agent. */
export function fetchPath(server: DeliveryServer, path: string, options: FetchOptions = {}): Promise<Fetched> {
  const request = server.transport === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const agent = options.ownConnection ? server.newAgent() : server.agent;
    request({ host: '127.0.0.1', port: server.port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      let settled = false;
      const done = (complete: boolean) => {
        if (settled) return;
        settled = true;
        const body = Buffer.concat(chunks);
        const length = Number(res.headers['content-length']);
        resolve({ status: res.statusCode ?? 0, body, complete: complete && body.length === length, socket: res.socket });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        options.onBytes?.(received);
        if (options.delayPerChunkMs) {
          res.pause();
          setTimeout(() => res.resume(), options.delayPerChunkMs);
        }
        if (options.stopAfter !== undefined && received >= options.stopAfter) {
          res.pause();
          setTimeout(() => {
            res.destroy();
            done(false);
          }, options.hangUpAfterMs ?? 0);
        }
      });
      res.on('end', () => done(res.complete));
      res.on('error', () => done(false));
      res.on('close', () => done(res.complete));
    })
      .on('error', reject)
      .end();
  });
}
