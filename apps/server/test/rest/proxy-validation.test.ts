import { beforeAll, describe, expect, it } from 'vitest';
import { proxyBody } from '../proxy/support/proxy-fixture';
import { freePort } from '../support/ports';
import { REPOSITORIES, createHosted, fieldIds } from '../support/rest';
import { useTestWharf } from '../support/wharf';

// Proxy configurations refused at validation (400 naming the field, nothing created): credentials in the
// remote URL, link-local and metadata upstreams, Wharf itself as its own upstream, regexes RE2 cannot run.

const wharf = useTestWharf();
let hostedPort: number;

beforeAll(async () => {
  hostedPort = await freePort();
  await createHosted(wharf.http, 'local-hosted', { httpPort: hostedPort });
});

async function refused(body: Record<string, unknown>, field: string, message: RegExp): Promise<void> {
  const res = await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/proxy`, body);
  expect(res.status, res.text()).toBe(400);
  expect(fieldIds(res)).toContain(field);
  expect(res.text(), res.text()).toMatch(message);
  expect((await wharf.http.get(`${REPOSITORIES}/docker/proxy/${String(body.name)}`)).status).toBe(404);
}

describe('proxy.remoteUrl', () => {
  it.each([
    ['user and password', 'http://user:s3cret@127.0.0.1:5000'],
    ['a user alone', 'https://user@registry.example.org'],
    ['a percent-encoded password', 'https://me:p%40ss@registry.example.org'],
  ])('with %s in it is refused and points to httpClient.authentication', async (_what, remoteUrl) => {
    await refused(proxyBody('with-userinfo', { remoteUrl }), 'proxy.remoteUrl', /httpClient\.authentication/);
    const res = await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/proxy`, proxyBody('with-userinfo', { remoteUrl }));
    expect(res.text()).not.toContain('s3cret');
  });

  it.each([
    ['the cloud metadata address', 'http://169.254.169.254'],
    ['it in hex', 'http://0xa9fea9fe/'],
    ['it as a decimal number', 'http://2852039166'],
    ['"this host" 0.0.0.0', 'http://0.0.0.0:5000'],
    ['it IPv4-mapped in IPv6', 'http://[::ffff:169.254.169.254]'],
    ['IPv6 link-local', 'http://[fe80::1]:5000'],
    ["Google's metadata host", 'http://metadata.google.internal'],
    ['a link-local address with a port and path', 'https://169.254.10.20:8443/prefix'],
  ])('%s is refused (deny list on by default)', async (_what, remoteUrl) => {
    // (the decimal form is not even a URL to class-validator: refused either way)
    await refused(proxyBody('to-metadata', { remoteUrl }), 'proxy.remoteUrl', /deny list|http\(s\) URL/);
  });

  it('Wharf itself is refused: its main port, a connector port, its own new port, by address or by name', async () => {
    const own = await freePort();
    for (const remoteUrl of [
      `http://127.0.0.1:${wharf.port}`,
      `http://localhost:${wharf.port}/`,
      `http://[::1]:${wharf.port}`,
      `http://127.0.0.1:${hostedPort}`,
    ]) {
      await refused(proxyBody('to-itself', { remoteUrl }), 'proxy.remoteUrl', /Wharf itself/);
    }
    await refused(proxyBody('to-itself', { remoteUrl: `http://127.0.0.1:${own}`, httpPort: own }), 'proxy.remoteUrl', /Wharf itself/);
  });

  it('a registry on another loopback port, and private addresses, are accepted', async () => {
    for (const [name, remoteUrl] of [
      ['loopback-other', `http://127.0.0.1:${await freePort()}`],
      ['private-net', 'http://10.20.30.40:5000'],
    ]) {
      const res = await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/proxy`, proxyBody(name!, { remoteUrl: remoteUrl! }));
      expect(res.status, res.text()).toBe(201);
    }
  });

  it('PUT is checked too and leaves the proxy unchanged', async () => {
    const remoteUrl = `http://127.0.0.1:${await freePort()}`;
    expect((await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/proxy`, proxyBody('put-checked', { remoteUrl }))).status).toBe(201);
    const res = await wharf.http.sendJson('PUT', `${REPOSITORIES}/docker/proxy/put-checked`, proxyBody('put-checked', { remoteUrl: 'http://u:p@127.0.0.1:1' }));
    expect(res.status).toBe(400);
    expect(fieldIds(res)).toContain('proxy.remoteUrl');
    const stored = await wharf.http.get(`${REPOSITORIES}/docker/proxy/put-checked`);
    expect(stored.json<{ proxy: { remoteUrl: string } }>().proxy.remoteUrl).toBe(remoteUrl);
  });
});

describe('proxy.tagMaxAge patterns', () => {
  it.each([
    ['a backreference', '(a)\\1'],
    ['a lookahead', 'v(?=1)'],
    ['a lookbehind', '(?<=v)1'],
    ['an unbalanced group', '(latest'],
    ['a pattern of 1001 characters', 'a'.repeat(1001)],
  ])('%s is refused with 400 naming the tier', async (_what, pattern) => {
    const body = proxyBody('bad-tier', { remoteUrl: `http://127.0.0.1:${await freePort()}`, tagMaxAge: [{ pattern: 'latest', maxAge: 1 }, { pattern, maxAge: 5 }] });
    await refused(body, 'proxy.tagMaxAge.1.pattern', /RE2/);
  });

  it('a nested quantifier is accepted: RE2 runs it in linear time', async () => {
    const body = proxyBody('nested-tier', { remoteUrl: `http://127.0.0.1:${await freePort()}`, tagMaxAge: [{ pattern: '(a+)+', maxAge: 5 }] });
    const res = await wharf.http.sendJson('POST', `${REPOSITORIES}/docker/proxy`, body);
    expect(res.status, res.text()).toBe(201);
  });
});
