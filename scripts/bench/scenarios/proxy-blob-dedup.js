'use strict';
// Proxy mode 4: 20 concurrent cold GETs of one 50 MiB blob through a fresh proxy pair; the upstream
// blob requests they cause are counted at each proxy's pass-through. Every client verifies size
// and sha256.
const { ensureColdImage, startProxyPair, stopPair, countUpstream, releaseWarm, proxyColumns } = require('../lib/proxy-env');
const { waitIdle } = require('../lib/passthrough');
const { pullBlob } = require('../lib/registry');
const { startSampler } = require('../lib/rss');
const { makeAgent } = require('../lib/http');
const { mb } = require('../lib/measure');

module.exports = {
  id: 'proxy-blob-dedup',
  title: 'Proxy: upstream blob fetches for concurrent cold requests of one blob',
  async run(ctx) {
    await releaseWarm(ctx);
    const img = await ensureColdImage(ctx);
    const blob = img.layers[ctx.options.proxy.dedupBlobIndex];
    const clients = ctx.options.proxy.dedupClients;
    const pair = await startProxyPair(ctx, `${clients} concurrent cold requests`, { counted: true });
    const results = {};
    try {
      for (const t of pair) {
        const agent = makeAgent(); // maxSockets 64: every client on its own connection
        const sampler = startSampler(t.pid, ctx.options.rssIntervalMs);
        let failures = [];
        const { value: seconds, upstream, own } = await countUpstream(t, async () => {
          const t0 = process.hrtime.bigint();
          const settled = await Promise.allSettled(Array.from({ length: clients }, () => pullBlob(t, img.image, blob.digest, blob.size, agent)));
          const s = Number(process.hrtime.bigint() - t0) / 1e9;
          failures = settled.filter((x) => x.status === 'rejected').map((x) => x.reason.message);
          // Background fills (Distribution) count too: wait until the upstream traffic is over.
          await waitIdle(t.passthrough);
          return s;
        });
        const mem = sampler.stop();
        agent.destroy();
        results[t.name] = {
          clients,
          verified: clients - failures.length,
          failures: failures.length,
          seconds,
          mbPerSec: mb(blob.size * (clients - failures.length)) / seconds,
          upstreamBlobGets: upstream.requests['blob-get'],
          upstreamBlobHeads: upstream.requests['blob-head'],
          upstreamTotal: upstream.total,
          upstreamMB: mb(upstream.bytesDown['blob-get']),
          maxConcurrentUpstreamBlobGets: upstream.maxInflightBlobGets,
          peakRssMiB: mem.peakRssMiB,
          cpuSeconds: mem.cpuSeconds,
          upstream,
          ...(own ? { wharfOwnCounters: own } : {}),
          firstFailure: failures[0],
        };
        ctx.log(`${t.label}: ${clients} concurrent cold GETs: ${clients - failures.length} verified in ${seconds.toFixed(2)} s, upstream ${JSON.stringify(upstream.requests)}`);
        if (failures.length) ctx.anomaly(`${t.label}: ${failures.length}/${clients} concurrent cold blob GETs failed, e.g. ${failures[0]}`);
      }
    } finally {
      await stopPair(pair);
    }
    return {
      params: {
        blob: `${blob.size} B ${blob.digest} (a layer of ${img.image}), not cached: a fresh proxy pair (new processes and data dirs)`,
        clients: `${clients} GETs started at once, each on its own connection, each streamed through sha256 and checked`,
        counted: 'at the pass-through in front of the upstream, until it is idle (background fills included)',
        target: 'Wharf: 1 upstream blob GET',
      },
      columns: proxyColumns(),
      results,
      rows: [
        { metric: 'upstream blob GETs', unit: '', key: 'upstreamBlobGets', better: 'lower', digits: 0 },
        { metric: 'upstream blob HEADs', unit: '', key: 'upstreamBlobHeads', better: 'lower', digits: 0 },
        { metric: 'upstream requests, all kinds', unit: '', key: 'upstreamTotal', better: 'lower', digits: 0 },
        { metric: 'upstream blob bytes', unit: 'MB', key: 'upstreamMB', better: 'lower', digits: 0 },
        { metric: 'max concurrent upstream blob GETs', unit: '', key: 'maxConcurrentUpstreamBlobGets', better: 'lower', digits: 0 },
        { metric: 'clients served, verified', unit: '', key: 'verified', better: 'higher', digits: 0 },
        { metric: 'wall time, all clients', unit: 's', key: 'seconds', better: 'lower', digits: 2 },
        { metric: 'aggregate throughput', unit: 'MB/s', key: 'mbPerSec', better: 'higher', digits: 0 },
        { metric: 'server peak RSS (sampled)', unit: 'MiB', key: 'peakRssMiB', better: 'lower', digits: 0 },
        { metric: 'server CPU time', unit: 's', key: 'cpuSeconds', better: 'lower', digits: 2 },
      ],
    };
  },
};
