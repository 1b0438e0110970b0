'use strict';
// CPU affinity of the bench's processes (taskset(1), util-linux). On a small machine the client, the
// upstream and the proxy all compete for the same few CPUs, so a timed pull also measures who got
// scheduled. Pinning the client (this process) to a CPU of its own and every server to the others
// models the client and the servers being on different machines.
const os = require('node:os');
const { execFileSync } = require('node:child_process');

/** All CPUs of the machine, as numbers. */
function allCpus() {
  return [...Array(os.cpus().length).keys()];
}

/** Sets the CPUs of every thread of `pid` (new threads inherit them); throws when taskset fails. */
function setAffinity(pid, cpus) {
  execFileSync('taskset', ['-a', '-cp', cpus.join(','), String(pid)], { stdio: 'ignore', timeout: 10_000 });
}

/**
 * The split "client on CPU 0, servers on the rest", or null (with why) where it cannot be made:
 * fewer than 2 CPUs, or no taskset.
 */
function clientServerSplit() {
  const cpus = allCpus();
  if (cpus.length < 2) return { split: null, why: `${cpus.length} CPU` };
  try {
    setAffinity(process.pid, cpus);
  } catch (err) {
    return { split: null, why: `taskset failed: ${err.message.split('\n')[0]}` };
  }
  return { split: { client: [0], servers: cpus.slice(1) }, why: null };
}

/** Pins this process (the client) and the server pids per `split`; null split = every process on every CPU. */
function applySplit(split, serverPids) {
  const cpus = allCpus();
  setAffinity(process.pid, split ? split.client : cpus);
  for (const pid of serverPids) setAffinity(pid, split ? split.servers : cpus);
}

module.exports = { allCpus, clientServerSplit, applySplit };
