'use strict';
// Loaded into a Wharf process with NODE_OPTIONS=--require (test/support/memory.ts): on SIGUSR2 it writes
// what the process holds to $WHARF_MEMORY_PROBE_FILE as JSON: the packages loaded through require() (by name;
// ES modules are not listed), how many CommonJS modules are loaded, process.memoryUsage(), V8's heap spaces,
// VmRSS/VmHWM from /proc/self/status in KiB, /proc/self/smaps_rollup in KiB (Rss, Anonymous, ...), malloc's own
// figures (mallinfo2 through the native addon, when it is there) and the number of open file descriptors. npm run bench (idle-rss)
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

// With WHARF_MEMORY_PROBE_SQLITE=1 the probe remembers the better-sqlite3 connections the process uses (each
// runs a pragma when opened), so that a report can ask them to give their page cache back (PRAGMA
// shrink_memory) and tell SQLite's share of malloc's memory in use from the rest.
const databases = [];
const seen = new WeakSet();
if (process.env.WHARF_MEMORY_PROBE_SQLITE === '1') {
  const Module = require('node:module');
  const load = Module._load;
  Module._load = function (request, ...rest) {
    const exported = load.call(this, request, ...rest);
    const proto = request === 'better-sqlite3' ? exported?.prototype : undefined;
    if (proto && typeof proto.pragma === 'function' && !proto.pragma.probed) {
      const pragma = proto.pragma;
      proto.pragma = function (...args) {
        if (!seen.has(this)) {
          seen.add(this);
          databases.push(new WeakRef(this));
        }
        return pragma.apply(this, args);
      };
      proto.pragma.probed = true;
    }
    return exported;
  };
}

/** Empties the page cache of every open SQLite connection; returns how much malloc memory in use that freed. */
function shrinkSqlite() {
  const before = mallocStats()?.inUse ?? NaN;
  let connections = 0;
  for (const ref of [...databases]) {
    const db = ref.deref();
    if (!db || !db.open) continue;
    db.pragma('shrink_memory');
    connections += 1;
  }
  return { connections, freed: before - (mallocStats()?.inUse ?? NaN) };
}

/** Wharf's native addon (malloc's figures, malloc_trim), or null. */
function nativeIo() {
  try {
    return require('@wharf/native-io');
  } catch {
    return null;
  }
}

/** malloc's figures, through Wharf's native addon when it is loaded (null otherwise). */
function mallocStats() {
  return nativeIo()?.mallocStats() ?? null;
}

/** /proc/self/smaps_rollup in KiB by field name (Rss, Pss, Anonymous, Private_Dirty, ...). */
function smapsRollup() {
  const out = {};
  try {
    for (const m of fs.readFileSync('/proc/self/smaps_rollup', 'utf8').matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[m[1]] = Number(m[2]);
  } catch {
    // not Linux
  }
  return out;
}

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
  const out = {
    packages,
    modules,
    memoryUsage: process.memoryUsage(),
    heapSpaces,
    rssKiB: kib('VmRSS'),
    hwmKiB: kib('VmHWM'),
    smapsKiB: smapsRollup(),
    malloc: mallocStats(),
    heapPhysical: v8.getHeapStatistics().total_physical_size,
    fds,
  };
  // With WHARF_MEMORY_PROBE_TRIM=1: malloc_trim (what Wharf does every minute), then RSS again: what malloc
  // held free and gave back, as opposed to memory in use.
  if (process.env.WHARF_MEMORY_PROBE_TRIM === '1' && nativeIo()) {
    nativeIo().releaseFreeMemory();
    if (databases.length > 0) out.sqlite = shrinkSqlite();
    out.trimmed = { rssKiB: Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]), smapsKiB: smapsRollup(), malloc: mallocStats() };
  }
  const dir = process.env.WHARF_MEMORY_PROBE_SNAPSHOTS;
  if (dir) out.snapshot = v8.writeHeapSnapshot(path.join(dir, `probe-${++snapshots}.heapsnapshot`));
  fs.writeFileSync(process.env.WHARF_MEMORY_PROBE_FILE, JSON.stringify(out));
});
