// Memory and CPU of a process from /proc: VmRSS sampled on an interval, VmHWM (peak), utime+stime.
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { Row } from './context';

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // the usual Linux value
}

/** What startSampler's stop() reports: memory and CPU of the process over the window, and of the rest. */
export interface Sample {
  startRssMiB: number;
  peakRssMiB: number;
  vmHwmMiB: number | null;
  vmHwmSinceReset: boolean;
  cpuSeconds: number | null;
  benchClientCpuSeconds: number;
  otherCpuSeconds: number | null;
  windowSeconds: number;
  samples: number;
  intervalMs: number;
  maxSampleGapMs: number;
}

export function readStatus(pid: number): { rssKiB: number | null; hwmKiB: number | null } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}

/** CPU seconds (user + system, all threads) the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** CPU seconds all CPUs of the machine spent busy (not idle/iowait) since boot, from /proc/stat. */
export function machineBusySeconds(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  return (total - (v[3] ?? 0) - (v[4] ?? 0)) / clockTicks;
}

/** Resets VmHWM to the current RSS (Linux >= 4.0, needs write access to /proc/<pid>/clear_refs). */
export function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples VmRSS every `intervalMs` until stop(); stop() returns the peak sampled RSS, VmHWM at
 * that moment (reset at start when possible), the CPU seconds used in between and sampling facts.
 */
export function startSampler(pid: number, intervalMs = 50): { stop(): Sample } {
  const hwmReset = resetPeak(pid);
  const startRss = readStatus(pid).rssKiB ?? 0;
  const startCpu = cpuSeconds(pid);
  const startBusy = machineBusySeconds();
  const startSelf = process.cpuUsage();
  const startedAt = process.hrtime.bigint();
  let peakKiB = startRss;
  let samples = 0;
  let last = startedAt;
  let maxGapMs = 0;
  const sample = () => {
    try {
      const { rssKiB } = readStatus(pid);
      if (rssKiB !== null && rssKiB > peakKiB) peakKiB = rssKiB;
      samples++;
      const now = process.hrtime.bigint();
      maxGapMs = Math.max(maxGapMs, Number(now - last) / 1e6);
      last = now;
    } catch {
      // the process is gone; stop() reports what was seen
    }
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop(): Sample {
      clearInterval(timer);
      sample();
      let hwmKiB: number | null = null;
      let cpu: number | null = null;
      try {
        hwmKiB = readStatus(pid).hwmKiB;
        cpu = cpuSeconds(pid) - startCpu;
      } catch {
        // the process is gone
      }
      const windowS = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const busy = machineBusySeconds() - startBusy;
      const self = process.cpuUsage(startSelf);
      const selfS = (self.user + self.system) / 1e6;
      return {
        startRssMiB: round(startRss / 1024),
        peakRssMiB: round(peakKiB / 1024),
        vmHwmMiB: hwmKiB === null ? null : round(hwmKiB / 1024),
        vmHwmSinceReset: hwmReset,
        cpuSeconds: cpu === null ? null : round(cpu, 2),
        // Everything else the machine ran in the window (other users' processes; wrk when it is the client).
        benchClientCpuSeconds: round(selfS, 2),
        otherCpuSeconds: cpu === null ? null : round(Math.max(0, busy - cpu - selfS), 2),
        windowSeconds: round(windowS, 2),
        samples,
        intervalMs,
        maxSampleGapMs: round(maxGapMs),
      };
    },
  };
}

/** Waits until the process uses (almost) no CPU over `windowMs` (its background work is over). */
export async function waitCpuQuiet(
  pid: number,
  { windowMs = 400, maxCpuS = 0.02, timeoutMs = 60_000 }: { windowMs?: number; maxCpuS?: number; timeoutMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const before = cpuSeconds(pid);
      await new Promise((r) => setTimeout(r, windowMs));
      if (cpuSeconds(pid) - before <= maxCpuS) return true;
    } catch {
      return true; // the process is gone
    }
  }
  return false;
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The rows of a timed transfer measured with startSampler: { seconds, mbPerSec, ...Sample } per target. */
export const transferRows: readonly Row[] = [
  { metric: 'wall time', unit: 's', key: 'seconds', better: 'lower', digits: 2 },
  { metric: 'throughput', unit: 'MB/s', key: 'mbPerSec', better: 'higher', digits: 0 },
  { metric: 'server RSS before', unit: 'MiB', key: 'startRssMiB', better: 'lower', digits: 0 },
  { metric: 'server peak RSS (sampled)', unit: 'MiB', key: 'peakRssMiB', better: 'lower', digits: 0 },
  { metric: 'server VmHWM after', unit: 'MiB', key: 'vmHwmMiB', better: 'lower', digits: 0 },
  { metric: 'server CPU time', unit: 's', key: 'cpuSeconds', better: 'lower', digits: 2 },
  { metric: 'bench client CPU time', unit: 's', key: 'benchClientCpuSeconds', better: 'lower', digits: 2, noCompare: true },
  { metric: 'other processes CPU time', unit: 's', key: 'otherCpuSeconds', better: 'lower', digits: 2, noCompare: true },
];
