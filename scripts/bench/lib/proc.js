'use strict';
// Child processes started by the benchmark: every one is tracked by pid and stopped at the end,
// on success, on error and on Ctrl-C / SIGTERM (see installCleanup).
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');

const children = new Map(); // pid -> { name, child }
const tempDirs = new Set();
let cleaning = null;
let stopping = false;

/** True once a signal or the deadline asked the benchmark to stop: callers bail out without reporting. */
function isStopping() {
  return stopping;
}

function log(...args) {
  console.error('[bench]', ...args);
}

/** Starts a long-running process with stdout/stderr appended to `logFile`. */
function startProcess(name, command, args, { env, cwd, logFile } = {}) {
  const out = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
  });
  if (typeof out === 'number') fs.closeSync(out);
  if (!child.pid) throw new Error(`could not start ${name} (${command})`);
  children.set(child.pid, { name, child });
  child.exitInfo = null;
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      child.exitInfo = { code, signal };
      children.delete(child.pid);
      resolve(child.exitInfo);
    });
  });
  child.on('error', (err) => log(`${name}: ${err.message}`));
  return child;
}

/** Runs a short command to completion, collecting its output; killed after `timeoutMs`. */
function runCommand(command, args, { timeoutMs = 60_000, env, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(child.pid, { name: command, child });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      stopping = true;
      log(`${command} did not finish within ${timeoutMs} ms, killing pid ${child.pid}`);
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      children.delete(child.pid);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child.pid);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs` if the process is still there. */
async function stopProcess(child, graceMs = 5000) {
  if (!child || child.exitInfo) return;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timeout = new Promise((r) => setTimeout(r, graceMs, 'timeout'));
  if ((await Promise.race([child.exited, timeout])) === 'timeout') {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 2000))]);
  }
}

function trackTempDir(dir) {
  tempDirs.add(dir);
  return dir;
}

async function cleanup() {
  if (!cleaning) {
    cleaning = (async () => {
      await Promise.all([...children.values()].map(({ child }) => stopProcess(child)));
      for (const dir of tempDirs) {
        try {
          fs.rmSync(dir, { recursive: true, force: true });
        } catch (err) {
          log(`could not remove ${dir}: ${err.message}`);
        }
      }
      tempDirs.clear();
    })();
  }
  return cleaning;
}

/** Last resort on process exit: synchronous SIGKILL of anything still tracked, removal of temp dirs. */
function killAllSync() {
  for (const pid of children.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  for (const dir of tempDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {}
  }
}

function installCleanup({ deadlineMs } = {}) {
  const onSignal = (signal) => {
    stopping = true;
    log(`${signal}: stopping every process the benchmark started`);
    cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  process.on('exit', killAllSync);
  if (deadlineMs) {
    const timer = setTimeout(() => {
      stopping = true;
      log(`the benchmark exceeded its ${Math.round(deadlineMs / 1000)} s limit; stopping`);
      cleanup().finally(() => process.exit(124));
    }, deadlineMs);
    timer.unref();
  }
}

function which(command) {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

module.exports = { isStopping, startProcess, runCommand, stopProcess, trackTempDir, cleanup, installCleanup, which, log };
