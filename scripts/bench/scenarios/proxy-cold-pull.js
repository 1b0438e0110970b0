'use strict';
// Proxy mode 1: cold pull of an image with a 200 MiB and a 50 MiB layer through a fresh Wharf proxy
// repository and a fresh Distribution pull-through cache (new processes, new data dirs for every
// repetition), against pulling the same image straight from the upstream. A pull is what docker does:
// GET /v2/, manifest by tag, then config and both layers in parallel, every blob sha256-verified.
// Median of the repetitions; the order of the three pulls rotates from one repetition to the next.
// The proxies connect straight to the upstream (no counting pass-through in the timed path).
//
// Two CPU layouts, each with its own fresh proxies:
// - "own CPU" (the target's figure): the client (this process) on CPU 0, the upstream and the proxies
//   on the other CPUs, as when the client pulls from another machine. On a 2-CPU machine the proxy
//   then shares one CPU with the upstream, which is harder on the proxy than on the direct pull.
// - "shared": every process on every CPU. The client is CPU-bound (one Node thread hashing every
//   byte), so here a proxy's own CPU time (hashing and storing what it passes on) slows the client too.
// A fourth column pulls through a plain TCP forwarder (socat, when available): a hop that stores,
// hashes and parses nothing, i.e. what any proxy in between costs on this machine at the least.
// The last repetition's proxies are kept (the image cached) for the warm scenarios.
const { ensureColdImage, startProxyPair, stopPair, countUpstream, settle, pullImage, proxyColumns, median, ensureProxyEnv } = require('../lib/proxy-env');
const { startSampler, round } = require('../lib/rss');
const { makeAgent } = require('../lib/http');
const { mb, syncDisks, sleep } = require('../lib/measure');
const { clientServerSplit, applySplit } = require('../lib/affinity');
const { startForwarder } = require('../lib/forwarder');

const TARGET_RATIO = 1.15;

