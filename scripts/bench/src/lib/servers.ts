// Starting the servers under test. Each returns a target: { name, baseUrl, headers, pid, child,
// version, settings, logFile } — scenarios only use targets, so later targets (for example a Wharf
// proxy repository in front of Distribution) plug in without changing them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as runtime from '../../../server-runtime';
import { startProcess, runCommand, stopProcess, errorMessage, type TrackedChild } from './proc';
import { freePorts, retryWhenPortTaken } from './ports';
import { request, waitFor, basicAuth } from './http';
import type { Endpoint } from './registry';
import type { BenchTls } from './tls';

/** A server under test (or the upstream): where it answers, its process, its data and log. */
export interface Server extends Endpoint {
  label: string;
  pid: number;
  child: TrackedChild;
  logFile: string;
  dataDir: string;
  version: string | null;
  /** How it is configured, for the report. */
  settings: Record<string, string>;
  stop(): Promise<void>;
}

export interface DistributionServer extends Server {
  port: number;
}

export interface WharfServer extends Server {
  /** The main port (REST API); baseUrl is the repository's connector port. */
  mainUrl: string;
  /** The repository's status (its own upstream counters). */
  statusUrl: string;
  mainPort: number;
  connectorPort: number;
  password: string;
}

export interface DistributionOptions {
  workDir: string;
  logDir: string;
  name?: string;
  label?: string;
  id?: string;
  proxyRemoteUrl?: string | null;
  tls?: Pick<BenchTls, 'certFile' | 'keyFile'> | null;
  rootDir?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Distribution's S3 driver on this bucket (under rootDirectory) instead of the filesystem. */
  s3?: DistributionS3 | null;
}

export interface DistributionS3 {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  rootDirectory: string;
}

/** The repository a Wharf target serves on its connector port. */
export type BenchRepository = { kind: 'hosted'; name: string } | { kind: 'proxy'; name: string; remoteUrl: string };

export interface WharfOptions {
  repoRoot: string;
  workDir: string;
  logDir: string;
  cpuProfDir?: string | null;
  nodeArgs?: readonly string[];
  env?: Record<string, string | undefined>;
  name?: string;
  label?: string;
  id?: string;
  repository?: BenchRepository;
  /** For replicas (lib/s3-env.ts): the repository's S3 blob store (body: POST /service/rest/v1/blobstores/s3, made first). */
  blobStore?: { name: string; body?: object } | null;
  /** Loopback address it listens on (replicas: their own, the same ports). */
  host?: string;
  /** [main, connector] instead of free ports. */
  ports?: [number, number] | null;
  /** The admin password (a second replica: the first's). */
  password?: string;
  /** false: another replica made the repository; wait until its connector port opens here. */
  createRepository?: boolean;
}

const DISTRIBUTION_BIN = '/usr/bin/docker-registry';

export async function distributionVersion(): Promise<string | null> {
  try {
    const { stdout, stderr } = await runCommand(DISTRIBUTION_BIN, ['--version'], { timeoutMs: 10_000 });
    return (stdout || stderr).trim();
  } catch {
    return null;
  }
}

/**
 * CNCF Distribution: filesystem storage, in-memory blob descriptor cache, no auth, access log off.
 * With `proxyRemoteUrl` it runs as a pull-through cache of that registry (`proxy: remoteurl:`).
 * With `tls` ({ certFile, keyFile }) it serves HTTPS (`http.tls`); `rootDir` shares another instance's
 * storage (an HTTPS door to the same content); `env` adds to its environment (e.g. SSL_CERT_FILE, the CAs a
 * proxy trusts). `name` / `label` / `id` (file names under workDir and logDir) default to the hosted instance.
 */
export function startDistribution(options: DistributionOptions): Promise<DistributionServer> {
  return retryWhenPortTaken(options.label ?? 'Distribution', () => startDistributionOnce(options));
}

