// Proxy mode 1: cold pull of an image with a 200 MiB and a 50 MiB layer through a fresh Wharf proxy
// repository and a fresh Distribution pull-through cache (new processes, new data dirs for every
// repetition), against pulling the same image straight from the upstream. A pull is what docker does:
// GET /v2/, manifest by tag, then config and both layers in parallel, every blob sha256-verified.
// Median of the repetitions; the order of the pulls rotates from one repetition to the next.
// The proxies connect straight to the upstream (no counting pass-through in the timed path).
//
// Three kinds of upstream (lib/proxy-env.ts), each with its own fresh pairs:
// - HTTP: the upstream Distribution;
// - HTTPS: the same content from Distribution serving TLS (a certificate of the bench's CA);
// - redirect: a Docker-Hub-like HTTPS front answering blob GETs with 307 to the HTTPS door under another
//   host name, as registry-1.docker.io sends them to its CDN.
// "upstream direct" pulls straight from that upstream (following the redirect); its server CPU is the upstream's.
//
// Two CPU layouts, each with its own fresh proxies:
// - "own CPU" (the headline): the client (this process) on CPU 0, the upstream and the proxies on the other
//   CPUs, as when the client pulls from another machine. On a 2-CPU machine the proxy then shares one CPU
//   with the upstream, which is harder on the proxy than on the direct pull.
// - "shared": every process on every CPU. The client is CPU-bound (one Node thread hashing every byte), so
//   here a proxy's own CPU time (hashing and storing what it passes on) slows the client too.
// A fourth column (HTTP only) pulls through a plain TCP forwarder (socat): a hop that stores, hashes and
// parses nothing, i.e. what any proxy in between costs on this machine at the least.
// The last HTTP repetition's proxies are kept (the image cached) for the warm scenarios.
import {
  ensureColdImage,
  startProxyPair,
  stopPair,
  countUpstream,
  settle,
  pullImage,
  proxyColumns,
  median,
  medianOf,
  ensureProxyEnv,
  KIND_LABELS,
  cpuPerGiB,
  type OwnCounters,
  type ProxyPair,
  type PullTarget,
  type UpstreamKind,
} from '../lib/proxy-env';
import { startSampler, round, type Sample } from '../lib/rss';
import { makeAgent } from '../lib/http';
import { mb, syncDisks, sleep } from '../lib/measure';
import { clientServerSplit, applySplit, cpuLayouts } from '../lib/affinity';
import { startForwarder } from '../lib/forwarder';
import { mergePrefixed, type Results, type Row, type Scenario } from '../lib/context';

/** What is pulled from: a proxy of the pair, the upstream itself, or the TCP forwarder; pid = the process whose CPU is shown. */
type Variant = PullTarget & { pid: number };

/** One timed pull. */
interface Pull {
  seconds: number;
  mem: Sample;
  own: OwnCounters | null;
}

/** A variant's pulls in one kind of upstream and layout, summarized (medians over the repetitions). */
type Summary = {
  runsSeconds: number[];
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  mbPerSec: number;
  ratioToDirect: number;
  peakRssMiB: number;
  cpuSeconds: number | null;
  cpuPerGiB: number | null;
  otherCpuSeconds: number | null;
  ownBlobGets?: number | null;
  wharfOwnCounters?: (OwnCounters | null)[];
  runs: (Sample & { seconds: number })[];
};

