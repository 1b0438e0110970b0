import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpResult, basicAuth, rawRequest } from '../support/http';
import { freePort } from '../support/ports';
import { createHosted } from '../support/rest';
import { type TestWharf, startTestWharf } from '../support/wharf';
import { createUser } from './support/secure-wharf';

// Login throttling over HTTP behind a trusted reverse proxy: 127.0.0.2 is the proxy (WHARF_TRUSTED_PROXIES),
// 127.0.1.x are clients connecting directly. Every channel that checks a password goes through the one throttle. The
// limits are the default rules scaled down (each failure costs a scrypt hash); hardening.test.ts checks the
// real ones.

const PROXY = '127.0.0.2';
/** A client connecting directly (each test its own: the administrator's set-up requests come from 127.0.0.1). */
let nextDirect = 1;
const directClient = () => `127.0.1.${nextDirect++}`;
const PER_USER = 3;
const PER_ADDRESS = 8;

let wharf: TestWharf;
let connector: number;

beforeAll(async () => {
  wharf = await startTestWharf({
    config: { trustedProxies: PROXY },
    loginThrottle: [
      { name: 'user-address', maxFailures: PER_USER, windowMs: 60_000 },
      { name: 'address', maxFailures: PER_ADDRESS, windowMs: 60_000 },
      { name: 'user', maxFailures: 50, windowMs: 60_000 },
    ],
  });
  connector = await freePort();
  await createHosted(wharf.http, 'lt-repo', { httpPort: connector });
});

afterAll(async () => {
  await wharf?.close();
});

type Channel = 'registry, main port' | 'registry, connector' | 'token endpoint' | 'REST API';
const CHANNELS: Channel[] = ['registry, main port', 'registry, connector', 'token endpoint', 'REST API'];

interface Credentials {
  username: string;
  password: string;
}

/** One Basic login on a channel, sent from `from` with an optional X-Forwarded-For. */
function login(channel: Channel, credentials: Credentials, from: string, forwardedFor?: string): Promise<HttpResult> {
  const [port, path] = {
    'registry, main port': [wharf.port, '/v2/'],
    'registry, connector': [connector, '/v2/'],
    'token endpoint': [connector, '/v2/token?service=wharf-registry&scope=repository:app:pull'],
    'REST API': [wharf.port, '/service/rest/v1/repositories'],
  }[channel] as [number, string];
  const headers: Record<string, string> = { Authorization: basicAuth(credentials.username, credentials.password) };
  if (forwardedFor !== undefined) headers['X-Forwarded-For'] = forwardedFor;
  return rawRequest({ port, method: 'GET', path, headers, localAddress: from });
}

/** What the caller saw: refused (429), wrong (401) or in (anything else: 200, or 403 for a non-administrator on REST). */
function outcome(res: HttpResult): 'refused' | 'wrong' | 'in' {
  if (res.status === 429) {
    expect(Number(res.header('retry-after'))).toBeGreaterThan(0);
    return 'refused';
  }
  return res.status === 401 ? 'wrong' : 'in';
}

async function newUser(label: string): Promise<Credentials> {
  const user = { username: `${label}-${randomBytes(3).toString('hex')}`, password: `p-${randomBytes(9).toString('hex')}` };
  await createUser(wharf.http, user.username, user.password, []);
  return user;
}

const wrong = (user: Credentials): Credentials => ({ username: user.username, password: 'not-the-password' });
let nextClient = 1;
/** A client address of its own for each test (the limits are per address). */
const clientAddress = () => `198.51.100.${nextClient++}`;

async function auditAddresses(target: string): Promise<(string | null)[]> {
  const res = await wharf.http.get('/service/rest/v1/audit?limit=1000');
  const { items } = res.json<{ items: { action: string; target: string | null; address: string | null }[] }>();
  return items.filter((e) => e.action === 'authentication.failure' && e.target === target).map((e) => e.address);
}

