// Proxy mode: one shared upstream (a plain Distribution on its own port, seeded by the bench over
// HTTP) and, in front of it, one counting pass-through per proxy under test (lib/passthrough.ts),
// so each proxy's upstream requests are counted separately:
//
//   counted pairs:  client ──> Wharf proxy repository ──> pass-through "pt-wharf" ────────┐
//                   client ──> Distribution (proxy:)  ──> pass-through "pt-distribution" ──┼──> upstream
//   direct pairs:   client ──> Wharf proxy / Distribution proxy ───────────────────────────┤    Distribution
//   baseline:       client ────────────────────────────────────────────────────────────────┘
//
// The upstream has three doors, one per kind of upstream a proxy pair can be pointed at:
//   http      the upstream Distribution itself, plain HTTP;
//   https     a second Distribution process serving the same storage over TLS (a certificate of the bench's
//             own CA, lib/tls.ts; Wharf trusts it through NODE_EXTRA_CA_CERTS, Distribution through SSL_CERT_FILE);
//   redirect  a Docker-Hub-like front (HTTPS, lib/passthrough.ts --redirect-blobs-to) that answers every blob
//             GET with 307 to the HTTPS door under another host name (https://localhost:<port>, the "CDN")
//             and forwards everything else.
// Proxies are started in pairs (one Wharf process with a proxy repository "hub", one Distribution in
// proxy mode), each with new data directories; stopping a pair removes its data. A *counted* pair
// reaches the upstream through the pass-throughs (the scenarios that count upstream requests); a
// *direct* pair reaches it straight (the timed scenarios: the pass-through's extra hop and copies
// would otherwise be part of the proxy's time, and Distribution asks the upstream on every manifest
// GET by tag). Wharf's own per-repository counters are read for every pair.
// The environment is created by the first proxy scenario that needs it (so --only= works for any of
// them) and kept in ctx.state.proxyEnv.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type * as http from 'node:http';
import type { RepositoryStatusJson } from '@wharf/api-types';
import { startDistribution, startWharf, type DistributionServer, type Server, type WharfServer } from './servers';
import { startPassthrough, diffCounts, waitIdle, type CountsDiff, type Passthrough } from './passthrough';
import { RandomSource, imageConfig, dockerManifest, sha256, MEDIA, type BlobRef } from './content';
import { uploadChunked, uploadSmallBlob, putManifest, pullBlob, type Endpoint } from './registry';
import { request, makeAgent, setTrustedCa } from './http';
import { makeBenchTls, type BenchTls } from './tls';
import { needState, type BenchContext, type Column } from './context';
import { trackTempDir } from './proc';
import { waitCpuQuiet } from './rss';

const MiB = 1024 * 1024;

/** The kinds of upstream a proxy pair can be pointed at (see the top of this file). */
export const UPSTREAM_KINDS = ['http', 'https', 'redirect'] as const;
export type UpstreamKind = (typeof UPSTREAM_KINDS)[number];
export const KIND_LABELS: Record<UpstreamKind, string> = { http: 'HTTP upstream', https: 'HTTPS upstream', redirect: 'HTTPS upstream redirecting blobs (307) to a second host' };

/** An image pushed to the upstream: what a pull must get. */
export interface UpstreamImage {
  image: string;
  tag: string;
  manifestDigest: string;
  manifestSize: number;
  config: BlobRef;
  layers: BlobRef[];
  totalBytes: number;
}

/** The 1 GiB layer the hosted push scenario pushed (its digest saves hashing it again). */
export interface BigImageState {
  image: string;
  digest: string;
  size: number;
}

/** A proxy under test: a server with a proxy repository (Wharf) or in proxy mode (Distribution). */
export type ProxyTarget<S extends Server = Server> = S & {
  /** The counting pass-through between it and the upstream (null: connected straight). */
  passthrough: Passthrough | null;
  upstreamKind: UpstreamKind;
  agent: http.Agent;
};

/** A fresh pair of proxies, Wharf first. */
export type ProxyPair = [ProxyTarget<WharfServer>, ProxyTarget<DistributionServer>];

/** The shared upstream, its doors and pass-throughs, the images in it (ctx.state.proxyEnv). */
export interface ProxyEnv {
  dir: string;
  tls: BenchTls;
  upstream: DistributionServer;
  upstreamTls: DistributionServer;
  front: Passthrough;
  cdn: string;
  /** Where a pair points, by upstream kind, when its upstream requests are not counted. */
  upstreamUrls: Record<UpstreamKind, string>;
  /** The process serving the blob bytes, by upstream kind (its CPU is the "upstream direct" column's). */
  upstreamPids: Record<UpstreamKind, number>;
  passthroughs: Partial<Record<UpstreamKind, PassthroughPair>>;
  images: Record<string, UpstreamImage>;
  pairs: number;
  /** The direct pair with the cold image cached, for the warm scenarios. */
  warm: ProxyPair | null;
}

