'use strict';
// Proxy mode 6: memory of the proxy process while a 1 GiB blob passes through it cold (fresh proxy
// pair, straight to the upstream), the client reading at full speed (sha256 of every byte, bytes
// discarded). VmRSS sampled every 50 ms; VmHWM reset before (clear_refs 5) and read after.
const { ensureBigImage, startProxyPair, stopPair, countUpstream, releaseWarm, settle, proxyColumns } = require('../lib/proxy-env');
const { pullBlob } = require('../lib/registry');
const { startSampler } = require('../lib/rss');
const { mb, syncDisks } = require('../lib/measure');

const TARGET_MB = 150;

module.exports = {
  id: 'proxy-big-rss',
  title: 'Proxy: memory while a 1 GiB blob passes through cold',
  async run(ctx) {
    await releaseWarm(ctx);
    const img = await ensureBigImage(ctx);
    const blob = img.layers[0];
    const pair = await startProxyPair(ctx, `${(blob.size / 1048576).toFixed(0)} MiB cold pass-through`, { counted: false });
    const results = {};
    try {
      for (const t of pair) {
        await syncDisks();
        await settle(ctx, pair);
        const sampler = startSampler(t.pid, ctx.options.rssIntervalMs);
        const { value: seconds, own } = await countUpstream(t, async () => {
          const t0 = process.hrtime.bigint();
          await pullBlob(t, img.image, blob.digest, blob.size, t.agent);
          return Number(process.hrtime.bigint() - t0) / 1e9;
        });
        const mem = sampler.stop();
        // Not part of the window: Distribution may still be filling its cache in the background.
        await settle(ctx, pair);
        results[t.name] = {
          seconds,
          mbPerSec: mb(blob.size) / seconds,
          ...mem,
          peakRssMB: (mem.peakRssMiB * 1048576) / 1e6,
          ...(own ? { ownBlobGets: own['blob-get'], wharfOwnCounters: own } : {}),
        };
        ctx.log(`${t.label}: ${(blob.size / 1048576).toFixed(0)} MiB cold in ${seconds.toFixed(2)} s, sha256 verified, RSS ${mem.startRssMiB} -> peak ${mem.peakRssMiB} MiB (VmHWM ${mem.vmHwmMiB} MiB)`);
      }
    } finally {
      await stopPair(pair);
    }
    return {
      params: {
        blob: `${blob.size} B ${blob.digest} (${img.image} in the upstream), not cached: a fresh proxy pair connected straight to the upstream`,
        client: 'one GET, node:http, sha256 of every byte as it arrives, bytes discarded; size and digest verified',
        rss: `/proc/<pid>/status VmRSS every ${ctx.options.rssIntervalMs} ms from the request to the last byte; VmHWM reset (clear_refs 5) before, read after`,
        target: `peak RSS < ${TARGET_MB} MB`,
      },
      columns: proxyColumns(),
      results,
      rows: [
        { metric: 'server RSS before', unit: 'MiB', key: 'startRssMiB', better: 'lower', digits: 0 },
        { metric: 'server peak RSS (sampled)', unit: 'MiB', key: 'peakRssMiB', better: 'lower', digits: 0 },
        { metric: 'server peak RSS (sampled), in MB', unit: 'MB', key: 'peakRssMB', better: 'lower', digits: 0 },
        { metric: 'server VmHWM after', unit: 'MiB', key: 'vmHwmMiB', better: 'lower', digits: 0 },
        { metric: 'wall time', unit: 's', key: 'seconds', better: 'lower', digits: 2 },
        { metric: 'throughput', unit: 'MB/s', key: 'mbPerSec', better: 'higher', digits: 0 },
        { metric: 'server CPU time', unit: 's', key: 'cpuSeconds', better: 'lower', digits: 2 },
        { metric: "upstream blob GETs (Wharf's counter)", unit: '', key: 'ownBlobGets', better: 'lower', digits: 0, noCompare: true },
        { metric: 'other processes CPU time', unit: 's', key: 'otherCpuSeconds', better: 'lower', digits: 2, noCompare: true },
      ],
    };
  },
};
