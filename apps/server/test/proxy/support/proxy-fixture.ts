import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { Distribution } from '../../../../../test/support/distribution';
import { UpstreamRegistry, type ServeTls } from '@wharf/test-kit';
import { type IssuedCertificate, TestCa } from '../../../../../test/support/tls';
import type { ProxyStatusJson } from '@wharf/api-types';
import type { Manifest } from '@wharf/test-kit';
import { HttpClient, type HttpResult, basicAuth } from '../../support/http';
import { Registry } from '../../support/registry';
import { REPOSITORIES } from '../../support/rest';
import type { TestWharf } from '../../support/wharf';

/** Every manifest type a pulling client accepts (what docker sends). */
export const ACCEPT_ALL = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** How Wharf reaches an upstream: the proxy suites run against both. */
export type Scheme = 'http' | 'https';
export const SCHEMES: Scheme[] = ['http', 'https'];

let testCa: TestCa | undefined;
let serverCert: IssuedCertificate | undefined;

/**
 * TLS for a test upstream: a certificate for localhost and 127.0.0.1 from a CA made once per test process,
 * which Wharf trusts through NODE_EXTRA_CA_CERTS (as an operator would configure a private registry's CA).
 * `hostName` is the host the server's URL names (another name than the registry's makes a second host).
 */
export function upstreamTls(hostName?: string): ServeTls {
  if (!testCa) {
    testCa = TestCa.create();
    process.env.NODE_EXTRA_CA_CERTS = testCa.certFile;
    process.once('exit', () => testCa?.dispose());
  }
  serverCert ??= testCa.issue(['localhost', '127.0.0.1']);
  return { cert: serverCert.cert, key: serverCert.key, ...(hostName ? { hostName } : {}) };
}

/** A real upstream: CNCF Distribution on a free loopback port, and an UpstreamRegistry (HTTP or HTTPS) passing through to it. */
export interface Upstream {
  dir: string;
  distribution: Distribution;
  /** Where Wharf's proxy repositories point: a pass-through that misbehaves when told to (its faults). */
  faults: UpstreamRegistry;
  /** Distribution itself, for seeding and for comparing bytes (requests here are not counted). */
  direct: Registry;
  close(): Promise<void>;
}

