import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';
import { startWharf } from '../../src/wharf';
import { TestCa } from '../../../../test/support/tls';
import { freePort } from '../support/ports';
import { type TestWharf, startTestWharf } from '../support/wharf';

const REPOSITORIES = '/service/rest/v1/repositories';

interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint: string;
}

/** One HTTPS request on a new connection, trusting `ca` only. */
function httpsRequest(url: string, ca: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', ca, agent: false, headers: options.headers }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), fingerprint }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function hostedBody(name: string, docker: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    online: true,
    storage: { blobStoreName: 'default', strictContentTypeValidation: true, writePolicy: 'ALLOW' },
    cleanup: null,
    docker: { v1Enabled: false, forceBasicAuth: true, httpPort: null, ...docker },
  };
}

describe('HTTPS with a configured certificate (WHARF_TLS_CERTIFICATE, WHARF_TLS_KEY)', () => {
  let ca: TestCa;
  let otherCa: TestCa;
  let dir: string;
  let certificateFile: string;
  let keyFile: string;
  let wharf: TestWharf;

  beforeAll(async () => {
    ca = TestCa.create();
    otherCa = TestCa.create();
    dir = ca.dir;
    const issued = ca.issue(['localhost', '127.0.0.1']);
    // The files Wharf is told about: copies, so that a renewal can overwrite them.
    certificateFile = join(dir, 'wharf.crt');
    keyFile = join(dir, 'wharf.key');
    copyFileSync(issued.certFile, certificateFile);
    copyFileSync(issued.keyFile, keyFile);
    wharf = await startTestWharf({ config: { tls: { certificateFile, keyFile }, httpsPort: 0 } });
  });

  afterAll(async () => {
    await wharf?.close();
    ca?.dispose();
    otherCa?.dispose();
  });

  it('the main HTTPS port serves the same API as the main port, with the certificate', async () => {
    expect(wharf.httpsPort).toBeGreaterThan(0);
    const res = await httpsRequest(`https://127.0.0.1:${wharf.httpsPort}/service/rest/v1/security/users`, ca.cert, { headers: { Authorization: wharf.authorization } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual(expect.arrayContaining([expect.objectContaining({ userId: 'admin' })]));
    // The plain main port is unchanged.
    expect((await wharf.http.get('/service/rest/v1/status')).status).toBe(200);
  });

  it('a client that does not trust the CA is refused by its own TLS check', async () => {
    await expect(httpsRequest(`https://127.0.0.1:${wharf.httpsPort}/service/rest/v1/status`, otherCa.cert)).rejects.toThrow(/self[- ]signed|unable to verify|unable to get local issuer/i);
  });

  it('URLs Wharf hands out on an HTTPS port say https (token realm, repository URL)', async () => {
    const base = `https://127.0.0.1:${wharf.httpsPort}`;
    const challenge = await httpsRequest(`${base}/v2/`, ca.cert);
    expect(challenge.status).toBe(401);
    expect(String(challenge.headers['www-authenticate'])).toMatch(new RegExp(`^Bearer realm="${base}/v2/token"`));
    await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/hosted`, hostedBody('url-check', {}));
    const repository = await httpsRequest(`${base}${REPOSITORIES}/url-check`, ca.cert, { headers: { Authorization: wharf.authorization } });
    expect(JSON.parse(repository.body).url).toBe(`${base}/repository/url-check`);
  });

  it('docker.httpsPort opens an HTTPS connector (kept on PUT, moved, closed), with the https realm', async () => {
    const port = await freePort();
    const created = await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/hosted`, hostedBody('tls-hosted', { httpsPort: port }));
    expect(created.status, created.text()).toBe(201);
    const stored = (await wharf.http.get(`${REPOSITORIES}/docker/hosted/tls-hosted`)).json<{ docker: { httpsPort: number | null } }>();
    expect(stored.docker.httpsPort).toBe(port);
    const list = (await wharf.http.get(REPOSITORIES)).json<{ name: string; attributes: { docker: unknown } }[]>();
    expect(list.find((r) => r.name === 'tls-hosted')!.attributes.docker).toEqual({ httpPort: null, httpsPort: port });

    const base = `https://127.0.0.1:${port}`;
    const challenge = await httpsRequest(`${base}/v2/`, ca.cert);
    expect(challenge.status).toBe(401);
    expect(String(challenge.headers['www-authenticate'])).toMatch(new RegExp(`^Bearer realm="${base}/v2/token"`));
    const signedIn = await httpsRequest(`${base}/v2/`, ca.cert, { headers: { Authorization: wharf.authorization } });
    expect(signedIn.status).toBe(200);
    // A blob pushed over HTTPS reads back with its digest (monolithic upload).
    const upload = await httpsRequest(`${base}/v2/team/app/blobs/uploads/?digest=sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae`, ca.cert, {
      method: 'POST', headers: { Authorization: wharf.authorization, 'Content-Type': 'application/octet-stream', 'Content-Length': '3' }, body: 'foo',
    });
    expect(upload.status, upload.body).toBe(201);
    const blob = await httpsRequest(`${base}/v2/team/app/blobs/sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae`, ca.cert, { headers: { Authorization: wharf.authorization } });
    expect([blob.status, blob.body]).toEqual([200, 'foo']);

    // Adding an HTTP port keeps the HTTPS connector; moving the HTTPS port closes the old one.
    const httpPort = await freePort();
    const moved = await freePort();
    const put = await wharf.http.sendJson('PUT', `${REPOSITORIES}/docker/hosted/tls-hosted`, hostedBody('tls-hosted', { httpPort, httpsPort: moved }));
    expect(put.status, put.text()).toBe(204);
    expect((await wharf.on(httpPort).get('/v2/')).status).toBe(200);
    expect((await httpsRequest(`https://127.0.0.1:${moved}/v2/`, ca.cert, { headers: { Authorization: wharf.authorization } })).status).toBe(200);
    await expect(httpsRequest(`${base}/v2/`, ca.cert)).rejects.toThrow(/ECONNREFUSED/);
    // Back to none: the HTTPS connector closes, the HTTP one stays.
    expect((await wharf.http.sendJson('PUT', `${REPOSITORIES}/docker/hosted/tls-hosted`, hostedBody('tls-hosted', { httpPort, httpsPort: null }))).status).toBe(204);
    await expect(httpsRequest(`https://127.0.0.1:${moved}/v2/`, ca.cert)).rejects.toThrow(/ECONNREFUSED/);
    expect((await wharf.on(httpPort).get('/v2/')).status).toBe(200);
  });

  it.each([
    ['the same port as its httpPort', (p: number) => ({ httpPort: p, httpsPort: p }), 'docker.httpsPort'],
    ["the main HTTPS port", () => ({ httpsPort: -1 }), 'docker.httpsPort'],
    ['a privileged port', () => ({ httpsPort: 443 }), 'docker.httpsPort'],
  ])('docker.httpsPort on %s is 400 naming the field, and nothing is created', async (_what, docker, field) => {
    const port = await freePort();
    const settings = docker(port) as { httpsPort: number };
    if (settings.httpsPort === -1) settings.httpsPort = wharf.httpsPort!;
    const res = await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/hosted`, hostedBody('refused-tls', settings));
    expect(res.status, res.text()).toBe(400);
    expect(res.json<{ id: string }[]>().map((e) => e.id)).toContain(field);
    expect((await wharf.http.get(`${REPOSITORIES}/docker/hosted/refused-tls`)).status).toBe(404);
  });

  it("another repository's HTTPS port is refused for either scheme", async () => {
    const port = await freePort();
    expect((await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/hosted`, hostedBody('owner-tls', { httpsPort: port }))).status).toBe(201);
    for (const docker of [{ httpsPort: port }, { httpPort: port }]) {
      const res = await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/hosted`, hostedBody('thief-tls', docker));
      expect(res.status, res.text()).toBe(400);
      expect(res.text()).toContain('already used by repository owner-tls');
    }
  });

  it('a reload (SIGHUP) presents a renewed certificate on new connections; a broken one is refused and the old one stays', async () => {
    const url = `https://127.0.0.1:${wharf.httpsPort}/service/rest/v1/status`;
    const before = await httpsRequest(url, ca.cert);
    const renewed = otherCa.issue(['localhost', '127.0.0.1']);
    copyFileSync(renewed.certFile, certificateFile);
    copyFileSync(renewed.keyFile, keyFile);
    const facts = wharf.reloadTls();
    expect(facts?.names).toContain('IP Address:127.0.0.1');
    const after = await httpsRequest(url, otherCa.cert);
    expect(after.status).toBe(200);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    // The connectors take it too.
    const port = await freePort();
    expect((await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/hosted`, hostedBody('renewed-tls', { httpsPort: port }))).status).toBe(201);
    expect((await httpsRequest(`https://127.0.0.1:${port}/v2/`, otherCa.cert)).fingerprint).toBe(after.fingerprint);

    // A key that is not the certificate's: refused, nothing changes.
    copyFileSync(ca.issue(['localhost']).keyFile, keyFile);
    expect(() => wharf.reloadTls()).toThrow(/WHARF_TLS_KEY: .* is not the key of the certificate/);
    writeFileSync(certificateFile, 'not a certificate');
    expect(() => wharf.reloadTls()).toThrow(/WHARF_TLS_CERTIFICATE: .* is not a PEM certificate/);
    expect((await httpsRequest(url, otherCa.cert)).fingerprint).toBe(after.fingerprint);
  });
});

describe('TLS settings', () => {
  it('WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY go together, and WHARF_HTTPS_PORT needs them', () => {
    expect(() => loadConfig({ WHARF_TLS_CERTIFICATE: '/x.crt' })).toThrow(ConfigError);
    expect(() => loadConfig({ WHARF_TLS_KEY: '/x.key' })).toThrow(/go together/);
    expect(() => loadConfig({ WHARF_HTTPS_PORT: '8443' })).toThrow(/WHARF_HTTPS_PORT needs a certificate/);
    expect(() => loadConfig({ WHARF_HTTPS_PORT: 'x', WHARF_TLS_CERTIFICATE: '/x.crt', WHARF_TLS_KEY: '/x.key' })).toThrow(/WHARF_HTTPS_PORT must be a port/);
    expect(loadConfig({ WHARF_HTTPS_PORT: '8443', WHARF_TLS_CERTIFICATE: '/x.crt', WHARF_TLS_KEY: '/x.key' })).toMatchObject({ httpsPort: 8443, tls: { certificateFile: '/x.crt', keyFile: '/x.key' } });
  });

  it('a certificate file that cannot be read stops start-up with one line naming the setting, before the main port is bound', async () => {
    const port = await freePort();
    const dataDir = join(tmpdir(), `wharf-tls-${process.pid}-${port}`);
    const start = startWharf({ port, host: '127.0.0.1', dataDir, logLevel: 'error', tls: { certificateFile: '/nonexistent/wharf.crt', keyFile: '/nonexistent/wharf.key' } });
    await expect(start).rejects.toThrow(new ConfigError('WHARF_TLS_CERTIFICATE: cannot read /nonexistent/wharf.crt (ENOENT)'));
    expect(existsSync(dataDir)).toBe(false);
  });
});
