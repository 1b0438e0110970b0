// The scale-out setup of issue 15, for s3-warm-read and replicas-manifest-get: one throw-away PostgreSQL and one
// Ceph RGW (scripts/lib/throwaway-*.js, the recipes the tests use), Wharf on PostgreSQL with a hosted repository
// on an S3 blob store, and Distribution with its S3 driver on the same RGW and bucket (its own rootdirectory;
// redirect disabled, so bytes go through it as through Wharf). Both get the seed scenario's images. A second
// Wharf replica and HAProxy come with addReplica(). stop() stops everything (run.ts calls it at the end).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startPostgres, type ThrowawayPostgres } from '../../../lib/throwaway-postgres';
import { startRgw, type RgwServer } from '../../../lib/throwaway-rgw';
import { haproxyConfig } from '../../../lib/haproxy-config';
import type { BenchContext } from './context';
import { startDistribution, startWharf, type DistributionServer, type DistributionS3, type WharfServer } from './servers';
import { startProcess, stopProcess, runCommand } from './proc';
import { freePorts } from './ports';
import { makeAgent, waitFor } from './http';
import { seedContent, seedTarget } from '../scenarios/seed';

const BUCKET = 'bench';
const REGION = 'us-east-1';

export interface S3Env {
  postgres: ThrowawayPostgres;
  rgw: RgwServer;
  s3: Omit<DistributionS3, 'rootDirectory'>;
  /** Replica a (127.0.0.1), then b (127.0.0.2) once addReplica() ran: same ports. */
  replicas: WharfServer[];
  distribution: DistributionServer | null;
  haproxy: Haproxy | null;
  ports: [number, number];
  wharfEnv: Record<string, string | undefined>;
  seeded: { small: { image: string; tag: string; manifestDigest: string }; warm: { image: string; digest: string; size: number } } | null;
  stop(): Promise<void>;
}

export interface HaproxyAnswer {
  backend: string;
  server: string;
  timers: string;
  status: number;
  termination: string;
}

export interface Haproxy {
  pid: number;
  baseUrl: string;
  logFile: string;
  /** The log's size now: pass it to answers() to see only what comes later. */
  mark(): number;
  /** Every request HAProxy logged since `from`. */
  answers(from?: number): HaproxyAnswer[];
  /** Servers HAProxy took out since `from` (its "is DOWN" lines). */
  downs(from?: number): string[];
  stop(): Promise<void>;
}

/** Starts (once per run) and returns the environment; scenarios share it through ctx.state.s3Env. */
export async function s3Env(ctx: BenchContext): Promise<S3Env> {
  if (ctx.state.s3Env) return ctx.state.s3Env;
  ctx.log('starting PostgreSQL and Ceph RGW (throw-away, like the tests)');
  const [postgres, rgw] = await Promise.all([startPostgres(), startRgw({ storeBytes: 2 * 1024 ** 3 })]);
  const s3 = { endpoint: rgw.endpoint, bucket: BUCKET, region: REGION, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
  const env: S3Env = {
    postgres,
    rgw,
    s3,
    replicas: [],
    distribution: null,
    haproxy: null,
    // Replicas listen on their own loopback addresses with the same ports, as behind a load balancer.
    ports: (await freePorts(2)) as [number, number],
    wharfEnv: {
      ...ctx.wharfEnv,
      WHARF_DATABASE_URL: `${postgres.url}/postgres`,
      WHARF_SECRET_KEY_FILE: path.join(ctx.workDir, 'replicas-secret.key'),
    },
    seeded: null,
    stop: async () => {
      await env.haproxy?.stop();
      for (const r of env.replicas) await r.stop();
      await env.distribution?.stop();
      await rgw.stop();
      await postgres.stop();
      delete ctx.state.s3Env;
    },
  };
  ctx.state.s3Env = env;
  try {
    const blobStore = {
      name: 's3',
      body: {
        name: 's3',
        bucketConfiguration: {
          bucket: { name: BUCKET, region: REGION, prefix: 'wharf', expiration: 3 },
          bucketSecurity: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
          advancedBucketConnection: { endpoint: s3.endpoint, forcePathStyle: true },
        },
      },
    };
    const first = await startReplica(ctx, env, 'a', '127.0.0.1', blobStore, true);
    env.replicas.push(first);
    // Wharf made the bucket; Distribution keeps its files under its own root in it. The machine's AWS_*
    // settings (a CA bundle, a profile...) are not for this endpoint, and Distribution's SDK would use them.
    const noAws = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('AWS_')).map((k) => [k, undefined]));
    env.distribution = await startDistribution({
      workDir: ctx.workDir,
      logDir: ctx.logDir,
      name: 'distribution',
      label: 'Distribution (S3)',
      id: 'distribution-s3',
      s3: { ...s3, rootDirectory: '/distribution' },
      env: { OTEL_TRACES_EXPORTER: 'none', ...noAws },
    });
    const content = await seedContent(ctx.options.warmBytes);
    for (const target of [first, env.distribution]) await seedTarget(ctx, target, makeAgent(), content);
    env.seeded = {
      small: { image: 'bench/small', tag: 'v1', manifestDigest: content.small.digest },
      warm: { image: 'bench/warm', digest: content.warmDigest, size: content.warm.size },
    };
    return env;
  } catch (err) {
    await env.stop();
    throw err;
  }
}

