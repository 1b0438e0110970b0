// Warm download throughput: the 64 MiB blob fetched back to back by 1, 4 and 16 concurrent
// clients (wrk, plain GET; node:http clients when wrk is unavailable).
import { pullBlob, blobUrl } from '../lib/registry';
import { startSampler } from '../lib/rss';
import { blobLoad } from '../lib/loadgen';
import { mb, sleep } from '../lib/measure';
import { needState, type Results, type Row, type Scenario } from '../lib/context';

const scenario: Scenario = {
  id: 'blob-throughput',
  title: 'Warm download throughput of a 64 MiB blob',
  requires: ['warm'],
  async run(ctx) {
    const { image, digest, size } = needState(ctx, 'warm');
    const { concurrency, blobDurationS } = ctx.options;
    // Correctness first (and page cache warm-up): one verified GET per server.
    for (const target of ctx.targets) await pullBlob(target, image, digest, size, ctx.agentFor(target));
    const results: Results = {};
    const commands: Record<string, string> = {};
    for (const c of concurrency) {
      for (const target of ctx.targets) {
        const url = blobUrl(target, image, digest);
        const sampler = startSampler(target.pid, ctx.options.rssIntervalMs);
        const run = await blobLoad(ctx.wrk, { url, headers: target.headers, connections: c, durationS: blobDurationS });
        const mem = sampler.stop();
        const errors = run.errors;
        const r = (results[target.name] ??= {});
        const mbPerSec = mb(run.bytesRead) / run.durationS;
        r[`c${c}`] = {
          mbPerSec,
          completedBlobs: run.requests,
          bytesRead: run.bytesRead,
          durationS: run.durationS,
          errors,
          ...mem,
        };
        r[`c${c}MbPerSec`] = mbPerSec;
        r[`c${c}PeakRssMiB`] = mem.peakRssMiB;
        r[`c${c}Cpu`] = mem.cpuSeconds;
        r[`c${c}OtherCpu`] = mem.otherCpuSeconds;
        commands[`${target.name} c${c}`] = run.command.replace(target.baseUrl, '<server>');
        ctx.log(`${target.label}: ${c} client(s): ${mbPerSec.toFixed(0)} MB/s, ${run.requests} blobs, ${errors} errors`);
        if (errors) ctx.anomaly(`${target.label}: ${errors} errors/timeouts/non-2xx at ${c} concurrent blob downloads`);
        await sleep(500);
      }
    }
    const rows: Row[] = [];
    for (const c of concurrency) {
      rows.push({ metric: `${c} client${c > 1 ? 's' : ''}: throughput`, unit: 'MB/s', key: `c${c}MbPerSec`, better: 'higher', digits: 0 });
      rows.push({ metric: `${c} client${c > 1 ? 's' : ''}: server CPU time`, unit: 's', key: `c${c}Cpu`, better: 'lower', digits: 2 });
      rows.push({ metric: `${c} client${c > 1 ? 's' : ''}: server peak RSS`, unit: 'MiB', key: `c${c}PeakRssMiB`, better: 'lower', digits: 0 });
      rows.push({ metric: `${c} client${c > 1 ? 's' : ''}: wrk + other CPU`, unit: 's', key: `c${c}OtherCpu`, better: 'lower', digits: 2, noCompare: true });
    }
    return {
      params: {
        blob: `${size} B, ${digest}`,
        tool: ctx.wrk ? `wrk ${ctx.wrk.version}, plain GET, keep-alive, -t min(c,2)` : 'node:http clients (wrk unavailable)',
        durationPerRun: `${blobDurationS} s`,
        throughput: 'bytes read by the clients / run time (MB = 10^6 B)',
      },
      commands,
      results,
      rows,
    };
  },
};
export default scenario;
