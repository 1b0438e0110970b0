'use strict';
// Proxy mode: one shared upstream (a plain Distribution on its own port, seeded by the bench over
// HTTP) and, in front of it, one counting pass-through per proxy under test (lib/passthrough.js),
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
//             own CA, lib/tls.js; Wharf trusts it through NODE_EXTRA_CA_CERTS, Distribution through SSL_CERT_FILE);
//   redirect  a Docker-Hub-like front (HTTPS, lib/passthrough.js --redirect-blobs-to) that answers every blob
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
const fs = require('node:fs');
const path = require('node:path');
const { createHash } = require('node:crypto');
const { startDistribution, startWharf } = require('./servers');
const { startPassthrough, diffCounts, waitIdle } = require('./passthrough');
const { RandomSource, imageConfig, dockerManifest, sha256, MEDIA } = require('./content');
const { uploadChunked, uploadSmallBlob, putManifest, pullBlob } = require('./registry');
const { request, makeAgent, setTrustedCa } = require('./http');
const { makeBenchTls } = require('./tls');
const { trackTempDir } = require('./proc');
const { waitCpuQuiet } = require('./rss');

const MiB = 1024 * 1024;

/** The kinds of upstream a proxy pair can be pointed at (see the top of this file). */
const UPSTREAM_KINDS = ['http', 'https', 'redirect'];
const KIND_LABELS = { http: 'HTTP upstream', https: 'HTTPS upstream', redirect: 'HTTPS upstream redirecting blobs (307) to a second host' };

