import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sha256 } from '../digest';
import type { BlobOrigin } from './blob-origin';
import { forward } from './forward';
import { type Gate, type RequestKind, type SeenRequest, basicCredentials, errorBody, seen } from './requests';
import { Served, type ServeTls } from './served';
import type { TokenServer } from './token-server';

export interface RateLimitFault {
  /** Verbatim Retry-After value. */
  retryAfter: string;
  /** Which manifest requests get the 429 (default: GET only, as Docker Hub's pull limit). */
  methods?: Array<'GET' | 'HEAD'>;
  /** Extra headers on the 429 (e.g. ratelimit-limit / ratelimit-remaining). */
  headers?: Record<string, string>;
}

/** The ways the registry misbehaves, all off by default; set and cleared while it runs. */
export interface Faults {
  /** Require Bearer tokens this token server issued, or these Basic credentials, on every /v2/ request. */
  auth: TokenServer | { username: string; password: string } | null;
  /** 429 with Retry-After for manifest requests (a pull rate limit). */
  rateLimit: RateLimitFault | null;
  /** Extra headers on every manifest answer (e.g. Docker Hub's ratelimit-* figures). */
  manifestHeaders: Record<string, string>;
  /** Leave Docker-Content-Digest out of manifest answers. */
  omitDigestHeader: boolean;
  /** Flip bytes of blob GET bodies (the length stays the same). */
  corruptBlobs: boolean;
  /** Redirect blob GETs to this origin instead of answering them. */
  redirectBlobsTo: BlobOrigin | null;
  /** Status of that redirect; default 307. */
  redirectStatus: 301 | 302 | 303 | 307 | 308;
  /** Hold blob GETs (before answering) until the gate opens. */
  holdBlobGets: Gate | null;
  /** Hold manifest GETs (before answering) until the gate opens. */
  holdManifestGets: Gate | null;
  /** Answer a request here instead of all the above (return true when handled): garbage, stalls, odd statuses. */
  hook: ((req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => boolean) | null;
}

function noFaults(): Faults {
  return {
    auth: null,
    rateLimit: null,
    manifestHeaders: {},
    omitDigestHeader: false,
    corruptBlobs: false,
    redirectBlobsTo: null,
    redirectStatus: 307,
    holdBlobGets: null,
    holdManifestGets: null,
    hook: null,
  };
}

export interface UpstreamRegistryOptions extends Partial<Faults> {
  /**
   * Pass every request through to this real registry (e.g. CNCF Distribution at http://127.0.0.1:5000); without
   * it the registry serves the manifests and blobs added with addManifest/addBlob, from memory.
   */
  target?: string;
  /** Serve the API under this path prefix (e.g. '/mirror'), as a mirror behind a path does. */
  prefix?: string;
  port?: number;
  /** Serve HTTPS (a target behind stays plain HTTP). */
  tls?: ServeTls;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | number>;
  body: Readable | null;
}

/**
 * The upstream a proxy repository pulls from, misbehaving on demand the way real upstreams do: rate limits
 * (429 + Retry-After), corrupt blob bodies, blob redirects to another origin (object storage), Bearer-token or
 * Basic auth, held requests, outages (stop/start on the same port). It records every request, so tests count
 * what reached "the upstream".
 *
 * Its content is either in memory (unit tests of the upstream client and the proxy: no registry needed) or a real
 * registry behind it (`target`: the server's integration tests and the e2e suites put CNCF Distribution there).
 */
export class UpstreamRegistry extends Served implements Faults {
  /** Every request received, in arrival order. */
  readonly requests: SeenRequest[] = [];
  /** In-memory content ('<image>:<tag>' or '<image>@<digest>' -> manifest), without a target. */
  readonly manifests = new Map<string, { bytes: Buffer; mediaType: string; digest: string }>();
  readonly blobs = new Map<string, Buffer>();

  // The faults (documented on Faults), set by the constructor and clearFaults().
  declare auth: Faults['auth'];
  declare rateLimit: Faults['rateLimit'];
  declare manifestHeaders: Faults['manifestHeaders'];
  declare omitDigestHeader: Faults['omitDigestHeader'];
  declare corruptBlobs: Faults['corruptBlobs'];
  declare redirectBlobsTo: Faults['redirectBlobsTo'];
  declare redirectStatus: Faults['redirectStatus'];
  declare holdBlobGets: Faults['holdBlobGets'];
  declare holdManifestGets: Faults['holdManifestGets'];
  declare hook: Faults['hook'];