interface PassthroughPair {
  wharf: Passthrough;
  distribution: Passthrough;
}

/** What a pull reads from: a registry, its label for messages, the agent to pull with. */
export type PullTarget = Endpoint & { label: string; agent?: http.Agent };

/** What countUpstream reads: a pass-through (counted pairs), Wharf's status URL (own counters). */
export interface CountedTarget {
  passthrough?: Passthrough | null;
  statusUrl?: string;
  headers?: Record<string, string>;
}

/** Wharf's own per-repository upstream request counters, by kind. */
export type OwnCounters = Record<string, number>;

/** What a docker client sends as Accept when it pulls by tag. */
export const PULL_ACCEPT = [
  MEDIA.manifest,
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

export async function ensureProxyEnv(ctx: BenchContext): Promise<ProxyEnv> {
  if (ctx.state.proxyEnv) return ctx.state.proxyEnv;
  const dir = trackTempDir(path.join(ctx.workDir, 'proxy'));
  fs.mkdirSync(dir, { recursive: true });
  ctx.log('proxy mode: starting the upstream Distribution and two counting pass-throughs');
  const upstream = await startDistribution({ workDir: dir, logDir: ctx.logDir, name: 'upstream', label: 'upstream Distribution', id: 'upstream' });
  ctx.extraLogs.push({ label: 'upstream Distribution', file: upstream.logFile });
  const tls = await makeBenchTls(path.join(dir, 'tls'));
  setTrustedCa(tls.ca);
  const upstreamTls = await startDistribution({
    workDir: dir,
    logDir: ctx.logDir,
    name: 'upstream-tls',
    label: 'upstream Distribution (HTTPS)',
    id: 'upstream-tls',
    tls,
    rootDir: upstream.dataDir,
  });
  ctx.extraLogs.push({ label: 'upstream Distribution (HTTPS)', file: upstreamTls.logFile });
  const cdn = `https://localhost:${upstreamTls.port}`;
  const front = await startPassthrough({ id: 'front', upstreamUrl: upstream.baseUrl, logDir: ctx.logDir, tls, redirectBlobsTo: cdn });
  const env: ProxyEnv = {
    dir,
    tls,
    upstream,
    upstreamTls,
    front,
    cdn,
    upstreamUrls: { http: upstream.baseUrl, https: upstreamTls.baseUrl, redirect: front.url },
    upstreamPids: { http: upstream.pid, https: upstreamTls.pid, redirect: upstreamTls.pid },
    passthroughs: {},
    images: {},
    pairs: 0,
    warm: null,
  };
  ctx.state.proxyEnv = env;
  return env;
}

/** Pushes an image with the given random layers to the upstream (once); returns its description. */
export async function ensureUpstreamImage(
  ctx: BenchContext,
  key: string,
  { image, tag = 'v1', layers }: { image: string; tag?: string; layers: { seed: string; size: number; digest?: string | undefined }[] },
): Promise<UpstreamImage> {
  const env = await ensureProxyEnv(ctx);
  const known = env.images[key];
  if (known) return known;
  const agent = makeAgent();
  try {
    const described: BlobRef[] = [];
    for (const l of layers) {
      const source = new RandomSource(l.seed, l.size);
      const digest = l.digest ?? (await source.digest());
      const t0 = Date.now();
      await uploadChunked(env.upstream, image, source, digest, ctx.options.chunkBytes, agent);
      ctx.log(`upstream: pushed ${image} layer ${(l.size / MiB).toFixed(0)} MiB ${digest.slice(0, 19)}… in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      described.push({ digest, size: l.size });
    }
    const config = imageConfig(described.map((d) => d.digest), key);
    await uploadSmallBlob(env.upstream, image, config, sha256(config), agent);
    const manifest = dockerManifest(config, described);
    await putManifest(env.upstream, image, tag, manifest, agent);
    const img: UpstreamImage = {
      image,
      tag,
      manifestDigest: sha256(manifest),
      manifestSize: manifest.length,
      config: { digest: sha256(config), size: config.length },
      layers: described,
      totalBytes: manifest.length + config.length + described.reduce((a, d) => a + d.size, 0),
    };
    env.images[key] = img;
    return img;
  } finally {
    agent.destroy();
  }
}

/** The pull-scenario image: a 200 MiB and a 50 MiB layer (20 + 5 MiB with --quick). */
export function ensureColdImage(ctx: BenchContext): Promise<UpstreamImage> {
  const [a, b] = ctx.options.proxy.coldLayers;
  return ensureUpstreamImage(ctx, 'cold', {
    image: 'bench/proxied',
    layers: [
      { seed: `proxy-layer-${a}`, size: a },
      { seed: `proxy-layer-${b}`, size: b },
    ],
  });
}

/** A 1 MiB image each fresh proxy pulls once after start: the process is warm, the measured content is not cached. */
function ensureWarmupImage(ctx: BenchContext): Promise<UpstreamImage> {
  return ensureUpstreamImage(ctx, 'warmup', { image: 'bench/proxywarmup', layers: [{ seed: 'proxy-warmup-1MiB', size: MiB }] });
}

/** The 1 GiB single-layer image (the same bytes the hosted push scenario uses). */
export function ensureBigImage(ctx: BenchContext): Promise<UpstreamImage> {
  const size = ctx.options.bigBytes;
  const known = ctx.state.big && ctx.state.big.size === size ? ctx.state.big.digest : undefined;
  return ensureUpstreamImage(ctx, 'big', { image: 'bench/proxybig', layers: [{ seed: 'big-layer', size, digest: known }] });
}

/**
 * A fresh pair of proxies in front of the upstream (new data dirs, new processes):
 * [Wharf proxy target, Distribution proxy target]; each target has .passthrough (null unless
 * counted), .agent and .stop(). Each pulls a small different image once (process warm-up).
 */
export async function startProxyPair(ctx: BenchContext, why: string, { counted, upstream = 'http' }: { counted: boolean; upstream?: UpstreamKind }): Promise<ProxyPair> {
  const env = await ensureProxyEnv(ctx);
  const n = ++env.pairs;
  const passthroughs = counted ? await countingPassthroughs(ctx, upstream) : null;
  const remote = (name: keyof PassthroughPair) => (passthroughs ? passthroughs[name].url : env.upstreamUrls[upstream]);
  const [wharfServer, distributionServer] = await Promise.all([
    startWharf({
      repoRoot: ctx.repoRoot,
      workDir: env.dir,
      logDir: ctx.logDir,
      cpuProfDir: ctx.cpuProfDir,
      nodeArgs: ctx.wharfNodeArgs,
      env: { NODE_EXTRA_CA_CERTS: env.tls.caFile, ...ctx.wharfEnv },
      name: 'wharf',
      label: 'Wharf proxy',
      id: `wharf-proxy-${n}`,
      repository: { kind: 'proxy', name: 'hub', remoteUrl: remote('wharf') },
    }),
    startDistribution({
      workDir: env.dir,
      logDir: ctx.logDir,
      name: 'distribution',
      label: 'Distribution proxy',
      id: `distribution-proxy-${n}`,
      proxyRemoteUrl: remote('distribution'),
      env: { SSL_CERT_FILE: env.tls.caFile },
    }),
  ]);
  const asProxy = <S extends Server>(t: S, passthrough: Passthrough | null): ProxyTarget<S> => {
    ctx.extraLogs.push({ label: `${t.label} #${n}`, file: t.logFile });
    const agent = makeAgent();
    const stopServer = t.stop;
    return Object.assign(t, {
      passthrough,
      upstreamKind: upstream,
      agent,
      stop: async () => {
        agent.destroy();
        await stopServer();
        fs.rmSync(t.dataDir, { recursive: true, force: true });
      },
    });
  };
  const wharf = asProxy(wharfServer, passthroughs?.wharf ?? null);
  const distribution = asProxy(distributionServer, passthroughs?.distribution ?? null);
  const warmup = await ensureWarmupImage(ctx);
  for (const t of [wharf, distribution]) await pullImage(t, warmup);
  // Distribution fills its cache in the background after answering: wait until that is over.
  await settle(ctx, [wharf, distribution]);
  ctx.log(`proxy pair #${n} (${why}, ${KIND_LABELS[upstream]}, ${counted ? 'counted: through the pass-throughs' : 'direct to the upstream'}): Wharf proxy pid ${wharf.pid} at ${wharf.baseUrl}, Distribution proxy pid ${distribution.pid} at ${distribution.baseUrl}`);
  return [wharf, distribution];
}

/**
 * The counting pass-throughs of an upstream kind (one per proxy under test), started on first use: plain HTTP
 * in front of the upstream; HTTPS in front of it; HTTPS answering blob GETs with 307 to the CDN door.
 */
async function countingPassthroughs(ctx: BenchContext, kind: UpstreamKind): Promise<PassthroughPair> {
  const env = await ensureProxyEnv(ctx);
  let pair = env.passthroughs[kind];
  if (!pair) {
    const [wharf, distribution] = await Promise.all(
      (['wharf', 'distribution'] as const).map((name) =>
        startPassthrough({
          id: `pt-${name}${kind === 'http' ? '' : `-${kind}`}`,
          upstreamUrl: env.upstream.baseUrl,
          logDir: ctx.logDir,
          ...(kind === 'http' ? {} : { tls: env.tls }),
          ...(kind === 'redirect' ? { redirectBlobsTo: env.cdn } : {}),
        }),
      ),
    );
    pair = { wharf, distribution };
    env.passthroughs[kind] = pair;
  }
  return pair;
}

export async function stopPair(pair: readonly { stop(): Promise<void> }[]): Promise<void> {
  await Promise.all(pair.map((t) => t.stop()));
}

/** Wharf's own per-repository upstream request counters (null for other targets). */
async function ownCounters(target: CountedTarget): Promise<OwnCounters | null> {
  if (!target.statusUrl) return null;
  try {
    const res = await request(target.statusUrl, { headers: target.headers, timeoutMs: 10_000 });
    if (res.status !== 200) return null;
    const status = JSON.parse(res.body.toString('utf8')) as RepositoryStatusJson;
    return 'counters' in status ? status.counters.upstreamRequests : null;
  } catch {
    return null;
  }
}

function diffOwn(before: OwnCounters | null, after: OwnCounters | null): OwnCounters | null {
  if (!before || !after) return null;
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]));
}