/** What a docker client sends as Accept when it pulls by tag. */
const PULL_ACCEPT = [
  MEDIA.manifest,
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

async function ensureProxyEnv(ctx) {
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
  const env = {
    dir,
    tls,
    upstream,
    upstreamTls,
    front,
    cdn,
    /** Where a pair points, by upstream kind, when its upstream requests are not counted. */
    upstreamUrls: { http: upstream.baseUrl, https: upstreamTls.baseUrl, redirect: front.url },
    /** The process serving the blob bytes, by upstream kind (its CPU is the "upstream direct" column's). */
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
async function ensureUpstreamImage(ctx, key, { image, tag = 'v1', layers }) {
  const env = await ensureProxyEnv(ctx);
  if (env.images[key]) return env.images[key];
  const agent = makeAgent();
  try {
    const described = [];
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
    const img = {
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
function ensureColdImage(ctx) {
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
function ensureWarmupImage(ctx) {
  return ensureUpstreamImage(ctx, 'warmup', { image: 'bench/proxywarmup', layers: [{ seed: 'proxy-warmup-1MiB', size: MiB }] });
}

/** The 1 GiB single-layer image (the same bytes the hosted push scenario uses). */
function ensureBigImage(ctx) {
  const size = ctx.options.bigBytes;
  const known = ctx.state.big && ctx.state.big.size === size ? ctx.state.big.digest : undefined;
  return ensureUpstreamImage(ctx, 'big', { image: 'bench/proxybig', layers: [{ seed: 'big-layer', size, digest: known }] });
}

/**
 * A fresh pair of proxies in front of the upstream (new data dirs, new processes):
 * [Wharf proxy target, Distribution proxy target]; each target has .passthrough (null unless
 * counted), .agent and .stop(). Each pulls a small different image once (process warm-up).
 */
async function startProxyPair(ctx, why, { counted, upstream = 'http' }) {
  const env = await ensureProxyEnv(ctx);
  const n = ++env.pairs;
  const passthroughs = counted ? await countingPassthroughs(ctx, upstream) : null;
  const remote = (name) => (counted ? passthroughs[name].url : env.upstreamUrls[upstream]);
  const [wharf, distribution] = await Promise.all([
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
  for (const t of [wharf, distribution]) {
    ctx.extraLogs.push({ label: `${t.label} #${n}`, file: t.logFile });
    t.passthrough = counted ? passthroughs[t.name] : null;
    t.upstreamKind = upstream;
    t.agent = makeAgent();
    const stopServer = t.stop;
    t.stop = async () => {
      t.agent.destroy();
      await stopServer();
      fs.rmSync(t.dataDir, { recursive: true, force: true });
    };
  }
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
async function countingPassthroughs(ctx, kind) {
  const env = await ensureProxyEnv(ctx);
  if (!env.passthroughs[kind]) {
    const [wharf, distribution] = await Promise.all(
      ['wharf', 'distribution'].map((name) =>
        startPassthrough({
          id: `pt-${name}${kind === 'http' ? '' : `-${kind}`}`,
          upstreamUrl: env.upstream.baseUrl,
          logDir: ctx.logDir,
          ...(kind === 'http' ? {} : { tls: env.tls }),
          ...(kind === 'redirect' ? { redirectBlobsTo: env.cdn } : {}),
        }),
      ),
    );
    env.passthroughs[kind] = { wharf, distribution };
  }
  return env.passthroughs[kind];
}

async function stopPair(pair) {
  await Promise.all(pair.map((t) => t.stop()));
}

/** Wharf's own per-repository upstream request counters (null for other targets). */
async function ownCounters(target) {
  if (!target.statusUrl) return null;
  try {
    const res = await request(target.statusUrl, { headers: target.headers, timeoutMs: 10_000 });
    if (res.status !== 200) return null;
    return JSON.parse(res.body.toString('utf8')).counters?.upstreamRequests ?? null;
  } catch {
    return null;
  }
}

function diffOwn(before, after) {
  if (!before || !after) return null;
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]));
}

/**
 * Counts upstream traffic around `fn`: at the target's pass-through (upstream: null for a direct
 * pair) and Wharf's own counters (own: null for Distribution).
 */
async function countUpstream(target, fn) {
  const pt = target.passthrough;
  const [before, ownBefore] = await Promise.all([pt ? pt.counts({ resetMax: true }) : null, ownCounters(target)]);
  const value = await fn();
  const [after, ownAfter] = await Promise.all([pt ? pt.counts() : null, ownCounters(target)]);
  return { value, upstream: pt ? diffCounts(before, after) : null, own: diffOwn(ownBefore, ownAfter) };
}

/**
 * Lets background work finish before a measurement: a pass-through with nothing in flight (counted
 * pairs) and the proxy processes and the upstream quiet on the CPU.
 */
async function settle(ctx, targets) {
  const env = ctx.state.proxyEnv;
  for (const t of targets) {
    if (t.passthrough && !(await waitIdle(t.passthrough))) ctx.anomaly(`${t.label}: upstream requests still in flight after 60 s`);
  }
  for (const pid of [...targets.map((t) => t.pid), env.upstream.pid, env.upstreamTls.pid]) {
    if (!(await waitCpuQuiet(pid))) ctx.anomaly(`pid ${pid} kept using CPU for 60 s after a measurement`);
  }
}

/** The path of a committed blob in a Distribution data dir (how Distribution's cache is checked). */
function distributionBlobPath(dataDir, digest) {
  const hex = digest.slice('sha256:'.length);
  return path.join(dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

/** Whether every blob of the image is in the proxy's cache (Distribution: on disk; Wharf: a pull fetched no blob upstream). */
async function isCached(t, img) {
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
async function pullImage(target, img, agent = target.agent) {
  const t0 = process.hrtime.bigint();
  const ping = await request(`${target.baseUrl}/v2/`, { headers: target.headers, agent });
  if (ping.status !== 200) throw new Error(`${target.label}: GET /v2/ -> ${ping.status}`);
  const manifest = await getManifestChecked(target, img, agent);
  const parsed = JSON.parse(manifest.toString('utf8'));
  const blobs = [parsed.config, ...parsed.layers];
  await Promise.all(blobs.map((b) => pullBlob(target, img.image, b.digest, b.size, agent)));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, bytes: manifest.length + blobs.reduce((a, b) => a + b.size, 0) };
}

/** GET manifest by tag with docker's Accept; throws unless 200 with the expected digest. */
async function getManifestChecked(target, img, agent = target.agent) {
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
async function ensureCached(ctx, pair, img) {
  for (let attempt = 1; ; attempt++) {
    await settle(ctx, pair);
    const missing = [];
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
async function warmPair(ctx) {
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
async function releaseWarm(ctx) {
  const env = ctx.state.proxyEnv;
  if (env?.warm) {
    await stopPair(env.warm);
    env.warm = null;
  }
}

/** Columns of a proxy scenario's table: the two proxies (Wharf first), then optional extras. */
function proxyColumns(...extra) {
  return [{ name: 'wharf', label: 'Wharf proxy' }, { name: 'distribution', label: 'Distribution proxy' }, ...extra];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Server CPU seconds per GiB of cold content passed on (the image's bytes, once per pull). */
function cpuPerGiB(cpuSeconds, bytes) {
  return cpuSeconds === null || cpuSeconds === undefined ? null : cpuSeconds / (bytes / 1024 ** 3);
}

module.exports = {
  UPSTREAM_KINDS,
  KIND_LABELS,
  cpuPerGiB,
  PULL_ACCEPT,
  ensureProxyEnv,
  ensureUpstreamImage,
  ensureColdImage,
  ensureBigImage,
  startProxyPair,
  stopPair,
  countUpstream,
  settle,
  pullImage,
  getManifestChecked,
  ensureCached,
  warmPair,
  releaseWarm,
  proxyColumns,
  median,
};
