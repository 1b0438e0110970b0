#!/usr/bin/env node
// `npm run bench`: Wharf side by side with CNCF Distribution on this machine, on 127.0.0.1.
// Hosted: a Wharf hosted repository vs a plain Distribution. Proxy mode (proxy-*): a Wharf proxy
// repository vs Distribution in proxy mode, both in front of one upstream Distribution, each through
// its own counting pass-through (lib/proxy-env.ts, lib/passthrough.ts).
// TypeScript: `npm run bench` compiles scripts/bench (tsc -b scripts/bench, src/ -> dist/) and runs dist/run.js.
// The flags are in USAGE below (--help prints it).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as http from 'node:http';
import { isStopping, installCleanup, cleanup, runCommand, trackTempDir, log, errorMessage } from './lib/proc';
import { ensureWrk, wrkVersion } from './lib/wrk';
import { startDistribution, startWharf, type Server } from './lib/servers';
import { makeAgent } from './lib/http';
import { machineFacts, printScenario, type Behind } from './lib/report';
import { scenarios } from './scenarios';
import { UPSTREAM_KINDS, type UpstreamKind } from './lib/proxy-env';
import type { BenchContext, BenchOptions, Outcome, Scenario, WrkInfo } from './lib/context';

const USAGE = `npm run bench -- [--quick] [--only=push-large,pull-large,...] [--cpu-prof] ...
  (or, once built: node scripts/bench/dist/run.js [flags])

--quick      small sizes and short runs (a smoke test of the benchmark itself)
--only=      run only these scenarios (the seed step always runs; dependencies are not added; every
             proxy-* scenario sets up what it needs): ${scenarios.filter((s) => !s.setup).map((s) => s.id).join(' ')}
--repeats=N  repetitions of proxy-cold-pull, proxy-concurrent-tls, s3-warm-read and replicas-manifest-get (default 5, 3, 3, 3; 1 with --quick)
             (s3-warm-read and replicas-manifest-get start PostgreSQL, a Ceph RGW and HAProxy: scripts/install-test-deps.sh)
--upstreams= the kinds of upstream proxy-cold-pull pulls from: http,https,redirect (default all three)
--max-minutes=N  stop everything (no report) after N minutes (default 90; 20 with --quick)
--gc-manifests=N  manifests gc-collection pushes to each server (default 10000, 200 with --quick; 5 blobs each)
--cpu-prof   start every Wharf process with node --cpu-prof; the .cpuprofile files land in scripts/bench/results/cpu-prof
--build      run the incremental build (tsc -b) first even when apps/server/dist/main.js exists
--wharf-node-arg=ARG  extra node option for the Wharf process (repeatable), e.g. --max-semi-space-size=64;
             Wharf always starts with the options and environment of scripts/server-runtime.js, as \`npm start\` does
--wharf-env=KEY=VALUE  environment for the Wharf process (repeatable; KEY= unsets), e.g. --wharf-env=MALLOC_ARENA_MAX=8
--wharf-root=DIR  benchmark the Wharf checkout in DIR (built, with node_modules) instead of this one

Prints a table per scenario and writes scripts/bench/results/latest.json (latest-quick.json with
--quick; a -partial suffix with --only, --cpu-prof, --wharf-node-arg, --wharf-env, --repeats, --upstreams or --gc-manifests). Every process it starts
(the servers, proxies, pass-throughs, wrk, apt-get) is stopped by pid at the end, on error and on Ctrl-C.`;

/** scripts/bench (this file runs from scripts/bench/dist, or src under a TypeScript runner). */
const BENCH_DIR = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(BENCH_DIR, '../..');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const MiB = 1024 * 1024;

interface Args {
  quick: boolean;
  only: string[] | null;
  cpuProf: boolean;
  build: boolean;
  wharfRoot: string;
  wharfNodeArgs: string[];
  wharfEnv: Record<string, string | undefined>;
  repeats: number | null;
  upstreams: UpstreamKind[] | null;
  maxMinutes: number | null;
  gcManifests: number | null;
}

