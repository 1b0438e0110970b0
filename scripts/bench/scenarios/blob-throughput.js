'use strict';
// Warm download throughput: the 64 MiB blob fetched back to back by 1, 4 and 16 concurrent
// clients (wrk, plain GET; node:http clients when wrk is unavailable).
const { pullBlob, blobUrl } = require('../lib/registry');
const { startSampler } = require('../lib/rss');
const { runWrk } = require('../lib/wrk');
const { repeatGet } = require('../lib/loadgen');
const { mb, sleep } = require('../lib/measure');

module.exports = {
  id: 'blob-throughput',
  title: 'Warm download throughput of a 64 MiB blob',
  requires: ['warm'],
  async run(ctx) {
    const { image, digest, size } = ctx.state.warm;
    const { concurrency, blobDurationS } = ctx.options;
    // Correctness first (and page cache warm-up): one verified GET per server.
    for (const target of ctx.targets) await pullBlob(target, image, digest, size, ctx.agentFor(target));
    const results = {};
    const commands = {};
    for (const c of concurrency) {
      for (const target of ctx.targets) {
        const url = blobUrl(target, image, digest);
        const sampler = startSampler(target.pid, ctx.options.rssIntervalMs);
        let run;
        if (ctx.wrk) {
          run = await runWrk(ctx.wrk.bin, {
            threads: Math.min(c, 2),
            connections: c,
            durationS: blobDurationS,
            timeoutS: 30,
            latency: false,
            headers: target.headers,
            url,
          });
        } else {
          run = await repeatGet({ url, headers: target.headers, connections: c, durationS: blobDurationS });
        }
        const mem = sampler.stop();
        const errors = run.errors ?? run.non2xx3xx + Object.values(run.socketErrors).reduce((a, b) => a + b, 0);
        const r = (results[target.name] ??= {});
        r[`c${c}`] = {
          mbPerSec: mb(run.bytesRead) / run.durationS,
          completedBlobs: run.requests,
          bytesRead: run.bytesRead,
          durationS: run.durationS,
          errors,
          ...mem,
        };
        r[`c${c}MbPerSec`] = r[`c${c}`].mbPerSec;
        r[`c${c}PeakRssMiB`] = mem.peakRssMiB;
        r[`c${c}Cpu`] = mem.cpuSeconds;
        r[`c${c}OtherCpu`] = mem.otherCpuSeconds;
        commands[`${target.name} c${c}`] = run.command.replace(target.baseUrl, '<server>');
        ctx.log(`${target.label}: ${c} client(s): ${r[`c${c}`].mbPerSec.toFixed(0)} MB/s, ${run.requests} blobs, ${errors} errors`);
        if (errors) ctx.anomaly(`${target.label}: ${errors} errors/timeouts/non-2xx at ${c} concurrent blob downloads`);
        await sleep(500);
      }
    }
    const rows = [];
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
