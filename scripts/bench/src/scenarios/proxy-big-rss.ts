// Proxy mode 6: memory of the proxy process while a 1 GiB blob passes through it cold (fresh proxy
// pair, straight to the upstream), the client reading at full speed (sha256 of every byte, bytes
// discarded). VmRSS sampled every 50 ms; VmHWM reset before (clear_refs 5) and read after. Once from the
// HTTP upstream and once from the HTTPS one (lib/proxy-env.ts), each with a fresh pair.
import {
  ensureBigImage,
  startProxyPair,
  stopPair,
  countUpstream,
  releaseWarm,
  settle,
  proxyColumns,
  KIND_LABELS,
  cpuPerGiB,
  type UpstreamImage,
  type UpstreamKind,
} from '../lib/proxy-env';
import type { BlobRef } from '../lib/content';
import { pullBlob } from '../lib/registry';
import { startSampler } from '../lib/rss';
import { mb, syncDisks } from '../lib/measure';
import { mergePrefixed, type BenchContext, type Results, type Row, type Scenario } from '../lib/context';

const TARGET_MB = 150;

const scenario: Scenario = {
  id: 'proxy-big-rss',
  title: 'Proxy: memory while a 1 GiB blob passes through cold (HTTP and HTTPS upstream)',
  async run(ctx) {
    await releaseWarm(ctx);
    const img = await ensureBigImage(ctx);
    const blob = img.layers[0];
    if (!blob) throw new Error(`${img.image} has no layer`);
    const results: Results = { wharf: {}, distribution: {} };
    const rows: Row[] = [];
    for (const kind of ['http', 'https'] as const) {
      mergePrefixed(results, await measure(ctx, img, blob, kind), `${kind}_`);
      rows.push(
        { metric: `${kind}: server RSS before`, unit: 'MiB', key: `${kind}_startRssMiB`, better: 'lower', digits: 0 },
        { metric: `${kind}: server peak RSS (sampled)`, unit: 'MiB', key: `${kind}_peakRssMiB`, better: 'lower', digits: 0 },
        { metric: `${kind}: server peak RSS (sampled), in MB`, unit: 'MB', key: `${kind}_peakRssMB`, better: 'lower', digits: 0 },
        { metric: `${kind}: server VmHWM after`, unit: 'MiB', key: `${kind}_vmHwmMiB`, better: 'lower', digits: 0 },
        { metric: `${kind}: wall time`, unit: 's', key: `${kind}_seconds`, better: 'lower', digits: 2 },
        { metric: `${kind}: throughput`, unit: 'MB/s', key: `${kind}_mbPerSec`, better: 'higher', digits: 0 },
        { metric: `${kind}: server CPU time`, unit: 's', key: `${kind}_cpuSeconds`, better: 'lower', digits: 2 },
        { metric: `${kind}: server CPU per cold GiB`, unit: 's/GiB', key: `${kind}_cpuPerGiB`, better: 'lower', digits: 2 },
        { metric: `${kind}: upstream blob GETs (Wharf's counter)`, unit: '', key: `${kind}_ownBlobGets`, better: 'lower', digits: 0, noCompare: true },
        { metric: `${kind}: other processes CPU time`, unit: 's', key: `${kind}_otherCpuSeconds`, better: 'lower', digits: 2, noCompare: true },
      );
    }
    return {
      params: {
        blob: `${blob.size} B ${blob.digest} (${img.image} in the upstream), not cached: a fresh proxy pair per kind of upstream, connected straight to it`,
        upstreams: `http = ${KIND_LABELS.http}; https = ${KIND_LABELS.https}`,
        client: 'one GET, node:http, sha256 of every byte as it arrives, bytes discarded; size and digest verified',
        rss: `/proc/<pid>/status VmRSS every ${ctx.options.rssIntervalMs} ms from the request to the last byte; VmHWM reset (clear_refs 5) before, read after`,
        target: `peak RSS < ${TARGET_MB} MB (issue 13: over TLS too)`,
      },
      columns: proxyColumns(),
      results,
      rows,
    };
  },
};
export default scenario;

/** One fresh pair on this kind of upstream; the 1 GiB blob through each proxy. */
async function measure(ctx: BenchContext, img: UpstreamImage, blob: BlobRef, kind: UpstreamKind): Promise<Results> {
  const pair = await startProxyPair(ctx, `${(blob.size / 1048576).toFixed(0)} MiB cold pass-through`, { counted: false, upstream: kind });
  const results: Results = {};
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
        cpuPerGiB: cpuPerGiB(mem.cpuSeconds, blob.size),
        ...(own ? { ownBlobGets: own['blob-get'], wharfOwnCounters: own } : {}),
      };
      ctx.log(`${kind}: ${t.label}: ${(blob.size / 1048576).toFixed(0)} MiB cold in ${seconds.toFixed(2)} s, sha256 verified, RSS ${mem.startRssMiB} -> peak ${mem.peakRssMiB} MiB (VmHWM ${mem.vmHwmMiB} MiB)`);
    }
  } finally {
    await stopPair(pair);
  }
  return results;
}
