/**
 * In-process fake registries for the upstream client's tests: node:http servers on
 * 127.0.0.1, port 0, that record every request they get.
 *
 * - FakeTokenServer: Docker token spec endpoint (GET ?service=&scope=), anonymous or Basic.
 * - FakeRegistry: /v2/ API (manifests HEAD/GET, blobs GET) with auth 'none' | 'bearer' | 'basic',
 *   optional path prefix, rate-limit headers, blob redirects to a FakeObjectStore, and a hook
 *   to answer any request differently (429, stalls, garbage...).
 * - FakeObjectStore: another origin serving blobs at /objects/<digest>, recording headers.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { sha256 } from '@wharf/test-kit';
import { afterEach } from 'vitest';

export interface Recorded {
  method: string;
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Listening {
  server: http.Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(handler: Handler, tls?: { key: string | Buffer; cert: string | Buffer }): Promise<Listening> {
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function record(req: IncomingMessage): Recorded {
  const url = req.url ?? '/';
  return { method: req.method ?? 'GET', url, path: url.split('?')[0]!, headers: { ...req.headers } };
}

export { sha256 };

function parseBasic(header: string | undefined): { username: string; password: string } | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message, detail: null }] });
}

// ---------------------------------------------------------------------------------------------

export interface FakeTokenServerOptions {
  /** When set, Basic credentials are checked; wrong ones get 401. */
  credentials?: { username: string; password: string };
  /** Refuse anonymous requests (private registry). Default false (Docker Hub style). */
  requireCredentials?: boolean;
  /** expires_in in the response; undefined omits the field. */
  expiresIn?: number;
  /** Which field carries the token. */
  field?: 'token' | 'access_token';
  /** Delay before answering, to let concurrent requests pile up. */
  delayMs?: number;
  /** Path of the endpoint; default /token. */
  path?: string;
  /** Makes the token (e.g. a signed JWT for a real registry); default a random string. */
  mint?: (grant: { scopes: string[]; user: string | null; service: string | null }) => string;
}

export class FakeTokenServer {
  readonly requests: Recorded[] = [];
  /** token -> scopes granted (and the user, null when anonymous). */
  readonly issued = new Map<string, { scopes: string[]; user: string | null; service: string | null }>();
  private listening!: Listening;

  private constructor(readonly options: FakeTokenServerOptions) {}

  static async start(options: FakeTokenServerOptions = {}): Promise<FakeTokenServer> {
    const t = new FakeTokenServer(options);
    t.listening = await listen((req, res) => t.handle(req, res));
    return t;
  }

  get url(): string {
    return this.listening.url;
  }

  get realm(): string {
    return `${this.url}${this.options.path ?? '/token'}`;
  }

  /** Scopes requested, one entry per token request ('' when none). */
  get scopesRequested(): string[] {
    return this.requests.map((r) => new URL(r.url, 'http://x').searchParams.getAll('scope').join(' '));
  }

  close(): Promise<void> {
    return this.listening.close();
  }

  /** Revoke every token issued so far (the registry will refuse them). */
  revokeAll(): void {
    this.issued.clear();
  }

  grants(token: string, scope: string): boolean {
    const t = this.issued.get(token);
    return t !== undefined && (scope === '' || t.scopes.includes(scope));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const rec = record(req);
    this.requests.push(rec);
    const answer = () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== (this.options.path ?? '/token')) {
        res.writeHead(404).end();
        return;
      }
      const basic = parseBasic(req.headers.authorization);
      const creds = this.options.credentials;
      if (basic !== null && (creds === undefined || basic.username !== creds.username || basic.password !== creds.password)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      if (basic === null && this.options.requireCredentials) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'credentials required' }));
        return;
      }
      const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' '));
      const grant = { scopes, user: basic?.username ?? null, service: url.searchParams.get('service') };
      const token = this.options.mint ? this.options.mint(grant) : randomBytes(24).toString('base64url');
      this.issued.set(token, grant);
      const body: Record<string, unknown> = { [this.options.field ?? 'token']: token, issued_at: new Date().toISOString() };
      if (this.options.expiresIn !== undefined) body.expires_in = this.options.expiresIn;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (this.options.delayMs) setTimeout(answer, this.options.delayMs);
    else answer();
  }
}

