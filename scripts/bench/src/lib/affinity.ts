// CPU affinity of the bench's processes (taskset(1), util-linux). On a small machine the client, the
// upstream and the proxy all compete for the same few CPUs, so a timed pull also measures who got
// scheduled. Pinning the client (this process) to a CPU of its own and every server to the others
// models the client and the servers being on different machines.
import * as os from 'node:os';
import { execFileSync } from 'node:child_process';
import { errorMessage } from './proc';

/** Which CPUs the client (this process) and the servers may run on. */
export interface CpuSplit {
  client: number[];
  servers: number[];
}

/** All CPUs of the machine, as numbers. */
export function allCpus(): number[] {
  return [...Array(os.cpus().length).keys()];
}

/** Sets the CPUs of every thread of `pid` (new threads inherit them); throws when taskset fails. */
function setAffinity(pid: number, cpus: readonly number[]): void {
  execFileSync('taskset', ['-a', '-cp', cpus.join(','), String(pid)], { stdio: 'ignore', timeout: 10_000 });
}

/**
 * The split "client on CPU 0, servers on the rest", or null (with why) where it cannot be made:
 * fewer than 2 CPUs, or no taskset.
 */
export function clientServerSplit(): { split: CpuSplit | null; why: string | null } {
  const cpus = allCpus();
  if (cpus.length < 2) return { split: null, why: `${cpus.length} CPU` };
  try {
    setAffinity(process.pid, cpus);
  } catch (err) {
    return { split: null, why: `taskset failed: ${errorMessage(err).split('\n')[0]}` };
  }
  return { split: { client: [0], servers: cpus.slice(1) }, why: null };
}

/** Pins this process (the client) and the server pids per `split`; null split = every process on every CPU. */
export function applySplit(split: CpuSplit | null, serverPids: readonly number[]): void {
  const cpus = allCpus();
  setAffinity(process.pid, split ? split.client : cpus);
  for (const pid of serverPids) setAffinity(pid, split ? split.servers : cpus);
}

/** A CPU layout: who runs where (null split: every process on every CPU). */
export interface Layout {
  id: 'own' | 'shared';
  label: string;
  split: CpuSplit | null;
}

/** The layouts to measure in: the client on a CPU of its own when that can be arranged, then every process everywhere. */
export function cpuLayouts(split: CpuSplit | null): Layout[] {
  return [
    ...(split ? [{ id: 'own' as const, label: `client on CPU ${split.client.join(',')}, servers on CPU ${split.servers.join(',')}`, split }] : []),
    { id: 'shared', label: 'every process on every CPU', split: null },
  ];
}
