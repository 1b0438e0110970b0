import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rewriteStoredConfig, storedConfig } from '../../../../test/support/wharf-data';
import { SecretBox } from '../../src/secrets/secret-box';
import { proxyBody } from '../proxy/support/proxy-fixture';
import { freePort } from '../support/ports';
import { REPOSITORIES } from '../support/rest';
import { startTestWharf } from '../support/wharf';

// Proxies stored before credentials in remote URLs were refused kept the password in plain text in
// wharf.db and showed it to every reader of the configuration: start-up moves it into the encrypted,
// write-only httpClient.authentication.

const PASSWORD = 'pl41n-s3cret-in-url';
let dataDir: string | undefined;

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Rewrites a stored proxy's remoteUrl behind Wharf's back, as an older version would have stored it. */
function storeRemoteUrl(dir: string, name: string, remoteUrl: string): Promise<void> {
  return rewriteStoredConfig(dir, name, (config) => {
    (config.proxy as { remoteUrl: string }).remoteUrl = remoteUrl;
  });
}

async function plainTextInDatabase(dir: string): Promise<boolean> {
  for (const name of await readdir(dir)) {
    if (name.startsWith('wharf.db') && (await readFile(join(dir, name))).includes(PASSWORD)) return true;
  }
  return false;
}

describe('start-up moves credentials out of stored remote URLs', () => {
  it('user and password go to httpClient.authentication (encrypted); the URL keeps host, port and path', async () => {
    const upstreamPort = await freePort();
    const first = await startTestWharf({ keepData: true });
    dataDir = first.dataDir;
    for (const name of ['old-with-creds', 'old-with-both']) {
      const res = await first.http.sendJson('POST', `${REPOSITORIES}/docker/proxy`, proxyBody(name, { remoteUrl: `http://127.0.0.1:${upstreamPort}/prefix` }));
      expect(res.status, res.text()).toBe(201);
    }
    const withAuth = proxyBody('old-with-both', { remoteUrl: `http://127.0.0.1:${upstreamPort}/prefix`, authentication: { username: 'kept', password: 'kept-pw' } });
    expect((await first.http.sendJson('PUT', `${REPOSITORIES}/docker/proxy/old-with-both`, withAuth)).status).toBe(204);
    await first.close();

    await storeRemoteUrl(dataDir, 'old-with-creds', `http://me%40corp:${PASSWORD}@127.0.0.1:${upstreamPort}/prefix`);
    await storeRemoteUrl(dataDir, 'old-with-both', `http://other:${PASSWORD}@127.0.0.1:${upstreamPort}/prefix`);
    expect(await plainTextInDatabase(dataDir)).toBe(true);

    const again = await startTestWharf({ dataDir, adminPassword: first.admin.password, keepData: true });
    try {
      for (const [name, username] of [
        ['old-with-creds', 'me@corp'],
        ['old-with-both', 'kept'],
      ]) {
        const res = await again.anonymous.as(again.admin).get(`${REPOSITORIES}/docker/proxy/${name}`);
        expect(res.status).toBe(200);
        expect(res.text()).not.toContain(PASSWORD);
        const body = res.json<{ proxy: { remoteUrl: string }; httpClient: { authentication: { username: string } | null } }>();
        expect(body.proxy.remoteUrl).toBe(`http://127.0.0.1:${upstreamPort}/prefix`);
        expect(body.httpClient.authentication?.username).toBe(username);
      }
    } finally {
      await again.close();
    }
    // The password is in the database only sealed with the data directory's key.
    expect(await plainTextInDatabase(dataDir)).toBe(false);
    const box = await SecretBox.load(join(dataDir, 'secrets', 'config.key'));
    const stored = (await storedConfig(dataDir, 'old-with-creds')) as { httpClient: { authentication: { password: string } } };
    expect(stored.httpClient.authentication.password).toMatch(/^enc:/);
    expect(box.open(stored.httpClient.authentication.password)).toBe(PASSWORD);
  });
});
