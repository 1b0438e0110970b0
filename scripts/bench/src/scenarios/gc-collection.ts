// Garbage collection of a store of synthetic content (issue 14). A fresh Wharf and a fresh Distribution each get
// `manifests` images of one config and four small random layers (5 blobs each, nothing shared), pushed over HTTP;
// half the images are then deleted by digest (registry DELETE). Then:
// - Wharf collects online with no other load: the cleanup task (grace period 0) run through the REST API. Its
//   time is the run's duration; peak RSS (VmHWM) and CPU are the Wharf process's over the run.
// - Distribution is stopped and collects offline: `docker-registry garbage-collect <config>`, measured with
//   /usr/bin/time (wall, peak RSS, CPU). Both must end with the same number of blob files.
// - Wharf again: manifest GET latency of a kept tag without a collection, then during a second collection (after
//   another quarter of the images was deleted), by the same node:http clients.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startDistribution, startWharf, type Server, type WharfServer } from '../lib/servers';
import { request, makeAgent } from '../lib/http';
import { uploadSmallBlob, putManifest } from '../lib/registry';
import { sha256, dockerManifest, MEDIA } from '../lib/content';
import { startSampler, round } from '../lib/rss';
import { runCommand } from '../lib/proc';
import { sleep } from '../lib/measure';
import type { TaskJson } from '@wharf/api-types';
import type { BenchContext, Results, Scenario } from '../lib/context';

/** One synthetic image: a config and LAYERS small random layers, pushed as <name>:<tag>. */
interface GcImage {
  name: string;
  tag: string;
  config: Buffer;
  layers: Buffer[];
  manifest: Buffer;
  digest: string;
}


const LAYERS = 4;
// Below the login throttle's 9 attempts under way per user and address (security/domain/throttle.ts): every
// registry request here carries Basic credentials, and more at once are refused with 429.
const PUSH_CONCURRENCY = 8;
const GET_CLIENTS = 8;

function makeImages(count: number): GcImage[] {
  return Array.from({ length: count }, (_, i) => {
    const layers = Array.from({ length: LAYERS }, () => randomBytes(256 + Math.floor(Math.random() * 1024)));
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map(sha256) }, n: i }));
    const manifest = dockerManifest(config, layers.map((l) => ({ digest: sha256(l), size: l.length })));
    return { name: `gc/app${i % 100}`, tag: `t${i}`, config, layers, manifest, digest: sha256(manifest) };
  });
}

/** Runs `work(item)` over `items`, `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

async function push(target: Server, images: readonly GcImage[], agent: http.Agent): Promise<void> {
  await pool(images, PUSH_CONCURRENCY, async (img) => {
    for (const blob of [img.config, ...img.layers]) await uploadSmallBlob(target, img.name, blob, sha256(blob), agent);
    await putManifest(target, img.name, img.tag, img.manifest, agent);
  });
}

async function deleteManifests(target: Server, images: readonly GcImage[], agent: http.Agent): Promise<void> {
  await pool(images, PUSH_CONCURRENCY, async (img) => {
    const res = await request(`${target.baseUrl}/v2/${img.name}/manifests/${img.digest}`, { method: 'DELETE', headers: target.headers, agent });
    if (res.status !== 202) throw new Error(`${target.label}: DELETE manifest ${img.digest}: ${res.status} ${res.body.toString().slice(0, 200)}`);
  });
}

/** Blob files under a data directory: Wharf's blobs/blobs/<alg>/<xx>/<hex>, Distribution's blobs/sha256/<xx>/<hex>/data. */
function countBlobFiles(root: string, depthToFile: number): number {
  let n = 0;
  const walk = (dir: string, depth: number) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (depth === depthToFile) n += e.isFile() ? 1 : 0;
      else if (e.isDirectory()) walk(path.join(dir, e.name), depth + 1);
    }
  };
  if (fs.existsSync(root)) walk(root, 0);
  return n;
}

