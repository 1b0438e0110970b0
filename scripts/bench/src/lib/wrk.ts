// wrk: installation (Debian package, when root) and runs with parsed results.
import { runCommand } from './proc';
import { ensureTool, type Tool } from './apt';

/** wrk's summary, parsed (null / absent where its output did not say). */
export interface WrkResult {
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  non2xx3xx: number;
  latencyAvgMs?: number | null;
  latencyStdevMs?: number | null;
  latencyMaxMs?: number | null;
  latencyPercentilesMs: Partial<Record<'p50' | 'p75' | 'p90' | 'p99', number | null>>;
  requests?: number;
  durationS?: number;
  bytesRead?: number | null;
  requestsPerSec?: number;
  transferPerSecBytes?: number | null;
}

export type WrkRun = WrkResult & { command: string; raw: string };

export function ensureWrk(): Promise<Tool> {
  return ensureTool('wrk', 'wrk', 'the wrk-based measurements are');
}

export async function wrkVersion(bin: string): Promise<string | null> {
  const res = await runCommand(bin, ['-v'], { timeoutMs: 5000 });
  const m = /wrk\s+(\S+)/.exec(res.stdout + res.stderr);
  return m?.[1] ?? null;
}

const TIME_UNITS: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };
const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

function ms(text: string | undefined): number | null {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text ?? '');
  return m ? Number(m[1]) * (TIME_UNITS[m[2] ?? ''] ?? NaN) : null;
}

function bytes(text: string | undefined): number | null {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(text ?? '');
  return m ? Number(m[1]) * (SIZE_UNITS[m[2] ?? ''] ?? NaN) : null;
}

export function parseWrk(out: string): WrkResult {
  const result: WrkResult = { socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 }, non2xx3xx: 0, latencyPercentilesMs: {} };
  let m = /Latency\s+(\S+)\s+(\S+)\s+(\S+)/.exec(out);
  if (m) Object.assign(result, { latencyAvgMs: ms(m[1]), latencyStdevMs: ms(m[2]), latencyMaxMs: ms(m[3]) });
  for (const p of out.matchAll(/^\s+(50|75|90|99)%\s+(\S+)/gm)) result.latencyPercentilesMs[`p${p[1] as '50' | '75' | '90' | '99'}`] = ms(p[2]);
  m = /(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read/.exec(out);
  if (m) {
    result.requests = Number(m[1]);
    result.durationS = (ms(m[2]) ?? NaN) / 1000;
    result.bytesRead = bytes(m[3]);
  }
  m = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (m) result.socketErrors = { connect: Number(m[1]), read: Number(m[2]), write: Number(m[3]), timeout: Number(m[4]) };
  m = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (m) result.non2xx3xx = Number(m[1]);
  m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (m) result.requestsPerSec = Number(m[1]);
  m = /Transfer\/sec:\s+([\d.]+\w+)/.exec(out);
  if (m) result.transferPerSecBytes = bytes(m[1]);
  return result;
}

export interface WrkOptions {
  threads: number;
  connections: number;
  durationS: number;
  timeoutS?: number;
  latency?: boolean;
  headers?: Record<string, string>;
  url: string;
}

/** Runs wrk; `headers` are passed with -H. Returns { command, raw, ...parsed }. */
export async function runWrk(
  bin: string,
  { threads, connections, durationS, timeoutS = 5, latency = true, headers = {}, url }: WrkOptions,
): Promise<WrkRun> {
  const args = [`-t${threads}`, `-c${connections}`, `-d${durationS}s`, '--timeout', `${timeoutS}s`];
  if (latency) args.push('--latency');
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  args.push(url);
  const res = await runCommand(bin, args, { timeoutMs: (durationS + timeoutS + 30) * 1000 });
  if (res.code !== 0) throw new Error(`wrk exited with ${res.code}: ${res.stderr.trim()}`);
  const shown = args.map((a) => (/^Authorization: /i.test(a) ? 'Authorization: Basic <admin credentials>' : a));
  return { command: ['wrk', ...shown.map(shellQuote)].join(' '), raw: res.stdout, ...parseWrk(res.stdout) };
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
