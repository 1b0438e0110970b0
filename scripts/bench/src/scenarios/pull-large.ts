// GET of the 1 GiB layer; the client hashes as it reads and discards the bytes.
import { pullBlob, blobUrl } from '../lib/registry';
import { startSampler, transferRows } from '../lib/rss';
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
        ...transferRows,
      ],
    };
  },
};
export default scenario;
