import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { MAX_MANIFEST_BYTES, isRegistryError } from '@wharf/oci';
import { describe, expect, it } from 'vitest';
import { type TokenServer, type UpstreamRegistry, blobOf, collect, errorOf, imageManifest, sha256, upstreamsPerTest } from '@wharf/test-kit';
import { UpstreamError } from './errors';
import { RegistryClient } from './registry-client';
import type { RegistryClientOptions, UpstreamRequestKind } from './types';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const ACCEPT = `${OCI}, application/vnd.oci.image.index.v1+json`;
const PASSWORD = 'pa55-w0rd-secret';

const { defer, registry, tokenServer, blobOrigin } = upstreamsPerTest();

interface Tracked {
  client: RegistryClient;
  calls: [UpstreamRequestKind, number][];
}
function client(remoteUrl: string, opts: Partial<RegistryClientOptions> = {}): Tracked {
  const calls: [UpstreamRequestKind, number][] = [];
  const c = new RegistryClient({ remoteUrl, onRequest: (k, s) => calls.push([k, s]), ...opts });
  defer(() => c.close());
  return { client: c, calls };
}

function addImage(r: UpstreamRegistry, image = 'library/alpine', tag = 'latest') {
  const layer = randomBytes(1000);
  const layerDigest = r.addBlob(layer);
  const manifest = imageManifest({ layers: [blobOf(layer)] });
  const digest = r.addManifest(image, tag, manifest.bytes);
  return { layer, layerDigest, digest, bytes: manifest.bytes };
}

function noSecrets(e: Error, ...secrets: string[]): void {
  for (const s of [PASSWORD, ...secrets]) {
    expect(e.message).not.toContain(s);
    expect(String(e.stack)).not.toContain(s);
  }
}

