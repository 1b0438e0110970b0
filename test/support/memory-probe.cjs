'use strict';
// Loaded into a Wharf process with NODE_OPTIONS=--require (test/support/memory.ts): on SIGUSR2 it writes
// what the process holds to $WHARF_MEMORY_PROBE_FILE as JSON: the packages loaded through require() (by name;
// ES modules are not listed), how many CommonJS modules are loaded, process.memoryUsage(), V8's heap spaces,
// VmRSS/VmHWM from /proc/self/status in KiB and the number of open file descriptors. npm run bench (idle-rss)
// uses it too. With WHARF_MEMORY_PROBE_GC=1 it collects garbage first (so heapUsed is what is live); with
// WHARF_MEMORY_PROBE_SNAPSHOTS=<dir> it also writes a heap snapshot there (leak hunting).
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');

function packageOf(file) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  return m ? m[1] : null;
}

let gc = null;
if (process.env.WHARF_MEMORY_PROBE_GC === '1') {
  v8.setFlagsFromString('--expose-gc');
  gc = require('node:vm').runInNewContext('gc');
}
let snapshots = 0;

process.on('SIGUSR2', () => {
  if (gc) {
    gc();
    gc();
  }
  const packages = [...new Set(Object.keys(require.cache).map(packageOf).filter(Boolean))].sort();
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  const heapSpaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]));
  const modules = Object.keys(require.cache).length;
  const fds = fs.readdirSync('/proc/self/fd').length;
  const out = { packages, modules, memoryUsage: process.memoryUsage(), heapSpaces, rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM'), fds };
  const dir = process.env.WHARF_MEMORY_PROBE_SNAPSHOTS;
  if (dir) out.snapshot = v8.writeHeapSnapshot(path.join(dir, `probe-${++snapshots}.heapsnapshot`));
  fs.writeFileSync(process.env.WHARF_MEMORY_PROBE_FILE, JSON.stringify(out));
});