describe.each(CHANNELS)('%s', (channel) => {
  it('honours X-Forwarded-For from a trusted proxy: the lock-out is per client, and the client cannot prepend its way out', async () => {
    const user = await newUser('xff');
    const [client, other] = [clientAddress(), clientAddress()];
    for (let i = 1; i <= PER_USER; i++) expect(outcome(await login(channel, wrong(user), PROXY, client)), `failure ${i}`).toBe('wrong');
    expect(outcome(await login(channel, user, PROXY, client))).toBe('refused');
    expect(outcome(await login(channel, user, PROXY, `203.0.113.66, ${client}`))).toBe('refused');
    // The same user through the same proxy, from another client: not refused (before: every client was the proxy).
    expect(outcome(await login(channel, user, PROXY, other))).toBe('in');
    // The audit log names the client, not the proxy.
    expect(new Set(await auditAddresses(user.username))).toEqual(new Set([client]));
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const user = await newUser('direct');
    const direct = directClient();
    for (let i = 1; i <= PER_USER; i++) expect(outcome(await login(channel, wrong(user), direct, clientAddress())), `failure ${i}`).toBe('wrong');
    expect(outcome(await login(channel, user, direct, clientAddress()))).toBe('refused');
    expect(new Set(await auditAddresses(user.username))).toEqual(new Set([direct]));
  });

  it("a correct password is not blocked by other users' failures from the same address", async () => {
    const regular = await newUser('regular');
    const client = clientAddress();
    expect(outcome(await login(channel, regular, PROXY, client))).toBe('in');
    // Others fail from that address: three of them locked out, nine failures (one past the address limit).
    const others = await Promise.all([1, 2, 3].map(() => newUser('other')));
    for (const other of others) for (let i = 0; i < PER_USER + 2; i++) await login(channel, wrong(other), PROXY, client);
    expect(outcome(await login(channel, others[0]!, PROXY, client))).toBe('refused');
    // The user who works from there still gets in (before: 429 for everyone on that address).
    expect(outcome(await login(channel, regular, PROXY, client))).toBe('in');
    // Someone never seen there waits for the window (password spraying protection), and is fine from elsewhere.
    const stranger = await newUser('stranger');
    expect(outcome(await login(channel, stranger, PROXY, client))).toBe('refused');
    expect(outcome(await login(channel, stranger, PROXY, clientAddress()))).toBe('in');
  });
});

describe('one throttle for every channel', () => {
  it('failures on any channel count on all of them', async () => {
    const user = await newUser('every');
    const client = clientAddress();
    for (const channel of CHANNELS.slice(0, PER_USER)) {
      expect(outcome(await login(channel, wrong(user), PROXY, client)), channel).toBe('wrong');
    }
    for (const channel of CHANNELS) expect(outcome(await login(channel, user, PROXY, client)), channel).toBe('refused');
  });

  it('the administrator, behind the same proxy as everyone, is not locked out by a spraying client', async () => {
    // The case: behind a reverse proxy all users shared one address, and 30 failures refused the admin.
    const admin = wharf.admin;
    const office = clientAddress();
    expect(outcome(await login('REST API', admin, PROXY, office))).toBe('in');
    const attacker = clientAddress();
    for (let i = 0; i < PER_ADDRESS + 2; i++) await login('registry, main port', { username: `guess${i}`, password: 'x' }, PROXY, attacker);
    expect(outcome(await login('registry, main port', { username: 'guess-more', password: 'x' }, PROXY, attacker))).toBe('refused');
    for (const channel of CHANNELS) expect(outcome(await login(channel, admin, PROXY, office)), channel).toBe('in');
  });
});

describe('replicas on one PostgreSQL database', () => {
  let first: TestWharf;
  let second: TestWharf;
  const rules = [
    { name: 'user-address' as const, maxFailures: PER_USER, windowMs: 60_000 },
    { name: 'address' as const, maxFailures: PER_ADDRESS, windowMs: 60_000 },
  ];

  beforeAll(async () => {
    first = await startTestWharf({ database: 'postgres', loginThrottle: rules, config: { trustedProxies: PROXY } });
    second = await startTestWharf({
      database: { url: first.databaseUrl! },
      keepData: true,
      adminPassword: first.admin.password,
      loginThrottle: rules,
      // Replicas share the key that seals secrets in the database.
      config: { trustedProxies: PROXY, secretKeyFile: join(first.dataDir, 'secrets', 'config.key') },
    });
  });

  afterAll(async () => {
    await second?.close();
    if (second) await rm(second.dataDir, { recursive: true, force: true });
    await first?.close();
  });

  const on = (replica: TestWharf, credentials: Credentials, client: string) =>
    rawRequest({ port: replica.port, method: 'GET', path: '/v2/', headers: { Authorization: basicAuth(credentials.username, credentials.password), 'X-Forwarded-For': client }, localAddress: PROXY });

  it('failures counted by one replica refuse the login on the other (one limit for the deployment, not one per replica)', async () => {
    const user = { username: `replicated-${randomBytes(3).toString('hex')}`, password: `p-${randomBytes(9).toString('hex')}` };
    await createUser(first.http, user.username, user.password, []);
    const client = clientAddress();
    // Failures spread over both replicas, as a load balancer would spread them.
    for (let i = 1; i <= PER_USER; i++) expect(outcome(await on(i % 2 ? first : second, wrong(user), client)), `failure ${i}`).toBe('wrong');
    expect(outcome(await on(first, user, client))).toBe('refused');
    expect(outcome(await on(second, user, client))).toBe('refused');
    // Another client of the same user is not affected, on either replica.
    expect(outcome(await on(second, user, clientAddress()))).toBe('in');
  });
});
