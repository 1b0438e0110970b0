'use strict';
// A real S3 server for one run: a single-node Ceph cluster (one monitor, one RAM-backed OSD) with the
// RADOS Gateway in front, everything under one temporary directory, no systemd (see the shared design's
// TESTING.md). About 3 s to S3-ready once the Debian packages are installed (scripts/install-test-deps.sh).
// Used by the test run's global setup (test/services) and by `npm run bench` (the S3 scenarios).
const { execFile, spawn } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { freePort } = require('./throwaway-postgres');

/** What may be stored in the cluster at once (RAM, used only as written). */
const DEFAULT_STORE_BYTES = 4 * 1024 * 1024 * 1024;

/** Runs a command to completion; rejects with its output when it fails. */
function run(command, args) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

function cephConf({ dir, fsid, keyring, monPort, s3Port, storeBytes }) {
  return `[global]
fsid = ${fsid}
mon host = v1:127.0.0.1:${monPort}
ms bind msgr2 = false
ms bind ipv6 = false
public addr = 127.0.0.1
cluster addr = 127.0.0.1
mon data avail warn = 1
keyring = ${keyring}
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
paxos propose interval = 0.1
mon warn on pool no redundancy = false
auth allow insecure global id reclaim = false
[mon]
mon data = ${dir}/mon
[osd]
osd data = ${dir}/osd
osd objectstore = memstore
memstore device bytes = ${storeBytes}
[client.rgw.x]
rgw data = ${dir}/rgw
rgw frontends = beast endpoint=127.0.0.1:${s3Port}
rgw dns name = 127.0.0.1
`;
}

/** Starts monitor, OSD and gateway; resolves once the gateway answers S3 requests and has a user. */
async function startRgw({ storeBytes = DEFAULT_STORE_BYTES } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-rgw-'));
  for (const sub of ['mon', 'osd', 'rgw', 'run', 'log']) mkdirSync(join(dir, sub));
  const conf = join(dir, 'ceph.conf');
  const keyring = join(dir, 'keyring');
  const fsid = randomUUID();
  const [monPort, s3Port] = [await freePort(), await freePort()];
  writeFileSync(conf, cephConf({ dir, fsid, keyring, monPort, s3Port, storeBytes }));
  const ceph = (command, args) => run(command, ['-c', conf, ...args]);
  const daemons = [];
  const daemon = (name, command, args) => {
    const logFile = join(dir, 'log', `${name}.out`);
    const fd = openSync(logFile, 'a');
    let child;
    try {
      // Its own process group, so a forced stop also reaches whatever the daemon started.
      child = spawn(command, ['-c', conf, '-f', ...args], { stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    const d = { name, child, logFile, exited: false };
    d.exit = new Promise((resolve) => {
      child.once('exit', () => resolve((d.exited = true)));
      child.once('error', () => resolve((d.exited = true)));
    });
    daemons.push(d);
    return d;
  };
  const killAll = () => {
    for (const d of daemons) {
      try {
        process.kill(-d.child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  // Nothing may outlive the process that started it, even when it exits without stopping the cluster.
  process.once('exit', killAll);
  const stop = async () => {
    process.removeListener('exit', killAll);
    for (const d of [...daemons].reverse()) {
      if (d.exited) continue;
      d.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(-d.child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5_000);
      await d.exit;
      clearTimeout(timer);
    }
    killAll(); // helpers left behind by a clean exit, if any
    rmSync(dir, { recursive: true, force: true });
  };
  const logTail = (d) => {
    try {
      return readFileSync(d.logFile, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no log)';
    }
  };
  try {
    const key = (name, ...caps) => run('ceph-authtool', [keyring, '--gen-key', '-n', name, ...caps.flatMap((c) => ['--cap', ...c.split(/ (.*)/s).slice(0, 2)])]);
    await run('ceph-authtool', ['--create-keyring', keyring]);
    await key('mon.', 'mon allow *');
    await key('client.admin', 'mon allow *', 'osd allow *', 'mgr allow *');
    await key('osd.0', 'mon allow profile osd', 'osd allow *', 'mgr allow profile osd');
    await key('client.rgw.x', 'mon allow rw', 'osd allow rwx');
    await run('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v1:127.0.0.1:${monPort}]`, join(dir, 'monmap')]);
    await ceph('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap'), '--keyring', keyring]);
    const mon = daemon('mon', 'ceph-mon', ['-i', 'a']);
    const osdUuid = randomUUID();
    const osdId = (await ceph('ceph', ['--connect-timeout', '30', 'osd', 'new', osdUuid])).trim();
    if (osdId !== '0') throw new Error(`ceph osd new gave id ${osdId}, expected 0`);
    await ceph('ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    const osd = daemon('osd', 'ceph-osd', ['-i', '0']);
    const rgw = daemon('rgw', 'radosgw', ['-n', 'client.rgw.x']);
    const accessKeyId = `AK${randomBytes(8).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(24).toString('base64url');
    const endpoint = `http://127.0.0.1:${s3Port}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const dead = [mon, osd, rgw].find((d) => d.exited);
      if (dead) throw new Error(`${dead.name} exited: ${logTail(dead)}`);
      if (await fetch(endpoint).then(() => true, () => false)) break;
      if (Date.now() > deadline) throw new Error(`the RADOS gateway did not answer S3 requests within 20 s: ${logTail(rgw)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await ceph('radosgw-admin', ['-n', 'client.admin', 'user', 'create', '--uid', 'test', '--display-name', 'test', '--access-key', accessKeyId, '--secret-key', secretAccessKey]);
    return { endpoint, accessKeyId, secretAccessKey, dir, pids: daemons.map((d) => d.child.pid), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

module.exports = { startRgw };
