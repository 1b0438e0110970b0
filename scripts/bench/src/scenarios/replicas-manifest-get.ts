// Issue 15: manifest GETs by tag on PostgreSQL + S3, one Wharf replica vs two behind HAProxy (round-robin), on
// this one machine (both replicas, HAProxy, PostgreSQL, RGW and wrk share its CPUs: the figure says what a
// second replica costs here, not what it gains on separate machines). One replica is measured directly and
// behind an HAProxy of its own (the balancer's own cost). Every non-2xx answer is classified from HAProxy's
// log (status, server, termination state). Also: the latency a PostgreSQL-backed manifest GET adds over the
// embedded SQLite one (one connection, no queueing), against the run's default Wharf (SQLite + file store).
import { needState, type Results, type Scenario } from '../lib/context';
import { addReplica, startHaproxy, type Haproxy, type HaproxyAnswer } from '../lib/s3-env';
import { s3Env } from '../lib/s3-env';
import { loadNow, manifestRun, median } from './s3-warm-read';

/** Non-2xx answers HAProxy logged, counted by status / server / termination state. */
function classify(answers: HaproxyAnswer[], into: Record<string, number>): void {
  for (const a of answers) {
    if (a.status >= 200 && a.status < 300) continue;
    const key = `${a.status} from ${a.server} (${a.termination})`;
    into[key] = (into[key] ?? 0) + 1;
  }
}

interface Setup {
  name: string;
  label: string;
  url: string;
  pids: number[];
  lb?: Haproxy;
}

