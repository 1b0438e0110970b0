import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult } from '../support/http';
import { freePort } from '../support/ports';
import { createHosted } from '../support/rest';
import { type SecureWharf, createUser, fetchToken, startSecureWharf } from './support/secure-wharf';

// Failed logins: an unknown user and a wrong password look exactly alike, and rapid failures are throttled.

let wharf: SecureWharf;
let port: number;
const carol = { username: 'carol', password: `c-${randomBytes(10).toString('hex')}` };

beforeAll(async () => {
  wharf = await startSecureWharf();
  port = await freePort();
  await createHosted(wharf.http, 'hd-repo', { httpPort: port });
  await createUser(wharf.http, carol.username, carol.password, []);
});

afterAll(async () => {
  await wharf?.close();
});

function comparable(res: HttpResult): { status: number; body: string; headers: [string, string][] } {
  const headers = [...res.headers.entries()].filter(([name]) => name !== 'date');
  return { status: res.status, body: res.text(), headers };
}

describe('an unknown user and a wrong password get identical answers', () => {
  it.each<[string, (auth: { username: string; password: string }) => Promise<HttpResult>]>([
    ['registry, main port', (auth) => wharf.http.as(auth).get('/v2/hd-repo/app/manifests/1')],
    ['registry, connector', (auth) => wharf.on(port).as(auth).get('/v2/app/manifests/1')],
    ['token endpoint', (auth) => fetchToken(`http://127.0.0.1:${port}/v2/token`, 'wharf-registry', ['repository:app:pull'], auth)],
    ['REST API', (auth) => wharf.http.as(auth).get('/service/rest/v1/repositories')],
  ])('%s: status, body and headers (but Date)', async (_where, send) => {
    const wrong = await send({ username: carol.username, password: 'not-the-password' });
    const unknown = await send({ username: `nobody-${randomBytes(4).toString('hex')}`, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(comparable(unknown)).toEqual(comparable(wrong));
  });
});

describe('throttling', () => {
  it('the tenth rapid failure for a user is 429 with Retry-After, even with the right password then', async () => {
    const victim = { username: 'victim', password: `v-${randomBytes(10).toString('hex')}` };
    await createUser(wharf.http, victim.username, victim.password, []);
    const wrong = { username: victim.username, password: 'guess' };
    for (let i = 1; i <= 9; i++) {
      const res = await wharf.on(port).as(wrong).get('/v2/');
      expect(res.status, `attempt ${i}`).toBe(401);
    }
    const tenth = await wharf.on(port).as(wrong).get('/v2/');
    expect(tenth.status).toBe(429);
    expect(tenth.errorCodes()).toEqual(['TOOMANYREQUESTS']);
    expect(Number(tenth.header('retry-after'))).toBeGreaterThan(0);
    // Every channel is throttled for that user, and a right guess is not told apart.
    const right = await wharf.http.as(victim).get('/service/rest/v1/repositories');
    expect(right.status).toBe(429);
    expect(Number(right.header('retry-after'))).toBeGreaterThan(0);
    const token = await fetchToken(`http://127.0.0.1:${port}/v2/token`, 'wharf-registry', [], victim);
    expect(token.status).toBe(429);
    // Other users are not affected.
    expect((await wharf.http.as(carol).get('/v2/')).status).toBe(200);
  });

  it('an unknown user is throttled exactly like a known one', async () => {
    const ghost = { username: `ghost-${randomBytes(4).toString('hex')}`, password: 'guess' };
    const statuses: number[] = [];
    for (let i = 1; i <= 10; i++) statuses.push((await wharf.http.as(ghost).get('/service/rest/v1/repositories')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401, 429]);
  });
});
