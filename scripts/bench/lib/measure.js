'use strict';
const { runCommand } = require('./proc');

/** Megabytes (10^6 bytes). */
function mb(bytes) {
  return bytes / 1e6;
}

/** Flushes dirty pages so one server's writes do not slow the next measurement. */
async function syncDisks() {
  try {
    await runCommand('sync', [], { timeoutMs: 60_000 });
  } catch {}
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

module.exports = { mb, syncDisks, sleep };