// ---------------------------------------------------------------------------------------------

export class FakeObjectStore {
  readonly requests: Recorded[] = [];
  readonly objects = new Map<string, Buffer>();
  /** Answer a request here instead (return true when handled). */
  hook: ((req: IncomingMessage, res: ServerResponse, rec: Recorded) => boolean) | undefined;
  private listening!: Listening;

  static async start(): Promise<FakeObjectStore> {
    const s = new FakeObjectStore();
    s.listening = await listen((req, res) => s.handle(req, res));
    return s;
  }

  get url(): string {
    return this.listening.url;
  }

  close(): Promise<void> {
    return this.listening.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const rec = record(req);
    this.requests.push(rec);
    if (this.hook?.(req, res, rec)) return;
    const m = /^\/objects\/(.+)$/.exec(rec.path);
    const body = m ? this.objects.get(decodeURIComponent(m[1]!)) : undefined;
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  }
}

// ---------------------------------------------------------------------------------------------

export type FakeAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; tokens: FakeTokenServer; service?: string }
  | { kind: 'basic'; username: string; password: string };

export interface FakeRegistryOptions {
  auth?: FakeAuth;
  /** Serve the API under this path prefix (e.g. '/mirror'). */
  prefix?: string;
  /** Redirect blob GETs to this object store (its blobs are copied there). */
  blobRedirect?: FakeObjectStore;
  /** Status used for the blob redirect; default 307. */
  redirectStatus?: 301 | 302 | 303 | 307 | 308;
  /** Docker Hub rate-limit headers on every API answer. */
  rateLimit?: { limit: string; remaining: string; source?: string };
  tls?: { key: string | Buffer; cert: string | Buffer };
}

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export class FakeRegistry {
  readonly requests: Recorded[] = [];
  readonly manifests = new Map<string, StoredManifest>();
  readonly blobs = new Map<string, Buffer>();
  /** Answer a request here instead (return true when handled). */
  hook: ((req: IncomingMessage, res: ServerResponse, rec: Recorded) => boolean) | undefined;
  /** Omit Docker-Content-Digest from manifest answers. */
  omitDigestHeader = false;
  private listening!: Listening;

  private constructor(readonly options: FakeRegistryOptions) {}

  static async start(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
    const r = new FakeRegistry(options);
    r.listening = await listen((req, res) => r.handle(req, res), options.tls);
    return r;
  }

  /** Base URL including the prefix: what a proxy would be configured with. */
  get url(): string {
    return `${this.listening.url}${this.options.prefix ?? ''}`;
  }

  get origin(): string {
    return this.listening.url;
  }

  get server(): http.Server {
    return this.listening.server;
  }

  close(): Promise<void> {
    return this.listening.close();
  }

  /** API requests (method + path) received, for counting. */
  count(method: string, pathPart: string): number {
    return this.requests.filter((r) => r.method === method && r.path.includes(pathPart)).length;
  }

  addManifest(image: string, tag: string | null, manifest: object | Buffer, mediaType = 'application/vnd.oci.image.manifest.v1+json'): string {
    const bytes = Buffer.isBuffer(manifest) ? manifest : Buffer.from(JSON.stringify(manifest));
    const digest = sha256(bytes);
    const stored = { bytes, mediaType, digest };
    this.manifests.set(`${image}@${digest}`, stored);
    if (tag !== null) this.manifests.set(`${image}:${tag}`, stored);
    return digest;
  }

  addBlob(bytes: Buffer): string {
    const digest = sha256(bytes);
    this.blobs.set(digest, bytes);
    this.options.blobRedirect?.objects.set(digest, bytes);
    return digest;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const rec = record(req);
    this.requests.push(rec);
    if (this.hook?.(req, res, rec)) return;

    const rl = this.options.rateLimit;
    if (rl) {
      res.setHeader('ratelimit-limit', rl.limit);
      res.setHeader('ratelimit-remaining', rl.remaining);
      if (rl.source) res.setHeader('docker-ratelimit-source', rl.source);
    }
    res.setHeader('docker-distribution-api-version', 'registry/2.0');

    const prefix = this.options.prefix ?? '';
    if (!rec.path.startsWith(`${prefix}/v2/`)) {
      res.writeHead(404).end();
      return;
    }
    const apiPath = rec.path.slice(prefix.length);
    const route = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(apiPath);
    const image = route?.[1] ?? null;
    if (!this.authorized(req, res, image)) return;

    if (apiPath === '/v2/') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    if (route === null) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody('NAME_UNKNOWN', 'no route'));
      return;
    }
    const [, , what, ref] = route as unknown as [string, string, string, string];
    if (what === 'manifests') this.serveManifest(req, res, image!, ref);
    else this.serveBlob(req, res, ref);
  }

  private authorized(req: IncomingMessage, res: ServerResponse, image: string | null): boolean {
    const auth = this.options.auth ?? { kind: 'none' };
    switch (auth.kind) {
      case 'none':
        return true;
      case 'basic': {
        const b = parseBasic(req.headers.authorization);
        if (b !== null && b.username === auth.username && b.password === auth.password) return true;
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake registry"', 'content-type': 'application/json' });
        res.end(errorBody('UNAUTHORIZED', 'authentication required'));
        return false;
      }
      case 'bearer': {
        const scope = image === null ? '' : `repository:${image}:pull`;
        const m = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? '');
        if (m && auth.tokens.grants(m[1]!, scope)) return true;
        const service = auth.service ?? 'fake-registry';
        const challenge =
          `Bearer realm="${auth.tokens.realm}",service="${service}"` + (scope !== '' ? `,scope="${scope}"` : '');
        res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' });
        res.end(errorBody('UNAUTHORIZED', 'authentication required'));
        return false;
      }
    }
  }

  private serveManifest(req: IncomingMessage, res: ServerResponse, image: string, ref: string): void {
    const key = ref.includes(':') ? `${image}@${ref}` : `${image}:${ref}`;
    const m = this.manifests.get(key);
    if (m === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : errorBody('MANIFEST_UNKNOWN', 'manifest unknown'));
      return;
    }
    const headers: Record<string, string | number> = { 'content-type': m.mediaType, 'content-length': m.bytes.length };
    if (!this.omitDigestHeader) headers['docker-content-digest'] = m.digest;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : m.bytes);
  }

  private serveBlob(req: IncomingMessage, res: ServerResponse, digest: string): void {
    const body = this.blobs.get(digest);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody('BLOB_UNKNOWN', 'blob unknown'));
      return;
    }
    const store = this.options.blobRedirect;
    if (store) {
      res.writeHead(this.options.redirectStatus ?? 307, {
        location: `${store.url}/objects/${encodeURIComponent(digest)}?X-Amz-Signature=s3cr3t-signature`,
      });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, 'docker-content-digest': digest });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

/** A minimal OCI image manifest referencing `layers` (content irrelevant to the client). */
export function imageManifest(config: string, layers: string[] = []): object {
  return {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
    layers: layers.map((d) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d, size: 1 })),
  };
}

/** Reads a stream to the end. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Calls `fn` with the error it rejects with (fails when it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<Error & { kind?: string; status?: number; retryAfter?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { kind?: string; status?: number; retryAfter?: string };
  }
  throw new Error('expected a rejection');
}

/**
 * For a test file: what a test starts (fake registries, token servers, object stores, or anything handed to
 * `defer`) is closed after it, newest first. Call it at the top level of the file (it registers an afterEach).
 */
export function fakesPerTest() {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const defer = (fn: () => unknown): void => void cleanups.push(fn);
  const closing = <T extends { close(): unknown }>(fake: T): T => (defer(() => fake.close()), fake);
  return {
    defer,
    registry: async (opts: FakeRegistryOptions = {}) => closing(await FakeRegistry.start(opts)),
    tokenServer: async (opts: FakeTokenServerOptions = {}) => closing(await FakeTokenServer.start(opts)),
    objectStore: async () => closing(await FakeObjectStore.start()),
  };
}
