// Manifest GET by tag with the Docker schema 2 Accept header: requests/s and latency (wrk).
import { getManifest } from '../lib/registry';
import { startSampler } from '../lib/rss';
import { runWrk } from '../lib/wrk';
import { MEDIA } from '../lib/content';
import { sleep } from '../lib/measure';
import { needState, needWrk, type Results, type Scenario } from '../lib/context';
import { wrkErrors } from '../lib/loadgen';

const scenario: Scenario = {
  id: 'manifest-get',
  title: 'Manifest GET by tag (requests/s)',
  requires: ['small'],
  needsWrk: true,
  async run(ctx) {
    const { image, tag, manifestDigest } = needState(ctx, 'small');
    const wrk = needWrk(ctx);
    const { threads, connections, durationS } = ctx.options.manifest;
    // Both must answer 200 with the same Docker-Content-Digest before anything is timed.
    for (const target of ctx.targets) {
      const res = await getManifest(target, image, tag, ctx.agentFor(target));
      const got = res.headers['docker-content-digest'];
      if (res.status !== 200) throw new Error(`${target.label}: GET manifest ${image}:${tag} -> ${res.status}`);
      if (got !== manifestDigest) throw new Error(`${target.label}: Docker-Content-Digest ${got}, expected ${manifestDigest}`);
      if (res.headers['content-type'] !== MEDIA.manifest) ctx.anomaly(`${target.label}: manifest Content-Type is ${res.headers['content-type']}`);
    }
    ctx.log(`both servers answer 200 with Docker-Content-Digest ${manifestDigest}`);
    const results: Results = {};
    const commands: Record<string, string> = {};
    for (const target of ctx.targets) {
      const sampler = startSampler(target.pid, ctx.options.rssIntervalMs);
      const run = await runWrk(wrk.bin, {
        threads,
        connections,
        durationS,
        timeoutS: 5,
        latency: true,
        headers: { Accept: MEDIA.manifest, ...target.headers },
        url: `${target.baseUrl}/v2/${image}/manifests/${tag}`,
      });
      const mem = sampler.stop();
      const errors = wrkErrors(run);
      results[target.name] = {
        requestsPerSec: run.requestsPerSec,
        p50Ms: run.latencyPercentilesMs.p50,
        p90Ms: run.latencyPercentilesMs.p90,
        p99Ms: run.latencyPercentilesMs.p99,
        maxMs: run.latencyMaxMs,
        requests: run.requests,
        errors,
        ...mem,
        cpuMsPerRequest: mem.cpuSeconds !== null && run.requests ? (mem.cpuSeconds * 1000) / run.requests : null,
      };
      commands[target.name] = run.command.replace(target.baseUrl, '<server>');
      ctx.log(`${target.label}: ${run.requestsPerSec} req/s, p50 ${run.latencyPercentilesMs.p50} ms, p99 ${run.latencyPercentilesMs.p99} ms, ${errors} errors`);
      if (errors) ctx.anomaly(`${target.label}: ${errors} errors/timeouts/non-2xx in the manifest GET run`);
      await sleep(500);
    }
    return {
      params: {
        request: `GET /v2/${image}/manifests/${tag}, Accept: ${MEDIA.manifest}`,
        expectedDigest: manifestDigest,
        tool: `wrk ${wrk.version} -t${threads} -c${connections} -d${durationS}s --latency`,
      },
      commands,
      results,
      rows: [
        { metric: 'requests/s', unit: 'req/s', key: 'requestsPerSec', better: 'higher', digits: 0 },
        { metric: 'latency p50', unit: 'ms', key: 'p50Ms', better: 'lower', digits: 2 },
        { metric: 'latency p90', unit: 'ms', key: 'p90Ms', better: 'lower', digits: 2 },
        { metric: 'latency p99', unit: 'ms', key: 'p99Ms', better: 'lower', digits: 2 },
        { metric: 'server CPU per request', unit: 'ms', key: 'cpuMsPerRequest', better: 'lower', digits: 3 },
        { metric: 'server peak RSS', unit: 'MiB', key: 'peakRssMiB', better: 'lower', digits: 0 },
        { metric: 'wrk + other processes CPU', unit: 's', key: 'otherCpuSeconds', better: 'lower', digits: 2, noCompare: true },
        { metric: 'errors (non-2xx, socket, timeout)', unit: '', key: 'errors', better: 'lower', digits: 0 },
      ],
    };
  },
};
export default scenario;
