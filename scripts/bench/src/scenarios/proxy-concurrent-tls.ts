// Proxy mode 7: 8 concurrent cold pulls of 8 different images (two random layers each) from the HTTPS
// upstream, through a fresh Wharf proxy repository and a fresh Distribution proxy: many fills at once over
// TLS, where the CPU each proxy spends per cold byte decides the time. Every pull is what docker does (GET
// /v2/, manifest by tag, then every blob in parallel, sha256-verified). Both CPU layouts (see
// proxy-cold-pull.ts); fresh pairs per repetition; median shown, with "upstream direct" (the same 8 pulls
// straight from the HTTPS upstream) as the baseline.
import {
  ensureProxyEnv,
  ensureUpstreamImage,
  startProxyPair,
  stopPair,
  settle,
  pullImage,
  proxyColumns,
  median,
  medianOf,
  releaseWarm,
  cpuPerGiB,
  type ProxyPair,
  type PullTarget,
  type UpstreamImage,
} from '../lib/proxy-env';
import { startSampler, round, type Sample } from '../lib/rss';
import { makeAgent } from '../lib/http';
import { mb, syncDisks, sleep } from '../lib/measure';
import { clientServerSplit, applySplit, cpuLayouts } from '../lib/affinity';
import type { Results, Row, Scenario } from '../lib/context';

const IMAGES = 8;

const scenario: Scenario = {
  id: 'proxy-concurrent-tls',
  title: `Proxy: ${IMAGES} concurrent cold pulls of different images from an HTTPS upstream`,
  async run(ctx) {
    await releaseWarm(ctx);
    const env = await ensureProxyEnv(ctx);
    const [big, small] = ctx.options.proxy.concurrentLayers;
    const images: UpstreamImage[] = [];
    for (let i = 0; i < IMAGES; i++) {
      images.push(
        await ensureUpstreamImage(ctx, `concurrent-${i}`, {
          image: `bench/concurrent${i}`,
          layers: [
            { seed: `concurrent-${i}-a`, size: big },
            { seed: `concurrent-${i}-b`, size: small },
          ],
        }),
      );
    }
    const totalBytes = images.reduce((a, img) => a + img.totalBytes, 0);
    const repeats = ctx.options.proxy.concurrentRepeats;
    const direct: PullTarget & { pid: number } = { name: 'direct', label: 'upstream direct', baseUrl: env.upstreamUrls.https, headers: {}, pid: env.upstreamPids.https };
    const { split } = clientServerSplit();
    const layouts = cpuLayouts(split);
    const runs: Record<string, Record<string, { seconds: number; mem: Sample }[]>> = Object.fromEntries(
      layouts.map((l) => [l.id, { wharf: [], distribution: [], direct: [] }]),
    );
    const serverPids = (pair: readonly { pid: number }[]) => [env.upstream.pid, env.upstreamTls.pid, ...pair.map((t) => t.pid)];
    let pair: ProxyPair | null = null;
    try {
      for (let rep = 0; rep < repeats; rep++) {
        for (const layout of layouts) {
          if (pair) await stopPair(pair);
          pair = await startProxyPair(ctx, `${IMAGES} concurrent cold pulls ${rep + 1}/${repeats}, ${layout.id}`, { counted: false, upstream: 'https' });
          applySplit(layout.split, serverPids(pair));
          const variants = [pair[0], pair[1], direct];
          for (const t of variants.map((_, i) => variants[(i + rep) % variants.length])) {
            await syncDisks();
            await settle(ctx, pair);
            await sleep(200);
            const agent = makeAgent();
            const sampler = startSampler(t.pid, ctx.options.rssIntervalMs);
            const t0 = process.hrtime.bigint();
            await Promise.all(images.map((img) => pullImage(t, img, agent)));
            const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
            const mem = sampler.stop();
            agent.destroy();
            runs[layout.id][t.name].push({ seconds, mem });
            ctx.log(`rep ${rep + 1}, ${layout.id}: ${t.label}: ${IMAGES} pulls (${mb(totalBytes).toFixed(0)} MB) in ${seconds.toFixed(2)} s, server CPU ${mem.cpuSeconds} s, peak RSS ${mem.peakRssMiB} MiB`);
          }
        }
      }
    } finally {
      applySplit(null, serverPids(pair ?? []));
      if (pair) await stopPair(pair);
    }
    const results: Results = { wharf: {}, distribution: {}, direct: {} };
    const rows: Row[] = [];
    for (const layout of layouts) {
      for (const [name, list] of Object.entries(runs[layout.id])) {
        const med = (f: (r: { seconds: number; mem: Sample }) => number | null) => medianOf(list.map(f));
        const seconds = median(list.map((r) => r.seconds));
        Object.assign((results[name] ??= {}), {
          [`${layout.id}_medianSeconds`]: seconds,
          [`${layout.id}_runsSeconds`]: list.map((r) => round(r.seconds, 3)),
          [`${layout.id}_mbPerSec`]: mb(totalBytes) / seconds,
          [`${layout.id}_cpuSeconds`]: med((r) => r.mem.cpuSeconds),
          [`${layout.id}_cpuPerGiB`]: cpuPerGiB(med((r) => r.mem.cpuSeconds), totalBytes),
          [`${layout.id}_peakRssMiB`]: med((r) => r.mem.peakRssMiB),
        });
      }
      const where = layout.id === 'own' ? 'own CPU' : 'shared CPUs';
      rows.push(
        { metric: `${where}: wall time, all ${IMAGES} pulls (median)`, unit: 's', key: `${layout.id}_medianSeconds`, better: 'lower', digits: 2 },
        { metric: `${where}: aggregate throughput`, unit: 'MB/s', key: `${layout.id}_mbPerSec`, better: 'higher', digits: 0 },
        { metric: `${where}: server CPU time*`, unit: 's', key: `${layout.id}_cpuSeconds`, better: 'lower', digits: 2 },
        { metric: `${where}: server CPU per cold GiB*`, unit: 's/GiB', key: `${layout.id}_cpuPerGiB`, better: 'lower', digits: 2 },
        { metric: `${where}: server peak RSS (sampled)*`, unit: 'MiB', key: `${layout.id}_peakRssMiB`, better: 'lower', digits: 0 },
      );
    }
    return {
      params: {
        images: `${IMAGES} images bench/concurrent0..${IMAGES - 1}, each ${(big / 1048576).toFixed(0)} MiB + ${(small / 1048576).toFixed(0)} MiB random layers + config (${totalBytes} B in all), in the upstream, served over HTTPS`,
        pulls: `all ${IMAGES} pulls started at once, each as docker does it (blobs in parallel), every blob sha256-verified`,
        fresh: 'a new Wharf and Distribution proxy pair (empty data dirs) per repetition and layout, connected straight to the HTTPS upstream',
        repetitions: `${repeats} per CPU layout, median shown; ${layouts.map((l) => `${l.id}: ${l.label}`).join('; ')}`,
        runs: layouts.map((l) => `${l.id}: ${Object.entries(runs[l.id]).map(([n, list]) => `${n} ${list.map((r) => r.seconds.toFixed(2)).join(' / ')} s`).join('; ')}`).join(' | '),
        server: '* the proxy process; in the baseline column the upstream Distribution (HTTPS). CPU per cold GiB = server CPU / the bytes of the 8 images in GiB',
      },
      columns: proxyColumns({ name: 'direct', label: 'upstream direct' }),
      results,
      rows,
    };
  },
};
export default scenario;