function isUpstreamKind(kind: string): kind is UpstreamKind {
  return (UPSTREAM_KINDS as readonly string[]).includes(kind);
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    quick: false,
    only: null,
    cpuProf: false,
    build: false,
    wharfRoot: REPO_ROOT,
    wharfNodeArgs: [],
    wharfEnv: {},
    repeats: null,
    upstreams: null,
    maxMinutes: null,
    gcManifests: null,
  };
  for (const a of argv) {
    if (a === '--quick') args.quick = true;
    else if (a === '--cpu-prof') args.cpuProf = true;
    else if (a === '--build') args.build = true;
    else if (a.startsWith('--wharf-node-arg=')) args.wharfNodeArgs.push(a.slice('--wharf-node-arg='.length));
    else if (a.startsWith('--wharf-env=')) {
      const [key = '', ...value] = a.slice('--wharf-env='.length).split('=');
      args.wharfEnv[key] = value.join('=') || undefined; // KEY= unsets it
    } else if (a.startsWith('--wharf-root=')) args.wharfRoot = path.resolve(a.slice('--wharf-root='.length));
    else if (a.startsWith('--only=')) args.only = a.slice(7).split(',').filter(Boolean);
    else if (a.startsWith('--repeats=')) args.repeats = positiveInteger(a);
    else if (a.startsWith('--max-minutes=')) args.maxMinutes = positiveInteger(a);
    else if (a.startsWith('--gc-manifests=')) args.gcManifests = positiveInteger(a);
    else if (a.startsWith('--upstreams=')) {
      const kinds = a.slice('--upstreams='.length).split(',').filter(Boolean);
      const unknown = kinds.filter((k) => !isUpstreamKind(k));
      if (unknown.length || !kinds.length) usageError(`--upstreams: expected some of ${UPSTREAM_KINDS.join(',')}, got ${a}`);
      args.upstreams = kinds.filter(isUpstreamKind);
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else usageError(`unknown argument ${a} (see --help)`);
  }
  return args;
}

function usageError(text: string): never {
  console.error(text);
  process.exit(2);
}

function positiveInteger(arg: string): number {
  const value = Number(arg.slice(arg.indexOf('=') + 1));
  if (!Number.isInteger(value) || value < 1) usageError(`${arg}: expected a whole number of at least 1`);
  return value;
}

function options({ quick, repeats, upstreams, gcManifests }: Args): BenchOptions {
  return {
    bigBytes: (quick ? 128 : 1024) * MiB,
    chunkBytes: 64 * MiB,
    warmBytes: 64 * MiB,
    concurrency: [1, 4, 16],
    blobDurationS: quick ? 2 : 10,
    manifest: { threads: 2, connections: 32, durationS: quick ? 2 : 10 },
    rssIntervalMs: 50,
    idleLaterS: quick ? 5 : 65,
    s3: { repeats: repeats ?? (quick ? 1 : 3), clients: 4, rounds: 3, wrk: { threads: 2, connections: 16, durationS: quick ? 3 : 10 } },
    gc: { manifests: gcManifests ?? (quick ? 200 : 10_000), baselineS: quick ? 2 : 10 },
    proxy: {
      coldLayers: quick ? [20 * MiB, 5 * MiB] : [200 * MiB, 50 * MiB],
      coldRepeats: repeats ?? (quick ? 1 : 5),
      coldUpstreams: upstreams ?? UPSTREAM_KINDS,
      dedupBlobIndex: 1, // the 50 MiB layer of the cold image
      dedupClients: 20,
      revalidationPulls: quick ? 20 : 100,
      concurrentLayers: quick ? [4 * MiB, MiB] : [48 * MiB, 16 * MiB],
      concurrentRepeats: repeats ?? (quick ? 1 : 3),
    },
  };
}

