import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startWharf } from '../../../src/wharf';
import { HttpClient, type HttpResult, type RequestOptions, basicAuth } from '../../support/http';

export const SECURITY = '/service/rest/v1/security';

/** Everything Wharf writes to stdout/stderr while it runs (to prove no secret is ever logged). */
class LogCapture {
  private readonly chunks: string[] = [];
  private restore: (() => void) | null = null;

  start(): void {
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const capture = (chunk: unknown) => {
      this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    // Test runners give workers their own console; TypeORM's query log goes through it.
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const saved = methods.map((m) => console[m]);
    for (const m of methods) console[m] = (...args: unknown[]) => void capture(`${args.map(String).join(' ')}\n`);
    this.restore = () => {
      process.stdout.write = out;
      process.stderr.write = err;
      methods.forEach((m, i) => (console[m] = saved[i]!));
    };
  }

  stop(): void {
    this.restore?.();
    this.restore = null;
  }

  text(): string {
    return this.chunks.join('');
  }
}

export interface SecureWharf {
  url: string;
  port: number;
  dataDir: string;
  admin: { username: string; password: string };
  http: HttpClient;
  anonymous: HttpClient;
  on(port: number): HttpClient;
  /** The server's log so far (captured at debug level). */
  log(): string;
  close(): Promise<void>;
}

/** An in-process Wharf whose log is captured at debug level (TypeORM queries included). */
export async function startSecureWharf(): Promise<SecureWharf> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wharf-sec-'));
  const admin = { username: 'admin', password: `pw-${randomBytes(12).toString('base64url')}` };
  const capture = new LogCapture();
  capture.start();
  let wharf;
  try {
    wharf = await startWharf({ port: 0, host: '127.0.0.1', dataDir, adminPassword: admin.password, logLevel: 'debug' });
  } catch (err) {
    capture.stop();
    throw err;
  }
  const http = new HttpClient(wharf.url, admin);
  return {
    url: wharf.url,
    port: wharf.port,
    dataDir,
    admin,
    http,
    anonymous: http.as(null),
    on: (port) => new HttpClient(`http://127.0.0.1:${port}`, admin),
    log: () => capture.text(),
    close: async () => {
      try {
        await wharf.close();
      } finally {
        capture.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** An HttpClient that sends `Authorization: Bearer <token>` on every request. */
export class BearerClient extends HttpClient {
  constructor(
    origin: string,
    readonly token: string,
  ) {
    super(origin, null);
  }

  override request(method: string, pathOrUrl: string, options: RequestOptions = {}): Promise<HttpResult> {
    return super.request(method, pathOrUrl, { ...options, auth: null, headers: { Authorization: `Bearer ${this.token}`, ...(options.headers ?? {}) } });
  }
}

/** Parses `Bearer realm="...",service="...",scope="..."`. */
export function parseBearerChallenge(header: string | null): { realm: string; service: string; scope?: string; error?: string } {
  expect(header, 'WWW-Authenticate').toMatch(/^Bearer /);
  const params: Record<string, string> = {};
  for (const m of header!.slice(7).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) params[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  return params as { realm: string; service: string; scope?: string; error?: string };
}

/** GET the realm with the challenge's service and scope(s), as docker does; credentials null: anonymous. */
export async function fetchToken(
  realm: string,
  service: string,
  scopes: string[],
  credentials: { username: string; password: string } | null,
): Promise<HttpResult> {
  const url = new URL(realm);
  url.searchParams.set('service', service);
  for (const s of scopes) url.searchParams.append('scope', s);
  return new HttpClient(url.origin, credentials).get(url.pathname + url.search);
}

/** The full Docker dance for one request: 401 challenge -> token (with `credentials`) -> a bearer client. */
export async function tokenFor(
  origin: string,
  path: string,
  credentials: { username: string; password: string } | null,
  method = 'GET',
): Promise<{ token: string; client: BearerClient; access: unknown }> {
  const first = await new HttpClient(origin, null).request(method, path);
  expect(first.status, first.text()).toBe(401);
  const challenge = parseBearerChallenge(first.header('www-authenticate'));
  const res = await fetchToken(challenge.realm, challenge.service, challenge.scope ? [challenge.scope] : [], credentials);
  expect(res.status, res.text()).toBe(200);
  const token = res.json<{ token: string }>().token;
  return { token, client: new BearerClient(origin, token), access: claimsOf(token).access };
}

export function claimsOf(token: string): { sub: string; exp: number; access: { type: string; name: string; actions: string[] }[] } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

export { basicAuth };

/** Creates a user through the REST API (asserting 200). */
export async function createUser(http: HttpClient, userId: string, password: string, roles: string[]): Promise<void> {
  const res = await http.sendJson('POST', `${SECURITY}/users`, {
    userId,
    firstName: userId,
    lastName: 'Test',
    emailAddress: `${userId}@example.org`,
    password,
    status: 'active',
    roles,
  });
  expect(res.status, res.text()).toBe(200);
}

/** Creates a role through the REST API (asserting 200). */
export async function createRole(http: HttpClient, id: string, privileges: string[], roles: string[] = []): Promise<void> {
  const res = await http.sendJson('POST', `${SECURITY}/roles`, { id, name: id, description: `role ${id}`, privileges, roles });
  expect(res.status, res.text()).toBe(200);
}

export async function setAnonymous(http: HttpClient, enabled: boolean): Promise<void> {
  const res = await http.sendJson('PUT', `${SECURITY}/anonymous`, { enabled, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' });
  expect(res.status, res.text()).toBe(200);
}

export async function setRealms(http: HttpClient, realms: string[]): Promise<void> {
  const res = await http.sendJson('PUT', `${SECURITY}/realms/active`, realms);
  expect(res.status, res.text()).toBe(204);
}