/**
 * Counts upstream traffic around `fn`: at the target's pass-through (upstream: null for a direct
 * pair) and Wharf's own counters (own: null for Distribution).
 */
export async function countUpstream<T>(
  target: CountedTarget,
  fn: () => Promise<T>,
): Promise<{ value: T; upstream: CountsDiff | null; own: OwnCounters | null }> {
  const pt = target.passthrough;
  const [before, ownBefore] = await Promise.all([pt ? pt.counts({ resetMax: true }) : null, ownCounters(target)]);
  const value = await fn();
  const [after, ownAfter] = await Promise.all([pt ? pt.counts() : null, ownCounters(target)]);
  return { value, upstream: before && after ? diffCounts(before, after) : null, own: diffOwn(ownBefore, ownAfter) };
}

/**
 * Lets background work finish before a measurement: a pass-through with nothing in flight (counted
 * pairs) and the proxy processes and the upstream quiet on the CPU.
 */
export async function settle(ctx: BenchContext, targets: readonly { passthrough?: Passthrough | null; label: string; pid: number }[]): Promise<void> {
  const env = needState(ctx, 'proxyEnv');
  for (const t of targets) {
    if (t.passthrough && !(await waitIdle(t.passthrough))) ctx.anomaly(`${t.label}: upstream requests still in flight after 60 s`);
  }
  for (const pid of [...targets.map((t) => t.pid), env.upstream.pid, env.upstreamTls.pid]) {
    if (!(await waitCpuQuiet(pid))) ctx.anomaly(`pid ${pid} kept using CPU for 60 s after a measurement`);
  }
}

