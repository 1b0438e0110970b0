// Proxy mode 4: 20 concurrent cold GETs of one 50 MiB blob through a fresh proxy pair; the upstream
// blob requests they cause are counted at each proxy's pass-through. Every client verifies size
// and sha256. Once per kind of upstream (lib/proxy-env.ts): the pass-throughs serve HTTPS for the https
// kind, and answer blob GETs with 307 to the HTTPS "CDN" for the redirect kind (the blob GETs counted are
// then the redirected requests; the bytes come from the CDN).
import {
  ensureColdImage,
  startProxyPair,
  stopPair,
  countUpstream,
  releaseWarm,
  proxyColumns,
  passthroughCounts,
  UPSTREAM_KINDS,
  KIND_LABELS,
  type UpstreamImage,
  type UpstreamKind,
} from '../lib/proxy-env';
import type { BlobRef } from '../lib/content';
import { waitIdle } from '../lib/passthrough';
import { pullBlob } from '../lib/registry';
import { startSampler } from '../lib/rss';
import { makeAgent } from '../lib/http';
import { mb } from '../lib/measure';
import { mergePrefixed, type BenchContext, type Results, type Row, type Scenario } from '../lib/context';
import { errorMessage } from '../lib/proc';

const scenario: Scenario = {
  id: 'proxy-blob-dedup',
  title: 'Proxy: upstream blob fetches for concurrent cold requests of one blob (HTTP, HTTPS, redirecting upstream)',
  async run(ctx) {
    await releaseWarm(ctx);
    const img = await ensureColdImage(ctx);
    const blob = img.layers[ctx.options.proxy.dedupBlobIndex];
    if (!blob) throw new Error(`${img.image} has no layer ${ctx.options.proxy.dedupBlobIndex}`);
    const clients = ctx.options.proxy.dedupClients;
    const results: Results = { wharf: {}, distribution: {} };
    const rows: Row[] = [];
    for (const kind of UPSTREAM_KINDS) {
      mergePrefixed(results, await measure(ctx, img, blob, clients, kind), `${kind}_`);
      rows.push(
        { metric: `${kind}: upstream blob GETs`, unit: '', key: `${kind}_upstreamBlobGets`, better: 'lower', digits: 0 },
        { metric: `${kind}: upstream requests, all kinds`, unit: '', key: `${kind}_upstreamTotal`, better: 'lower', digits: 0 },
        ...(kind === 'redirect' ? [] : [{ metric: `${kind}: upstream blob bytes`, unit: 'MB', key: `${kind}_upstreamMB`, better: 'lower', digits: 0 } satisfies Row]),
        { metric: `${kind}: max concurrent upstream blob GETs`, unit: '', key: `${kind}_maxConcurrentUpstreamBlobGets`, better: 'lower', digits: 0 },
        { metric: `${kind}: clients served, verified`, unit: '', key: `${kind}_verified`, better: 'higher', digits: 0 },
        { metric: `${kind}: wall time, all clients`, unit: 's', key: `${kind}_seconds`, better: 'lower', digits: 2 },
        { metric: `${kind}: server peak RSS (sampled)`, unit: 'MiB', key: `${kind}_peakRssMiB`, better: 'lower', digits: 0 },
        { metric: `${kind}: server CPU time`, unit: 's', key: `${kind}_cpuSeconds`, better: 'lower', digits: 2 },
      );
    }
    return {
      params: {
        blob: `${blob.size} B ${blob.digest} (a layer of ${img.image}), not cached: a fresh proxy pair (new processes and data dirs) per kind of upstream`,
        upstreams: UPSTREAM_KINDS.map((k) => `${k} = ${KIND_LABELS[k]}`).join('; '),
        clients: `${clients} GETs started at once, each on its own connection, each streamed through sha256 and checked`,
        counted: 'at the pass-through in front of the upstream (HTTPS for https and redirect), until it is idle (background fills included)',
        target: 'Wharf: 1 upstream blob GET',
      },
      columns: proxyColumns(),
      results,
      rows,
    };
  },
};
export default scenario;

/** One fresh counted pair on this kind of upstream; the concurrent GETs through each proxy. */
async function measure(ctx: BenchContext, img: UpstreamImage, blob: BlobRef, clients: number, kind: UpstreamKind): Promise<Results> {
  const pair = await startProxyPair(ctx, `${clients} concurrent cold requests`, { counted: true, upstream: kind });
  const results: Results = {};
  try {
    for (const t of pair) {
      const agent = makeAgent(); // maxSockets 64: every client on its own connection
      const sampler = startSampler(t.pid, ctx.options.rssIntervalMs);
      const passthrough = t.passthrough;
      if (!passthrough) throw new Error(`${t.label}: not behind a counting pass-through`);
      let failures: string[] = [];
      const counted = await countUpstream(t, async () => {
        const t0 = process.hrtime.bigint();
        const settled = await Promise.allSettled(Array.from({ length: clients }, () => pullBlob(t, img.image, blob.digest, blob.size, agent)));
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        failures = settled.filter((x) => x.status === 'rejected').map((x) => errorMessage(x.reason));
        // Background fills (Distribution) count too: wait until the upstream traffic is over.
        await waitIdle(passthrough);
        return s;
      });
      const { value: seconds, own } = counted;
      const upstream = passthroughCounts(t, counted.upstream);
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
      ctx.log(`${kind}: ${t.label}: ${clients} concurrent cold GETs: ${clients - failures.length} verified in ${seconds.toFixed(2)} s, upstream ${JSON.stringify(upstream.requests)}`);
      if (failures.length) ctx.anomaly(`${t.label}: ${failures.length}/${clients} concurrent cold blob GETs failed, e.g. ${failures[0]}`);
    }
  } finally {
    await stopPair(pair);
  }
  return results;
}
