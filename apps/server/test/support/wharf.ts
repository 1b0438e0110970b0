import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ThrottleRule } from '../../src/security/domain/throttle';
import type { WharfConfig } from '../../src/config/config';
import { type Wharf, startWharf } from '../../src/wharf';
import { createPostgresDatabase, dropPostgresDatabase } from '../../../../test/services/databases';
import { HttpClient, basicAuth } from './http';

export interface TestWharf {
  port: number;
  url: string;
  /** The main HTTPS port, with `config: { tls, httpsPort: 0 }`. */
  httpsPort?: number;
  /** SIGHUP's work: reads the certificate files again. */
  reloadTls(): ReturnType<Wharf['reloadTls']>;
  dataDir: string;
  /** The PostgreSQL database, when the metadata is there. */
  databaseUrl?: string;
  admin: { username: string; password: string };
  /** `Authorization` header value with the admin's credentials (for raw requests). */
  authorization: string;
  /** Client of the main port with the admin's credentials. */
  http: HttpClient;
  /** Client of the main port without credentials. */
  anonymous: HttpClient;
  /** Client of any other port on this Wharf's address (a connector), with the admin's credentials. */
  on(port: number): HttpClient;
  close(): Promise<void>;
}

export interface TestWharfOptions {
  /** Reuse this data directory (a restart) instead of a fresh one. */
  dataDir?: string;
  /** The admin password of a first start (ignored by Wharf when the data directory already has users). */
  adminPassword?: string;
  /** Leave the data directory in place on close (for a restart); default false. */
  keepData?: boolean;
  /** Failed-login throttling rules, for suites that fail logins on purpose many times. */
  loginThrottle?: ThrottleRule[];
  /** The built admin UI to serve (default: web/dist of this checkout). */
  webDir?: string;
  /**
   * The metadata database: SQLite in the data directory (default), a new PostgreSQL database of its
   * own on the run's server ('postgres'), or this `WHARF_DATABASE_URL` (a restart on the same one).
   */
  database?: 'sqlite' | 'postgres' | { url: string };
  /** Any other setting (as the WHARF_* variables would give it). */
  config?: Partial<WharfConfig>;
}

/** Starts an in-process Wharf on 127.0.0.1, a free port and (unless given one) a fresh temporary data directory. */
export async function startTestWharf(options: TestWharfOptions = {}): Promise<TestWharf> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'wharf-it-')));
  const admin = { username: 'admin', password: options.adminPassword ?? `pw-${randomBytes(9).toString('base64url')}` };
  const database = options.database ?? 'sqlite';
  const databaseUrl = database === 'sqlite' ? undefined : database === 'postgres' ? await createPostgresDatabase() : database.url;
  const wharf = await startWharf({
    ...(databaseUrl ? { databaseUrl } : {}),
    port: 0,
    host: '127.0.0.1',
    dataDir,
    adminPassword: admin.password,
    logLevel: 'error',
    ...(options.loginThrottle ? { loginThrottle: options.loginThrottle } : {}),
    ...(options.webDir ? { webDir: options.webDir } : {}),
    ...options.config,
  });
  const http = new HttpClient(wharf.url, admin);
  return {
    port: wharf.port,
    url: wharf.url,
    ...(wharf.httpsPort !== undefined ? { httpsPort: wharf.httpsPort } : {}),
    reloadTls: () => wharf.reloadTls(),
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    admin,
    authorization: basicAuth(admin.username, admin.password),
    http,
    anonymous: http.as(null),
    on: (port) => new HttpClient(`http://${new URL(wharf.url).hostname}:${port}`, admin),
    close: async () => {
      try {
        await wharf.close();
      } finally {
        if (!options.keepData) {
          await rm(dataDir, { recursive: true, force: true });
          if (databaseUrl) await dropPostgresDatabase(databaseUrl);
        }
      }
    },
  };
}

/**
 * The Wharf of a test file (or of a describe block, when called inside one): started in a beforeAll and closed
 * in an afterAll, both registered by this call. The object returned stands for it from that beforeAll on, so
 * hooks registered after this call and the tests use it as they would the one startTestWharf returns.
 */
export function useTestWharf(options: TestWharfOptions = {}): TestWharf {
  let current: TestWharf | undefined;
  beforeAll(async () => {
    current = await startTestWharf(options);
  });
  afterAll(async () => {
    await current?.close();
    current = undefined;
  });
  return new Proxy({} as TestWharf, {
    get(_target, key) {
      if (!current) throw new Error(`the test Wharf runs from its beforeAll to its afterAll (read of ${String(key)})`);
      return Reflect.get(current, key);
    },
  });
}