/** `clients` node:http clients GET `url` back to back until `done()`; the latencies in ms. */
async function timedGets(
  url: string,
  headers: http.OutgoingHttpHeaders,
  clients: number,
  done: () => boolean,
): Promise<{ latencies: number[]; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let errors = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = http.get(url, { headers, agent }, (res) => {
        if (res.statusCode !== 200) errors += 1;
        res.resume();
        res.on('end', () => {
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          resolve();
        });
      });
      req.on('error', () => {
        errors += 1;
        resolve();
      });
    });
  await Promise.all(Array.from({ length: clients }, async () => {
    while (!done()) await one();
  }));
  agent.destroy();
  return { latencies, errors };
}

/** The p-th percentile in ms, to 0.01 ms; null without values. */
function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)], 2);
}

async function taskState(wharf: WharfServer): Promise<TaskJson> {
  const res = await request(`${wharf.mainUrl}/service/rest/v1/tasks/cleanup`, { headers: wharf.headers });
  return JSON.parse(res.body.toString()) as TaskJson;
}

/**
 * Runs the cleanup task through the REST API while `during(done)` runs (it gets a function that is true once the
 * run ended); returns the run's duration, the process's peak RSS and CPU over the run, and the blobs it deleted.
 */
async function collect<T>(
  wharf: WharfServer,
  ctx: BenchContext,
  during: (done: () => boolean) => Promise<T>,
): Promise<{ seconds: number; peakRssMiB: number | null; cpuSeconds: number | null; blobsDeleted: number; during: T }> {
  const before = (await taskState(wharf)).lastRun;
  const sampler = startSampler(wharf.pid, ctx.options.rssIntervalMs);
  const started = await request(`${wharf.mainUrl}/service/rest/v1/tasks/cleanup/run`, { method: 'POST', headers: wharf.headers });
  if (started.status !== 204) throw new Error(`Wharf: POST tasks/cleanup/run -> ${started.status}`);
  let finished = false;
  const watch = (async () => {
    for (;;) {
      const task = await taskState(wharf);
      if (task.currentState === 'WAITING' && task.lastRun !== before) {
        finished = true;
        return task;
      }
      await sleep(100);
    }
  })();
  const [task, duringResult] = await Promise.all([watch, during(() => finished)]);
  const mem = sampler.stop();
  if (task.lastRunResult !== 'OK') throw new Error(`Wharf: the cleanup task ended ${task.lastRunResult}: ${JSON.stringify(task.lastRunSummary)}`);
  return {
    seconds: round((task.lastRunDurationMs ?? NaN) / 1000, 2),
    peakRssMiB: mem.vmHwmSinceReset && mem.vmHwmMiB !== null ? mem.vmHwmMiB : mem.peakRssMiB,
    cpuSeconds: mem.cpuSeconds,
    blobsDeleted: Number(task.lastRunSummary?.blobsDeleted),
    during: duringResult,
  };
}