export async function startUpstream(label: string, options: { scheme?: Scheme } = {}): Promise<Upstream> {
  const dir = await mkdtemp(join(tmpdir(), `wharf-proxy-${label}-`));
  let distribution: Distribution | undefined;
  let faults: UpstreamRegistry | undefined;
  try {
    distribution = await Distribution.start({ dir, name: 'upstream' });
    faults = await UpstreamRegistry.start({ target: distribution.url, ...(options.scheme === 'https' ? { tls: upstreamTls() } : {}) });
  } catch (err) {
    await faults?.stop();
    await distribution?.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const d = distribution;
  const f = faults;
  return {
    dir,
    distribution: d,
    faults: f,
    direct: new Registry(new HttpClient(d.url, null)),
    close: async () => {
      try {
        await f.stop();
        await d.stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The upstream of a describe block: started before its tests (HTTP or HTTPS), closed after them. The object
 * reads through to the started upstream, so it can be taken at definition time.
 */
export function upstreamFor(label: string, scheme: Scheme): Upstream {
  let started: Upstream | undefined;
  beforeAll(async () => {
    started = await startUpstream(`${label}-${scheme}`, { scheme });
  });
  afterAll(async () => {
    await started?.close();
  });
  const get = (): Upstream => {
    if (!started) throw new Error(`the ${label} upstream is not started (use it inside tests and hooks)`);
    return started;
  };
  return {
    get dir() {
      return get().dir;
    },
    get distribution() {
      return get().distribution;
    },
    get faults() {
      return get().faults;
    },
    get direct() {
      return get().direct;
    },
    close: () => get().close(),
  };
}

export interface ProxyOptions {
  remoteUrl: string;
  metadataMaxAge?: number;
  contentMaxAge?: number;
  tagMaxAge?: { pattern: string; maxAge: number }[];
  negativeCache?: { enabled: boolean; timeToLive: number };
  autoBlock?: boolean;
  blocked?: boolean;
  authentication?: { username: string; password: string } | null;
  httpPort?: number | null;
  forceBasicAuth?: boolean;
  indexType?: 'HUB' | 'REGISTRY' | 'CUSTOM';
}

/** The body of POST /service/rest/v1/repositories/docker/proxy, as in the contract (plus `tagMaxAge`). */
export function proxyBody(name: string, o: ProxyOptions): Record<string, unknown> {
  return {
    name,
    online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true },
    proxy: {
      remoteUrl: o.remoteUrl,
      contentMaxAge: o.contentMaxAge ?? 1440,
      metadataMaxAge: o.metadataMaxAge ?? 1440,
      ...(o.tagMaxAge ? { tagMaxAge: o.tagMaxAge } : {}),
    },
    negativeCache: o.negativeCache ?? { enabled: true, timeToLive: 1440 },
    httpClient: {
      blocked: o.blocked ?? false,
      autoBlock: o.autoBlock ?? true,
      authentication: o.authentication ? { type: 'username', ...o.authentication } : null,
    },
    docker: { v1Enabled: false, forceBasicAuth: o.forceBasicAuth ?? true, httpPort: o.httpPort ?? null },
    dockerProxy: { indexType: o.indexType ?? 'REGISTRY', indexUrl: null },
  };
}

/** Creates proxy repository `name` through the REST API; returns its client on the main port. */
export async function createProxy(wharf: TestWharf, name: string, o: ProxyOptions): Promise<ProxyClient> {
  const res = await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/proxy`, proxyBody(name, o));
  expect(res.status, res.text()).toBe(201);
  return new ProxyClient(wharf, name);
}

/** Images to seed an upstream with: image name -> tag -> manifest. */
export type Images = Record<string, Record<string, Manifest>>;

/**
 * The proxy repository `name` of a describe block: before its tests, `images` are pushed to the upstream (to
 * Distribution directly) and the proxy is created in front of the upstream's faults (`options` add to that).
 * The client can be taken at definition time.
 */
export function proxyFor(wharf: TestWharf, upstream: Upstream, name: string, options: Partial<ProxyOptions> = {}, images: Images = {}): ProxyClient {
  beforeAll(async () => {
    for (const [image, tags] of Object.entries(images)) for (const [tag, m] of Object.entries(tags)) await upstream.direct.pushImage(image, tag, m);
    await createProxy(wharf, name, { remoteUrl: upstream.faults.url, ...options });
  });
  return new ProxyClient(wharf, name);
}

export async function proxyStatus(wharf: TestWharf, name: string): Promise<ProxyStatusJson> {
  const res = await wharf.http.get(`${REPOSITORIES}/${name}/status`);
  expect(res.status, res.text()).toBe(200);
  return res.json<ProxyStatusJson>();
}

export async function invalidateCache(wharf: TestWharf, name: string): Promise<void> {
  const res = await wharf.http.post(`${REPOSITORIES}/${name}/invalidate-cache`);
  expect(res.status, res.text()).toBe(204);
}

/** The proxy seen through the main port, `/v2/<proxy>/<image>/...` with Basic admin credentials. */
export class ProxyClient {
  constructor(
    readonly wharf: TestWharf,
    readonly proxy: string,
  ) {}

  /** Read when used: a client made at definition time works once the test Wharf runs. */
  get registry(): Registry {
    return new Registry(this.wharf.http);
  }

  name(image: string): string {
    return `${this.proxy}/${image}`;
  }

  getManifest(image: string, reference: string, accept = ACCEPT_ALL): Promise<HttpResult> {
    return this.registry.getManifest(this.name(image), reference, { headers: { Accept: accept } });
  }

  headManifest(image: string, reference: string, accept = ACCEPT_ALL): Promise<HttpResult> {
    return this.registry.headManifest(this.name(image), reference, { headers: { Accept: accept } });
  }

  getBlob(image: string, digest: string): Promise<HttpResult> {
    return this.registry.getBlob(this.name(image), digest);
  }

  headBlob(image: string, digest: string): Promise<HttpResult> {
    return this.registry.headBlob(this.name(image), digest);
  }

  blobUrl(image: string, digest: string): string {
    return this.wharf.http.url(this.registry.blobPath(this.name(image), digest));
  }

  /**
   * A blob GET hashed while it streams (nothing buffered); reports a cut connection instead of throwing.
   * With `readAfter`, the client reads nothing until that promise settles (a slow client).
   */
  streamBlob(image: string, digest: string, options: { readAfter?: Promise<void>; hangUpAfter?: number } = {}): Promise<StreamedBody> {
    return streamGet(this.blobUrl(image, digest), basicAuth(this.wharf.admin.username, this.wharf.admin.password), options);
  }
}

export interface StreamedBody {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** sha256 of the bytes received. */
  digest: string;
  size: number;
  /** The response ended normally (not aborted or cut). */
  complete: boolean;
  error?: string;
}

/** A GET hashed while it streams. `readAfter`: read nothing until it settles; `hangUpAfter`: close the connection after that many bytes. */
export function streamGet(url: string, authorization?: string, options: { readAfter?: Promise<void>; hangUpAfter?: number } = {}): Promise<StreamedBody> {
  const { readAfter, hangUpAfter } = options;
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    let size = 0;
    let settled = false;
    const finish = (status: number, headers: StreamedBody['headers'], complete: boolean, error?: string) => {
      if (settled) return;
      settled = true;
      resolve({ status, headers, digest: `sha256:${hash.digest('hex')}`, size, complete, ...(error ? { error } : {}) });
    };
    const req = httpRequest(url, { method: 'GET', headers: authorization ? { Authorization: authorization } : {}, agent: false }, (res) => {
      if (readAfter) {
        res.pause();
        void readAfter.finally(() => res.resume());
      }
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
        if (hangUpAfter !== undefined && size >= hangUpAfter) {
          finish(res.statusCode ?? 0, res.headers, false, 'hung up');
          res.destroy();
        }
      });
      res.on('end', () => finish(res.statusCode ?? 0, res.headers, res.complete));
      res.on('aborted', () => finish(res.statusCode ?? 0, res.headers, false, 'aborted'));
      res.on('error', (e) => finish(res.statusCode ?? 0, res.headers, false, e.message));
      res.on('close', () => finish(res.statusCode ?? 0, res.headers, res.complete, res.complete ? undefined : 'closed'));
    });
    req.on('error', (e) => finish(0, {}, false, e.message));
    req.end();
  });
}

/** A registry error answer's body. */
export interface ErrorBody {
  errors: { code: string; message: string }[];
}

/** Pulls `image:tag` through the proxy and checks the manifest and every blob come back with their exact bytes. */
export async function pullAll(client: ProxyClient, image: string, tag: string, m: Manifest): Promise<void> {
  const res = await client.getManifest(image, tag);
  expect(res.status, res.text()).toBe(200);
  expect(res.body.equals(m.bytes)).toBe(true);
  for (const blob of m.blobs) {
    const b = await client.getBlob(image, blob.digest);
    expect(b.status, b.text()).toBe(200);
    expect(b.body.equals(blob.bytes)).toBe(true);
  }
}
