// Issue 15: warm pulls from the S3 store. Wharf on PostgreSQL with a hosted repository on an S3 blob store vs
// Distribution with its S3 driver (redirect disabled), both on the same Ceph RGW (lib/s3-env.ts). Runs alternate
// between the two servers; medians of --repeats. Server CPU = the registry process only (RGW and PostgreSQL not
// counted; they do the same work for both).
import * as http from 'node:http';
import * as os from 'node:os';
import { needWrk, type BenchContext, type Results, type Scenario } from '../lib/context';
import { MEDIA } from '../lib/content';
import { makeAgent } from '../lib/http';
import { blobUrl, getManifest, pullBlob } from '../lib/registry';
import { cpuSeconds } from '../lib/rss';
import { s3Env } from '../lib/s3-env';
import type { Server } from '../lib/servers';
import { runWrk, type WrkRun } from '../lib/wrk';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** The median of the finite numbers among `values` (null when there are none). */
export function median(values: readonly (number | null | undefined)[]): number | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

/** The load averages now, rounded. */
export function loadNow(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(' ');
}

/** wrk on a manifest URL; the CPU `pids` spent, per 1000 requests. */
export async function manifestRun(
  ctx: BenchContext,
  url: string,
  headers: Record<string, string>,
  pids: number[],
  wrk: { threads: number; connections: number; durationS: number },
): Promise<WrkRun & { cpuSecondsPer1000: number; socketErrorCount: number }> {
  const cpu0 = pids.map(cpuSeconds);
  const run = await runWrk(needWrk(ctx).bin, { ...wrk, latency: true, headers: { Accept: MEDIA.manifest, ...headers }, url });
  const cpu = pids.reduce((a, p, i) => a + cpuSeconds(p) - cpu0[i]!, 0);
  const socketErrorCount = Object.values(run.socketErrors).reduce((a, b) => a + b, 0);
  return { ...run, cpuSecondsPer1000: (cpu * 1000) / (run.requests ?? NaN), socketErrorCount };
}

interface BlobRun {
  mibPerSec: number;
  cpuSecondsPerGiB: number;
  load1: number;
}

/** `clients` clients each GET the blob `rounds` times back to back; bytes counted, not hashed (checked once before). */
async function downloadRun(target: Server, url: string, { clients, rounds, size }: { clients: number; rounds: number; size: number }): Promise<BlobRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const one = () =>
    new Promise<number>((resolve, reject) => {
      http
        .get(url, { headers: target.headers, agent }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => (res.statusCode === 200 && n === size ? resolve(n) : reject(new Error(`${target.label}: status ${res.statusCode}, ${n} of ${size} bytes`))));
          res.on('error', reject);
        })
        .on('error', reject);
    });
  const cpu0 = cpuSeconds(target.pid);
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < rounds; i++) {
        const n = await one();
        bytes += n;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuSeconds(target.pid) - cpu0;
  agent.destroy();
  return { mibPerSec: bytes / MiB / seconds, cpuSecondsPerGiB: cpu / (bytes / GiB), load1: os.loadavg()[0]! };
}

