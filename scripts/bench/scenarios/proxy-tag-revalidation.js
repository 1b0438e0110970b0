'use strict';
// Proxy mode 5: upstream manifest traffic caused by 100 sequential pulls of one cached tag, within
// the max age. A pull of an image the client already has is what docker sends then: GET /v2/ and the
// manifest by tag (docker's Accept list, digest verified); the config blob is fetched as well. Counted
// at each proxy's pass-through (and, for Wharf, by its own per-repository counters).
const { warmPair, countUpstream, getManifestChecked, proxyColumns } = require('../lib/proxy-env');
const { request } = require('../lib/http');
const { pullBlob } = require('../lib/registry');

module.exports = {
  id: 'proxy-tag-revalidation',
  title: 'Proxy: upstream manifest requests for sequential pulls of a cached tag',
  async run(ctx) {
    const { pair, img } = await warmPair(ctx);
    const pulls = ctx.options.proxy.revalidationPulls;
    const results = {};
    for (const t of pair) {
      const { value: seconds, upstream, own } = await countUpstream(t, async () => {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < pulls; i++) {
          const ping = await request(`${t.baseUrl}/v2/`, { headers: t.headers, agent: t.agent });
          if (ping.status !== 200) throw new Error(`${t.label}: GET /v2/ -> ${ping.status}`);
          await getManifestChecked(t, img);
          await pullBlob(t, img.image, img.config.digest, img.config.size, t.agent);
        }
        return Number(process.hrtime.bigint() - t0) / 1e9;
      });
      results[t.name] = {
        pulls,
        upstreamManifestGets: upstream.requests['manifest-get'],
        upstreamManifestHeads: upstream.requests['manifest-head'],
        upstreamBlobRequests: upstream.requests['blob-get'] + upstream.requests['blob-head'],
        upstreamPings: upstream.requests.ping,
        upstreamTotal: upstream.total,
        msPerPull: (seconds * 1000) / pulls,
        upstream,
        ...(own ? { wharfOwnCounters: own } : {}),
      };
      ctx.log(`${t.label}: ${pulls} pulls of ${img.image}:${img.tag}: upstream ${JSON.stringify(upstream.requests)}${own ? `, Wharf's own counters ${JSON.stringify(own)}` : ''}`);
    }
    return {
      params: {
        pulls: `${pulls} sequential pulls of ${img.image}:${img.tag}, each GET /v2/ + GET manifest by tag + GET config blob, one keep-alive connection`,
        cached: 'the tag was pulled (and its blobs cached) just before; Wharf max age 1440 min; Distribution has no tag max age',
        counted: 'requests arriving at the pass-through in front of the upstream, by kind',
        ...(results.wharf.wharfOwnCounters ? { wharfOwnCounters: JSON.stringify(results.wharf.wharfOwnCounters) } : {}),
        target: 'upstream manifest GETs ≤ 1 for Wharf',
      },
      columns: proxyColumns(),
      results,
      rows: [
        { metric: 'upstream manifest GETs', unit: '', key: 'upstreamManifestGets', better: 'lower', digits: 0 },
        { metric: 'upstream manifest HEADs', unit: '', key: 'upstreamManifestHeads', better: 'lower', digits: 0 },
        { metric: 'upstream blob GETs + HEADs', unit: '', key: 'upstreamBlobRequests', better: 'lower', digits: 0 },
        { metric: 'upstream GET /v2/', unit: '', key: 'upstreamPings', better: 'lower', digits: 0 },
        { metric: 'upstream requests, all kinds', unit: '', key: 'upstreamTotal', better: 'lower', digits: 0 },
        { metric: 'time per pull', unit: 'ms', key: 'msPerPull', better: 'lower', digits: 2 },
      ],
    };
  },
};
