import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test/support/wait';
import { imageManifest } from '@wharf/test-kit';
import { freePort } from '../support/ports';
import { Registry } from '../support/registry';
import { createHosted } from '../support/rest';
import { SECURITY, type SecureWharf, createRole, createUser, startSecureWharf, tokenFor } from './support/secure-wharf';

// Revoking an API token, disabling or deleting a user reaches registry tokens already issued (they are
// valid for 5 minutes): within a second or two, not at their expiry.

let wharf: SecureWharf;
let port: number;
const REPO = 'revoke-repo';
const path = '/v2/app/manifests/1';

beforeAll(async () => {
  wharf = await startSecureWharf();
  port = await freePort();
  await createHosted(wharf.http, REPO, { httpPort: port });
  await new Registry(wharf.on(port)).pushImage('app', '1', imageManifest());
  await createRole(wharf.http, 'revoke-reader', [`nx-repository-view-docker-${REPO}-read`]);
});

afterAll(async () => {
  await wharf?.close();
});

async function user(prefix: string): Promise<{ username: string; password: string }> {
  const credentials = { username: `${prefix}-${randomBytes(3).toString('hex')}`, password: `p-${randomBytes(12).toString('hex')}` };
  await createUser(wharf.http, credentials.username, credentials.password, ['revoke-reader']);
  return credentials;
}

/** A registry token for pulling `app` on the connector, obtained with these credentials; it pulls now. */
async function pullingToken(credentials: { username: string; password: string }) {
  const { client } = await tokenFor(`http://127.0.0.1:${port}`, path, credentials);
  expect((await client.get(path)).status).toBe(200);
  return client;
}

/** The token stops working within 2 s (a synchronisation bound, and the promise the README makes). */
async function refusedSoon(client: Awaited<ReturnType<typeof pullingToken>>): Promise<void> {
  await waitFor('the issued token to be refused', async () => (await client.get(path)).status === 401, { timeoutMs: 2_000, intervalMs: 100 });
}

describe('revocation reaches registry tokens already issued', () => {
  it('revoking the API token a registry token was obtained with (docker login with the API token)', async () => {
    const owner = await user('ci');
    const created = await wharf.http.as(owner).sendJson('POST', `${SECURITY}/api-tokens`, { name: 'pipeline' });
    expect(created.status, created.text()).toBe(201);
    const { id, token } = created.json<{ id: string; token: string }>();
    const client = await pullingToken({ username: owner.username, password: token });
    // The same user's password-obtained token is not touched by revoking the API token.
    const byPassword = await pullingToken(owner);
    expect((await wharf.http.as(owner).delete(`${SECURITY}/api-tokens/${id}`)).status).toBe(204);
    await refusedSoon(client);
    expect((await byPassword.get(path)).status).toBe(200);
  });

  it('disabling the user', async () => {
    const someone = await user('disabled');
    const client = await pullingToken(someone);
    const res = await wharf.http.sendJson('PUT', `${SECURITY}/users/${someone.username}`, {
      userId: someone.username,
      firstName: 'x',
      lastName: 'y',
      emailAddress: 'x@example.org',
      status: 'disabled',
      roles: ['revoke-reader'],
    });
    expect(res.status, res.text()).toBe(204);
    await refusedSoon(client);
  });

  it('deleting the user', async () => {
    const someone = await user('deleted');
    const client = await pullingToken(someone);
    expect((await wharf.http.delete(`${SECURITY}/users/${someone.username}`)).status).toBe(204);
    await refusedSoon(client);
  });
});