function startReplica(ctx: BenchContext, env: S3Env, name: string, host: string, blobStore: { name: string; body?: object }, createRepository: boolean): Promise<WharfServer> {
  return startWharf({
    repoRoot: ctx.repoRoot,
    workDir: ctx.workDir,
    logDir: ctx.logDir,
    cpuProfDir: ctx.cpuProfDir,
    nodeArgs: ctx.wharfNodeArgs,
    env: env.wharfEnv,
    name: 'wharf',
    label: `Wharf (PostgreSQL + S3, replica ${name})`,
    id: `wharf-replica-${name}`,
    host,
    ports: env.ports,
    ...(env.replicas[0] ? { password: env.replicas[0].password } : {}),
    blobStore,
    createRepository,
  });
}

/** A second replica on 127.0.0.2 and HAProxy on 127.0.0.3 in front of both (same ports). */
export async function addReplica(ctx: BenchContext, env: S3Env): Promise<Haproxy> {
  if (env.haproxy) return env.haproxy;
  env.replicas.push(await startReplica(ctx, env, 'b', '127.0.0.2', { name: 's3' }, false));
  env.haproxy = await startHaproxy(ctx, 'haproxy', {
    address: '127.0.0.3',
    ports: env.ports,
    healthPort: env.ports[0],
    servers: [
      { name: 'a', address: '127.0.0.1' },
      { name: 'b', address: '127.0.0.2' },
    ],
  });
  return env.haproxy;
}

/**
 * HAProxy (Debian package) configured as the e2e tests do (scripts/lib/haproxy-config.js). Its HTTP log (one
 * line per request: status, server, timers, termination state) goes to a file, so every non-2xx answer can be
 * attributed.
 */
export async function startHaproxy(
  ctx: BenchContext,
  id: string,
  options: { address: string; ports: number[]; healthPort: number; servers: { name: string; address: string }[] },
): Promise<Haproxy> {
  const dir = path.join(ctx.workDir, id);
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(config, haproxyConfig(options));
  const check = await runCommand('haproxy', ['-c', '-f', config], { timeoutMs: 30_000 });
  if (check.code !== 0) throw new Error(`haproxy refused its configuration:\n${check.stdout}${check.stderr}`);
  const logFile = path.join(ctx.logDir, `${id}.log`);
  const child = startProcess(id, 'haproxy', ['-db', '-f', config], { logFile });
  const baseUrl = `http://${options.address}:${options.ports[1]}`;
  await waitFor(`${baseUrl}/v2/`, { accept: (s) => s === 401 || s === 200, timeoutMs: 30_000, isAlive: () => !child.exitInfo });
  return {
    pid: child.pid,
    baseUrl,
    logFile,
    mark: () => fs.statSync(logFile).size,
    answers: (from = 0) => parseHaproxyLog(fs.readFileSync(logFile).subarray(from).toString('utf8')),
    downs: (from = 0) => fs.readFileSync(logFile).subarray(from).toString('utf8').split('\n').filter((l) => / is DOWN/.test(l)),
    stop: () => stopProcess(child),
  };
}

// httplog: ... frontend backend/server Tq/Tw/Tc/Tr/Ta status bytes req_cookie res_cookie termination_state ...
const HTTPLOG = / (\S+) (\S+)\/(\S+) (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/\+?(-?\d+) (-?\d+) \+?\d+ \S+ \S+ (\S{4}) /;

export function parseHaproxyLog(text: string): HaproxyAnswer[] {
  const out: HaproxyAnswer[] = [];
  for (const line of text.split('\n')) {
    const m = HTTPLOG.exec(line);
    if (m) out.push({ backend: m[2] ?? '', server: m[3] ?? '', timers: m.slice(4, 9).join('/'), status: Number(m[9]), termination: m[10] ?? '' });
  }
  return out;
}