/** The path of a committed blob in a Distribution data dir (how Distribution's cache is checked). */
function distributionBlobPath(dataDir: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return path.join(dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

/** Whether every blob of the image is in the proxy's cache (Distribution: on disk; Wharf: a pull fetched no blob upstream). */
async function isCached(t: ProxyTarget, img: UpstreamImage): Promise<boolean> {
  const blobs = [img.config, ...img.layers];
  if (t.name === 'distribution') {
    return blobs.every((b) => {
      try {
        return fs.statSync(distributionBlobPath(t.dataDir, b.digest)).size === b.size;
      } catch {
        return false;
      }
    });
  }
  const { upstream, own } = await countUpstream(t, () => pullImage(t, img));
  const fetched = upstream ? upstream.requests['blob-get'] : own ? own['blob-get'] : 0;
  return fetched === 0;
}

/**
 * A pull as docker does it: GET /v2/, GET the manifest by tag (digest checked against
 * Docker-Content-Digest and the body), then the config and every layer in parallel, each blob
 * streamed through sha256 and checked. Returns { seconds, bytes }.
 */
export async function pullImage(target: PullTarget, img: UpstreamImage, agent = target.agent): Promise<{ seconds: number; bytes: number }> {
  const t0 = process.hrtime.bigint();
  const ping = await request(`${target.baseUrl}/v2/`, { headers: target.headers, agent });
  if (ping.status !== 200) throw new Error(`${target.label}: GET /v2/ -> ${ping.status}`);
  const manifest = await getManifestChecked(target, img, agent);
  const parsed = JSON.parse(manifest.toString('utf8')) as { config: BlobRef; layers: BlobRef[] };
  const blobs = [parsed.config, ...parsed.layers];
  await Promise.all(blobs.map((b) => pullBlob(target, img.image, b.digest, b.size, agent)));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, bytes: manifest.length + blobs.reduce((a, b) => a + b.size, 0) };
}

/** GET manifest by tag with docker's Accept; throws unless 200 with the expected digest. */
export async function getManifestChecked(target: PullTarget, img: UpstreamImage, agent = target.agent): Promise<Buffer> {
  const res = await request(`${target.baseUrl}/v2/${img.image}/manifests/${img.tag}`, {
    headers: { ...target.headers, Accept: PULL_ACCEPT },
    agent,
  });
  if (res.status !== 200) throw new Error(`${target.label}: GET manifest ${img.image}:${img.tag} -> ${res.status} ${res.body.toString().slice(0, 300)}`);
  const digest = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
  if (digest !== img.manifestDigest) throw new Error(`${target.label}: manifest body hashes to ${digest}, expected ${img.manifestDigest}`);
  const header = res.headers['docker-content-digest'];
  if (header && header !== img.manifestDigest) throw new Error(`${target.label}: Docker-Content-Digest ${header}, expected ${img.manifestDigest}`);
  return res.body;
}

/** Makes sure the pair has the image cached: background work settled, every blob in the cache. */
export async function ensureCached(ctx: BenchContext, pair: ProxyPair, img: UpstreamImage): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await settle(ctx, pair);
    const missing: string[] = [];
    for (const t of pair) if (!(await isCached(t, img))) missing.push(t.label);
    if (!missing.length) return;
    if (attempt === 5) {
      ctx.anomaly(`${missing.join(', ')}: ${img.image}:${img.tag} still not fully cached after ${attempt} pulls`);
      return;
    }
    for (const t of pair) await pullImage(t, img);
  }
}