describe('RegistryClient: manifests and blobs, no auth', () => {
  it('GETs a manifest by tag: bytes, digest from the header, media type', async () => {
    const r = await registry();
    const img = addImage(r);
    const { client: c, calls } = client(r.url);
    const m = await c.getManifest('library/alpine', 'latest', ACCEPT);
    expect(m).toEqual({ digest: img.digest, mediaType: OCI, bytes: img.bytes });
    expect(calls).toEqual([['manifest-get', 200]]);
    const req = r.requests[0]!;
    expect(req.path).toBe('/v2/library/alpine/manifests/latest');
    expect(req.headers.accept).toBe(ACCEPT);
    expect(req.headers['user-agent']).toBe('wharf/0.1');
    expect(req.headers.authorization).toBeUndefined();
  });

  it('GETs by digest, and without Docker-Content-Digest computes sha256 of the bytes', async () => {
    const r = await registry();
    const img = addImage(r);
    r.omitDigestHeader = true;
    const { client: c } = client(r.url);
    expect((await c.getManifest('library/alpine', 'latest', ACCEPT))?.digest).toBe(img.digest);
    expect((await c.getManifest('library/alpine', img.digest, ACCEPT))?.digest).toBe(img.digest);
  });

  it('sends every manifest type as Accept when given none, and a custom user agent', async () => {
    const r = await registry();
    addImage(r);
    const { client: c } = client(r.url, { userAgent: 'test-agent/1' });
    await c.headManifest('library/alpine', 'latest', '');
    expect(r.requests[0]!.headers.accept).toContain('application/vnd.docker.distribution.manifest.v2+json');
    expect(r.requests[0]!.headers.accept).toContain('application/vnd.oci.image.index.v1+json');
    expect(r.requests[0]!.headers['user-agent']).toBe('test-agent/1');
  });

  it('HEAD returns digest, media type and size', async () => {
    const r = await registry();
    const img = addImage(r);
    const { client: c, calls } = client(r.url);
    expect(await c.headManifest('library/alpine', 'latest', ACCEPT)).toEqual({
      digest: img.digest,
      mediaType: OCI,
      size: img.bytes.length,
    });
    expect(r.requests[0]!.method).toBe('HEAD');
    expect(calls).toEqual([['manifest-head', 200]]);
  });

  it('HEAD by tag without Docker-Content-Digest is invalid', async () => {
    const r = await registry();
    addImage(r);
    r.omitDigestHeader = true;
    const { client: c } = client(r.url);
    const e = await errorOf(c.headManifest('library/alpine', 'latest', ACCEPT));
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e.kind).toBe('invalid');
  });

  it('404 is null for HEAD, GET manifest and blob', async () => {
    const r = await registry();
    const { client: c, calls } = client(r.url);
    expect(await c.headManifest('library/nope', 'latest', ACCEPT)).toBeNull();
    expect(await c.getManifest('library/nope', 'latest', ACCEPT)).toBeNull();
    expect(await c.getBlob('library/nope', sha256('x'))).toBeNull();
    expect(calls).toEqual([
      ['manifest-head', 404],
      ['manifest-get', 404],
      ['blob-get', 404],
    ]);
  });

  it('GETs a blob as a stream with its size', async () => {
    const r = await registry();
    const img = addImage(r);
    const { client: c, calls } = client(r.url);
    const blob = await c.getBlob('library/alpine', img.layerDigest);
    expect(blob!.size).toBe(img.layer.length);
    expect(await collect(blob!.body.stream())).toEqual(img.layer);
    expect(calls).toEqual([['blob-get', 200]]);
  });

  it('honours a path prefix in the remote URL (with or without trailing slash)', async () => {
    const r = await registry({ prefix: '/mirror/hub' });
    const img = addImage(r);
    for (const url of [r.url, `${r.url}/`]) {
      const { client: c } = client(url);
      expect((await c.getManifest('library/alpine', 'latest', ACCEPT))?.digest).toBe(img.digest);
      await c.ping();
    }
    expect(r.requests.map((q) => q.path)).toContain('/mirror/hub/v2/library/alpine/manifests/latest');
    expect(r.requests.map((q) => q.path)).toContain('/mirror/hub/v2/');
  });

  it('validates names and references before any request', async () => {
    const r = await registry();
    const { client: c } = client(r.url);
    for (const p of [
      c.getManifest('../etc', 'latest', ACCEPT),
      c.getManifest('Library/Alpine', 'latest', ACCEPT),
      c.headManifest('library/alpine', 'bad tag', ACCEPT),
      c.getBlob('library/alpine', 'sha256:nothex'),
    ]) {
      expect(isRegistryError(await errorOf(p))).toBe(true);
    }
    expect(r.requests).toHaveLength(0);
  });

  it('rejects bytes that do not hash to the requested digest', async () => {
    const r = await registry();
    const img = addImage(r);
    r.hook = (_req, res, rec) => {
      if (!rec.path.includes('/manifests/')) return false;
      const evil = imageManifest().bytes;
      res.writeHead(200, { 'content-type': OCI, 'content-length': evil.length }).end(evil);
      return true;
    };
    const { client: c } = client(r.url);
    const e = await errorOf(c.getManifest('library/alpine', img.digest, ACCEPT));
    expect(e.kind).toBe('invalid');
    expect(e.message).toContain(img.digest);
  });

  it('rejects a Docker-Content-Digest that does not match the bytes', async () => {
    const r = await registry();
    addImage(r);
    r.hook = (_req, res, rec) => {
      if (!rec.path.includes('/manifests/')) return false;
      const body = Buffer.from('{"schemaVersion":2}');
      res.writeHead(200, { 'content-type': OCI, 'docker-content-digest': sha256('other') }).end(body);
      return true;
    };
    const { client: c } = client(r.url);
    expect((await errorOf(c.getManifest('library/alpine', 'latest', ACCEPT))).kind).toBe('invalid');
  });

  it('bounds manifests by MAX_MANIFEST_BYTES, declared or chunked', async () => {
    const r = await registry();
    let declared = true;
    let written = 0;
    r.hook = (_req, res) => {
      const headers: Record<string, string | number> = { 'content-type': OCI };
      if (declared) headers['content-length'] = MAX_MANIFEST_BYTES + 1;
      res.writeHead(200, headers);
      res.flushHeaders();
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (written < MAX_MANIFEST_BYTES + 1 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      if (!declared) pump();
      return true;
    };
    const { client: c } = client(r.url);
    const e1 = await errorOf(c.getManifest('library/alpine', 'latest', ACCEPT));
    expect(e1.kind).toBe('invalid');
    expect(e1.message).toContain(String(MAX_MANIFEST_BYTES));
    declared = false;
    const e2 = await errorOf(c.getManifest('library/alpine', 'latest', ACCEPT));
    expect(e2.kind).toBe('invalid');
  });

  it('takes the media type from the body when Content-Type is generic', async () => {
    const r = await registry();
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] };
    r.addManifest('library/alpine', 'multi', index, 'application/json; charset=utf-8');
    const { client: c } = client(r.url);
    expect((await c.getManifest('library/alpine', 'multi', ACCEPT))?.mediaType).toBe('application/vnd.oci.image.index.v1+json');
  });

  it('ping: GET /v2/', async () => {
    const r = await registry();
    const { client: c } = client(r.url);
    await c.ping();
    expect(r.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /v2/']);
  });
});