const scenario: Scenario = {
  id: 'replicas-manifest-get',
  title: 'Replicas: manifest GETs/s, one Wharf vs two behind HAProxy (PostgreSQL + S3), and PostgreSQL vs SQLite latency',
  needsWrk: true,
  requires: ['small'],
  async run(ctx) {
    const env = await s3Env(ctx);
    const a = env.replicas[0]!;
    const { small } = env.seeded!;
    const { repeats } = ctx.options.s3;
    const loadAtStart = loadNow();
    const lb1 = await startHaproxy(ctx, 'haproxy-one', { address: '127.0.0.4', ports: env.ports, healthPort: env.ports[0], servers: [{ name: 'a', address: '127.0.0.1' }] });
    const lb2 = await addReplica(ctx, env);
    const b = env.replicas[1]!;
    const path = `/v2/${small.image}/manifests/${small.tag}`;
    const setups: Setup[] = [
      { name: 'one', label: '1 replica', url: `${a.baseUrl}${path}`, pids: [a.pid] },
      { name: 'oneLb', label: '1 + HAProxy', url: `${lb1.baseUrl}${path}`, pids: [a.pid, lb1.pid], lb: lb1 },
      { name: 'two', label: '2 + HAProxy', url: `${lb2.baseUrl}${path}`, pids: [a.pid, b.pid, lb2.pid], lb: lb2 },
    ];
    const runs: Record<string, Awaited<ReturnType<typeof manifestRun>>[]> = Object.fromEntries(setups.map((s) => [s.name, []]));
    const nonOk: Record<string, Record<string, number>> = Object.fromEntries(setups.map((s) => [s.name, {}]));
    const commands: Record<string, string> = {};
    for (let rep = 0; rep < repeats; rep++) {
      for (const s of rep % 2 ? [...setups].reverse() : setups) {
        const mark = s.lb?.mark();
        const run = await manifestRun(ctx, s.url, a.headers, s.pids, ctx.options.s3.wrk);
        runs[s.name]!.push(run);
        commands[s.name] = run.command.replace(/http:\/\/[\d.]+:\d+/, '<server>');
        if (s.lb) {
          await new Promise((r) => setTimeout(r, 300)); // HAProxy logs a request once it ended
          classify(s.lb.answers(mark), nonOk[s.name]!);
          for (const line of s.lb.downs(mark)) nonOk[s.name]![`server taken out: ${line.replace(/^.*Server /, '').slice(0, 120)}`] = 1;
        }
        ctx.log(`${s.label}: ${run.requestsPerSec} req/s, ${run.cpuSecondsPer1000.toFixed(2)} s CPU/1000 (servers + HAProxy), non-2xx ${run.non2xx3xx}, socket errors ${run.socketErrorCount}`);
      }
    }
    // The latency of one manifest GET: one connection, no queueing; SQLite (the run's default Wharf) vs PostgreSQL.
    const sqlite = ctx.targets.find((t) => t.name === 'wharf')!;
    const seeded = needState(ctx, 'small');
    const single = { threads: 1, connections: 1, durationS: ctx.options.s3.wrk.durationS };
    const latency: Record<'sqlite' | 'pg', Awaited<ReturnType<typeof manifestRun>>[]> = { sqlite: [], pg: [] };
    for (let rep = 0; rep < repeats; rep++) {
      latency.sqlite.push(await manifestRun(ctx, `${sqlite.baseUrl}/v2/${seeded.image}/manifests/${seeded.tag}`, sqlite.headers, [sqlite.pid], single));
      latency.pg.push(await manifestRun(ctx, `${a.baseUrl}${path}`, a.headers, [a.pid], single));
    }
    const loadAtEnd = loadNow();
    await lb1.stop();
    const results: Results = {};
    for (const s of setups) {
      const r = runs[s.name]!;
      results[s.name] = {
        requestsPerSec: median(r.map((x) => x.requestsPerSec)),
        p50Ms: median(r.map((x) => x.latencyPercentilesMs.p50)),
        p99Ms: median(r.map((x) => x.latencyPercentilesMs.p99)),
        cpuSecondsPer1000: median(r.map((x) => x.cpuSecondsPer1000)),
        requests: r.reduce((acc, x) => acc + (x.requests ?? 0), 0),
        non2xx: r.reduce((acc, x) => acc + x.non2xx3xx, 0),
        socketErrors: r.reduce((acc, x) => acc + x.socketErrorCount, 0),
        haproxyNon2xx: nonOk[s.name],
      };
    }
    const lat = (k: 'sqlite' | 'pg') => ({
      avgMs: median(latency[k].map((x) => x.latencyAvgMs)),
      p50Ms: median(latency[k].map((x) => x.latencyPercentilesMs.p50)),
      p99Ms: median(latency[k].map((x) => x.latencyPercentilesMs.p99)),
      cpuSecondsPer1000: median(latency[k].map((x) => x.cpuSecondsPer1000)),
    });
    const [sq, pg] = [lat('sqlite'), lat('pg')];
    const describe = (x: typeof sq) => `avg ${x.avgMs?.toFixed(2)} ms, p50 ${x.p50Ms?.toFixed(2)}, p99 ${x.p99Ms?.toFixed(2)} (${x.cpuSecondsPer1000?.toFixed(2)} s CPU/1000)`;
    results.one!.latencyPg = pg;
    results.one!.latencySqlite = sq;
    return {
      params: {
        setups: `Wharf ${a.settings.storage}: replica a on 127.0.0.1 measured directly; HAProxy (round-robin, readiness checks every 500 ms) on 127.0.0.4 in front of a alone and on 127.0.0.3 in front of a and b (127.0.0.2); ${repeats} runs each, alternating; medians`,
        cpu: 'server CPU = the Wharf replica(s) + HAProxy (PostgreSQL, RGW and wrk not counted), per 1000 requests',
        haproxyNon2xx: setups.filter((s) => s.lb).map((s) => `${s.label}: ${JSON.stringify(nonOk[s.name])}`).join('; '),
        latency: `one connection (wrk -t1 -c1 -d${single.durationS}s): SQLite + file ${describe(sq)}; PostgreSQL + S3 ${describe(pg)}; PostgreSQL adds ${((pg.avgMs ?? NaN) - (sq.avgMs ?? NaN)).toFixed(2)} ms on average`,
        loadAverage: `start ${loadAtStart}, end ${loadAtEnd}`,
      },
      commands,
      columns: setups.map((s) => ({ name: s.name, label: s.label })),
      results,
      rows: [
        { metric: 'manifest GET requests/s', unit: 'req/s', key: 'requestsPerSec', better: 'higher', digits: 0, noCompare: true },
        { metric: 'latency p50', unit: 'ms', key: 'p50Ms', better: 'lower', digits: 2, noCompare: true },
        { metric: 'latency p99', unit: 'ms', key: 'p99Ms', better: 'lower', digits: 2, noCompare: true },
        { metric: 'server CPU per 1000 GETs', unit: 's', key: 'cpuSecondsPer1000', better: 'lower', digits: 2, noCompare: true },
        { metric: 'requests (all runs)', unit: '', key: 'requests', better: 'higher', digits: 0, noCompare: true },
        { metric: 'non-2xx answers (all runs)', unit: '', key: 'non2xx', better: 'lower', digits: 0, noCompare: true },
        { metric: 'socket errors (all runs)', unit: '', key: 'socketErrors', better: 'lower', digits: 0, noCompare: true },
      ],
    };
  },
};
export default scenario;
