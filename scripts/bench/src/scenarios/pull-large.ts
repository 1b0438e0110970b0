// GET of the 1 GiB layer; the client hashes as it reads and discards the bytes.
import { pullBlob, blobUrl } from '../lib/registry';
import { startSampler } from '../lib/rss';
import { mb, syncDisks } from '../lib/measure';
import { needState, type Results, type Scenario } from '../lib/context';

const scenario: Scenario = {
  id: 'pull-large',
  title: 'Pull (GET) of the 1 GiB layer',
  requires: ['big'],
  async run(ctx) {
    const { digest, size, image } = needState(ctx, 'big');
    const results: Results = {};
    for (const target of ctx.targets) {
      await syncDisks();
      const sampler = startSampler(target.pid, ctx.options.rssIntervalMs);
      const t0 = process.hrtime.bigint();
      await pullBlob(target, image, digest, size, ctx.agentFor(target));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const mem = sampler.stop();
      results[target.name] = { seconds, mbPerSec: mb(size) / seconds, ...mem };
      ctx.log(`${target.label}: pulled ${(size / 1048576).toFixed(0)} MiB in ${seconds.toFixed(2)} s, sha256 verified, peak RSS ${mem.peakRssMiB} MiB`);
    }
    return {
      params: {
        request: `GET ${blobUrl({ baseUrl: '<server>' }, image, digest)} (one request, no Range)`,
        client: 'node:http, sha256 of every byte as it arrives, bytes discarded; size and digest verified',
        cache: 'the blob was just written, so it is in the page cache of both servers',
      },
      results,
      rows: [
        { metric: 'wall time', unit: 's', key: 'seconds', better: 'lower', digits: 2 },
        { metric: 'throughput', unit: 'MB/s', key: 'mbPerSec', better: 'higher', digits: 0 },
        { metric: 'server RSS before', unit: 'MiB', key: 'startRssMiB', better: 'lower', digits: 0 },
        { metric: 'server peak RSS (sampled)', unit: 'MiB', key: 'peakRssMiB', better: 'lower', digits: 0 },
        { metric: 'server VmHWM after', unit: 'MiB', key: 'vmHwmMiB', better: 'lower', digits: 0 },
        { metric: 'server CPU time', unit: 's', key: 'cpuSeconds', better: 'lower', digits: 2 },
        { metric: 'bench client CPU time', unit: 's', key: 'benchClientCpuSeconds', better: 'lower', digits: 2, noCompare: true },
        { metric: 'other processes CPU time', unit: 's', key: 'otherCpuSeconds', better: 'lower', digits: 2, noCompare: true },
      ],
    };
  },
};
export default scenario;