describe('RegistryClient: Bearer token auth', () => {
  async function bearerRegistry(tokenOpts: Parameters<typeof TokenServer.start>[0] = {}) {
    const tokens = await tokenServer({ service: 'fake.example', ...tokenOpts });
    const r = await registry({ auth: tokens });
    return { tokens, r };
  }

  it('fetches an anonymous token for repository:<image>:pull and retries once', async () => {
    const { tokens, r } = await bearerRegistry({ expiresIn: 300 });
    const img = addImage(r);
    const { client: c, calls } = client(r.url);
    expect((await c.getManifest('library/alpine', 'latest', ACCEPT))?.digest).toBe(img.digest);
    expect(calls).toEqual([
      ['manifest-get', 401],
      ['token', 200],
      ['manifest-get', 200],
    ]);
    expect(tokens.requests).toHaveLength(1);
    const q = new URL(tokens.requests[0]!.url, 'http://x').searchParams;
    expect(q.get('service')).toBe('fake.example');
    expect(q.getAll('scope')).toEqual(['repository:library/alpine:pull']);
    expect(tokens.requests[0]!.headers.authorization).toBeUndefined();
    expect(r.requests[1]!.headers.authorization).toMatch(/^Bearer \S+$/);
  });

  it('fetches the token once for 10 requests of the same scope, and sends it pre-emptively', async () => {
    const { tokens, r } = await bearerRegistry({ expiresIn: 300 });
    const img = addImage(r);
    const { client: c } = client(r.url);
    for (let i = 0; i < 10; i++) {
      await c.headManifest('library/alpine', 'latest', ACCEPT);
    }
    const blob = await c.getBlob('library/alpine', img.layerDigest);
    expect(await collect(blob!.body.stream())).toEqual(img.layer);
    expect(tokens.requests).toHaveLength(1);
    // One 401 to learn the challenge, then every request carries the token.
    expect(r.requests).toHaveLength(12);
    expect(r.requests.slice(1).every((q) => q.headers.authorization?.startsWith('Bearer '))).toBe(true);
  });

  it('shares one token fetch between 10 concurrent requests', async () => {
    const { tokens, r } = await bearerRegistry({ delayMs: 50, expiresIn: 300 });
    const img = addImage(r);
    const { client: c } = client(r.url);
    const results = await Promise.all(Array.from({ length: 10 }, () => c.getManifest('library/alpine', 'latest', ACCEPT)));
    expect(results.every((m) => m?.digest === img.digest)).toBe(true);
    expect(tokens.requests).toHaveLength(1);
  });

  it('fetches a token per scope (image)', async () => {
    const { tokens, r } = await bearerRegistry({ expiresIn: 300 });
    addImage(r, 'library/alpine');
    addImage(r, 'library/busybox');
    const { client: c } = client(r.url);
    await c.getManifest('library/alpine', 'latest', ACCEPT);
    await c.getManifest('library/busybox', 'latest', ACCEPT);
    await c.getManifest('library/alpine', 'latest', ACCEPT);
    expect(tokens.scopesRequested).toEqual(['repository:library/alpine:pull', 'repository:library/busybox:pull']);
    // busybox: the realm was known, so its token was fetched before the request (no second 401).
    expect(r.requests.filter((q) => q.headers.authorization === undefined)).toHaveLength(1);
  });

  it('refetches after expires_in minus the margin, and defaults to 60 s', async () => {
    const { tokens, r } = await bearerRegistry({ expiresIn: 1 });
    addImage(r);
    const { client: c } = client(r.url);
    await c.headManifest('library/alpine', 'latest', ACCEPT);
    await c.headManifest('library/alpine', 'latest', ACCEPT);
    expect(tokens.requests).toHaveLength(1);
    await new Promise((res) => setTimeout(res, 850)); // reused for 1 s - 20 %
    await c.headManifest('library/alpine', 'latest', ACCEPT);
    expect(tokens.requests).toHaveLength(2);

    const other = await bearerRegistry({}); // no expires_in: 60 s
    addImage(other.r);
    const { client: c2 } = client(other.r.url);
    await c2.headManifest('library/alpine', 'latest', ACCEPT);
    await new Promise((res) => setTimeout(res, 50));
    await c2.headManifest('library/alpine', 'latest', ACCEPT);
    expect(other.tokens.requests).toHaveLength(1);
  });

  it('reads access_token when token is absent', async () => {
    const { r } = await bearerRegistry({ field: 'access_token' });
    const img = addImage(r);
    const { client: c } = client(r.url);
    expect((await c.getManifest('library/alpine', 'latest', ACCEPT))?.digest).toBe(img.digest);
  });

  it('sends Basic credentials to the token realm only, never the password to the registry', async () => {
    const { tokens, r } = await bearerRegistry({ credentials: { username: 'alice', password: PASSWORD }, requireCredentials: true });
    const img = addImage(r);
    const { client: c } = client(r.url, { credentials: { username: 'alice', password: PASSWORD } });
    expect((await c.getManifest('library/alpine', 'latest', ACCEPT))?.digest).toBe(img.digest);
    const basic = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`;
    expect(tokens.requests[0]!.headers.authorization).toBe(basic);
    expect(r.requests.every((q) => !q.headers.authorization?.startsWith('Basic'))).toBe(true);
    expect([...tokens.issued.values()][0]!.user).toBe('alice');
  });

  it('wrong credentials: the token endpoint 401 becomes UpstreamError auth without the password', async () => {
    const { r } = await bearerRegistry({ credentials: { username: 'alice', password: 'right' } });
    addImage(r);
    const { client: c, calls } = client(r.url, { credentials: { username: 'alice', password: PASSWORD } });
    const e = await errorOf(c.getManifest('library/alpine', 'latest', ACCEPT));
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e.kind).toBe('auth');
    expect(e.status).toBe(401);
    expect(e.message).toContain(r.origin);
    expect(e.message).toContain('alice');
    noSecrets(e);
    expect(calls).toEqual([
      ['manifest-get', 401],
      ['token', 401],
    ]);
  });

  it('anonymous access refused by the token endpoint is auth', async () => {
    const { r } = await bearerRegistry({ requireCredentials: true });
    addImage(r);
    const { client: c } = client(r.url);
    expect((await errorOf(c.headManifest('library/alpine', 'latest', ACCEPT))).kind).toBe('auth');
  });

  it('a token the registry still refuses: one retry only, then auth (no token in the message)', async () => {
    const { tokens, r } = await bearerRegistry();
    addImage(r);
    r.hook = (_req, res, rec) => {
      if (!rec.headers.authorization) return false;
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${tokens.realm}",service="x",error="insufficient_scope"` }).end();
      return true;
    };
    const { client: c, calls } = client(r.url);
    const e = await errorOf(c.getManifest('library/alpine', 'latest', ACCEPT));
    expect(e.kind).toBe('auth');
    expect(r.requests).toHaveLength(2);
    expect(calls.filter(([k]) => k === 'manifest-get')).toHaveLength(2);
    noSecrets(e, ...tokens.issued.keys());
  });

  it('a revoked cached token is replaced once', async () => {
    const { tokens, r } = await bearerRegistry({ expiresIn: 300 });
    const img = addImage(r);
    const { client: c } = client(r.url);
    await c.getManifest('library/alpine', 'latest', ACCEPT);
    tokens.revokeAll();
    expect((await c.getManifest('library/alpine', 'latest', ACCEPT))?.digest).toBe(img.digest);
    expect(tokens.requests).toHaveLength(2);
  });

  it('403 from the registry is auth with status 403', async () => {
    const { r } = await bearerRegistry();
    addImage(r);
    r.hook = (_req, res, rec) => {
      if (!rec.headers.authorization) return false;
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }));
      return true;
    };
    const { client: c } = client(r.url);
    const e = await errorOf(c.getManifest('library/alpine', 'latest', ACCEPT));
    expect(e.kind).toBe('auth');
    expect(e.status).toBe(403);
    expect(e.message).toContain('DENIED');
  });

  it('ping negotiates a token without scope and checks credentials', async () => {
    const { tokens, r } = await bearerRegistry({ credentials: { username: 'alice', password: PASSWORD } });
    await client(r.url, { credentials: { username: 'alice', password: PASSWORD } }).client.ping();
    expect(tokens.scopesRequested).toEqual(['']);
    const e = await errorOf(client(r.url, { credentials: { username: 'alice', password: 'nope' } }).client.ping());
    expect(e.kind).toBe('auth');
    noSecrets(e, 'nope');
  });

  it('token endpoint failures: 404 is status, garbage is invalid, down is unreachable', async () => {
    const tokens = await tokenServer();
    const r = await registry();
    r.hook = (_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${tokens.url}/missing",service="s"` }).end();
      return true;
    };
    const e404 = await errorOf(client(r.url).client.getManifest('library/alpine', 'latest', ACCEPT));
    expect(e404.kind).toBe('status');
    expect(e404.status).toBe(404);

    const junk = await registry();
    junk.hook = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"nothing":true}');
      return true;
    };
    const r2 = await registry();
    r2.hook = (_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${junk.url}/token",service="s"` }).end();
      return true;
    };
    expect((await errorOf(client(r2.url).client.getManifest('library/alpine', 'latest', ACCEPT))).kind).toBe('invalid');

    await junk.stop();
    expect((await errorOf(client(r2.url).client.getManifest('library/alpine', 'latest', ACCEPT))).kind).toBe('unreachable');
  });
});

