import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { basicAuth, send, type HttpResponse } from './http';
import { REPO_ROOT } from './paths';
import { RegistryClient } from './registry-client';
import { freePort } from './ports';
import { ManagedProcess, runCommand, type ExitInfo } from './process';
import { NODE_ARGS, serverEnv } from '../../scripts/server-runtime';

export const WHARF_MAIN = join(REPO_ROOT, 'apps', 'server', 'dist', 'main.js');
export const ADMIN_USER = 'admin';

let built: Promise<void> | undefined;

/**
 * Makes sure apps/server/dist/main.js is up to date: runs the project build (tsc -b, incremental,
 * so cheap when nothing changed) once per test worker. WHARF_E2E_BUILD=0 skips it.
 */
export function ensureWharfBuilt(): Promise<void> {
  built ??= (async () => {
    if (!existsSync(join(REPO_ROOT, 'apps', 'server', 'src', 'main.ts'))) {
      throw new Error('apps/server/src/main.ts does not exist yet: there is no Wharf server to test');
    }
    if (process.env.WHARF_E2E_BUILD !== '0') {
      const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const r = await runCommand(process.execPath, [tsc, '-b', 'apps/server/tsconfig.build.json'], {
        cwd: REPO_ROOT,
        timeoutMs: 600_000,
      });
      if (r.code !== 0) {
        throw new Error(`building Wharf failed (npm run build):\n${r.stdout}${r.stderr}`);
      }
    }
    if (!existsSync(WHARF_MAIN)) throw new Error(`${WHARF_MAIN} is missing after the build`);
  })();
  return built;
}

export interface WharfOptions {
  /** The test's temporary directory; logs go to <dir>/wharf-<n>.log. */
  dir: string;
  /** Defaults to <dir>/data. Reuse it to restart on the same data. */
  dataDir?: string;
  /** Main port; a free one by default. Kept across restarts. */
  port?: number;
  adminPassword?: string;
  /** The loopback address it listens on (main port and connectors): 127.0.0.1 by default. */
  host?: string;
  env?: Record<string, string>;
}

/** One Wharf server process on 127.0.0.1 with its own data directory. */
export class Wharf {
  readonly dir: string;
  readonly dataDir: string;
  readonly port: number;
  readonly adminPassword: string;
  readonly host: string;
  readonly rest: RestClient;
  private readonly extraEnv: Record<string, string>;
  private proc: ManagedProcess | null = null;
  private starts = 0;

  private constructor(opts: Required<Omit<WharfOptions, 'env'>> & { env: Record<string, string> }) {
    this.dir = opts.dir;
    this.dataDir = opts.dataDir;
    this.port = opts.port;
    this.adminPassword = opts.adminPassword;
    this.host = opts.host;
    this.extraEnv = opts.env;
    this.rest = new RestClient(this.baseUrl, ADMIN_USER, this.adminPassword);
  }

  /** Builds (if needed) and starts Wharf, resolving once GET /service/rest/v1/status answers 200. */
  static async start(opts: WharfOptions): Promise<Wharf> {
    await ensureWharfBuilt();
    const wharf = new Wharf({
      dir: opts.dir,
      dataDir: opts.dataDir ?? join(opts.dir, 'data'),
      port: opts.port ?? (await freePort()),
      adminPassword: opts.adminPassword ?? `pw-${Math.random().toString(36).slice(2)}`,
      host: opts.host ?? '127.0.0.1',
      env: opts.env ?? {},
    });
    await wharf.start();
    return wharf;
  }