async function startDistributionOnce({
  workDir,
  logDir,
  name = 'distribution',
  label = 'Distribution',
  id = 'distribution',
  proxyRemoteUrl = null,
  tls = null,
  rootDir = null,
  env = {},
  s3 = null,
}: DistributionOptions): Promise<DistributionServer> {
  const [port] = await freePorts(1);
  const root = rootDir ?? path.join(workDir, `${id}-data`);
  fs.mkdirSync(root, { recursive: true });
  const configFile = path.join(workDir, `${id}.yml`);
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    ...(s3 ? distributionS3Storage(s3) : ['  filesystem:', `    rootdirectory: ${root}`]),
    '  cache:',
    '    blobdescriptor: inmemory',
  ];
  if (!proxyRemoteUrl) lines.push('  delete:', '    enabled: true');
  lines.push('http:', `  addr: 127.0.0.1:${port}`);
  if (tls) lines.push('  tls:', `    certificate: ${tls.certFile}`, `    key: ${tls.keyFile}`);
  lines.push('health:', '  storagedriver:', '    enabled: false');
  if (proxyRemoteUrl) lines.push('proxy:', `  remoteurl: ${proxyRemoteUrl}`);
  fs.writeFileSync(configFile, [...lines, ''].join('\n'));
  const logFile = path.join(logDir, `${id}.log`);
  const child = startProcess(id, DISTRIBUTION_BIN, ['serve', configFile], { logFile, env });
  const baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  await stopWhenFailing(child, () => waitForServer(label, child, logFile, `${baseUrl}/v2/`, { timeoutMs: 30_000 }));
  return {
    name,
    label,
    baseUrl,
    headers: {},
    pid: child.pid,
    child,
    logFile,
    dataDir: root,
    version: await distributionVersion(),
    port,
    settings: {
      storage: s3 ? `s3 driver, ${s3.endpoint} bucket ${s3.bucket} rootdirectory ${s3.rootDirectory}, redirect disabled` : 'filesystem',
      cache: 'blobdescriptor inmemory',
      auth: 'none',
      log: 'warn, access log off',
      ...(proxyRemoteUrl ? { mode: `pull-through cache of ${proxyRemoteUrl}` } : {}),
      ...(tls ? { tls: 'HTTPS (http.tls, the bench CA)' } : {}),
    },
    stop: () => stopProcess(child),
  };
}

/** Distribution's S3 driver on an S3-compatible endpoint (path-style, v4 signatures), clients never redirected to it. */
function distributionS3Storage({ endpoint, bucket, region, accessKeyId, secretAccessKey, rootDirectory }: DistributionS3): string[] {
  return [
    '  s3:',
    `    accesskey: ${accessKeyId}`,
    `    secretkey: ${secretAccessKey}`,
    `    region: ${region}`,
    `    regionendpoint: ${endpoint}`,
    `    bucket: ${bucket}`,
    `    secure: ${endpoint.startsWith('https:')}`,
    '    v4auth: true',
    `    rootdirectory: ${rootDirectory}`,
    '  redirect:',
    '    disable: true',
  ];
}

function logTail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs `fn`; when it throws, stops the server process first (a start that failed leaves nothing running). */
async function stopWhenFailing<T>(child: TrackedChild, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await stopProcess(child, 5000);
    throw err;
  }
}

/** Waits for a started server; when it dies or never answers, the error carries its log's tail. */
async function waitForServer(
  name: string,
  child: TrackedChild,
  logFile: string,
  url: string,
  opts: { headers?: Record<string, string>; timeoutMs: number },
): Promise<unknown> {
  try {
    return await waitFor(url, { ...opts, isAlive: () => !child.exitInfo });
  } catch (err) {
    throw new Error(`${name} did not start: ${errorMessage(err)}\n--- last lines of ${logFile}:\n${logTail(logFile)}`);
  }
}

/** The JSON body that creates the Wharf repository of a target (POST .../repositories/docker/<kind>). */
function repositoryBody(repository: BenchRepository, connectorPort: number, blobStoreName = 'default'): object {
  if (repository.kind === 'proxy') {
    return {
      name: repository.name,
      online: true,
      storage: { blobStoreName: 'default', strictContentTypeValidation: true },
      proxy: { remoteUrl: repository.remoteUrl, contentMaxAge: 1440, metadataMaxAge: 1440 },
      negativeCache: { enabled: true, timeToLive: 1440 },
      httpClient: { blocked: false, autoBlock: true },
      docker: { v1Enabled: false, forceBasicAuth: true, httpPort: connectorPort },
      dockerProxy: { indexType: 'REGISTRY' },
    };
  }
  return {
    name: repository.name,
    online: true,
    storage: { blobStoreName, strictContentTypeValidation: true, writePolicy: 'ALLOW' },
    docker: { v1Enabled: false, forceBasicAuth: true, httpPort: connectorPort },
  };
}

/**
 * Wharf from apps/server/dist with one repository on its own connector port: by default the hosted
 * `bench`; with repository = { kind: 'proxy', name, remoteUrl } a proxy repository of that registry
 * (max ages 1440 min, negative cache on). `id` names the data dir and the log file.
 */