/**
 * The direct pair with the cold image cached, for the warm timed scenarios: the one the cold-pull
 * scenario leaves behind, or a new one warmed by one pull.
 */
export async function warmPair(ctx: BenchContext): Promise<{ pair: ProxyPair; img: UpstreamImage }> {
  const env = await ensureProxyEnv(ctx);
  const img = await ensureColdImage(ctx);
  if (!env.warm) {
    const pair = await startProxyPair(ctx, 'warm scenarios', { counted: false });
    for (const t of pair) await pullImage(t, img);
    env.warm = pair;
  }
  await ensureCached(ctx, env.warm, img);
  return { pair: env.warm, img };
}

/** Stops the warm pair (the scenarios after it start their own fresh pairs). */
export async function releaseWarm(ctx: BenchContext): Promise<void> {
  const env = ctx.state.proxyEnv;
  if (env?.warm) {
    await stopPair(env.warm);
    env.warm = null;
  }
}

/** Columns of a proxy scenario's table: the two proxies (Wharf first), then optional extras. */
export function proxyColumns(...extra: Column[]): Column[] {
  return [{ name: 'wharf', label: 'Wharf proxy' }, { name: 'distribution', label: 'Distribution proxy' }, ...extra];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return (s.length % 2 ? s[m] : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2) ?? NaN;
}

/** The median of the values that are there (null: none is); a CPU time is null when its process was gone. */
export function medianOf(xs: readonly (number | null)[]): number | null {
  const present = xs.filter((x): x is number => x !== null);
  return present.length ? median(present) : null;
}

/** Server CPU seconds per GiB of cold content passed on (the image's bytes, once per pull). */
export function cpuPerGiB(cpuSeconds: number | null | undefined, bytes: number): number | null {
  return cpuSeconds === null || cpuSeconds === undefined ? null : cpuSeconds / (bytes / 1024 ** 3);
}

/** The pass-through's counts of a measurement on a counted pair (startProxyPair with counted: true). */
export function passthroughCounts(target: { label: string }, diff: CountsDiff | null): CountsDiff {
  if (!diff) throw new Error(`${target.label}: not behind a counting pass-through`);
  return diff;
}