  /** The real registry requests pass through to (null: the in-memory content). */
  readonly target: string | null;
  private readonly prefix: string;
  private readonly waiters: Array<() => boolean> = [];

  private constructor(options: UpstreamRegistryOptions) {
    super(options.tls ?? null);
    this.target = options.target?.replace(/\/+$/, '') ?? null;
    this.prefix = options.prefix ?? '';
    const { target: _target, prefix: _prefix, port: _port, tls: _tls, ...faults } = options;
    Object.assign(this, noFaults(), faults);
  }

  static async start(options: UpstreamRegistryOptions = {}): Promise<UpstreamRegistry> {
    const registry = new UpstreamRegistry(options);
    await registry.start(options.port ?? 0);
    return registry;
  }

  /** Base URL including the prefix: what a proxy is configured with. */
  override get url(): string {
    return `${this.origin}${this.prefix}`;
  }

  /** Back to a well-behaved registry (the request log is kept). */
  clearFaults(): void {
    Object.assign(this, noFaults());
  }

  /** Number of requests of `kind` received so far (optionally only those matching `filter`). */
  count(kind: RequestKind, filter: (r: SeenRequest) => boolean = () => true): number {
    return this.requests.filter((r) => r.kind === kind && filter(r)).length;
  }

  /** Counts of every kind, for assertion messages. */
  counts(): Record<RequestKind, number> {
    const out = { ping: 0, 'manifest-get': 0, 'manifest-head': 0, 'blob-get': 0, 'blob-head': 0, tags: 0, catalog: 0, other: 0 };
    for (const r of this.requests) out[r.kind] += 1;
    return out;
  }

  /** Resolves once a request matching `test` has been received (synchronisation, not timing). */
  waitForRequest(test: (r: SeenRequest) => boolean, timeoutMs = 30_000): Promise<void> {
    if (this.requests.some(test)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a request at the upstream')), timeoutMs);
      this.waiters.push(() => {
        if (!this.requests.some(test)) return false;
        clearTimeout(timer);
        resolve();
        return true;
      });
    });
  }

  /** Adds a manifest to the in-memory content (by digest, and by `tag` unless null); returns its digest. */
  addManifest(image: string, tag: string | null, manifest: object | Buffer, mediaType = 'application/vnd.oci.image.manifest.v1+json'): string {
    const bytes = Buffer.isBuffer(manifest) ? manifest : Buffer.from(JSON.stringify(manifest));
    const stored = { bytes, mediaType, digest: sha256(bytes) };
    this.manifests.set(`${image}@${stored.digest}`, stored);
    if (tag !== null) this.manifests.set(`${image}:${tag}`, stored);
    return stored.digest;
  }