  get baseUrl(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** host:port as docker and skopeo spell a registry. */
  get registryHost(): string {
    return `${this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  get logFile(): string {
    return this.proc?.logFile ?? join(this.dir, 'wharf-1.log');
  }

  logTail(lines = 60): string {
    return this.proc?.logTail(lines) ?? '(not started)';
  }

  async start(): Promise<void> {
    if (this.proc?.running) throw new Error(`Wharf is already running (pid ${this.proc.pid})`);
    mkdirSync(this.dataDir, { recursive: true });
    this.starts += 1;
    const proc = ManagedProcess.start({
      name: 'wharf',
      command: process.execPath,
      // As `npm start` runs it (scripts/server-runtime.js), minus the parent process.
      args: [...NODE_ARGS, WHARF_MAIN],
      cwd: this.dir,
      logFile: join(this.dir, `wharf-${this.starts}.log`),
      env: {
        ...serverEnv(),
        NODE_ENV: 'production',
        WHARF_PORT: String(this.port),
        WHARF_HOST: this.host,
        WHARF_DATA_DIR: this.dataDir,
        WHARF_ADMIN_PASSWORD: this.adminPassword,
        ...this.extraEnv,
      },
    });
    this.proc = proc;
    await proc.waitUntilReady(
      `Wharf to answer GET /service/rest/v1/status on port ${this.port}`,
      async () => (await send(`${this.baseUrl}/service/rest/v1/status`, { timeoutMs: 5_000 })).status === 200,
      { timeoutMs: 90_000, intervalMs: 100, tailLines: 60 },
    );
    if (!proc.running) throw proc.failure('Wharf exited right after becoming ready', 60);
  }

  /** Graceful stop: SIGTERM, then SIGKILL after the grace period. */
  async stop(graceMs = 20_000): Promise<ExitInfo | null> {
    if (!this.proc) return null;
    return this.proc.stop(graceMs);
  }

  /** Crash: SIGKILL, no chance to clean up. */
  async kill9(): Promise<ExitInfo | null> {
    if (!this.proc) return null;
    return this.proc.kill9();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The administrator's user name and password, as registry clients and skopeo take them. */
  get adminCredentials(): { username: string; password: string } {
    return { username: ADMIN_USER, password: this.adminPassword };
  }

  /** A registry client signed in as the administrator, at `baseUrl` (default: the main port) or `v2Path` below it. */
  adminClient(baseUrl = this.baseUrl, v2Path?: string): RegistryClient {
    return new RegistryClient({ baseUrl, ...(v2Path ? { v2Path } : {}), ...this.adminCredentials });
  }

  /** Creates a hosted repository (createHostedRepo) and returns an administrator's client on its connector. */
  async hostedClient(name: string, opts: Parameters<Wharf['createHostedRepo']>[1] = {}): Promise<RegistryClient> {
    return this.adminClient(`http://127.0.0.1:${await this.createHostedRepo(name, opts)}`);
  }

  /**
   * Creates a hosted Docker repository (201 expected) with a connector on `httpPort`
   * (a free port when omitted). Returns the connector port.
   */
  async createHostedRepo(name: string, opts: { httpPort?: number; writePolicy?: string; blobStoreName?: string; forceBasicAuth?: boolean } = {}): Promise<number> {
    const httpPort = opts.httpPort ?? (await freePort());
    const res = await this.rest.post('/service/rest/v1/repositories/docker/hosted', {
      name,
      online: true,
      storage: { blobStoreName: opts.blobStoreName ?? 'default', strictContentTypeValidation: true, writePolicy: opts.writePolicy ?? 'ALLOW' },
      docker: { v1Enabled: false, forceBasicAuth: opts.forceBasicAuth ?? true, httpPort },
    });
    if (res.status !== 201) {
      throw new Error(`creating hosted repository ${name}: HTTP ${res.status} ${res.text()}`);
    }
    return httpPort;
  }

  /** Turns anonymous access on (200 expected): what a daemon.json mirror, which sends no credentials, needs. */
  async allowAnonymous(): Promise<void> {
    const res = await this.rest.put('/service/rest/v1/security/anonymous', { enabled: true, userId: 'anonymous', realmName: 'NexusAuthorizingRealm' });
    if (res.status !== 200) throw new Error(`turning anonymous access on: HTTP ${res.status} ${res.text()}`);
  }

  /** Creates a Docker proxy repository (201 expected); the defaults are those of a mirror of a private registry. */
  async createProxyRepo(name: string, opts: ProxyRepoOptions): Promise<void> {
    const res = await this.rest.post('/service/rest/v1/repositories/docker/proxy', {
      name,
      online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true },
      proxy: { remoteUrl: opts.remoteUrl, contentMaxAge: 1440, metadataMaxAge: opts.metadataMaxAge ?? 1440 },
      negativeCache: opts.negativeCache === false ? { enabled: false, timeToLive: 0 } : { enabled: true, timeToLive: 1440 },
      httpClient: { blocked: false, autoBlock: opts.autoBlock ?? true, authentication: null },
      docker: { v1Enabled: false, forceBasicAuth: opts.forceBasicAuth ?? true, httpPort: opts.httpPort ?? null },
      ...(opts.indexType ? { dockerProxy: { indexType: opts.indexType, indexUrl: null } } : {}),
    });
    if (res.status !== 201) throw new Error(`creating proxy repository ${name}: HTTP ${res.status} ${res.text()}`);
  }
}

export interface ProxyRepoOptions {
  remoteUrl: string;
  /** The connector port (none by default). */
  httpPort?: number | null;
  /** Minutes (default 1440); 0 revalidates the tag on every pull. */
  metadataMaxAge?: number;
  /** Default: on, 1440 minutes. */
  negativeCache?: boolean;
  autoBlock?: boolean;
  /** Default true; a daemon.json mirror sends no credentials, so mirrors set false and allow anonymous. */
  forceBasicAuth?: boolean;
  /** Left to the server's default when absent. */
  indexType?: 'HUB' | 'REGISTRY';
}

/** A tiny client for Wharf's REST API with Basic auth. */
export class RestClient {
  constructor(
    readonly baseUrl: string,
    private readonly username: string | undefined,
    private readonly password: string | undefined,
  ) {}

  /** The same client without credentials. */
  anonymous(): RestClient {
    return new RestClient(this.baseUrl, undefined, undefined);
  }

  request(method: string, path: string, body?: unknown): Promise<HttpResponse> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.username !== undefined && this.password !== undefined) {
      headers.Authorization = basicAuth(this.username, this.password);
    }
    let payload: string | undefined;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    return send(`${this.baseUrl}${path}`, { method, headers, body: payload, timeoutMs: 30_000 });
  }

  get(path: string) {
    return this.request('GET', path);
  }
  post(path: string, body?: unknown) {
    return this.request('POST', path, body);
  }
  put(path: string, body?: unknown) {
    return this.request('PUT', path, body);
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
}
