// Proxy mode 2: warm pull throughput of the 200 MiB layer (cached by both proxies) with 1, 4 and 16
// concurrent clients fetching it back to back (wrk, plain GET; node:http clients without wrk).
// The proxies are the direct pair (no pass-through); Wharf's own counters show upstream requests
// during the runs (they should be 0).
import { warmPair, countUpstream, proxyColumns } from '../lib/proxy-env';
import { pullBlob, blobUrl } from '../lib/registry';
import { startSampler } from '../lib/rss';
import { blobLoad } from '../lib/loadgen';
import { mb, sleep } from '../lib/measure';
import type { Results, Row, Scenario } from '../lib/context';

const scenario: Scenario = {
  id: 'proxy-warm-throughput',
  title: 'Proxy: warm pull throughput of the cached 200 MiB blob',
  async run(ctx) {
    const { pair, img } = await warmPair(ctx);
    const layer = img.layers[0];
    const { concurrency, blobDurationS } = ctx.options;
    for (const t of pair) await pullBlob(t, img.image, layer.digest, layer.size, t.agent);
    const results: Results = {};
    const commands: Record<string, string> = {};
    for (const c of concurrency) {
      for (const t of pair) {
        const url = blobUrl(t, img.image, layer.digest);
        const sampler = startSampler(t.pid, ctx.options.rssIntervalMs);
        const { value: run, own } = await countUpstream(t, () => blobLoad(ctx.wrk, { url, headers: t.headers, connections: c, durationS: blobDurationS }));
        const mem = sampler.stop();
        const errors = run.errors;
        const r = (results[t.name] ??= {});
        const ownTotal = own ? Object.values(own).reduce((a, b) => a + b, 0) : null;
        const mbPerSec = mb(run.bytesRead) / run.durationS;
        r[`c${c}`] = { mbPerSec, completedBlobs: run.requests, bytesRead: run.bytesRead, durationS: run.durationS, errors, wharfOwnCounters: own, ...mem };
        r[`c${c}MbPerSec`] = mbPerSec;
        r[`c${c}Cpu`] = mem.cpuSeconds;
        r[`c${c}PeakRssMiB`] = mem.peakRssMiB;
        r[`c${c}Upstream`] = ownTotal;
        commands[`${t.name} c${c}`] = run.command.replace(t.baseUrl, '<proxy>');
        ctx.log(`${t.label}: ${c} client(s): ${mbPerSec.toFixed(0)} MB/s, ${run.requests} blobs, ${errors} errors${own ? `, ${ownTotal} upstream requests` : ''}`);
        if (errors) ctx.anomaly(`${t.label}: ${errors} errors/timeouts/non-2xx at ${c} concurrent warm blob downloads`);
        await sleep(500);
      }
    }
    const rows: Row[] = [];
    for (const c of concurrency) {
      const who = `${c} client${c > 1 ? 's' : ''}`;
      rows.push({ metric: `${who}: throughput`, unit: 'MB/s', key: `c${c}MbPerSec`, better: 'higher', digits: 0 });
      rows.push({ metric: `${who}: server CPU time`, unit: 's', key: `c${c}Cpu`, better: 'lower', digits: 2 });
      rows.push({ metric: `${who}: server peak RSS`, unit: 'MiB', key: `c${c}PeakRssMiB`, better: 'lower', digits: 0 });
      rows.push({ metric: `${who}: upstream reqs (Wharf's counter)`, unit: '', key: `c${c}Upstream`, better: 'lower', digits: 0, noCompare: true });
    }
    return {
      params: {
        blob: `${layer.size} B, ${layer.digest} (the 200 MiB layer of ${img.image}:${img.tag}, cached by a cold pull and checked)`,
        proxies: 'the pair the cold-pull scenario left (straight to the upstream), image cached: Wharf fetched no blob upstream on a further pull, Distribution has every blob on disk',
        tool: ctx.wrk ? `wrk ${ctx.wrk.version}, plain GET, keep-alive, -t min(c,2)` : 'node:http clients (wrk unavailable)',
        durationPerRun: `${blobDurationS} s`,
      },
      commands,
      columns: proxyColumns(),
      results,
      rows,
    };
  },
};
export default scenario;
