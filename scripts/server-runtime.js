'use strict';
// How the Wharf server process is run, in one place: `npm start` (scripts/start.js), `npm run serve`
// (scripts/serve.js) and the benchmark use this module; the Dockerfile repeats it and a test keeps the
// two equal. The settings keep a busy server inside its memory budget (under 150 MB RSS while 1 GiB
// layers stream through; measured with `npm run bench`, see docs/benchmarks.md; why: docs/decisions/0003):
//
// --max-semi-space-size=2  V8's young generation is 2 × 16 MiB by default, about 20 MiB of RSS once
//                          used; the registry's hot paths allocate little JavaScript, so 2 MiB costs no
//                          throughput. (Dead socket buffers are freed by apps/server/src/runtime/buffer-reclaimer.ts.)
// --heap-growing-percent=50  after each full collection V8 lets the old generation grow to 1.5 x what
//                          survived, instead of up to 4 x when collections look cheap: under a manifest GET
//                          load (short-lived request objects promoted by the small young generation) the
//                          old generation reached 75 MiB for 29 MiB live and RSS went from 97 to 155-180 MiB;
//                          with 1.5 x it peaks at ~110 MiB for no measurable CPU per request (docs/decisions/0005).
// MALLOC_MMAP_THRESHOLD_   glibc's default 128 KiB, fixed: by default glibc raises the threshold to the
//                          size of any large block freed (our 256 KiB-1 MiB send buffers), after which
//                          those blocks come from the heap, whose freed middle is never given back, so RSS
//                          ratchets up with every transfer. Fixed, they keep their own mappings.
// MALLOC_ARENA_MAX=2       fewer per-thread malloc arenas for the libuv pool threads (the usual setting
//                          for Node servers; each arena otherwise keeps its own free memory).
//
// A variable already set in the environment wins, so an operator can tune or undo any of them.

const NODE_ARGS = Object.freeze(['--max-semi-space-size=2', '--heap-growing-percent=50']);
const ENV = Object.freeze({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' });

/** The environment for the server process: ENV under the given environment (which wins). */
function serverEnv(base = process.env) {
  return { ...ENV, ...base };
}

module.exports = { NODE_ARGS, ENV, serverEnv };