const scenario: Scenario = {
  id: 'proxy-cold-pull',
  title: 'Proxy: cold pull of a 200 MiB + 50 MiB image through a fresh proxy vs straight from upstream (HTTP, HTTPS, HTTPS redirecting to a second host)',
  async run(ctx) {
    const env = await ensureProxyEnv(ctx);
    const img = await ensureColdImage(ctx);
    const repeats = ctx.options.proxy.coldRepeats;
    const kinds = ctx.options.proxy.coldUpstreams;
    const fwd = kinds.includes('http') ? await startForwarder(ctx, env.upstream.baseUrl) : null;
    const direct = (kind: UpstreamKind): Variant => ({ name: 'direct', label: 'upstream direct', baseUrl: env.upstreamUrls[kind], headers: {}, pid: env.upstreamPids[kind] });
    const forwarder: Variant | null = fwd && { name: 'forwarder', label: 'TCP forwarder (socat)', baseUrl: fwd.baseUrl, headers: {}, pid: env.upstream.pid };
    const { split, why } = clientServerSplit();
    if (!split) ctx.anomaly(`cannot give the client a CPU of its own (${why}): only the shared layout is measured`);
    const layouts = cpuLayouts(split);
    const runs: Record<string, Record<string, Pull[]>> = {};
    for (const kind of kinds) for (const l of layouts) runs[`${kind}/${l.id}`] = { wharf: [], distribution: [], direct: [], ...(forwarder && kind === 'http' ? { forwarder: [] } : {}) };
    const serverPids = (pair: readonly { pid: number }[]) => [env.upstream.pid, env.upstreamTls.pid, env.front.pid, ...(fwd ? [fwd.pid] : []), ...pair.map((t) => t.pid)];
    let lastPair: ProxyPair | null = null;
    let warmPair: ProxyPair | null = null;
    try {
      for (let rep = 0; rep < repeats; rep++) {
        for (const layout of layouts) {
          for (const kind of kinds) {
            if (lastPair && lastPair !== warmPair) await stopPair(lastPair);
            const pair = await startProxyPair(ctx, `cold pull ${rep + 1}/${repeats}, ${layout.id === 'own' ? 'own CPU' : 'shared CPUs'}`, { counted: false, upstream: kind });
            lastPair = pair;
            applySplit(layout.split, serverPids(pair));
            const variants: Variant[] = [pair[0], pair[1], direct(kind), ...(forwarder && kind === 'http' ? [forwarder] : [])];
            const order = variants.map((_, i) => variants[(i + rep) % variants.length]);
            for (const t of order) {
              await syncDisks();
              // Distribution fills its cache in the background after answering: let that finish first.
              await settle(ctx, pair);
              await sleep(200);
              const agent = t.agent ?? makeAgent();
              const sampler = startSampler(t.pid, ctx.options.rssIntervalMs);
              const counted = await countUpstream(t.agent ? t : { passthrough: null }, () => pullImage(t, img, agent));
              const mem = sampler.stop();
              if (!t.agent) agent.destroy();
              const r = counted.value;
              runs[`${kind}/${layout.id}`][t.name].push({ seconds: r.seconds, mem, own: counted.own });
              ctx.log(
                `rep ${rep + 1}, ${kind}, ${layout.id === 'own' ? 'own CPU' : 'shared CPUs'}: ${t.label}: ${r.seconds.toFixed(2)} s (${(mb(r.bytes) / r.seconds).toFixed(0)} MB/s), server CPU ${mem.cpuSeconds} s` +
                  (counted.own ? `, Wharf's own upstream counters ${JSON.stringify(counted.own)}` : ''),
              );
            }
            // Keep the last plain-HTTP pair (the image cached) for the warm scenarios.
            if (kind === 'http' && rep === repeats - 1 && layout === layouts.at(-1)) {
              if (warmPair) await stopPair(warmPair);
              warmPair = pair;
            }
          }
        }
      }
    } finally {
      // Every later scenario runs with every process on every CPU.
      applySplit(null, serverPids(lastPair ?? []));
      if (lastPair && lastPair !== warmPair) await stopPair(lastPair);
      await fwd?.stop();
    }
    env.warm = warmPair;

    const summarize = (byVariant: Record<string, Pull[]>) => {
      const out: Record<string, Summary> = {};
      const directMedian = median((byVariant.direct ?? []).map((r) => r.seconds));
      for (const [name, list] of Object.entries(byVariant)) {
        const secs = list.map((r) => r.seconds);
        const med = median(secs);
        const med1 = (f: (r: Pull) => number | null) => medianOf(list.map(f));
        out[name] = {
          runsSeconds: secs.map((s) => round(s, 3)),
          medianSeconds: med,
          minSeconds: Math.min(...secs),
          maxSeconds: Math.max(...secs),
          mbPerSec: mb(img.totalBytes) / med,
          ratioToDirect: med / directMedian,
          peakRssMiB: median(list.map((r) => r.mem.peakRssMiB)),
          cpuSeconds: med1((r) => r.mem.cpuSeconds),
          cpuPerGiB: cpuPerGiB(med1((r) => r.mem.cpuSeconds), img.totalBytes),
          otherCpuSeconds: med1((r) => r.mem.otherCpuSeconds),
          ...(list[0]?.own ? { ownBlobGets: med1((r) => r.own?.['blob-get'] ?? null), wharfOwnCounters: list.map((r) => r.own) } : {}),
          runs: list.map((r) => ({ seconds: r.seconds, ...r.mem })),
        };
      }
      return out;
    };
    // One results object per column; each kind and layout adds its keys with a prefix.
    const results: Results = { wharf: {}, distribution: {}, direct: {}, ...(forwarder ? { forwarder: {} } : {}) };
    const rows: Row[] = [];
    const perRun: Record<string, string> = {};
    for (const kind of kinds) {
      for (const layout of layouts) {
        const key = `${kind}/${layout.id}`;
        const summary = summarize(runs[key] ?? {});
        const prefix = `${kind}_${layout.id}_`;
        mergePrefixed(results, summary, prefix);
        perRun[key] = Object.entries(summary).map(([n, r]) => `${n} ${r.runsSeconds.join(' / ')} s`).join('; ');
        const where = `${kind}, ${layout.id === 'own' ? 'own CPU' : 'shared CPUs'}`;
        rows.push(
          { metric: `${where}: wall time (median)`, unit: 's', key: `${prefix}medianSeconds`, better: 'lower', digits: 2 },
          { metric: `${where}: ratio to upstream direct`, unit: 'x', key: `${prefix}ratioToDirect`, better: 'lower', digits: 2 },
          { metric: `${where}: server CPU time*`, unit: 's', key: `${prefix}cpuSeconds`, better: 'lower', digits: 2 },
          { metric: `${where}: server CPU per cold GiB*`, unit: 's/GiB', key: `${prefix}cpuPerGiB`, better: 'lower', digits: 2 },
          ...(layout === layouts[0]
            ? ([
                { metric: `${where}: server peak RSS (sampled)*`, unit: 'MiB', key: `${prefix}peakRssMiB`, better: 'lower', digits: 0 },
                { metric: `${where}: upstream blob GETs (Wharf's counter)`, unit: '', key: `${prefix}ownBlobGets`, better: 'lower', digits: 0, noCompare: true },
              ] satisfies Row[])
            : []),
        );
      }
    }
    const layerMiB = img.layers.map((l) => `${(l.size / 1048576).toFixed(0)} MiB`).join(' + ');
    return {
      params: {
        image: `${img.image}:${img.tag} in the upstream: ${layerMiB} random layers + config (${img.totalBytes} B in all)`,
        pull: 'GET /v2/, GET manifest by tag (docker Accept list), then config + both layers in parallel on separate connections; every blob sha256-verified',
        upstreams: kinds.map((k) => `${k} = ${KIND_LABELS[k]}`).join('; '),
        fresh: `every repetition starts a new Wharf process (proxy repository "hub") and a new Distribution (proxy: remoteurl) with empty data dirs for each kind of upstream, both connected straight to it (no pass-through); each first pulls a different 1 MiB image once (process warm-up; the measured image stays uncached)`,
        trust: 'the upstream certificate is from a CA the bench makes (openssl); Wharf trusts it through NODE_EXTRA_CA_CERTS, Distribution through SSL_CERT_FILE, the client directly',
        repetitions: `${repeats} per kind of upstream and CPU layout, median shown; order rotated per repetition; sync(1) and CPU-quiet proxies/upstream before each pull`,
        cpuLayout: layouts.map((l) => `${l.id}: ${l.label}`).join('; '),
        baseline: 'upstream direct = the same pull straight from that upstream (redirect followed), in the same CPU layout',
        ...(forwarder ? { forwarder: `TCP forwarder = the same pull through socat -b 1048576 (a process per connection) in front of the HTTP upstream` } : {}),
        ...Object.fromEntries(Object.entries(perRun).map(([k, v]) => [`runs ${k}`, v])),
        server: '* the proxy process; in the baseline and forwarder columns the upstream Distribution serving the bytes. CPU per cold GiB = server CPU time / the image size in GiB',
        target: 'issue 13: Wharf no slower than Distribution over HTTPS and the redirecting upstream in both layouts, CPU per cold GiB at most Distribution\'s; plain HTTP still ahead',
      },
      columns: proxyColumns({ name: 'direct', label: 'upstream direct' }, ...(forwarder ? [{ name: 'forwarder', label: 'TCP forwarder' }] : [])),
      results,
      rows,
    };
  },
};
export default scenario;
