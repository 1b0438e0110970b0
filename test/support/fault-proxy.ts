import { randomBytes } from 'node:crypto';
import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
  request as httpRequest,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * A small HTTP server in front of a real registry (CNCF Distribution) that forwards every request
 * and can misbehave on demand, the way real upstreams do: rate limiting (429 + Retry-After),
 * corrupt blob bodies (same length, flipped bytes), blob redirects to another origin (object
 * storage), Bearer-token auth with a token server, and outages (stop/start on the same port).
 * It records every request it receives, so tests can count what reached "the upstream".
 *
 * Used by the proxy-repository tests, in process (integration) and by the e2e suites.
 */

export type RequestKind =
  | 'ping'
  | 'manifest-get'
  | 'manifest-head'
  | 'blob-get'
  | 'blob-head'
  | 'tags'
  | 'catalog'
  | 'other';

export interface SeenRequest {
  method: string;
  /** Path without the query. */
  path: string;
  kind: RequestKind;
  /** Repository name (e.g. library/busybox) for manifest/blob/tags requests. */
  image?: string;
  /** Tag or digest for manifest/blob requests. */
  reference?: string;
  authorization?: string;
  userAgent?: string;
  /** Status this proxy answered with (0 until answered, -1 when the connection was cut). */
  status: number;
}

export interface RateLimitFault {
  /** Verbatim Retry-After value. */
  retryAfter: string;
  /** Which manifest requests get the 429 (default: GET only, as Docker Hub's pull limit). */
  methods?: Array<'GET' | 'HEAD'>;
  /** Extra headers on the 429 (e.g. ratelimit-limit / ratelimit-remaining). */
  headers?: Record<string, string>;
}

const MANIFEST_OR_BLOB = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/;
const TAGS = /^\/v2\/(.+)\/tags\/list$/;

export function classify(method: string, path: string): Pick<SeenRequest, 'kind' | 'image' | 'reference'> {
  if (path === '/v2/' || path === '/v2') return { kind: 'ping' };
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  const tags = TAGS.exec(path);
  if (tags) return { kind: 'tags', image: tags[1]! };
  const m = MANIFEST_OR_BLOB.exec(path);
  if (m && m[3] !== 'uploads') {
    const what = m[2] === 'manifests' ? 'manifest' : 'blob';
    if (method === 'GET' || method === 'HEAD') {
      return { kind: `${what}-${method.toLowerCase()}` as RequestKind, image: m[1]!, reference: m[3]! };
    }
  }
  return { kind: 'other' };
}

/** A latch: `wait()` resolves once `open()` was called. */
export class Gate {
  private resolveOpen!: () => void;
  private readonly opened: Promise<void>;
  constructor() {
    this.opened = new Promise((r) => (this.resolveOpen = r));
  }
  open(): void {
    this.resolveOpen();
  }
  wait(): Promise<void> {
    return this.opened;
  }
}

/** A certificate and key to serve HTTPS with (test/support/tls.ts makes them), and the host name URLs use. */
export interface ServeTls {
  cert: string;
  key: string;
  /** Host in `url` (default 127.0.0.1): another name than the registry's makes a redirect cross hosts. */
  hostName?: string;
}

/**
 * An HTTP (or, with `tls`, HTTPS) server on 127.0.0.1 that can be stopped (connections cut) and started
 * again on the same port.
 */
