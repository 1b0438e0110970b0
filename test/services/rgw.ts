/**
 * A real S3 server for one test run: a single-node Ceph cluster (one monitor, one RAM-backed OSD)
 * with the RADOS Gateway in front, everything under one temporary directory, no systemd (see shared
 * design TESTING.md). About 3 s to S3-ready once the Debian packages are installed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, runChecked } from '../support/process';
import { freePort } from '../support/ports';
import { removeDir } from '../support/paths';
import { GiveUp, waitFor } from '../support/wait';

export interface RgwServer {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** What a test may store in the run's cluster at once (RAM, used only as written). */
const STORE_BYTES = 4 * 1024 * 1024 * 1024;

export async function startRgw(): Promise<RgwServer> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-rgw-'));
  for (const sub of ['mon', 'osd', 'rgw', 'run', 'log']) mkdirSync(join(dir, sub));
  const conf = join(dir, 'ceph.conf');
  const keyring = join(dir, 'keyring');
  const fsid = randomUUID();
  const [monPort, s3Port] = [await freePort(), await freePort()];
  writeFileSync(
    conf,
    `[global]
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
memstore device bytes = ${STORE_BYTES}
[client.rgw.x]
rgw data = ${dir}/rgw
rgw frontends = beast endpoint=127.0.0.1:${s3Port}
rgw dns name = 127.0.0.1
`,
  );
  const ceph = (command: string, args: string[]) => runChecked(command, ['-c', conf, ...args], { timeoutMs: 60_000 });
  const daemons: ManagedProcess[] = [];
  const daemon = (name: string, command: string, args: string[]) => {
    const p = ManagedProcess.start({ name, command, args: ['-c', conf, '-f', ...args], logFile: join(dir, 'log', `${name}.out`) });
    daemons.push(p);
    return p;
  };
  const stop = async () => {
    for (const p of daemons.reverse()) await p.stop(5_000);
    removeDir(dir);
  };
  try {
    const key = (name: string, ...caps: string[]) =>
      runChecked('ceph-authtool', [keyring, '--gen-key', '-n', name, ...caps.flatMap((c) => ['--cap', ...c.split(/ (.*)/s).slice(0, 2)])]);
    await runChecked('ceph-authtool', ['--create-keyring', keyring]);
    await key('mon.', "mon allow *");
    await key('client.admin', 'mon allow *', 'osd allow *', 'mgr allow *');
    await key('osd.0', 'mon allow profile osd', 'osd allow *', 'mgr allow profile osd');
    await key('client.rgw.x', 'mon allow rw', 'osd allow rwx');
    await runChecked('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v1:127.0.0.1:${monPort}]`, join(dir, 'monmap')]);
    await ceph('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap'), '--keyring', keyring]);
    const mon = daemon('mon', 'ceph-mon', ['-i', 'a']);
    const osdUuid = randomUUID();
    const osdId = (await ceph('ceph', ['--connect-timeout', '30', 'osd', 'new', osdUuid])).stdout.trim();
    if (osdId !== '0') throw new Error(`ceph osd new gave id ${osdId}, expected 0`);
    await ceph('ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    const osd = daemon('osd', 'ceph-osd', ['-i', '0']);
    const rgw = daemon('rgw', 'radosgw', ['-n', 'client.rgw.x']);
    const accessKeyId = `AK${randomBytes(8).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(24).toString('base64url');
    const endpoint = `http://127.0.0.1:${s3Port}`;
    await waitFor('the RADOS gateway to answer S3 requests', async () => {
      for (const p of [mon, osd, rgw]) if (!p.running) throw new GiveUp(`${p.name} exited: ${p.logTail()}`);
      const res = await fetch(endpoint).catch(() => null);
      return res !== null;
    }, { timeoutMs: 20_000, intervalMs: 100 });
    await ceph('radosgw-admin', ['-n', 'client.admin', 'user', 'create', '--uid', 'test', '--display-name', 'test', '--access-key', accessKeyId, '--secret-key', secretAccessKey]);
    return { endpoint, accessKeyId, secretAccessKey, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
