import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '@wharf/oci';
import { errorOf } from '@wharf/test-kit';
import { FileBlobStore } from './file-blob-store';
import { isStoreFull } from '../storage-error';

// A full disk on a real filesystem: an 8 MiB tmpfs (CI runs as root). Writes that meet ENOSPC answer
// 507 "the blob store is full", free what they wrote at once, and the store keeps working.

const MIB = 1024 * 1024;
const root = process.getuid?.() === 0;
let mountPoint: string;
let mounted = false;

beforeAll(async () => {
  if (!root) return;
  mountPoint = await mkdtemp(join(tmpdir(), 'wharf-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', mountPoint]);
  mounted = true;
});

afterAll(async () => {
  if (mounted) execFileSync('umount', [mountPoint]);
  if (mountPoint) await rm(mountPoint, { recursive: true, force: true });
});

/** A stream of `size` random bytes in 256 KiB chunks. */
function bytes(size: number): Readable {
  let left = size;
  return new Readable({
    read() {
      const n = Math.min(left, 256 * 1024);
      left -= n;
      this.push(n > 0 ? randomBytes(n) : null);
    },
  });
}

describe.skipIf(!root)('FileBlobStore on a full disk (8 MiB tmpfs)', () => {
  let store: FileBlobStore;
  let dir: string;

  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function freshStore(minFreeBytes = 0): Promise<FileBlobStore> {
    dir = await mkdtemp(join(mountPoint, 'store-'));
    store = new FileBlobStore({ root: dir, minFreeBytes });
    await store.init();
    return store;
  }

  it('a blob larger than the disk: 507 store full, its temporary file removed, space back, the store still works', async () => {
    await freshStore();
    const before = await store.availableSpace();
    const err = await errorOf(store.write(bytes(12 * MIB)));
    expect(isStoreFull(err), err.message).toBe(true);
    expect(err.message).toMatch(/blob store is full/);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await store.availableSpace()).toBe(before);
    const small = randomBytes(1000);
    expect((await store.write(Readable.from([small]), { digest: digestOf(small) })).size).toBe(1000);
  });

  it('an upload that fills the disk is discarded at once (not in 24 hours) and says so', async () => {
    await freshStore();
    const before = await store.availableSpace();
    const id = await store.uploads.create();
    expect(await store.uploads.append(id, bytes(MIB), 0)).toBe(MIB);
    const err = await errorOf(store.uploads.append(id, bytes(12 * MIB), MIB));
    expect(isStoreFull(err), err.message).toBe(true);
    expect(err.message).toMatch(/discarded/);
    expect(await store.uploads.size(id)).toBeNull();
    expect(await readdir(join(dir, 'uploads'))).toEqual([]);
    expect(await store.availableSpace()).toBe(before);
    // Space is there again: a new upload completes.
    const again = await store.uploads.create();
    const data = randomBytes(2 * MIB);
    await store.uploads.append(again, Readable.from([data]), 0);
    expect((await store.uploads.commit(again, digestOf(data))).size).toBe(2 * MIB);
  });

  it('below the free-space floor, uploads and writes are refused before they start; above it they work', async () => {
    await freshStore(4 * MIB);
    const ballast = join(mountPoint, 'ballast');
    await writeFile(ballast, Buffer.alloc(5 * MIB));
    try {
      for (const attempt of [store.uploads.create(), store.write(bytes(10)), store.write(bytes(10), { size: 10 })]) {
        const err = await errorOf(attempt);
        expect(isStoreFull(err), err.message).toBe(true);
        expect(err.message).toMatch(/kept free/);
      }
      expect(await store.floor.problem()).toMatch(/kept free/);
      expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    } finally {
      await rm(ballast);
    }
    expect(await store.floor.problem()).toBeNull();
    // A write whose size is known and would cross the floor is refused before a byte is written.
    const err = await errorOf(store.write(bytes(6 * MIB), { size: 6 * MIB }));
    expect(err.message).toMatch(/would leave less than/);
    await store.uploads.create();
  });
});