abstract class RestartableServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;
  /** Set before the first start to serve HTTPS. */
  tls: ServeTls | null = null;

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.tls?.hostName ?? '127.0.0.1'}:${this.boundPort}`;
  }

  /** host:port as docker, skopeo and registries.conf spell it. */
  get host(): string {
    return `127.0.0.1:${this.boundPort}`;
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** Listens (again) on the same port as before, or on `port` / a free port the first time. */
  async start(port = this.boundPort): Promise<void> {
    if (this.server) return;
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: Error) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(`fault proxy: ${err.message}`);
        } else {
          res.destroy();
        }
      });
    };
    const server: Server = this.tls ? createTlsServer({ cert: this.tls.cert, key: this.tls.key }, handler) : createServer(handler);
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
    this.server = server;
  }

  /** Stops listening and cuts every open connection: the next connect is refused (an outage). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}

/**
 * A Docker token server (https://distribution.github.io/distribution/spec/auth/token/):
 * `GET /token?service=..&scope=..` with Basic credentials -> `{"token","access_token","expires_in","issued_at"}`,
 * 401 for wrong or missing credentials.
 */
export class TokenServer extends RestartableServer {
  readonly service = 'fault-registry';
  /** Every request to the token endpoint, in order. */
  readonly requests: Array<{ path: string; query: Record<string, string>; authorization?: string; status: number }> = [];
  private readonly issued = new Map<string, { scope: string; expires: number }>();

  constructor(
    readonly username: string,
    readonly password: string,
    private readonly expiresIn = 300,
  ) {
    super();
  }

  static async start(username: string, password: string, opts: { expiresIn?: number; tls?: ServeTls } = {}): Promise<TokenServer> {
    const server = new TokenServer(username, password, opts.expiresIn);
    server.tls = opts.tls ?? null;
    await server.start(0);
    return server;
  }

  get realm(): string {
    return `${this.url}/token`;
  }

  /** Token requests that got a token. */
  get issuedCount(): number {
    return this.requests.filter((r) => r.status === 200).length;
  }

  /** True when `token` was issued by this server, has not expired and its scope covers `image` (pull). */
  accepts(token: string, image: string | undefined): boolean {
    const t = this.issued.get(token);
    if (!t || t.expires < Date.now()) return false;
    if (image === undefined) return true;
    return t.scope.split(' ').some((s) => {
      const [type, name, actions] = s.split(':');
      return type === 'repository' && name === image && (actions ?? '').split(',').includes('pull');
    });
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://token');
    const query = Object.fromEntries(url.searchParams.entries());
    const entry = { path: url.pathname, query, authorization: req.headers.authorization, status: 0 };
    this.requests.push(entry);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      const bytes = Buffer.from(JSON.stringify(body));
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length, ...headers });
      res.end(bytes);
    };
    if (url.pathname !== '/token') return answer(404, { details: 'not found' });
    const auth = req.headers.authorization ?? '';
    const m = /^Basic\s+(\S+)$/i.exec(auth);
    const [user, ...rest] = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':') : [];
    if (user !== this.username || rest.join(':') !== this.password) {
      return answer(401, { details: 'incorrect username or password' }, { 'WWW-Authenticate': 'Basic realm="fault-token"' });
    }
    const token = randomBytes(24).toString('base64url');
    this.issued.set(token, { scope: query.scope ?? '', expires: Date.now() + this.expiresIn * 1000 });
    return answer(200, { token, access_token: token, expires_in: this.expiresIn, issued_at: new Date().toISOString() });
  }
}

/**
 * A second origin ("object storage") that serves blobs the registry redirected to, reading them
 * from the real registry, and records which Authorization header (if any) each request carried.
 */
export class BlobOrigin extends RestartableServer {
  readonly requests: Array<{ path: string; query: string; authorization?: string; status: number }> = [];

  constructor(private readonly target: string) {
    super();
  }

  static async start(target: string, opts: { tls?: ServeTls } = {}): Promise<BlobOrigin> {
    const origin = new BlobOrigin(target.replace(/\/+$/, ''));
    origin.tls = opts.tls ?? null;
    await origin.start(0);
    return origin;
  }

  /** Where a blob GET of `path` (/v2/<image>/blobs/<digest>) is redirected to: a signed-looking URL. */
  locationFor(path: string): string {
    return `${this.url}/objects${path}?X-Signature=${randomBytes(8).toString('hex')}`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://origin');
    const entry = { path: url.pathname, query: url.search, authorization: req.headers.authorization, status: 0 };
    this.requests.push(entry);
    if (!url.pathname.startsWith('/objects/v2/')) {
      entry.status = 404;
      res.writeHead(404).end();
      return;
    }
    const upstream = await forward(`${this.target}${url.pathname.slice('/objects'.length)}`, req.method ?? 'GET', {});
    entry.status = upstream.statusCode ?? 0;
    res.writeHead(entry.status, pickHeaders(upstream.headers, ['content-length', 'content-type', 'docker-content-digest', 'etag']));
    await pipeline(upstream, res);
  }
}

export interface FaultProxyOptions {
  /** The real registry, e.g. http://127.0.0.1:5000. */
  target: string;
  port?: number;
  /** Serve HTTPS (the registry behind stays plain HTTP). */
  tls?: ServeTls;
}

export class FaultProxy extends RestartableServer {
  readonly target: string;
  /** Every request received, in arrival order (while running). */
  readonly requests: SeenRequest[] = [];

  /** 429 with Retry-After for manifest requests. */
  rateLimit: RateLimitFault | null = null;
  /** Flip bytes of blob GET bodies (the length stays the same). */
  corruptBlobs = false;
  /** Redirect blob GETs (307) to this origin instead of answering them. */
  redirectBlobsTo: BlobOrigin | null = null;
  /** Require Bearer tokens from this token server on every /v2/ request. */
  auth: TokenServer | null = null;
  /** Extra headers on every manifest response (e.g. Docker Hub's ratelimit-* headers). */
  manifestHeaders: Record<string, string> = {};
  /** When set, blob GETs are held (before forwarding) until the gate opens. */
  holdBlobGets: Gate | null = null;
  /** When set, manifest GETs are held (before forwarding) until the gate opens. */
  holdManifestGets: Gate | null = null;
  private readonly waiters: Array<{ test: () => boolean; resolve: () => void }> = [];

  private constructor(target: string) {
    super();
    this.target = target.replace(/\/+$/, '');
  }

  static async start(opts: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(opts.target);
    proxy.tls = opts.tls ?? null;
    await proxy.start(opts.port ?? 0);
    return proxy;
  }

  /** Number of requests of `kind` received so far (optionally only those matching `filter`). */
  count(kind: RequestKind, filter: (r: SeenRequest) => boolean = () => true): number {
    return this.requests.filter((r) => r.kind === kind && filter(r)).length;
  }

  /** Counts of every kind, for assertion messages. */
  counts(): Record<RequestKind, number> {
    const out: Record<RequestKind, number> = {
      ping: 0,
      'manifest-get': 0,
      'manifest-head': 0,
      'blob-get': 0,
      'blob-head': 0,
      tags: 0,
      catalog: 0,
      other: 0,
    };
    for (const r of this.requests) out[r.kind] += 1;
    return out;
  }

  /** Resolves once a request matching `test` has been received (synchronisation, not timing). */
  waitForRequest(test: (r: SeenRequest) => boolean, timeoutMs = 30_000): Promise<void> {
    if (this.requests.some(test)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a request at the fault proxy')), timeoutMs);
      this.waiters.push({
        test: () => this.requests.some(test),
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Back to a plain, well-behaved pass-through (the request log is kept). */
  clearFaults(): void {
    this.rateLimit = null;
    this.corruptBlobs = false;
    this.redirectBlobsTo = null;
    this.auth = null;
    this.manifestHeaders = {};
    this.holdBlobGets = null;
    this.holdManifestGets = null;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://proxy');
    const seen: SeenRequest = {
      method,
      path: url.pathname,
      ...classify(method, url.pathname),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      status: 0,
    };
    this.requests.push(seen);
    this.notify();
    res.once('close', () => {
      if (!res.writableFinished && seen.status === 0) seen.status = -1;
    });
    const reply = (status: number, headers: Record<string, string | number>, body?: unknown) => {
      seen.status = status;
      const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
      res.writeHead(status, {
        'Docker-Distribution-API-Version': 'registry/2.0',
        ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': bytes.length } : {}),
        ...headers,
      });
      res.end(method === 'HEAD' ? undefined : bytes);
    };

    if (this.auth && url.pathname.startsWith('/v2')) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !this.auth.accepts(bearer, seen.image)) {
        const scope = seen.image ? `,scope="repository:${seen.image}:pull"` : '';
        return reply(
          401,
          { 'WWW-Authenticate': `Bearer realm="${this.auth.realm}",service="${this.auth.service}"${scope}` },
          { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] },
        );
      }
    }

    const isManifest = seen.kind === 'manifest-get' || seen.kind === 'manifest-head';
    if (isManifest && this.rateLimit && (this.rateLimit.methods ?? ['GET']).includes(method as 'GET' | 'HEAD')) {
      return reply(
        429,
        { 'Retry-After': this.rateLimit.retryAfter, ...(this.rateLimit.headers ?? {}) },
        {
          errors: [
            {
              code: 'TOOMANYREQUESTS',
              message: 'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading.',
              detail: null,
            },
          ],
        },
      );
    }

    if (seen.kind === 'blob-get' && this.holdBlobGets) await this.holdBlobGets.wait();
    if (seen.kind === 'manifest-get' && this.holdManifestGets) await this.holdManifestGets.wait();

    if (seen.kind === 'blob-get' && this.redirectBlobsTo) {
      return reply(307, { Location: this.redirectBlobsTo.locationFor(url.pathname), 'Content-Length': 0 });
    }

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || k === 'host' || k === 'authorization' || k === 'connection') continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const upstream = await forward(`${this.target}${url.pathname}${url.search}`, method, headers);
    seen.status = upstream.statusCode ?? 0;
    const outHeaders: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(upstream.headers)) {
      if (v === undefined || k === 'connection' || k === 'keep-alive') continue;
      outHeaders[k] = v;
    }
    if (isManifest) Object.assign(outHeaders, this.manifestHeaders);
    res.writeHead(seen.status, outHeaders);
    if (seen.kind === 'blob-get' && this.corruptBlobs && seen.status === 200) {
      await pipeline(upstream, flipBytes(), res);
    } else {
      await pipeline(upstream, res);
    }
  }

  private notify(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.test()) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}

/** Inverts the first byte of every chunk: same length, different digest. */
function flipBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const copy = Buffer.from(chunk);
      if (copy.length > 0) copy[0] = copy[0]! ^ 0xff;
      cb(null, copy);
    },
  });
}

function forward(url: string, method: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, resolve);
    req.once('error', reject);
    req.end();
  });
}

function pickHeaders(headers: IncomingMessage['headers'], names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = headers[n];
    if (typeof v === 'string') out[n] = v;
  }
  return out;
}