describe('RegistryClient: Basic auth', () => {
  it('answers a Basic challenge with the credentials, then sends them pre-emptively', async () => {
    const r = await registry({ auth: { username: 'bob', password: PASSWORD } });
    const img = addImage(r);
    const { client: c, calls } = client(r.url, { credentials: { username: 'bob', password: PASSWORD } });
    expect((await c.getManifest('library/alpine', 'latest', ACCEPT))?.digest).toBe(img.digest);
    expect(await c.headManifest('library/alpine', 'latest', ACCEPT)).not.toBeNull();
    expect(calls).toEqual([
      ['manifest-get', 401],
      ['manifest-get', 200],
      ['manifest-head', 200],
    ]);
    expect(r.requests.map((q) => q.headers.authorization?.split(' ')[0])).toEqual([undefined, 'Basic', 'Basic']);
  });

  it('without credentials: auth error naming the registry', async () => {
    const r = await registry({ auth: { username: 'bob', password: PASSWORD } });
    addImage(r);
    const e = await errorOf(client(r.url).client.getManifest('library/alpine', 'latest', ACCEPT));
    expect(e.kind).toBe('auth');
    expect(e.message).toContain(r.origin);
    expect(r.requests).toHaveLength(1);
  });

  it('wrong credentials: one retry, then auth without the password', async () => {
    const r = await registry({ auth: { username: 'bob', password: 'right' } });
    addImage(r);
    const { client: c } = client(r.url, { credentials: { username: 'bob', password: PASSWORD } });
    const e = await errorOf(c.getManifest('library/alpine', 'latest', ACCEPT));
    expect(e.kind).toBe('auth');
    expect(e.status).toBe(401);
    noSecrets(e);
    expect(r.requests).toHaveLength(2);
    // Pre-emptive next time, still refused, no second retry.
    await errorOf(c.getManifest('library/alpine', 'latest', ACCEPT));
    expect(r.requests).toHaveLength(3);
  });

  it('a 401 without a usable challenge is auth', async () => {
    const r = await registry();
    r.hook = (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Negotiate' }).end();
      return true;
    };
    expect((await errorOf(client(r.url).client.getManifest('library/alpine', 'latest', ACCEPT))).kind).toBe('auth');
  });
});

