// 1 GiB random layer pushed as the Docker client does with chunked uploads:
// POST /blobs/uploads/, PATCH chunks with Content-Range (streamed, never whole in memory), PUT ?digest=.
import { RandomSource, imageConfig, dockerManifest, sha256 } from '../lib/content';
import { uploadChunked, uploadSmallBlob, putManifest } from '../lib/registry';
import { startSampler, transferRows } from '../lib/rss';
import { mb, syncDisks } from '../lib/measure';
import type { Results, Scenario } from '../lib/context';
const MiB = 1024 * 1024;

const scenario: Scenario = {
  id: 'push-large',
  title: 'Push of a 1 GiB layer (chunked upload)',
  async run(ctx) {
    const { bigBytes, chunkBytes } = ctx.options;
    const source = new RandomSource('big-layer', bigBytes);
    ctx.log(`computing the digest of the ${(bigBytes / MiB).toFixed(0)} MiB layer (streamed)`);
    const digest = await source.digest();
    const chunks = Math.ceil(bigBytes / chunkBytes);
    const results: Results = {};
    for (const target of ctx.targets) {
      await syncDisks();
      const agent = ctx.agentFor(target);
      const sampler = startSampler(target.pid, ctx.options.rssIntervalMs);
      const t0 = process.hrtime.bigint();
      const timing = await uploadChunked(target, 'bench/big', source, digest, chunkBytes, agent);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const mem = sampler.stop();
      results[target.name] = {
        seconds,
        mbPerSec: mb(bigBytes) / seconds,
        ...mem,
        slowestChunkMs: Math.max(...timing.chunkMs),
        finishMs: timing.finishMs,
      };
      ctx.log(`${target.label}: pushed ${(bigBytes / MiB).toFixed(0)} MiB in ${seconds.toFixed(2)} s, peak RSS ${mem.peakRssMiB} MiB`);
      const config = imageConfig([digest], 'big');
      await uploadSmallBlob(target, 'bench/big', config, sha256(config), agent);
      await putManifest(target, 'bench/big', 'v1', dockerManifest(config, [{ digest, size: bigBytes }]), agent);
    }
    ctx.state.big = { image: 'bench/big', digest, size: bigBytes };
    return {
      params: {
        layer: `${bigBytes} B random (AES-256-CTR keystream), ${digest}`,
        upload: `POST /v2/bench/big/blobs/uploads/, ${chunks} x PATCH of ${chunkBytes} B with Content-Range, PUT ?digest= (empty body); one keep-alive connection`,
        timed: 'from the POST to the 201 of the PUT',
        rss: `/proc/<pid>/status VmRSS sampled every ${ctx.options.rssIntervalMs} ms; VmHWM reset (clear_refs 5) before, read after`,
        before: 'sync(1) before each server',
      },
      results,
      rows: [
        ...transferRows,
        { metric: 'slowest 64 MiB PATCH', unit: 'ms', key: 'slowestChunkMs', better: 'lower', digits: 0 },
        { metric: 'final PUT ?digest=', unit: 'ms', key: 'finishMs', better: 'lower', digits: 0 },
      ],
    };
  },
};
export default scenario;