const scenario: Scenario = {
  id: 'gc-collection',
  title: 'Garbage collection of a large store: Wharf online vs Distribution offline',
  async run(ctx) {
    const count = ctx.options.gc.manifests;
    const dir = path.join(ctx.workDir, 'gc');
    fs.mkdirSync(dir, { recursive: true });
    const [distribution, wharf] = await Promise.all([
      startDistribution({ workDir: dir, logDir: ctx.logDir, id: 'distribution-gc', label: 'Distribution (gc)' }),
      startWharf({ repoRoot: ctx.repoRoot, workDir: dir, logDir: ctx.logDir, nodeArgs: ctx.wharfNodeArgs, env: ctx.wharfEnv, id: 'wharf-gc', label: 'Wharf (gc)' }),
    ]);
    ctx.extraLogs.push(...[wharf, distribution].map((t) => ({ label: t.label, file: t.logFile })));
    const wharfResults: Record<string, number | null> = {};
    const distributionResults: Record<string, number | null> = {};
    const results: Results = { wharf: wharfResults, distribution: distributionResults };
    try {
      const images = makeImages(count);
      // Half go before the timed collection; a quarter more before the one measured under manifest GETs.
      const gone = images.filter((_, i) => i % 2 === 1);
      const later = images.filter((_, i) => i % 4 === 2);
      const kept = images.filter((_, i) => i % 4 === 0);
      const agents = { wharf: makeAgent(), distribution: makeAgent() };
      const t0 = Date.now();
      await Promise.all([push(wharf, images, agents.wharf), push(distribution, images, agents.distribution)]);
      ctx.log(`pushed ${count} manifests and ${count * (LAYERS + 1)} blobs to each in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      await Promise.all([deleteManifests(wharf, gone, agents.wharf), deleteManifests(distribution, gone, agents.distribution)]);
      ctx.log(`deleted ${gone.length} manifests by digest on each`);
      const wharfBlobs = path.join(wharf.dataDir, 'blobs', 'blobs');
      const distributionBlobs = path.join(distribution.dataDir, 'docker', 'registry', 'v2', 'blobs');
      wharfResults.blobsBefore = countBlobFiles(wharfBlobs, 2);
      const distributionBefore = countBlobFiles(distributionBlobs, 3);
      distributionResults.blobsBefore = distributionBefore;

      // --- Wharf collects online, with nothing else to do: time, peak RSS, CPU
      await request(`${wharf.mainUrl}/service/rest/v1/tasks/cleanup`, {
        method: 'PUT',
        headers: { ...wharf.headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ properties: { gracePeriodMinutes: 0 } }),
      });
      const idle = await collect(wharf, ctx, () => Promise.resolve(null));
      Object.assign(wharfResults, { seconds: idle.seconds, peakRssMiB: idle.peakRssMiB, cpuSeconds: idle.cpuSeconds, blobsDeleted: idle.blobsDeleted, blobsAfter: countBlobFiles(wharfBlobs, 2) });
      ctx.log(`Wharf: collected in ${idle.seconds} s (${idle.blobsDeleted} blobs deleted), peak RSS ${idle.peakRssMiB} MiB, CPU ${idle.cpuSeconds} s`);

      // --- Distribution: stopped, offline garbage-collect of the same garbage
      await distribution.stop();
      const configFile = path.join(dir, 'distribution-gc.yml');
      const timeFile = path.join(dir, 'gc-time.txt');
      const gc = await runCommand('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, '/usr/bin/docker-registry', 'garbage-collect', configFile], { timeoutMs: 60 * 60_000 });
      if (gc.code !== 0) throw new Error(`docker-registry garbage-collect exited ${gc.code}: ${(gc.stderr || gc.stdout).slice(-500)}`);
      const [elapsed = NaN, maxKiB = NaN, user = NaN, sys = NaN] = (fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
      const distributionAfter = countBlobFiles(distributionBlobs, 3);
      const peakRssMiB = round(maxKiB / 1024);
      Object.assign(distributionResults, { seconds: elapsed, peakRssMiB, cpuSeconds: round(user + sys), blobsAfter: distributionAfter });
      distributionResults.blobsDeleted = distributionBefore - distributionAfter;
      ctx.log(`Distribution: garbage-collect took ${elapsed} s, peak RSS ${peakRssMiB} MiB, ${distributionBefore - distributionAfter} blob files deleted`);

      // --- Wharf: manifest GETs of a kept tag without a collection, then during a second one (another quarter deleted)
      const probe = kept[0];
      const url = `${wharf.baseUrl}/v2/${probe.name}/manifests/${probe.tag}`;
      const getHeaders = { ...wharf.headers, Accept: MEDIA.manifest };
      const warmUntil = Date.now() + 1000;
      await timedGets(url, getHeaders, GET_CLIENTS, () => Date.now() > warmUntil);
      const quietUntil = Date.now() + ctx.options.gc.baselineS * 1000;
      const quiet = await timedGets(url, getHeaders, GET_CLIENTS, () => Date.now() > quietUntil);
      await deleteManifests(wharf, later, agents.wharf);
      const loaded = await collect(wharf, ctx, (done) => timedGets(url, getHeaders, GET_CLIENTS, done));
      const busy = loaded.during;
      const getErrors = quiet.errors + busy.errors;
      const getP99QuietMs = percentile(quiet.latencies, 99);
      const getP99DuringMs = percentile(busy.latencies, 99);
      Object.assign(wharfResults, {
        loadedSeconds: loaded.seconds,
        getP50QuietMs: percentile(quiet.latencies, 50),
        getP99QuietMs,
        getP50DuringMs: percentile(busy.latencies, 50),
        getP99DuringMs,
        getsDuring: busy.latencies.length,
        getErrors,
      });
      if (getErrors) ctx.anomaly(`Wharf: ${getErrors} manifest GETs failed`);
      ctx.log(`Wharf: manifest GET p99 ${getP99QuietMs} ms without a collection, ${getP99DuringMs} ms during one (${busy.latencies.length} GETs; that collection took ${loaded.seconds} s)`);
      const expected = (kept.length + later.length) * (LAYERS + 2);
      for (const [name, r] of Object.entries(results)) {
        if (r.blobsAfter !== expected) ctx.anomaly(`${name}: ${r.blobsAfter} blob files after the collection, expected ${expected} (the kept images' manifests, configs and layers)`);
      }
      for (const a of Object.values(agents)) a.destroy();
    } finally {
      await Promise.all([wharf.stop(), distribution.stop()]);
    }
    return {
      params: {
        content: `${count} manifests of 1 config + ${LAYERS} random layers (256-1279 bytes each): ${count * (LAYERS + 1)} blobs and ${count} manifests, nothing shared; pushed over HTTP to a fresh Wharf and a fresh Distribution`,
        deleted: `half the manifests by digest (registry DELETE): ${Math.floor(count / 2) * (LAYERS + 2)} blob files become garbage`,
        wharf: 'the cleanup task (gracePeriodMinutes 0) through the REST API, online, with no other load; time = the run\'s duration; RSS (VmHWM) / CPU of the Wharf process over the run',
        distribution: 'stopped, then `docker-registry garbage-collect <config>` under /usr/bin/time (wall, max RSS, user+sys)',
        latency: `Wharf only (Distribution cannot serve while it collects): manifest GET of a kept tag by ${GET_CLIENTS} node:http keep-alive clients, ${ctx.options.gc.baselineS} s without a collection (after 1 s of warm-up), then during a second collection after another quarter of the manifests was deleted`,
      },
      results,
      rows: [
        { metric: 'collection time', unit: 's', key: 'seconds', better: 'lower', digits: 1 },
        { metric: 'peak RSS while collecting', unit: 'MiB', key: 'peakRssMiB', better: 'lower', digits: 0 },
        { metric: 'CPU while collecting', unit: 's', key: 'cpuSeconds', better: 'lower', digits: 1 },
        { metric: 'blob files before', unit: '', key: 'blobsBefore', better: 'lower', digits: 0, noCompare: true },
        { metric: 'blob files after', unit: '', key: 'blobsAfter', better: 'lower', digits: 0, noCompare: true },
        { metric: 'manifest GET p50, no collection', unit: 'ms', key: 'getP50QuietMs', better: 'lower', digits: 2, noCompare: true },
        { metric: 'manifest GET p99, no collection', unit: 'ms', key: 'getP99QuietMs', better: 'lower', digits: 2, noCompare: true },
        { metric: 'manifest GET p50 during the collection', unit: 'ms', key: 'getP50DuringMs', better: 'lower', digits: 2, noCompare: true },
        { metric: 'manifest GET p99 during the collection', unit: 'ms', key: 'getP99DuringMs', better: 'lower', digits: 2, noCompare: true },
        { metric: 'manifest GETs during the collection', unit: '', key: 'getsDuring', better: 'higher', digits: 0, noCompare: true },
        { metric: 'that collection\'s time, under the GETs', unit: 's', key: 'loadedSeconds', better: 'lower', digits: 1, noCompare: true },
      ],
    };
  },
};
export default scenario;