export function startWharf(options: WharfOptions): Promise<WharfServer> {
  return retryWhenPortTaken(options.label ?? 'Wharf', () => startWharfOnce(options));
}

async function startWharfOnce({
  repoRoot,
  workDir,
  logDir,
  cpuProfDir,
  nodeArgs: extraNodeArgs = [],
  env: extraEnv = {},
  name = 'wharf',
  label = 'Wharf',
  id = 'wharf',
  repository = { kind: 'hosted', name: 'bench' },
  blobStore = null,
  host = '127.0.0.1',
  ports = null,
  password = randomBytes(12).toString('base64url'),
  createRepository = true,
}: WharfOptions): Promise<WharfServer> {
  const [mainPort, connectorPort] = ports ?? (await freePorts(2));
  const dataDir = path.join(workDir, `${id}-data`);
  fs.mkdirSync(dataDir, { recursive: true });
  const auth = basicAuth('admin', password);
  const logFile = path.join(logDir, `${id}.log`);
  // Started as `npm start` starts it (scripts/server-runtime.js), plus the bench's own extras.
  const nodeArgs = [...runtime.NODE_ARGS, ...extraNodeArgs];
  const runtimeEnv = { ...runtime.serverEnv(), ...extraEnv };
  if (cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${id}.${Date.now()}.cpuprofile`);
  const child = startProcess(id, process.execPath, [...nodeArgs, path.join(repoRoot, 'apps/server/dist/main.js')], {
    cwd: repoRoot,
    logFile,
    env: {
      ...runtimeEnv,
      WHARF_PORT: String(mainPort),
      WHARF_HOST: host,
      WHARF_DATA_DIR: dataDir,
      WHARF_ADMIN_PASSWORD: password,
      WHARF_LOG_LEVEL: 'warn',
    },
  });
  const mainUrl = `http://${host}:${mainPort}`;
  const baseUrl = `http://${host}:${connectorPort}`;
  await stopWhenFailing(child, async () => {
    await waitForServer(label, child, logFile, `${mainUrl}/service/rest/v1/status`, { timeoutMs: 60_000 });
    const post = async (what: string, url: string, body: object) => {
      const res = await request(url, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status !== 201 && res.status !== 204) throw new Error(`${label}: creating ${what}: ${res.status} ${res.body.toString().slice(0, 500)}`);
    };
    if (blobStore?.body && createRepository) await post(`the S3 blob store ${blobStore.name}`, `${mainUrl}/service/rest/v1/blobstores/s3`, blobStore.body);
    if (createRepository) {
      await post(`the ${repository.kind} repository`, `${mainUrl}/service/rest/v1/repositories/docker/${repository.kind}`, repositoryBody(repository, connectorPort, blobStore?.name));
    }
    await waitForServer(`${label} (connector port)`, child, logFile, `${baseUrl}/v2/`, { headers: { Authorization: auth }, timeoutMs: 30_000 });
  }).catch((err) => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  let version: string | null = null;
  try {
    version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    // reported as unknown
  }
  return {
    name,
    label,
    baseUrl,
    mainUrl,
    statusUrl: `${mainUrl}/service/rest/v1/repositories/${repository.name}/status`,
    headers: { Authorization: auth },
    pid: child.pid,
    child,
    logFile,
    dataDir,
    version,
    mainPort,
    connectorPort,
    password,
    settings: {
      storage: extraEnv.WHARF_DATABASE_URL
        ? `PostgreSQL${blobStore ? ` + S3 blob store "${blobStore.name}"` : ''}`
        : 'embedded defaults (SQLite + filesystem blob store)',
      repository:
        repository.kind === 'proxy'
          ? `proxy "${repository.name}" of ${repository.remoteUrl} on its connector port (max ages 1440 min)`
          : `hosted "${repository.name}" on its connector port`,
      auth: 'HTTP Basic (admin) on every registry request (the token realm is the default; Basic is accepted)',
      log: 'WHARF_LOG_LEVEL=warn',
      cpuProfile: cpuProfDir ? `node --cpu-prof (${cpuProfDir})` : 'no profiler',
      nodeArgs: `node ${nodeArgs.filter((a) => !a.startsWith('--cpu-prof')).join(' ')}`,
      mallocEnv: Object.keys(runtime.ENV).map((k) => `${k}=${runtimeEnv[k] ?? '(unset)'}`).join(' '),
    },
    stop: () => stopProcess(child, 15_000),
  };
}