  /** Adds a blob to the in-memory content (and to the origin blob GETs are redirected to); returns its digest. */
  addBlob(bytes: Buffer): string {
    const digest = sha256(bytes);
    this.blobs.set(digest, bytes);
    this.redirectBlobsTo?.objects.set(digest, bytes);
    return digest;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://upstream').pathname;
    const apiPath = path.startsWith(`${this.prefix}/v2`) ? path.slice(this.prefix.length) : undefined;
    const entry = seen(req, res, apiPath);
    this.requests.push(entry);
    for (let i = this.waiters.length - 1; i >= 0; i--) if (this.waiters[i]!()) this.waiters.splice(i, 1);
    if (this.hook?.(req, res, entry)) return;

    const method = entry.method;
    const reply = (status: number, headers: Record<string, string | number>, body?: string) =>
      void res
        .writeHead(status, {
          'Docker-Distribution-API-Version': 'registry/2.0',
          ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}),
          ...headers,
        })
        .end(method === 'HEAD' ? undefined : body);
    if (apiPath === undefined) return reply(404, {});
    if (!this.authorized(req, entry, reply)) return;

    const isManifest = entry.kind === 'manifest-get' || entry.kind === 'manifest-head';
    if (isManifest && this.rateLimit && (this.rateLimit.methods ?? ['GET']).includes(method as 'GET' | 'HEAD')) {
      const message = 'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading.';
      return reply(429, { 'Retry-After': this.rateLimit.retryAfter, ...this.rateLimit.headers }, errorBody('TOOMANYREQUESTS', message));
    }
    if (entry.kind === 'blob-get') await this.holdBlobGets?.wait();
    if (entry.kind === 'manifest-get') await this.holdManifestGets?.wait();
    if (entry.kind === 'blob-get' && this.redirectBlobsTo) {
      return reply(this.redirectStatus, { Location: this.redirectBlobsTo.locationFor(apiPath), 'Content-Length': 0 });
    }

    const answer = this.target ? await this.passThrough(req, apiPath) : this.fromMemory(entry, apiPath);
    if (isManifest) {
      Object.assign(answer.headers, this.manifestHeaders);
      if (this.omitDigestHeader) delete answer.headers['docker-content-digest'];
    }
    res.writeHead(answer.status, answer.headers);
    if (!answer.body || method === 'HEAD') return void res.end();
    const corrupt = entry.kind === 'blob-get' && this.corruptBlobs && answer.status === 200;
    await (corrupt ? pipeline(answer.body, flipBytes(), res) : pipeline(answer.body, res));
  }

  private authorized(req: IncomingMessage, entry: SeenRequest, reply: (s: number, h: Record<string, string>, b: string) => void): boolean {
    const auth = this.auth;
    if (!auth) return true;
    const unauthorized = (challenge: string) => (reply(401, { 'WWW-Authenticate': challenge }, errorBody('UNAUTHORIZED', 'authentication required')), false);
    if ('username' in auth) {
      const basic = basicCredentials(req.headers.authorization);
      if (basic?.username === auth.username && basic.password === auth.password) return true;
      return unauthorized('Basic realm="fault registry"');
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer && auth.accepts(bearer, entry.image)) return true;
    const scope = entry.image ? `,scope="repository:${entry.image}:pull"` : '';
    return unauthorized(`Bearer realm="${auth.realm}",service="${auth.service}"${scope}`);
  }

  private async passThrough(req: IncomingMessage, apiPath: string): Promise<Answer> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || k === 'host' || k === 'authorization' || k === 'connection') continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const search = new URL(req.url ?? '/', 'http://upstream').search;
    const upstream = await forward(`${this.target}${apiPath}${search}`, req.method ?? 'GET', headers);
    const out: Answer['headers'] = {};
    for (const [k, v] of Object.entries(upstream.headers)) {
      if (v !== undefined && k !== 'connection' && k !== 'keep-alive') out[k] = v;
    }
    return { status: upstream.statusCode ?? 502, headers: out, body: upstream };
  }

  /** The in-memory registry: ping, manifests and blobs (GET/HEAD); anything else is unknown. */
  private fromMemory(entry: SeenRequest, apiPath: string): Answer {
    const api = { 'docker-distribution-api-version': 'registry/2.0' };
    const json = (status: number, body: string): Answer => ({ status, headers: { ...api, 'content-type': 'application/json' }, body: Readable.from([body]) });
    if (entry.kind === 'ping') return json(200, '{}');
    if (entry.kind === 'manifest-get' || entry.kind === 'manifest-head') {
      const ref = entry.reference!;
      const m = this.manifests.get(ref.includes(':') ? `${entry.image}@${ref}` : `${entry.image}:${ref}`);
      if (!m) return json(404, errorBody('MANIFEST_UNKNOWN', 'manifest unknown'));
      const headers = { ...api, 'content-type': m.mediaType, 'content-length': m.bytes.length, 'docker-content-digest': m.digest };
      return { status: 200, headers, body: Readable.from([m.bytes]) };
    }
    if (entry.kind === 'blob-get' || entry.kind === 'blob-head') {
      const bytes = this.blobs.get(entry.reference!);
      if (!bytes) return json(404, errorBody('BLOB_UNKNOWN', 'blob unknown'));
      const headers = { ...api, 'content-type': 'application/octet-stream', 'content-length': bytes.length, 'docker-content-digest': entry.reference! };
      return { status: 200, headers, body: Readable.from([bytes]) };
    }
    return json(404, errorBody('NAME_UNKNOWN', `no route for ${entry.method} ${apiPath}`));
  }
}

/** Inverts the first byte of every chunk: same length, different digest. */
function flipBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const copy = Buffer.from(chunk);
      if (copy.length > 0) copy[0] = copy[0]! ^ 0xff;
      done(null, copy);
    },
  });
}
