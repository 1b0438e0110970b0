import { type AddressInfo } from 'node:net';
import { type Server, createServer, get } from 'node:http';
import type { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamAddressPolicy } from './address-policy';
import { RegistryClient } from './registry-client';

describe('UpstreamAddressPolicy: the default deny list', () => {
  const policy = new UpstreamAddressPolicy();

  it.each([
    ['the metadata address', 'http://169.254.169.254/latest/meta-data'],
    ['any link-local address', 'http://169.254.1.2:5000'],
    ['the metadata address in hex', 'http://0xa9fea9fe/'],
    ['the metadata address as one number', 'http://2852039166/'],
    ['the metadata address in octal', 'http://0251.0376.0251.0376/'],
    ['the metadata address with a trailing dot', 'http://169.254.169.254./'],
    ['the metadata address IPv4-mapped in IPv6', 'http://[::ffff:169.254.169.254]/'],
    ['the IPv4-mapped address in hex groups', 'http://[::ffff:a9fe:a9fe]/'],
    ['IPv6 link-local', 'http://[fe80::1]/'],
    ["AWS's IPv6 metadata address", 'http://[fd00:ec2::254]/'],
    ["Alibaba's metadata address", 'http://100.100.100.200/'],
    ["Google's metadata host", 'http://metadata.google.internal/computeMetadata/v1/'],
    ["Google's metadata host, upper case with a trailing dot", 'http://METADATA.GOOGLE.INTERNAL./'],
    ['"this host" 0.0.0.0', 'http://0.0.0.0:8081/'],
  ])('refuses %s', (_what, url) => {
    expect(policy.deniedUrl(new URL(url))).toMatch(/deny list/);
  });

  it.each([
    'https://registry-1.docker.io',
    'http://127.0.0.1:5000',
    'http://[::1]:5000',
    'http://10.1.2.3',
    'http://192.168.1.10:5000',
    'https://quay.io',
    'http://169.255.0.1',
  ])('allows %s', (url) => {
    expect(policy.deniedUrl(new URL(url))).toBeNull();
  });

  it('"none" denies nothing; a custom list replaces the default; "default" can be extended', () => {
    expect(new UpstreamAddressPolicy('none').deniedHost('169.254.169.254')).toBeNull();
    const custom = new UpstreamAddressPolicy('10.0.0.0/8, registry.internal');
    expect(custom.deniedHost('10.9.9.9')).not.toBeNull();
    expect(custom.deniedHost('registry.internal')).not.toBeNull();
    expect(custom.deniedHost('169.254.169.254')).toBeNull();
    const extended = new UpstreamAddressPolicy('default,10.0.0.0/8');
    expect(extended.deniedHost('169.254.169.254')).not.toBeNull();
    expect(extended.deniedHost('10.0.0.1')).not.toBeNull();
  });

  it.each(['10.0.0.0/33', 'not a host!', '1.2.3.4/x', 'fe80::/129'])('an unreadable entry (%s) is an error', (spec) => {
    expect(() => new UpstreamAddressPolicy(spec)).toThrow();
  });
});

describe('UpstreamAddressPolicy: at connection time (loopback stands in for a denied address)', () => {
  let target: Server;
  let port: number;
  let redirector: Server;
  let redirectPort: number;

  beforeAll(async () => {
    target = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
    await new Promise<void>((done) => target.listen(0, '127.0.0.2', done));
    port = (target.address() as AddressInfo).port;
    // A registry that sends every request to the denied address, as a redirect to object storage would.
    redirector = createServer((req, res) => res.writeHead(307, { Location: `http://127.0.0.2:${port}${req.url}` }).end());
    await new Promise<void>((done) => redirector.listen(0, '127.0.0.1', done));
    redirectPort = (redirector.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((done) => target.close(done));
    await new Promise((done) => redirector.close(done));
  });

  const fetchWith = (agent: Agent, url: string) =>
    new Promise<number>((resolve, reject) => {
      get(url, { agent }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });

  it('an address in the URL is refused before connecting; others connect', async () => {
    const { httpAgent } = new UpstreamAddressPolicy('127.0.0.2').agents({}, {});
    await expect(fetchWith(httpAgent, `http://127.0.0.2:${port}/v2/`)).rejects.toThrow(/127\.0\.0\.2 is refused/);
    const { httpAgent: open } = new UpstreamAddressPolicy('none').agents({}, {});
    expect(await fetchWith(open, `http://127.0.0.2:${port}/v2/`)).toBe(200);
  });

  it('a name that resolves to a denied address is refused', async () => {
    const { httpAgent } = new UpstreamAddressPolicy('127.0.0.0/8,::1').agents({}, {});
    await expect(fetchWith(httpAgent, `http://localhost:${port}/v2/`)).rejects.toThrow(/resolves to/);
  });

  it('a redirect to a denied address is not followed by the registry client', async () => {
    const client = new RegistryClient({ remoteUrl: `http://127.0.0.1:${redirectPort}`, addressPolicy: new UpstreamAddressPolicy('127.0.0.2') });
    try {
      await expect(client.getBlob('app', `sha256:${'a'.repeat(64)}`)).rejects.toThrow(/127\.0\.0\.2 is refused/);
    } finally {
      client.close();
    }
  });
});
