// Proxy mode 3: manifest GET by tag, warm (the tag was pulled moments ago, well within the max age),
// requests/s with wrk -t2 -c32 -d10s. The proxies are the direct pair (straight to the upstream, no
// pass-through: Distribution asks the upstream on every GET by tag, an extra hop would slow it);
// Wharf's own counters show the upstream requests the run causes.
import { warmPair, countUpstream, getManifestChecked, proxyColumns } from '../lib/proxy-env';
import { startSampler } from '../lib/rss';
import { runWrk } from '../lib/wrk';
import { MEDIA } from '../lib/content';
import { sleep } from '../lib/measure';
import { needWrk, type Results, type Scenario } from '../lib/context';
import { wrkErrors } from '../lib/loadgen';

const scenario: Scenario = {
  id: 'proxy-manifest-get',
  title: 'Proxy: manifest GET by tag, warm (requests/s)',
  needsWrk: true,
  async run(ctx) {
    const wrk = needWrk(ctx);
    const { pair, img } = await warmPair(ctx);
    const { threads, connections, durationS } = ctx.options.manifest;
    for (const t of pair) await getManifestChecked(t, img);
    const results: Results = {};
    const commands: Record<string, string> = {};
    for (const t of pair) {
      const sampler = startSampler(t.pid, ctx.options.rssIntervalMs);
      const { value: run, own } = await countUpstream(t, () =>
        runWrk(wrk.bin, {
          threads,
          connections,
          durationS,
          timeoutS: 5,
          latency: true,
          headers: { Accept: MEDIA.manifest, ...t.headers },
          url: `${t.baseUrl}/v2/${img.image}/manifests/${img.tag}`,
        }),
      );
      const mem = sampler.stop();
      const errors = wrkErrors(run);
      results[t.name] = {
        requestsPerSec: run.requestsPerSec,
        p50Ms: run.latencyPercentilesMs.p50,
        p99Ms: run.latencyPercentilesMs.p99,
        requests: run.requests,
        errors,
        ...mem,
        cpuMsPerRequest: mem.cpuSeconds !== null && run.requests ? (mem.cpuSeconds * 1000) / run.requests : null,
        ...(own ? { ownManifestGets: own['manifest-get'], ownManifestHeads: own['manifest-head'], wharfOwnCounters: own } : {}),
      };
      commands[t.name] = run.command.replace(t.baseUrl, '<proxy>');
      ctx.log(`${t.label}: ${run.requestsPerSec} req/s, p99 ${run.latencyPercentilesMs.p99} ms, ${errors} errors${own ? `, upstream ${JSON.stringify(own)}` : ''}`);
      if (errors) ctx.anomaly(`${t.label}: ${errors} errors/timeouts/non-2xx in the proxy manifest GET run`);
      await sleep(500);
    }
    return {
      params: {
        request: `GET /v2/${img.image}/manifests/${img.tag}, Accept: ${MEDIA.manifest} (tag cached seconds before; max age 1440 min for Wharf)`,
        proxies: 'the pair the cold-pull scenario left (straight to the upstream); Distribution revalidates a tag upstream on every GET (see the tag-revalidation scenario)',
        expectedDigest: img.manifestDigest,
        tool: `wrk ${wrk.version} -t${threads} -c${connections} -d${durationS}s --latency`,
      },
      commands,
      columns: proxyColumns(),
      results,
      rows: [
        { metric: 'requests/s', unit: 'req/s', key: 'requestsPerSec', better: 'higher', digits: 0 },
        { metric: 'latency p50', unit: 'ms', key: 'p50Ms', better: 'lower', digits: 2 },
        { metric: 'latency p99', unit: 'ms', key: 'p99Ms', better: 'lower', digits: 2 },
        { metric: 'server CPU per request', unit: 'ms', key: 'cpuMsPerRequest', better: 'lower', digits: 3 },
        { metric: 'server peak RSS', unit: 'MiB', key: 'peakRssMiB', better: 'lower', digits: 0 },
        { metric: "upstream manifest GETs (Wharf's counter)", unit: '', key: 'ownManifestGets', better: 'lower', digits: 0, noCompare: true },
        { metric: "upstream manifest HEADs (Wharf's counter)", unit: '', key: 'ownManifestHeads', better: 'lower', digits: 0, noCompare: true },
        { metric: 'errors (non-2xx, socket, timeout)', unit: '', key: 'errors', better: 'lower', digits: 0 },
      ],
    };
  },
};
export default scenario;