async function buildIfMissing(root: string, force: boolean): Promise<boolean> {
  const main = path.join(root, 'apps/server/dist/main.js');
  if (fs.existsSync(main) && !force) return false;
  log(force ? 'building Wharf (tsc -b, incremental)' : 'apps/server/dist/main.js is missing: building Wharf (tsc -b)');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const res = await runCommand(process.execPath, [tsc, '-b', 'apps/server/tsconfig.build.json'], { cwd: root, timeoutMs: 300_000 });
  if (res.code !== 0 || !fs.existsSync(main)) throw new Error(`build failed:\n${res.stdout}${res.stderr}`);
  return true;
}

// Colour escapes in Nest's log lines.
// eslint-disable-next-line no-control-regex
const ANSI_COLOURS = /\x1b\[[0-9;]*m/g;

/** Error lines in a server log: Nest's "ERROR" level (Wharf) or level=error/fatal (Distribution). */
function logErrors(file: string): { count: number; first?: string | undefined } {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8').replace(ANSI_COLOURS, '');
  } catch {
    return { count: 0 };
  }
  const lines = text.split('\n').filter((l) => /\bERROR\b|level=(error|fatal|panic)/.test(l));
  return { count: lines.length, first: lines[0]?.trim().slice(0, 160) };
}

function tail(file: string, lines = 25): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** What run.ts records per scenario: its outcome and time, or why it was skipped or failed. */
type Recorded = (Outcome & { elapsedS?: number; skipped?: undefined; error?: undefined }) | { skipped: string; error?: undefined } | { error: string; skipped?: undefined };

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // A full run on a busy 2-CPU machine takes 40-60 minutes (proxy-cold-pull alone: 30 fresh proxy pairs).
  installCleanup({ deadlineMs: (args.maxMinutes ?? (args.quick ? 20 : 90)) * 60_000 });
  const started = Date.now();
  const opts = options(args);
  const only = args.only;
  const unknown = (only ?? []).filter((id) => !scenarios.some((s) => s.id === id));
  if (unknown.length) throw new Error(`--only: unknown scenario(s) ${unknown.join(', ')}; known: ${scenarios.filter((s) => !s.setup).map((s) => s.id).join(', ')}`);

  if (!fs.existsSync('/usr/bin/docker-registry')) {
    throw new Error('CNCF Distribution (/usr/bin/docker-registry) is not installed: apt-get install -y docker-registry');
  }
  const wrkTool = await ensureWrk();
  const wrk: WrkInfo | null = wrkTool.bin ? { bin: wrkTool.bin, version: await wrkVersion(wrkTool.bin) } : null;
  const wrkMissing = wrkTool.bin === null ? wrkTool.reason : '';
  await buildIfMissing(args.wharfRoot, args.build);

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const logDir = path.join(RESULTS_DIR, 'logs');
  fs.rmSync(logDir, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  const workDir = trackTempDir(fs.mkdtempSync(path.join(os.tmpdir(), 'wharf-bench-')));
  const cpuProfDir = args.cpuProf ? path.join(RESULTS_DIR, 'cpu-prof') : null;
  if (cpuProfDir) fs.mkdirSync(cpuProfDir, { recursive: true });

  log(`starting Distribution and Wharf under ${workDir}`);
  const [distribution, wharf] = await Promise.all([
    startDistribution({ workDir, logDir }),
    startWharf({ repoRoot: args.wharfRoot, workDir, logDir, cpuProfDir, nodeArgs: args.wharfNodeArgs, env: args.wharfEnv }),
  ]);
  const targets: Server[] = [distribution, wharf];
  const anomaliesAtStart: string[] = [];
  log(`Distribution pid ${distribution.pid} at ${distribution.baseUrl}; Wharf pid ${wharf.pid}, registry at ${wharf.baseUrl}`);

  const facts = await machineFacts({ repoRoot: args.wharfRoot });
  const loadAverageAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const machine = {
    ...facts,
    wharfRoot: args.wharfRoot,
    loadAverageAtStart,
    distribution: distribution.version,
    wrk: wrk ? `${wrk.version} (${wrk.bin})` : `not available: ${wrkMissing}`,
    wharf: `${wharf.version}${facts.wharfCommit ? `, git ${facts.wharfCommit}` : ''}${args.wharfRoot !== REPO_ROOT ? ` at ${args.wharfRoot}` : ''}`,
  };
  if (machine.loadAverageAtStart[0] > 0.7) {
    anomaliesAtStart.push(`load average ${machine.loadAverageAtStart.join(' ')} at start: other processes compete for the ${machine.nproc} CPUs, numbers are noisy`);
  }

  const agents = new Map<string, http.Agent>(targets.map((t) => [t.name, makeAgent()]));
  const anomalies = [...anomaliesAtStart];
  const ctx: BenchContext = {
    targets,
    options: opts,
    repoRoot: args.wharfRoot,
    workDir,
    logDir,
    cpuProfDir,
    wharfNodeArgs: args.wharfNodeArgs,
    wharfEnv: args.wharfEnv,
    extraLogs: [],
    wrk,
    state: {},
    agentFor: (t) => {
      const agent = agents.get(t.name);
      if (!agent) throw new Error(`no agent for ${t.name}`);
      return agent;
    },
    log: (...a) => log(...a),
    anomaly: (text) => {
      anomalies.push(text);
      log(`ANOMALY: ${text}`);
    },
  };

  const outcomes: { scenario: Scenario; outcome: Recorded }[] = [];
  let failed = false;
  for (const scenario of scenarios) {
    if (isStopping()) break;
    if (only && !scenario.setup && !only.includes(scenario.id)) continue;
    const missing = (scenario.requires ?? []).filter((k) => !ctx.state[k]);
    if (missing.length) {
      outcomes.push({ scenario, outcome: { skipped: `needs ${missing.join(', ')} from an earlier scenario` } });
      continue;
    }
    if (scenario.needsWrk && !ctx.wrk) {
      outcomes.push({ scenario, outcome: { skipped: `wrk unavailable (${wrkMissing}); requests/s not measured` } });
      continue;
    }
    log(`--- ${scenario.title}`);
    const t0 = Date.now();
    try {
      const outcome = await scenario.run(ctx);
      outcomes.push({ scenario, outcome: { ...outcome, elapsedS: (Date.now() - t0) / 1000 } });
    } catch (err) {
      failed = true;
      log(`${scenario.id} failed: ${(err instanceof Error && err.stack) || errorMessage(err)}`);
      outcomes.push({ scenario, outcome: { error: errorMessage(err) } });
      for (const t of targets) if (t.child.exitInfo) log(`${t.label} exited (${JSON.stringify(t.child.exitInfo)}); log tail:\n${tail(t.logFile)}`);
      if (scenario.setup) break;
    }
  }
  for (const a of agents.values()) a.destroy();
  await ctx.state.s3Env?.stop().catch((err: unknown) => log(`stopping the S3/PostgreSQL setup: ${errorMessage(err)}`)); // lib/s3-env.ts
  if (isStopping()) return; // interrupted: the signal handler stops everything; no partial report
  for (const t of targets) {
    const errors = logErrors(t.logFile);
    if (errors.count) ctx.anomaly(`${t.label} logged ${errors.count} error line(s) during the run, e.g. "${errors.first}" (see ${path.relative(REPO_ROOT, t.logFile)})`);
  }
  for (const { label, file } of ctx.extraLogs) {
    const errors = logErrors(file);
    if (errors.count) ctx.anomaly(`${label} logged ${errors.count} error line(s), e.g. "${errors.first}" (see ${path.relative(REPO_ROOT, file)})`);
  }

  // ---- report
  console.log('\n================ Wharf vs CNCF Distribution ================');
  console.log(`date:          ${new Date(started).toISOString()}`);
  console.log(`machine:       nproc ${machine.nproc}, ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM, ${machine.kernel}`);
  console.log(`node:          ${machine.node}`);
  console.log(`load average:  ${machine.loadAverageAtStart.join(' ')} (at start)`);
  console.log(`Distribution:  ${machine.distribution} — ${Object.values(distribution.settings).join('; ')}`);
  console.log(`Wharf:         ${machine.wharf} — ${Object.values(wharf.settings).join('; ')}`);
  console.log(`wrk:           ${machine.wrk}`);
  console.log('network:       everything on 127.0.0.1; client, servers and wrk share the same CPUs (proxy-cold-pull also measures the client on a CPU of its own)');
  if (ctx.state.proxyEnv) {
    console.log(
      'proxy mode:    Wharf proxy repository "hub" (contentMaxAge/metadataMaxAge 1440 min, negative cache on) vs Distribution ' +
        '(same binary, proxy: remoteurl), one of each per fresh pair, both in front of one upstream Distribution (same binary, ' +
        'filesystem); counting pass-throughs (node:http, lib/passthrough.ts) only between proxy and upstream where requests are counted',
    );
  }
  const behind: Behind[] = [];
  let n = 0;
  for (const { scenario, outcome } of outcomes) {
    if (scenario.setup) {
      if (outcome.error) console.log(`\nsetup failed: ${outcome.error}`);
      continue;
    }
    n++;
    if (outcome.skipped !== undefined || outcome.error !== undefined) {
      console.log(`\n${n}. ${scenario.title}\n   ${outcome.skipped !== undefined ? `SKIPPED: ${outcome.skipped}` : `FAILED: ${outcome.error}`}`);
      continue;
    }
    behind.push(...printScenario(n, scenario, outcome, targets));
  }
  console.log('\nWhere Wharf is more than 10% behind Distribution (hosted and proxy mode):');
  if (!behind.length) console.log('   nowhere');
  for (const b of behind) {
    console.log(`   ${b.scenario}: ${b.metric}: Wharf ${Number(b.wharf).toFixed(2)} vs ${Number(b.distribution).toFixed(2)} ${b.unit} (${b.worsePct}% worse)`);
  }
  if (anomalies.length) {
    console.log('Other anomalies:');
    for (const a of anomalies) console.log(`   ${a}`);
  }

  await cleanup();
  const totalS = (Date.now() - started) / 1000;
  console.log(`\ntotal run time ${totalS.toFixed(0)} s; server logs in ${path.relative(REPO_ROOT, logDir)}/`);
  if (cpuProfDir) console.log(`Wharf CPU profile(s): ${fs.readdirSync(cpuProfDir).map((f) => path.join(path.relative(REPO_ROOT, cpuProfDir), f)).join(', ')}`);

  const json = {
    date: new Date(started).toISOString(),
    totalSeconds: totalS,
    machine,
    servers: Object.fromEntries(targets.map((t) => [t.name, { version: t.version, settings: t.settings }])),
    options: opts,
    quick: args.quick,
    scenarios: Object.fromEntries(
      outcomes.map(({ scenario, outcome }) => [
        scenario.id,
        { title: scenario.title, ...outcome, rows: undefined, metrics: 'rows' in outcome ? outcome.rows?.map(({ metric, unit, key, better }) => ({ metric, unit, key, better })) : undefined },
      ]),
    ),
    wharfBehind: behind,
    anomalies,
  };
  // Partial or instrumented runs (--only, --cpu-prof, --wharf-node-arg, --repeats, ...) do not overwrite the full run's file.
  const partial = args.only || args.cpuProf || args.wharfNodeArgs.length || Object.keys(args.wharfEnv).length || args.repeats || args.upstreams || args.gcManifests ? '-partial' : '';
  const out = path.join(RESULTS_DIR, `${args.quick ? 'latest-quick' : 'latest'}${partial}.json`);
  fs.writeFileSync(out, JSON.stringify(json, null, 2) + '\n');
  console.log(`results: ${path.relative(REPO_ROOT, out)}`);
  process.exitCode = failed ? 1 : 0;
}

main().catch(async (err: unknown) => {
  if (isStopping()) return;
  console.error(`[bench] ${(err instanceof Error && err.stack) || errorMessage(err)}`);
  await cleanup();
  process.exit(1);
});
