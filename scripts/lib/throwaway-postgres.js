'use strict';
// A throw-away PostgreSQL 15 (Debian's `postgresql` package): initdb into a temporary directory, one
// `postgres` process on a free loopback port with durability off, stopped with a fast shutdown.
// Used by the test run's global setup (test/services) and by `npm run migration:generate`.
// initdb refuses root: as root the server runs as the `postgres` user the package creates.
const { execFile, execFileSync, spawn } = require('node:child_process');
const { chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } = require('node:fs');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const BIN = process.env.WHARF_PG_BIN || '/usr/lib/postgresql/15/bin';

function asServerUser(command, args) {
  if (process.getuid() !== 0) return [command, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args]];
}

/** A free TCP port on loopback (also used by throwaway-rgw.js). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** pg_isready: true once the server accepts sessions (not merely TCP connections during its start-up). */
function ready(port) {
  return new Promise((resolve) => {
    execFile(join(BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q'], (err) => resolve(!err));
  });
}

/** Starts the server; resolves once it accepts connections. `keep` leaves the directory behind on stop. */
async function startPostgres({ keep = false } = {}) {
  if (!existsSync(join(BIN, 'postgres'))) {
    throw new Error(`PostgreSQL 15 is not installed (${BIN}/postgres): run scripts/install-test-deps.sh`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'wharf-pg-'));
  if (process.getuid() === 0) {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const data = join(dir, 'data');
  const [initdb, initArgs] = asServerUser(join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  execFileSync(initdb, initArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await freePort();
  const settings = [
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${dir}`,
    'fsync=off',
    'synchronous_commit=off',
    'full_page_writes=off',
    'max_connections=400',
  ];
  const [command, args] = asServerUser(join(BIN, 'postgres'), ['-D', data, '-p', String(port), ...settings.flatMap((s) => ['-c', s])]);
  const logFile = join(dir, 'server.log');
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', () => resolve((exited = true))));
  const logTail = () => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no log)';
    }
  };
  // Nothing may outlive the process that started it, even when it exits without stopping the server.
  const killOnExit = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (!exited) {
      // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, nothing is waited for.
      child.kill('SIGINT');
      const timer = setTimeout(killOnExit, 10_000);
      await exit;
      clearTimeout(timer);
    }
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!(await ready(port))) {
    if (exited || Date.now() > deadline) {
      const tail = logTail();
      await stop();
      throw new Error(`PostgreSQL did not start on port ${port}:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `postgres://postgres@127.0.0.1:${port}`, port, dir, stop };
}

module.exports = { startPostgres, freePort };