describe('RegistryClient: redirects', () => {
  it('follows a blob redirect to another origin without Authorization or credentials', async () => {
    const store = await blobOrigin();
    const tokens = await tokenServer({ credentials: { username: 'alice', password: PASSWORD } });
    const r = await registry({ auth: tokens, redirectBlobsTo: store });
    const img = addImage(r);
    const { client: c, calls } = client(r.url, { credentials: { username: 'alice', password: PASSWORD } });
    const blob = await c.getBlob('library/alpine', img.layerDigest);
    expect(blob!.size).toBe(img.layer.length);
    expect(await collect(blob!.body.stream())).toEqual(img.layer);
    expect(calls).toEqual([
      ['blob-get', 401],
      ['token', 200],
      ['blob-get', 307],
      ['blob-get', 200],
    ]);
    expect(store.requests).toHaveLength(1);
    expect(store.requests[0]!.headers.authorization).toBeUndefined();
    expect(store.requests[0]!.url).toContain('X-Amz-Signature=');
    expect(r.requests[1]!.headers.authorization).toMatch(/^Bearer /);
  });

  it.each([301, 302, 303, 308] as const)('follows %i', async (status) => {
    const store = await blobOrigin();
    const r = await registry({ redirectBlobsTo: store, redirectStatus: status });
    const img = addImage(r);
    const blob = await client(r.url).client.getBlob('library/alpine', img.layerDigest);
    expect(await collect(blob!.body.stream())).toEqual(img.layer);
  });

  it('a 404 at the redirect target is null; other failures there never show its query string', async () => {
    const store = await blobOrigin();
    const r = await registry({ redirectBlobsTo: store });
    const img = addImage(r);
    store.objects.clear();
    const { client: c, calls } = client(r.url);
    expect(await c.getBlob('library/alpine', img.layerDigest)).toBeNull();
    expect(calls).toEqual([
      ['blob-get', 307],
      ['blob-get', 404],
    ]);
    store.hook = (_req, res) => {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
      return true;
    };
    const e = await errorOf(c.getBlob('library/alpine', img.layerDigest));
    // A 403 from object storage is not an upstream credentials problem.
    expect([e.kind, e.status]).toEqual(['status', 403]);
    expect(e.message).toContain(store.url);
    expect(e.message).not.toContain('s3cr3t');
  });

  it('keeps Authorization on a same-origin redirect, drops it for good once the origin changes', async () => {
    const store = await blobOrigin();
    const r = await registry({ auth: { username: 'bob', password: PASSWORD } });
    const img = addImage(r);
    let bounceBack = '';
    /** The registry's /back: what a redirect chain ends on, noting the Authorization it arrived with. */
    const serveBack = (rec: { headers: { authorization?: string } }, res: ServerResponse): true => {
      bounceBack = rec.headers.authorization ?? 'none';
      res.writeHead(200, { 'content-length': img.layer.length }).end(img.layer);
      return true;
    };
    r.hook = (_req, res, rec) => {
      if (rec.path.includes('/blobs/') && rec.headers.authorization) {
        res.writeHead(302, { location: `/internal/${img.layerDigest}` }).end();
        return true;
      }
      if (rec.path.startsWith('/internal/')) {
        res.writeHead(307, { location: `${store.url}/objects/${img.layerDigest}?bounce=1` }).end();
        return true;
      }
      if (rec.path === '/back') return serveBack(rec, res);
      return false;
    };
    store.objects.set(img.layerDigest, img.layer);
    const { client: c } = client(r.url, { credentials: { username: 'bob', password: PASSWORD } });
    const blob = await c.getBlob('library/alpine', img.layerDigest);
    expect(await collect(blob!.body.stream())).toEqual(img.layer);
    const internal = r.requests.find((q) => q.path.startsWith('/internal/'))!;
    expect(internal.headers.authorization).toMatch(/^Basic /);
    expect(store.requests[0]!.headers.authorization).toBeUndefined();

    // registry -> store -> back to the registry origin: the credentials stay dropped.
    r.hook = (_req, res, rec) => {
      if (rec.path.includes('/blobs/') && rec.headers.authorization) {
        res.writeHead(307, { location: `${store.url}/bounce` }).end();
        return true;
      }
      if (rec.path === '/back') return serveBack(rec, res);
      return false;
    };
    store.hook = (_req, res) => {
      res.writeHead(302, { location: `${r.origin}/back` }).end();
      return true;
    };
    const blob2 = await c.getBlob('library/alpine', img.layerDigest);
    expect(await collect(blob2!.body.stream())).toEqual(img.layer);
    expect(bounceBack).toBe('none');
  });

  it('gives up after 5 redirects', async () => {
    const r = await registry();
    r.hook = (_req, res, rec) => {
      res.writeHead(302, { location: `${rec.path}x` }).end();
      return true;
    };
    const { client: c, calls } = client(r.url);
    const e = await errorOf(c.getBlob('library/alpine', sha256('x')));
    expect(e.kind).toBe('invalid');
    expect(e.message).toContain('redirects');
    expect(r.requests).toHaveLength(6);
    expect(calls).toHaveLength(6);
  });

  it('a redirect without Location or to a non-http URL is invalid', async () => {
    const r = await registry();
    const answer: { location?: string } = {};
    r.hook = (_req, res) => {
      res.writeHead(302, answer.location ? { location: answer.location } : {}).end();
      return true;
    };
    const { client: c } = client(r.url);
    expect((await errorOf(c.getBlob('library/alpine', sha256('x')))).kind).toBe('invalid');
    answer.location = 'file:///etc/passwd';
    expect((await errorOf(c.getBlob('library/alpine', sha256('x')))).kind).toBe('invalid');
  });
});

