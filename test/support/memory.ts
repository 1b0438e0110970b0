import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths';
import { waitFor } from './wait';

/** What test/support/memory-probe.cjs reports from inside a Wharf process. */
export interface MemoryProbe {
  packages: string[];
  /** CommonJS modules in require.cache. */
  modules: number;
  memoryUsage: NodeJS.MemoryUsage;
  /** V8's heap spaces by name: bytes reserved and used. */
  heapSpaces: Record<string, { size: number; used: number }>;
  rssKiB: number;
  hwmKiB: number;
  /** /proc/<pid>/smaps_rollup in KiB by field (Rss, Anonymous, Private_Dirty, ...). */
  smapsKiB: Record<string, number>;
  /** malloc's figures in bytes (mallinfo2, through the native addon), null without it. */
  malloc: { arena: number; mmapped: number; inUse: number; free: number; releasable: number } | null;
  /** V8's heap pages that are resident (bytes). */
  heapPhysical: number;
  /** With WHARF_MEMORY_PROBE_SQLITE=1: SQLite connections asked to empty their page cache, malloc memory that freed. */
  sqlite?: { connections: number; freed: number };
  /** With WHARF_MEMORY_PROBE_TRIM=1: the same right after malloc_trim. */
  trimmed?: { rssKiB: number; smapsKiB: Record<string, number>; malloc: MemoryProbe['malloc'] };
  /** Open file descriptors of the process. */
  fds: number;
  /** The heap snapshot written (WHARF_MEMORY_PROBE_SNAPSHOTS). */
  snapshot?: string;
}

/** Environment that loads the probe into a Wharf process (Wharf.start({ env })); it answers SIGUSR2 with a report. */
export function memoryProbeEnv(file: string, options: { gc?: boolean; snapshotDir?: string; trim?: boolean } = {}): Record<string, string> {
  return {
    NODE_OPTIONS: `--require ${join(REPO_ROOT, 'test', 'support', 'memory-probe.cjs')}`,
    WHARF_MEMORY_PROBE_FILE: file,
    ...(options.gc ? { WHARF_MEMORY_PROBE_GC: '1' } : {}),
    ...(options.snapshotDir ? { WHARF_MEMORY_PROBE_SNAPSHOTS: options.snapshotDir } : {}),
    ...(options.trim ? { WHARF_MEMORY_PROBE_TRIM: '1' } : {}),
  };
}

/** Asks the process for a report and waits for it. */
export async function probeMemory(pid: number, file: string): Promise<MemoryProbe> {
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  // Not there yet (or half written) throws: waitFor asks again.
  return waitFor('the memory probe report', () => JSON.parse(readFileSync(file, 'utf8')) as MemoryProbe, { intervalMs: 50 });
}

/** VmRSS and VmHWM (peak) of a process in MiB, read from outside. */
export function residentMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}
