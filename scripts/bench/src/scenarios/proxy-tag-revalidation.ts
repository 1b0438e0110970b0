// Proxy mode 5: upstream manifest traffic caused by 100 sequential pulls of one cached tag, within
// the max age. A fresh *counted* pair (each proxy reaches the upstream through its own pass-through)
// first pulls the image cold (its upstream requests are shown too), then the 100 pulls follow. A
// pull of an image the client already has is what docker sends then: GET /v2/ and the manifest by
// tag (docker's Accept list, digest verified); the config blob is fetched as well. Counted at each
// proxy's pass-through (and, for Wharf, by its own per-repository counters).
import {
  ensureColdImage,
  releaseWarm,
  startProxyPair,
  stopPair,
  countUpstream,
  ensureCached,
  pullImage,
  getManifestChecked,
  settle,
  proxyColumns,
  passthroughCounts,
  type OwnCounters,
} from '../lib/proxy-env';
import type { CountsDiff } from '../lib/passthrough';
import { request } from '../lib/http';
import { pullBlob } from '../lib/registry';
import type { Results, Scenario } from '../lib/context';

const scenario: Scenario = {
  id: 'proxy-tag-revalidation',
  title: 'Proxy: upstream requests for a cold pull, then for sequential pulls of the cached tag',
  async run(ctx) {
    await releaseWarm(ctx);
    const img = await ensureColdImage(ctx);
    const pulls = ctx.options.proxy.revalidationPulls;
    const pair = await startProxyPair(ctx, 'tag revalidation', { counted: true });
    const results: Results = {};
    try {
      // The cold pull, counted until the upstream traffic it causes (background fills included) is over.
      const cold: Record<string, { seconds: number; upstream: CountsDiff; own: OwnCounters | null }> = {};
      for (const t of pair) {
        const counted = await countUpstream(t, async () => {
          const r = await pullImage(t, img);
          await settle(ctx, [t]);
          return r;
        });
        const upstream = passthroughCounts(t, counted.upstream);
        cold[t.name] = { seconds: counted.value.seconds, upstream, own: counted.own };
        ctx.log(`${t.label}: cold pull through the pass-through in ${counted.value.seconds.toFixed(2)} s: upstream ${JSON.stringify(upstream.requests)}`);
      }
      await ensureCached(ctx, pair, img);
      for (const t of pair) {
        const counted = await countUpstream(t, async () => {
          const t0 = process.hrtime.bigint();
          for (let i = 0; i < pulls; i++) {
            const ping = await request(`${t.baseUrl}/v2/`, { headers: t.headers, agent: t.agent });
            if (ping.status !== 200) throw new Error(`${t.label}: GET /v2/ -> ${ping.status}`);
            await getManifestChecked(t, img);
            await pullBlob(t, img.image, img.config.digest, img.config.size, t.agent);
          }
          return Number(process.hrtime.bigint() - t0) / 1e9;
        });
        const { value: seconds, own } = counted;
        const upstream = passthroughCounts(t, counted.upstream);
        const before = cold[t.name];
        if (!before) throw new Error(`${t.label}: no cold pull counted`);
        const c = before.upstream;
        results[t.name] = {
          coldSeconds: before.seconds,
          coldManifestGets: c.requests['manifest-get'],
          coldManifestHeads: c.requests['manifest-head'],
          coldBlobGets: c.requests['blob-get'],
          coldBlobHeads: c.requests['blob-head'],
          coldPings: c.requests.ping,
          coldUpstreamMB: Object.values(c.bytesDown).reduce((a, b) => a + b, 0) / 1e6,
          pulls,
          upstreamManifestGets: upstream.requests['manifest-get'],
          upstreamManifestHeads: upstream.requests['manifest-head'],
          upstreamBlobRequests: upstream.requests['blob-get'] + upstream.requests['blob-head'],
          upstreamPings: upstream.requests.ping,
          upstreamTotal: upstream.total,
          msPerPull: (seconds * 1000) / pulls,
          cold: c,
          upstream,
          ...(own ? { wharfOwnCounters: own, wharfOwnCountersCold: before.own } : {}),
        };
        ctx.log(`${t.label}: ${pulls} pulls of ${img.image}:${img.tag}: upstream ${JSON.stringify(upstream.requests)}${own ? `, Wharf's own counters ${JSON.stringify(own)}` : ''}`);
      }
    } finally {
      await stopPair(pair);
    }
    return {
      params: {
        proxies: 'a fresh pair, each proxy reaching the upstream through its own counting pass-through',
        coldPull: 'first a cold pull of the image (GET /v2/, manifest by tag, config + both layers in parallel), counted until the upstream traffic stops (Distribution fills its cache in the background)',
        pulls: `then ${pulls} sequential pulls of ${img.image}:${img.tag}, each GET /v2/ + GET manifest by tag + GET config blob, one keep-alive connection`,
        maxAge: 'Wharf metadataMaxAge 1440 min; Distribution has no tag max age',
        counted: 'requests arriving at the pass-through in front of the upstream, by kind',
        ...(results.wharf?.wharfOwnCounters ? { wharfOwnCounters: `cold ${JSON.stringify(results.wharf.wharfOwnCountersCold)}; ${pulls} pulls ${JSON.stringify(results.wharf.wharfOwnCounters)}` } : {}),
        target: `upstream manifest GETs for the ${pulls} pulls ≤ 1 for Wharf`,
      },
      columns: proxyColumns(),
      results,
      rows: [
        { metric: 'cold pull: upstream manifest GETs', unit: '', key: 'coldManifestGets', better: 'lower', digits: 0 },
        { metric: 'cold pull: upstream manifest HEADs', unit: '', key: 'coldManifestHeads', better: 'lower', digits: 0 },
        { metric: 'cold pull: upstream blob GETs', unit: '', key: 'coldBlobGets', better: 'lower', digits: 0 },
        { metric: 'cold pull: upstream blob HEADs', unit: '', key: 'coldBlobHeads', better: 'lower', digits: 0 },
        { metric: 'cold pull: upstream GET /v2/', unit: '', key: 'coldPings', better: 'lower', digits: 0 },
        { metric: 'cold pull: upstream bytes', unit: 'MB', key: 'coldUpstreamMB', better: 'lower', digits: 0 },
        { metric: 'cold pull via pass-through: wall time', unit: 's', key: 'coldSeconds', better: 'lower', digits: 2 },
        { metric: `${pulls} pulls: upstream manifest GETs`, unit: '', key: 'upstreamManifestGets', better: 'lower', digits: 0 },
        { metric: `${pulls} pulls: upstream manifest HEADs`, unit: '', key: 'upstreamManifestHeads', better: 'lower', digits: 0 },
        { metric: `${pulls} pulls: upstream blob GETs + HEADs`, unit: '', key: 'upstreamBlobRequests', better: 'lower', digits: 0 },
        { metric: `${pulls} pulls: upstream GET /v2/`, unit: '', key: 'upstreamPings', better: 'lower', digits: 0 },
        { metric: `${pulls} pulls: upstream requests, all`, unit: '', key: 'upstreamTotal', better: 'lower', digits: 0 },
        { metric: `${pulls} pulls: time per pull`, unit: 'ms', key: 'msPerPull', better: 'lower', digits: 2 },
      ],
    };
  },
};
export default scenario;