const scenario: Scenario = {
  id: 's3-warm-read',
  title: 'S3 store: warm 64 MiB blob GETs and manifest GETs, Wharf (PostgreSQL + S3) vs Distribution (S3 driver), same RGW',
  needsWrk: true,
  async run(ctx) {
    const env = await s3Env(ctx);
    const wharf = env.replicas[0]!;
    const distribution = env.distribution!;
    const targets: Server[] = [wharf, distribution];
    const { warm, small } = env.seeded!;
    const { repeats, clients, rounds } = ctx.options.s3;
    const loadAtStart = loadNow();
    for (const t of targets) {
      await pullBlob(t, warm.image, warm.digest, warm.size, makeAgent());
      const res = await getManifest(t, small.image, small.tag, makeAgent());
      if (res.status !== 200 || res.headers['docker-content-digest'] !== small.manifestDigest) throw new Error(`${t.label}: manifest GET ${res.status}`);
    }
    ctx.log('both servers serve the 64 MiB blob (digest checked) and the manifest');
    const blob: Record<string, BlobRun[]> = { [wharf.name]: [], [distribution.name]: [] };
    const manifests: Record<string, Awaited<ReturnType<typeof manifestRun>>[]> = { [wharf.name]: [], [distribution.name]: [] };
    const commands: Record<string, string> = {};
    for (let rep = 0; rep < repeats; rep++) {
      // Alternate which server goes first, so a change of the machine's load hits both alike.
      const order = rep % 2 ? [...targets].reverse() : targets;
      for (const t of order) {
        const run = await downloadRun(t, blobUrl(t, warm.image, warm.digest), { clients, rounds, size: warm.size });
        blob[t.name]!.push(run);
        ctx.log(`${t.label}: blob ${run.mibPerSec.toFixed(0)} MiB/s, ${run.cpuSecondsPerGiB.toFixed(2)} s CPU/GiB (load ${run.load1.toFixed(1)})`);
      }
      for (const t of order) {
        const run = await manifestRun(ctx, `${t.baseUrl}/v2/${small.image}/manifests/${small.tag}`, t.headers, [t.pid], ctx.options.s3.wrk);
        manifests[t.name]!.push(run);
        commands[t.name] = run.command.replace(t.baseUrl, '<server>');
        const errors = run.non2xx3xx + run.socketErrorCount;
        if (errors) ctx.anomaly(`${t.label}: ${errors} non-2xx/socket errors in a manifest GET run`);
        ctx.log(`${t.label}: manifests ${run.requestsPerSec} req/s, ${run.cpuSecondsPer1000.toFixed(2)} s CPU per 1000`);
      }
    }
    const results: Results = {};
    for (const t of targets) {
      const b = blob[t.name]!;
      const m = manifests[t.name]!;
      results[t.name] = {
        mibPerSec: median(b.map((r) => r.mibPerSec)),
        cpuSecondsPerGiB: median(b.map((r) => r.cpuSecondsPerGiB)),
        blobRuns: b.map((r) => `${r.mibPerSec.toFixed(0)} MiB/s ${r.cpuSecondsPerGiB.toFixed(2)} s/GiB @load ${r.load1.toFixed(1)}`).join('; '),
        requestsPerSec: median(m.map((r) => r.requestsPerSec)),
        p50Ms: median(m.map((r) => r.latencyPercentilesMs.p50)),
        p99Ms: median(m.map((r) => r.latencyPercentilesMs.p99)),
        cpuSecondsPer1000: median(m.map((r) => r.cpuSecondsPer1000)),
        errors: m.reduce((a, r) => a + r.non2xx3xx + r.socketErrorCount, 0),
      };
    }
    return {
      params: {
        servers: `Wharf ${wharf.settings.storage} (hosted repository on the S3 store, Basic auth) vs Distribution ${distribution.settings.storage}; Ceph RGW ${env.rgw.endpoint} (RAM-backed OSD)`,
        blob: `${warm.size} B layer, ${clients} clients x ${rounds} GETs each, ${repeats} runs per server alternating; medians`,
        loadAverage: `start ${loadAtStart}, end ${loadNow()}`,
        runs: targets.map((t) => `${t.label}: ${String(results[t.name]!.blobRuns)}`).join(' | '),
      },
      commands,
      columns: [
        { name: wharf.name, label: 'Wharf PG+S3' },
        { name: distribution.name, label: 'Distrib. S3' },
      ],
      results,
      rows: [
        { metric: 'warm blob throughput', unit: 'MiB/s', key: 'mibPerSec', better: 'higher', digits: 0 },
        { metric: 'server CPU per GiB served', unit: 's', key: 'cpuSecondsPerGiB', better: 'lower', digits: 2 },
        { metric: 'manifest GET requests/s', unit: 'req/s', key: 'requestsPerSec', better: 'higher', digits: 0 },
        { metric: 'manifest GET latency p50', unit: 'ms', key: 'p50Ms', better: 'lower', digits: 2 },
        { metric: 'manifest GET latency p99', unit: 'ms', key: 'p99Ms', better: 'lower', digits: 2 },
        { metric: 'server CPU per 1000 manifest GETs', unit: 's', key: 'cpuSecondsPer1000', better: 'lower', digits: 2 },
        { metric: 'manifest errors (non-2xx, socket)', unit: '', key: 'errors', better: 'lower', digits: 0 },
      ],
    };
  },
};
export default scenario;
