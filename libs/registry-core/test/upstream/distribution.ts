/**
 * CNCF Distribution (`docker-registry serve`) for the upstream client's tests: filesystem
 * storage on a free port, optionally with token auth whose JWTs this file signs (ES256 with
 * the x5c chain Distribution verifies against its rootcertbundle), plus a minimal pusher.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { sha256 } from '@wharf/test-kit';

export const DISTRIBUTION_BINARY = '/usr/bin/docker-registry';

export function distributionAvailable(): boolean {
  return existsSync(DISTRIBUTION_BINARY);
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Signs Distribution-compatible bearer tokens with an EC P-256 key and its (self-signed) certificate. */
export class JwtMinter {
  readonly issuer = 'wharf-test-issuer';
  private readonly der: Buffer;

  constructor(
    private readonly keyPem: string,
    readonly certPem: string,
    readonly service: string,
  ) {
    this.der = Buffer.from(new X509Certificate(certPem).raw);
  }

  mint(grant: { scopes: string[]; user: string | null }): string {
    const now = Math.floor(Date.now() / 1000);
    const access = grant.scopes
      .filter((s) => s !== '')
      .map((s) => {
        const first = s.indexOf(':');
        const last = s.lastIndexOf(':');
        return { type: s.slice(0, first), name: s.slice(first + 1, last), actions: s.slice(last + 1).split(',') };
      });
    const header = { typ: 'JWT', alg: 'ES256', x5c: [this.der.toString('base64')] };
    const claims = {
      iss: this.issuer,
      sub: grant.user ?? '',
      aud: this.service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = sign('sha256', Buffer.from(input), { key: createPrivateKey(this.keyPem), dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(sig)}`;
  }
}

export interface RunningDistribution {
  url: string;
  stop(): Promise<void>;
  log(): string;
}

export async function startDistribution(opts: {
  dir: string;
  token?: { realm: string; minter: JwtMinter };
}): Promise<RunningDistribution> {
  mkdirSync(join(opts.dir, 'storage'), { recursive: true });
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(join(opts.dir, 'storage'))}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (opts.token) {
    const bundle = join(opts.dir, 'token-ca.pem');
    writeFileSync(bundle, opts.token.minter.certPem);
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(opts.token.realm)}`,
      `    service: ${JSON.stringify(opts.token.minter.service)}`,
      `    issuer: ${JSON.stringify(opts.token.minter.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(bundle)}`,
    );
  }
  const config = join(opts.dir, 'config.yml');
  writeFileSync(config, `${lines.join('\n')}\n`);
  const logFile = join(opts.dir, 'registry.log');
  const fd = openSync(logFile, 'a');
  const proc: ChildProcess = spawn(DISTRIBUTION_BINARY, ['serve', config], {
    stdio: ['ignore', fd, fd],
    env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' },
  });
  closeSync(fd);
  let exited = false;
  proc.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const stop = async () => {
    if (exited) return;
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) throw new Error(`docker-registry exited:\n${log().slice(-2000)}`);
    const status = await rawRequest('GET', `${url}/v2/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200 || status === 401) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not start:\n${log().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop, log };
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function rawRequest(method: string, url: string, headers: Record<string, string> = {}, body?: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

/** Pushes config + layers + an OCI manifest under `tag`; returns the manifest digest and bytes. */
export async function pushImage(
  registryUrl: string,
  image: string,
  tag: string,
  layers: Buffer[],
  authorization?: string,
): Promise<{ digest: string; manifest: Buffer; config: Buffer }> {
  const auth: Record<string, string> = authorization ? { authorization } : {};
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  for (const blob of [config, ...layers]) {
    const start = await rawRequest('POST', `${registryUrl}/v2/${image}/blobs/uploads/`, auth);
    if (start.status !== 202) throw new Error(`upload start: ${start.status} ${start.body.toString()}`);
    const location = new URL(String(start.headers.location), registryUrl);
    location.searchParams.set('digest', sha256(blob));
    const put = await rawRequest('PUT', location.href, { ...auth, 'content-type': 'application/octet-stream' }, blob);
    if (put.status !== 201) throw new Error(`upload put: ${put.status} ${put.body.toString()}`);
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(l), size: l.length })),
    }),
  );
  const put = await rawRequest(
    'PUT',
    `${registryUrl}/v2/${image}/manifests/${tag}`,
    { ...auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    manifest,
  );
  if (put.status !== 201) throw new Error(`manifest put: ${put.status} ${put.body.toString()}`);
  return { digest: sha256(manifest), manifest, config };
}
