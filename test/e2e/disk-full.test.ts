import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, mkdirSync, openSync, readdirSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../support/cleanup';
import { Distribution } from '../support/distribution';
import { send } from '../support/http';
import { buildDiskImage, type DiskImage } from '@wharf/test-kit';
import { freePort } from '../support/ports';
import { RegistryClient } from '../support/registry-client';
import { Wharf } from '../support/wharf';

// Wharf's data directory on a 64 MiB tmpfs (CI runs as root): uploads and proxy fills that do not fit
// answer 507 and free their bytes at once, the process stays up, reads keep working, writes come back
// once space is freed, and Wharf starts on a disk that is completely full.

const MiB = 1 << 20;
const REPO = 'docker-hosted';
const FLOOR = 8 * MiB;

function freeBytes(dir: string): number {
  const fs = statfsSync(dir);
  return fs.bavail * fs.bsize;
}

/** Fills the filesystem of `dir` with `file` until at most `leave` bytes are free (0: until ENOSPC). */
function fillDisk(file: string, leave: number): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(MiB);
  try {
    for (;;) {
      const room = freeBytes(file.slice(0, file.lastIndexOf('/'))) - leave;
      if (room <= 0) return;
      try {
        writeSync(fd, chunk, 0, Math.min(chunk.length, room));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return;
        throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(process.getuid?.() !== 0)('a full disk (data directory on a 64 MiB tmpfs)', () => {
  const cleanup = new Cleanup();
  let tmp: string;
  let disk: string;
  let wharf: Wharf;
  let hosted: RegistryClient;
  let small: DiskImage;
  let big: DiskImage;
  let upstream: Distribution;

  beforeAll(async () => {
    tmp = cleanup.tempDir('disk-full');
    disk = join(tmp, 'disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', disk]);
    cleanup.add('tmpfs', () => execFileSync('umount', [disk]));
    small = await buildDiskImage(join(tmp, 'small'), { layers: [2 * MiB] });
    big = await buildDiskImage(join(tmp, 'big'), { layers: [100 * MiB] });
    upstream = cleanup.stopping('upstream', await Distribution.start({ dir: tmp, name: 'upstream' }));
    await new RegistryClient({ baseUrl: upstream.url }).pushImage('library/big', '1', big, { mode: 'stream' });

    wharf = cleanup.stopping('wharf', await Wharf.start({ dir: tmp, dataDir: join(disk, 'data'), env: { WHARF_MIN_FREE_SPACE: String(FLOOR) } }));
    hosted = await wharf.hostedClient(REPO);
    await hosted.pushImage('team/small', '1', small);
  }, 300_000);

  afterAll(() => cleanup.run());

  const storeDirs = () => ['uploads', 'tmp'].flatMap((d) => readdirSync(join(wharf.dataDir, 'blobs', d)));

  async function stillServing(): Promise<void> {
    expect(wharf.running).toBe(true);
    expect((await send(`${wharf.baseUrl}/service/rest/v1/status`)).status).toBe(200);
    const pulled = await hosted.pull('team/small', '1');
    expect(pulled.digest).toBe(small.manifest.digest);
    expect(pulled.layers.map((l) => l.digest)).toEqual(small.layers.map((l) => l.digest));
  }

  it('a 100 MiB layer streamed in one PATCH: 507 "blob store is full", its bytes freed at once', async () => {
    const before = freeBytes(disk);
    const layer = big.layers[0]!;
    const location = await hosted.startUpload('team/big');
    const res = await hosted.request('PATCH', location.toString(), {
      name: 'team/big',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: () => createReadStream(layer.path, { highWaterMark: MiB }),
    });
    expect(res.status, res.text()).toBe(507);
    expect(res.text()).toMatch(/blob store is full/);
    expect(storeDirs()).toEqual([]);
    expect(freeBytes(disk)).toBeGreaterThan(before - MiB);
    // The session is gone with its bytes: resuming it says so.
    expect((await hosted.request('GET', location.toString(), { name: 'team/big' })).status).toBe(404);
    await stillServing();
  });

  it('the same layer in one monolithic PUT: 507, nothing left behind', async () => {
    const before = freeBytes(disk);
    // The 507 is answered while the client is still sending the 100 MiB body: the connection closes lingering
    // (the rest is read and dropped), so the client reads the 507 rather than a reset.
    await expect(hosted.uploadBlob('team/big', big.layers[0]!, { mode: 'monolithic' })).rejects.toThrow(/507/);
    expect(storeDirs()).toEqual([]);
    expect(freeBytes(disk)).toBeGreaterThan(before - MiB);
    await stillServing();
  });

  it('a proxy fill that does not fit fails, its temporary file is freed, and the proxy still serves what fits', async () => {
    const proxyPort = await freePort();
    await wharf.createProxyRepo('upstream-proxy', { remoteUrl: upstream.url, httpPort: proxyPort, negativeCache: false, autoBlock: false });
    const proxy = wharf.adminClient(`http://127.0.0.1:${proxyPort}`);
    const before = freeBytes(disk);
    const layer = big.layers[0]!;
    const got = await proxy.fetchBlob('library/big', layer.digest).catch((err: Error) => ({ status: 0, digest: err.message, size: 0 }));
    // Either refused before the body started (507) or cut: never the whole, verified blob.
    expect(got.digest).not.toBe(layer.digest);
    if (got.status !== 200) expect(got.status === 507 || got.status === 0, JSON.stringify(got)).toBe(true);
    expect(storeDirs()).toEqual([]);
    expect(freeBytes(disk)).toBeGreaterThan(before - MiB);
    const config = await proxy.fetchBlob('library/big', big.config.digest);
    expect(config.digest).toBe(big.config.digest);
    await stillServing();
  });

  it('below the free-space floor: uploads refused before they start, status/writable 503, reads work; freeing space brings writes back', async () => {
    const ballast = join(disk, 'ballast');
    fillDisk(ballast, FLOOR / 2);
    try {
      const start = await hosted.request('POST', '/team/small/blobs/uploads/', { name: 'team/small' });
      expect(start.status, start.text()).toBe(507);
      expect(start.text()).toMatch(/kept free/);
      const writable = await send(`${wharf.baseUrl}/service/rest/v1/status/writable`);
      expect(writable.status).toBe(503);
      expect(writable.text()).toMatch(/kept free/);
      await stillServing();
    } finally {
      rmSync(ballast);
    }
    expect((await send(`${wharf.baseUrl}/service/rest/v1/status/writable`)).status).toBe(200);
    const again = await buildDiskImage(join(tmp, 'again'), { layers: [MiB] });
    await hosted.pushImage('team/again', '1', again);
    expect((await hosted.pull('team/again', '1')).digest).toBe(again.manifest.digest);
  });

  it('starts on a disk with no space left at all (its space reserve is released), serves reads, and stays up when even the log file cannot be written', async () => {
    const ballast = join(disk, 'ballast');
    const more = join(disk, 'ballast-2');
    await wharf.stop();
    fillDisk(ballast, 0);
    try {
      expect(freeBytes(disk)).toBeLessThan(64 * 1024);
      await wharf.start();
      await stillServing();
      // Now nothing is left, not even for a log line: every request below logs one.
      fillDisk(more, 0);
      for (let i = 0; i < 5; i++) await stillServing();
      expect((await send(`${wharf.baseUrl}/service/rest/v1/status/writable`)).status).toBe(503);
      // Still ready: it serves pulls, so the load balancer keeps it; the details say it takes no writes.
      const ready = await send(`${wharf.baseUrl}/service/rest/v1/status/ready`);
      expect(ready.status, ready.text()).toBe(200);
      expect(JSON.parse(ready.text()).details['Blob Stores'].default).toMatchObject({ writable: false, reason: expect.stringMatching(/kept free/) });
      const refused = await hosted.request('POST', '/team/small/blobs/uploads/', { name: 'team/small' });
      expect(refused.status).toBe(507);
      expect(wharf.running).toBe(true);
    } finally {
      rmSync(ballast);
      rmSync(more, { force: true });
    }
    expect((await send(`${wharf.baseUrl}/service/rest/v1/status/writable`)).status).toBe(200);
    await hosted.pushImage('team/after', '1', small);
    expect(wharf.running).toBe(true);
  });

});