describe('RegistryClient: statuses and rate limits', () => {
  it('429 is a status error carrying Retry-After; the rate-limit headers are captured', async () => {
    const r = await registry();
    r.hook = (_req, res) => {
      res.writeHead(429, {
        'retry-after': '30',
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '0;w=21600',
        'docker-ratelimit-source': '198.51.100.7',
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }] }));
      return true;
    };
    const { client: c } = client(r.url);
    const e = await errorOf(c.getManifest('library/alpine', 'latest', ACCEPT));
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e.kind).toBe('status');
    expect(e.status).toBe(429);
    expect(e.retryAfter).toBe('30');
    expect(e.message).toContain('TOOMANYREQUESTS');
    expect(c.rateLimit).toMatchObject({ limit: 100, remaining: 0, source: '198.51.100.7' });
  });

  it('other non-2xx statuses are status errors with the status', async () => {
    const r = await registry();
    let status = 500;
    r.hook = (_req, res) => {
      res.writeHead(status, { 'retry-after': '5' }).end('<html>oops</html>');
      return true;
    };
    const { client: c } = client(r.url);
    for (const s of [500, 502, 503, 400]) {
      status = s;
      const e = await errorOf(c.getBlob('library/alpine', sha256('x')));
      expect([e.kind, e.status]).toEqual(['status', s]);
      expect(e.message).not.toContain('oops');
      const h = await errorOf(c.headManifest('library/alpine', 'latest', ACCEPT));
      expect([h.kind, h.status]).toEqual(['status', s]);
    }
    status = 500;
    await expect(c.ping()).rejects.toMatchObject({ kind: 'status', status: 500 });
  });

  it('records rate-limit figures from ordinary answers, keeping the last seen', async () => {
    const r = await registry({ manifestHeaders: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600', 'docker-ratelimit-source': '203.0.113.5' } });
    addImage(r);
    const { client: c } = client(r.url);
    expect(c.rateLimit).toBeUndefined();
    const before = Date.now();
    await c.headManifest('library/alpine', 'latest', ACCEPT);
    expect(c.rateLimit).toMatchObject({ limit: 100, remaining: 76, source: '203.0.113.5', windowSeconds: 21600 });
    expect(c.rateLimit!.observedAt.getTime()).toBeGreaterThanOrEqual(before);
    r.manifestHeaders = {};
    await c.headManifest('library/alpine', 'latest', ACCEPT);
    expect(c.rateLimit?.remaining).toBe(76);
  });

  it('a broken onRequest hook does not break requests', async () => {
    const r = await registry();
    addImage(r);
    const c = new RegistryClient({
      remoteUrl: r.url,
      onRequest: () => {
        throw new Error('metrics down');
      },
    });
    defer(() => c.close());
    expect(await c.headManifest('library/alpine', 'latest', ACCEPT)).not.toBeNull();
  });

  it('rejects a bad remote URL at construction and hides userinfo', async () => {
    expect(() => new RegistryClient({ remoteUrl: 'ftp://x' })).toThrow(TypeError);
    expect(() => new RegistryClient({ remoteUrl: 'not a url' })).toThrow(TypeError);
    const r = await registry();
    const url = r.url.replace('http://', `http://user:${PASSWORD}@`);
    const { client: c } = client(url);
    expect(c.remote).toBe(r.url);
    await c.ping();
    expect(r.requests[0]!.headers.authorization).toBeUndefined();
  });
});
