import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobOrigin, type Manifest, TokenServer, imageManifest, randomBlob } from '@wharf/test-kit';
import { REPOSITORIES } from '../support/rest';
import { useTestWharf } from '../support/wharf';
import { SCHEMES, proxyFor, proxyBody, proxyStatus, upstreamFor, upstreamTls, type ErrorBody, pullAll } from './support/proxy-fixture';

// The upstream requires Bearer tokens from a token server that checks Basic credentials, as
// Docker Hub and most private registries do. The proxy holds the credentials in httpClient.authentication.

const USERNAME = 'puller';
const PASSWORD = `Up-${randomBytes(12).toString('hex')}-pw`;

const wharf = useTestWharf();

/** A GET without credentials, trusting the test CA (fetch does not read NODE_EXTRA_CA_CERTS once the process runs). */
function getUnauthenticated(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    request(url, { ca: readFileSync(process.env.NODE_EXTRA_CA_CERTS ?? '/dev/null', 'utf8') }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    })
      .on('error', reject)
      .end();
  });
}

/** Every file below `dir` (the data directory: database, WAL, blobs, secrets). */
async function filesBelow(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []; // removed while walking (a temporary directory)
    throw err;
  });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesBelow(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

// Every suite runs against a plain-HTTP upstream and an HTTPS one (token server and blob origin on HTTPS too).
describe.each(SCHEMES)('%s upstream', (scheme) => {
  const upstream = upstreamFor('auth', scheme);
  let tokens: TokenServer;

  beforeAll(async () => {
    tokens = await TokenServer.start({
      credentials: { username: USERNAME, password: PASSWORD },
      requireCredentials: true,
      expiresIn: 300,
      ...(scheme === 'https' ? { tls: upstreamTls() } : {}),
    });
    upstream.faults.auth = tokens;
  });

  afterAll(async () => {
    await tokens?.stop();
  });

  describe('Bearer-token upstream with credentials', () => {
    const PROXY = `auth-proxy-${scheme}`;
    const IMAGE = 'team/secure';
    const images: Record<string, Manifest> = Object.fromEntries(['a', 'b', 'c', 'd'].map((tag) => [tag, imageManifest({ layers: [randomBlob(4096), randomBlob(100)] })]));
    // Seeding goes to Distribution directly: it has no auth of its own, the fault proxy does.
    const client = proxyFor(wharf, upstream, PROXY, { authentication: { username: USERNAME, password: PASSWORD } }, { [IMAGE]: images });

    it('the upstream really refuses requests without a token', async () => {
      const res = await getUnauthenticated(`${upstream.faults.url}/v2/${IMAGE}/manifests/a`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    });

    it('pulls through the proxy: the token is fetched once for many requests to one image', async () => {
      for (const tag of ['a', 'b', 'c']) await pullAll(client, IMAGE, tag, images[tag]!);
      const forImage = tokens.requests.filter((r) => (r.query.scope ?? '').includes(`repository:${IMAGE}:`));
      expect(forImage.length, JSON.stringify(tokens.requests.map((r) => r.query))).toBe(1);
      expect(forImage[0]!.status).toBe(200);
      expect(forImage[0]!.query.service).toBe(tokens.service);
      expect(forImage[0]!.authorization).toBe(`Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`);
      // 3 manifests and 6 blobs reached the upstream with a token.
      const authorized = upstream.faults.requests.filter((r) => r.image === IMAGE && r.status === 200);
      expect(authorized.length).toBeGreaterThanOrEqual(9);
      expect(authorized.every((r) => /^Bearer /.test(r.authorization ?? ''))).toBe(true);
      const status = await proxyStatus(wharf, PROXY);
      expect(status.counters.upstreamRequests.token).toBe(tokens.requests.length);
    });

    it('GET of the repository never returns the password, neither does the list', async () => {
      const res = await wharf.http.get(`${REPOSITORIES}/docker/proxy/${PROXY}`);
      expect(res.status).toBe(200);
      expect(res.text()).not.toContain(PASSWORD);
      const json = res.json<{ httpClient: { authentication: Record<string, unknown> | null } }>();
      expect(json.httpClient.authentication).toEqual({ type: 'username', username: USERNAME });
      const list = await wharf.http.get(REPOSITORIES);
      expect(list.status).toBe(200);
      expect(list.text()).not.toContain(PASSWORD);
      const status = await wharf.http.get(`${REPOSITORIES}/${PROXY}/status`);
      expect(status.text()).not.toContain(PASSWORD);
    });

    it('the password is not stored in plain text in the data directory (wharf.db and its WAL included)', async () => {
      const basic = Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64');
      const secrets = [Buffer.from(PASSWORD), Buffer.from(basic), Buffer.from(PASSWORD, 'utf16le')];
      // Temporary files of the blob store come and go (a fill's file is renamed into place): a file that vanished
      // between listing and reading is read again at its new place by the next pass.
      for (let pass = 1; ; pass++) {
        const files = await filesBelow(wharf.dataDir);
        expect(files.some((f) => f.endsWith('wharf.db'))).toBe(true);
        const leaks: string[] = [];
        let vanished = 0;
        for (const file of files) {
          const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw err;
            vanished++;
            return Buffer.alloc(0);
          });
          if (secrets.some((secret) => bytes.includes(secret))) leaks.push(file);
        }
        expect(leaks).toEqual([]);
        if (vanished === 0) break;
        expect(pass, 'files kept vanishing while the data directory was read').toBeLessThan(10);
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    it('an update that leaves the password out keeps it (write-only)', async () => {
      const body = proxyBody(PROXY, { remoteUrl: upstream.faults.url, authentication: { username: USERNAME, password: 'unused' } });
      delete ((body.httpClient as { authentication: Record<string, unknown> }).authentication as Record<string, unknown>).password;
      const put = await wharf.http.sendJson('PUT', `${REPOSITORIES}/docker/proxy/${PROXY}`, body);
      expect(put.status, put.text()).toBe(204);
      await pullAll(client, IMAGE, 'd', images.d!);
    });
  });

  describe('wrong upstream credentials', () => {
    const PROXY = `auth-wrong-${scheme}`;
    const WRONG = `Wrong-${randomBytes(8).toString('hex')}`;
    const client = proxyFor(wharf, upstream, PROXY, { authentication: { username: USERNAME, password: WRONG } }, { 'team/locked': { '1': imageManifest() } });

    it('answers a clear server-side error (not 401, which would blame the client) naming the authentication problem', async () => {
      const res = await client.getManifest('team/locked', '1');
      expect([502, 503], res.text()).toContain(res.status);
      expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
      const error = res.json<ErrorBody>().errors[0]!;
      expect(error.message).toMatch(/credential|authenticat|unauthori[sz]ed|401|password|token/i);
      expect(res.text()).not.toContain(WRONG);
      expect(tokens.requests.some((r) => r.status === 401)).toBe(true);
    });

    it('GET .../status shows the failure in upstream.lastFailure.message, without the password', async () => {
      const status = await proxyStatus(wharf, PROXY);
      expect(status.upstream.lastFailure).not.toBeNull();
      expect(status.upstream.lastFailure!.message).toMatch(/credential|authenticat|unauthori[sz]ed|401|password|token/i);
      expect(JSON.stringify(status)).not.toContain(WRONG);
    });
  });

  describe('blob GETs redirected to another origin (object storage)', () => {
    const PROXY = `redir-proxy-${scheme}`;
    const IMAGE = 'team/redirected';
    const m = imageManifest({ layers: [randomBlob(2 * 1024 * 1024), randomBlob(10)] });
    const client = proxyFor(wharf, upstream, PROXY, { authentication: { username: USERNAME, password: PASSWORD } }, { [IMAGE]: { '1': m } });
    let origin: BlobOrigin;

    beforeAll(async () => {
      // Another host: over HTTPS its URL names "localhost" while the registry's names 127.0.0.1 (as Docker Hub
      // sends registry-1.docker.io's blob GETs to its CDN's host).
      origin = await BlobOrigin.start({ target: upstream.distribution.url, ...(scheme === 'https' ? { tls: upstreamTls('localhost') } : {}) });
      upstream.faults.redirectBlobsTo = origin;
    });

    afterAll(async () => {
      upstream.faults.redirectBlobsTo = null;
      await origin?.stop();
    });

    it('follows the redirect, serves the right bytes, and sends no Authorization to the redirect target', async () => {
      await pullAll(client, IMAGE, '1', m);
      const redirects = upstream.faults.requests.filter((r) => r.kind === 'blob-get' && r.image === IMAGE);
      expect(redirects.map((r) => r.status)).toEqual(m.blobs.map(() => 307));
      expect(origin.requests.map((r) => r.status)).toEqual(m.blobs.map(() => 200));
      expect(origin.requests.map((r) => r.authorization ?? null)).toEqual(m.blobs.map(() => null));
      // The signed query string was kept.
      expect(origin.requests.every((r) => r.url.includes('?X-Amz-Signature='))).toBe(true);
    });

    it('caches the redirected blobs: a second pull reaches neither the registry nor the origin', async () => {
      const registryBefore = upstream.faults.count('blob-get');
      const originBefore = origin.requests.length;
      await pullAll(client, IMAGE, '1', m);
      expect(upstream.faults.count('blob-get')).toBe(registryBefore);
      expect(origin.requests.length).toBe(originBefore);
    });
  });
});
