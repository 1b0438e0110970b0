// What a scenario is given (BenchContext) and what it returns (Outcome); see scenarios/index.ts.
import type * as http from 'node:http';
import type { BigImageState, ProxyEnv, UpstreamKind } from './proxy-env';
import type { S3Env } from './s3-env';
import type { Server } from './servers';

/** Sizes and durations of a run (run.ts options(): full or --quick). */
export interface BenchOptions {
  bigBytes: number;
  chunkBytes: number;
  warmBytes: number;
  concurrency: number[];
  blobDurationS: number;
  manifest: { threads: number; connections: number; durationS: number };
  rssIntervalMs: number;
  idleLaterS: number;
  gc: { manifests: number; baselineS: number };
  /** s3-warm-read, replicas-manifest-get: runs per server (alternating), blob clients x GETs, wrk for manifests. */
  s3: { repeats: number; clients: number; rounds: number; wrk: { threads: number; connections: number; durationS: number } };
  proxy: {
    coldLayers: [number, number];
    coldRepeats: number;
    coldUpstreams: readonly UpstreamKind[];
    dedupBlobIndex: number;
    dedupClients: number;
    revalidationPulls: number;
    concurrentLayers: [number, number];
    concurrentRepeats: number;
  };
}

export interface WrkInfo {
  bin: string;
  version: string | null;
}

/** What earlier scenarios leave for later ones (a scenario's `requires` names these keys). */
export interface BenchState {
  small?: { image: string; tag: string; manifestDigest: string; manifestBytes: number };
  warm?: { image: string; digest: string; size: number };
  big?: BigImageState;
  proxyEnv?: ProxyEnv;
  /** PostgreSQL + RGW + Wharf/Distribution on S3 (lib/s3-env.ts). */
  s3Env?: S3Env;
}

export interface BenchContext {
  /** The hosted servers every hosted scenario measures: [Distribution, Wharf]. */
  targets: Server[];
  options: BenchOptions;
  /** The Wharf checkout under test (--wharf-root). */
  repoRoot: string;
  workDir: string;
  logDir: string;
  cpuProfDir: string | null;
  wharfNodeArgs: string[];
  wharfEnv: Record<string, string | undefined>;
  /** Logs of processes scenarios start (proxy mode), checked for errors at the end. */
  extraLogs: { label: string; file: string }[];
  wrk: WrkInfo | null;
  state: BenchState;
  agentFor(target: Server): http.Agent;
  log(...args: unknown[]): void;
  anomaly(text: string): void;
}

/** A line of a scenario's table: `key` is looked up in each column's results. */
export interface Row {
  metric: string;
  unit: string;
  key: string;
  better: 'lower' | 'higher';
  digits: number;
  /** No "Wharf vs ..." comparison (context figures such as the client's CPU). */
  noCompare?: boolean;
}

/** A column of a scenario's table (the hosted targets by default). */
export interface Column {
  name: string;
  label: string;
}

/** Per column name, the figures (and details written to the JSON results). */
export type Results = Record<string, Record<string, unknown>>;

export interface Outcome {
  params?: Record<string, string>;
  commands?: Record<string, string>;
  results?: Results;
  rows?: Row[];
  /** Overrides the hosted targets as columns (Wharf first), e.g. in proxy mode. */
  columns?: Column[];
}

export interface Scenario {
  id: string;
  title: string;
  /** Not a measurement (the seed): always runs, and its failure ends the run. */
  setup?: boolean;
  requires?: readonly (keyof BenchState)[];
  needsWrk?: boolean;
  run(ctx: BenchContext): Promise<Outcome>;
}

/** wrk, for a scenario marked `needsWrk` (run.ts skips it when wrk is unavailable). */
export function needWrk(ctx: BenchContext): WrkInfo {
  if (!ctx.wrk) throw new Error('wrk is not available');
  return ctx.wrk;
}

/** What an earlier scenario left in ctx.state under `key` (named in `requires`). */
export function needState<K extends keyof BenchState>(ctx: BenchContext, key: K): NonNullable<BenchState[K]> {
  const value = ctx.state[key];
  if (value === undefined || value === null) throw new Error(`needs ${key} from an earlier scenario`);
  return value;
}

/** Copies each column's figures into `results` as `prefix` + key (one table with several variants, e.g. per upstream). */
export function mergePrefixed(results: Results, byColumn: Results, prefix: string): void {
  for (const [name, r] of Object.entries(byColumn)) for (const [k, v] of Object.entries(r)) (results[name] ??= {})[prefix + k] = v;
}