module.exports = {
  id: 'proxy-cold-pull',
  title: 'Proxy: cold pull of a 200 MiB + 50 MiB image through a fresh proxy vs straight from upstream',
  async run(ctx) {
    const env = await ensureProxyEnv(ctx);
    const img = await ensureColdImage(ctx);
    const repeats = ctx.options.proxy.coldRepeats;
    const direct = { name: 'direct', label: 'upstream direct', baseUrl: env.upstream.baseUrl, headers: {}, pid: env.upstream.pid };
    const fwd = await startForwarder(ctx, env.upstream.baseUrl);
    const forwarder = fwd && { name: 'forwarder', label: 'TCP forwarder (socat)', baseUrl: fwd.baseUrl, headers: {}, pid: env.upstream.pid };
    const { split, why } = clientServerSplit();
    if (!split) ctx.anomaly(`cannot give the client a CPU of its own (${why}): only the shared layout is measured`);
    const layouts = [
      ...(split ? [{ id: 'own', label: `client on CPU ${split.client.join(',')}, servers on CPU ${split.servers.join(',')}`, split }] : []),
      { id: 'shared', label: 'every process on every CPU', split: null },
    ];
    const runs = Object.fromEntries(layouts.map((l) => [l.id, { wharf: [], distribution: [], direct: [], ...(forwarder ? { forwarder: [] } : {}) }]));
    const serverPids = (pair) => [env.upstream.pid, ...(fwd ? [fwd.pid] : []), ...pair.map((t) => t.pid)];
    let lastPair = null;
    try {
      for (let rep = 0; rep < repeats; rep++) {
        for (const layout of layouts) {
          if (lastPair) await stopPair(lastPair);
          const pair = await startProxyPair(ctx, `cold pull ${rep + 1}/${repeats}, ${layout.id === 'own' ? 'own CPU' : 'shared CPUs'}`, { counted: false });
          lastPair = pair;
          applySplit(layout.split, serverPids(pair));
          const variants = [pair[0], pair[1], direct, ...(forwarder ? [forwarder] : [])];
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
            runs[layout.id][t.name].push({ seconds: r.seconds, mem, own: counted.own });
            ctx.log(
              `rep ${rep + 1}, ${layout.id === 'own' ? 'own CPU' : 'shared CPUs'}: ${t.label}: ${r.seconds.toFixed(2)} s (${(mb(r.bytes) / r.seconds).toFixed(0)} MB/s)` +
                (counted.own ? `, Wharf's own upstream counters ${JSON.stringify(counted.own)}` : ''),
            );
          }
        }
      }
    } finally {
      // Every later scenario runs with every process on every CPU.
      applySplit(null, serverPids(lastPair ?? []));
      await fwd?.stop();
    }
    // Keep the last pair for the warm scenarios (they check that the image is cached).
    env.warm = lastPair;

    const summarize = (byVariant) => {
      const out = {};
      const directMedian = median(byVariant.direct.map((r) => r.seconds));
      for (const [name, list] of Object.entries(byVariant)) {
        const secs = list.map((r) => r.seconds);
        const med = median(secs);
        const med1 = (f) => median(list.map(f));
        out[name] = {
          runsSeconds: secs.map((s) => round(s, 3)),
          medianSeconds: med,
          minSeconds: Math.min(...secs),
          maxSeconds: Math.max(...secs),
          mbPerSec: mb(img.totalBytes) / med,
          ratioToDirect: med / directMedian,
          peakRssMiB: med1((r) => r.mem.peakRssMiB),
          vmHwmMiB: med1((r) => r.mem.vmHwmMiB),
          cpuSeconds: med1((r) => r.mem.cpuSeconds),
          otherCpuSeconds: med1((r) => r.mem.otherCpuSeconds),
          ...(list[0].own
            ? {
                ownBlobGets: med1((r) => r.own['blob-get']),
                ownManifestRequests: med1((r) => r.own['manifest-get'] + r.own['manifest-head']),
                wharfOwnCounters: list.map((r) => r.own),
              }
            : {}),
          runs: list.map((r) => ({ seconds: r.seconds, ...r.mem })),
        };
      }
      return out;
    };
    // The first layout is the headline (the target's figure); the shared one adds its own rows.
    const [main, ...rest] = layouts;
    const results = summarize(runs[main.id]);
    const shared = rest.length ? summarize(runs.shared) : null;
    if (shared) {
      for (const [name, r] of Object.entries(shared)) {
        Object.assign(results[name], {
          sharedMedianSeconds: r.medianSeconds,
          sharedRatioToDirect: r.ratioToDirect,
          sharedCpuSeconds: r.cpuSeconds,
          sharedOtherCpuSeconds: r.otherCpuSeconds,
          sharedRuns: r.runs,
        });
      }
    }
    for (const name of ['wharf', 'distribution']) {
      const ratio = results[name].ratioToDirect;
      if (ratio > TARGET_RATIO) ctx.log(`${name} proxy: cold pull ${ratio.toFixed(2)}x of the direct pull, ${main.label} (target ≤ ${TARGET_RATIO}x)`);
    }
    const perRun = (res) =>
      Object.entries(res)
        .map(([n, r]) => `${n} ${r.runsSeconds.join(' / ')} s`)
        .join('; ');
    const layerMiB = img.layers.map((l) => `${(l.size / 1048576).toFixed(0)} MiB`).join(' + ');
    return {
      params: {
        image: `${img.image}:${img.tag} in the upstream: ${layerMiB} random layers + config (${img.totalBytes} B in all)`,
        pull: 'GET /v2/, GET manifest by tag (docker Accept list), then config + both layers in parallel on separate connections; every blob sha256-verified',
        fresh: `every repetition starts a new Wharf process (proxy repository "hub") and a new Distribution (proxy: remoteurl) with empty data dirs, both connected straight to the upstream (no pass-through); each first pulls a different 1 MiB image once (process warm-up; the measured image stays uncached)`,
        repetitions: `${repeats} per CPU layout, median shown; order rotated per repetition; sync(1) and CPU-quiet proxies/upstream before each pull`,
        cpuLayout: layouts.map((l) => `${l.id === main.id ? 'headline rows' : '"shared CPUs" rows'}: ${l.label}`).join('; '),
        baseline: 'upstream direct = the same pull straight from the upstream Distribution, in the same CPU layout',
        ...(forwarder ? { forwarder: `TCP forwarder = the same pull through socat -b 1048576 (a process per connection) in front of the upstream` } : {}),
        perRun: perRun(results),
        ...(shared ? { perRunShared: perRun(shared) } : {}),
        ...(results.wharf.wharfOwnCounters ? { wharfOwnCounters: JSON.stringify(results.wharf.wharfOwnCounters) } : {}),
        server: `* the proxy process; in the baseline${forwarder ? ' and forwarder columns' : ' column'} the upstream Distribution`,
        target: `cold pull wall time ≤ ${TARGET_RATIO}x the direct pull (${main.label})`,
      },
      columns: proxyColumns({ name: 'direct', label: 'upstream direct' }, ...(forwarder ? [{ name: 'forwarder', label: 'TCP forwarder' }] : [])),
      results,
      rows: [
        { metric: 'cold pull wall time (median)', unit: 's', key: 'medianSeconds', better: 'lower', digits: 2 },
        { metric: 'ratio to upstream direct', unit: 'x', key: 'ratioToDirect', better: 'lower', digits: 2 },
        { metric: 'fastest run', unit: 's', key: 'minSeconds', better: 'lower', digits: 2, noCompare: true },
        { metric: 'slowest run', unit: 's', key: 'maxSeconds', better: 'lower', digits: 2, noCompare: true },
        { metric: 'effective throughput', unit: 'MB/s', key: 'mbPerSec', better: 'higher', digits: 0 },
        { metric: 'server peak RSS (sampled)*', unit: 'MiB', key: 'peakRssMiB', better: 'lower', digits: 0 },
        { metric: 'server VmHWM after*', unit: 'MiB', key: 'vmHwmMiB', better: 'lower', digits: 0 },
        { metric: 'server CPU time*', unit: 's', key: 'cpuSeconds', better: 'lower', digits: 2 },
        { metric: 'everything else CPU (client, upstream...)', unit: 's', key: 'otherCpuSeconds', better: 'lower', digits: 2, noCompare: true },
        ...(shared
          ? [
              { metric: 'shared CPUs: cold pull wall time (median)', unit: 's', key: 'sharedMedianSeconds', better: 'lower', digits: 2 },
              { metric: 'shared CPUs: ratio to upstream direct', unit: 'x', key: 'sharedRatioToDirect', better: 'lower', digits: 2 },
              { metric: 'shared CPUs: server CPU time*', unit: 's', key: 'sharedCpuSeconds', better: 'lower', digits: 2 },
            ]
          : []),
        { metric: "upstream blob GETs (Wharf's counter)", unit: '', key: 'ownBlobGets', better: 'lower', digits: 0, noCompare: true },
        { metric: "upstream manifest reqs (Wharf's counter)", unit: '', key: 'ownManifestRequests', better: 'lower', digits: 0, noCompare: true },
      ],
    };
  },
};
