#!/usr/bin/env node
// Runs the built server (apps/server/dist/main.js) in a child process started with the runtime
// settings of scripts/server-runtime.js: V8 and glibc read them only when a process starts, so this
// small parent exists to set them. It passes SIGINT/SIGTERM/SIGHUP on (Wharf stops cleanly on
// them) and exits as the server does.
'use strict';
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { NODE_ARGS, serverEnv } = require('./server-runtime');

function serve(root = join(__dirname, '..')) {
  const child = spawn(process.execPath, [...NODE_ARGS, join(root, 'apps/server/dist/main.js')], {
    cwd: root,
    env: serverEnv(),
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (err) => {
    console.error(`could not start the Wharf server: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    // Exit the way the server did: a signal death is re-raised on this process (handlers removed).
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}

if (require.main === module) serve();

module.exports = { serve };
