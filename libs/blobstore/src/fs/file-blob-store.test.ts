import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestOf } from '@wharf/oci';
import { collect, streamOf } from '@wharf/test-kit';
import { describeBlobStoreContract, expectRegistryError, failingSource, listAll } from '../../test/blob-store.contract';
import { FileBlobStore } from './file-blob-store';
import { isUploadId } from './paths';

async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'wharf-blobstore-'));
}

describeBlobStoreContract('FileBlobStore', async () => {
  const root = await tempRoot();
  const store = new FileBlobStore({ root });
  await store.init();
  return { store, cleanup: () => rm(root, { recursive: true, force: true }) };
});

/** Every regular file under `dir`, relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('FileBlobStore (filesystem specifics)', () => {
  let root: string;
  let store: FileBlobStore;

  beforeEach(async () => {
    root = await tempRoot();
    store = new FileBlobStore({ root });
    await store.init();
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates the layout on init', async () => {
    for (const dir of ['blobs', 'uploads', 'tmp']) expect((await stat(join(root, dir))).isDirectory()).toBe(true);
    // init on a fresh, not yet existing root works too
    const nested = join(root, 'a', 'b');
    await new FileBlobStore({ root: nested }).init();
    expect((await stat(join(nested, 'tmp'))).isDirectory()).toBe(true);
  });

  it('lists only well-formed blob files (foreign files, wrong prefixes and directories are skipped)', async () => {
    const data = randomBytes(500);
    const blob = await store.write(streamOf(data));
    const hex = blob.digest.slice('sha256:'.length);
    const other = 'ab'.padEnd(64, '0');
    await writeFile(join(root, 'blobs', 'sha256', hex.slice(0, 2), `${hex}.bak`), 'x');
    await mkdir(join(root, 'blobs', 'sha256', 'zz'), { recursive: true });
    await writeFile(join(root, 'blobs', 'sha256', 'zz', other), 'x');
    await mkdir(join(root, 'blobs', 'sha256', 'cd'), { recursive: true });
    await writeFile(join(root, 'blobs', 'sha256', 'cd', other), 'misplaced');
    await mkdir(join(root, 'blobs', 'md5', 'ab'), { recursive: true });
    await writeFile(join(root, 'blobs', 'md5', 'ab', 'ab12'), 'x');
    await mkdir(join(root, 'blobs', 'sha256', 'ab', other), { recursive: true });
    expect((await listAll(store)).map(({ digest, size }) => ({ digest, size }))).toEqual([{ digest: blob.digest, size: 500 }]);
  });

  it('stores blobs at blobs/<alg>/<first 2 hex>/<hex>', async () => {
    const data = randomBytes(1000);
    const d256 = digestOf(data);
    const d512 = digestOf(data, 'sha512');
    await store.write(streamOf(data), { digest: d256 });
    await store.write(streamOf(data), { digest: d512 });
    const hex256 = d256.slice('sha256:'.length);
    const hex512 = d512.slice('sha512:'.length);
    expect(await filesUnder(join(root, 'blobs'))).toEqual(
      [join('sha256', hex256.slice(0, 2), hex256), join('sha512', hex512.slice(0, 2), hex512)].sort(),
    );
    expect((await readFile(join(root, 'blobs', 'sha256', hex256.slice(0, 2), hex256))).equals(data)).toBe(true);
    expect(await filesUnder(join(root, 'tmp'))).toEqual([]);
  });

  it('removes crash leftovers in tmp/ on init, and keeps blobs and uploads', async () => {
    const data = randomBytes(4000);
    const digest = digestOf(data);
    await store.write(streamOf(data), { digest });
    const id = await store.uploads.create();
    await store.uploads.append(id, streamOf(data), 0);

    await writeFile(join(root, 'tmp', randomUUID()), randomBytes(1234));
    await writeFile(join(root, 'tmp', 'half-written'), 'x');
    await mkdir(join(root, 'tmp', 'some-dir'));
    await writeFile(join(root, 'tmp', 'some-dir', 'f'), 'y');

    const restarted = new FileBlobStore({ root });
    await restarted.init();
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(await restarted.stat(digest)).toEqual({ digest, size: data.length });
    expect(await restarted.uploads.size(id)).toBe(data.length);
  });

  it('leaves nothing in blobs/ or tmp/ after a digest mismatch', async () => {
    const data = randomBytes(2 * 1024 * 1024);
    await expectRegistryError(store.write(streamOf(data), { digest: digestOf(randomBytes(4)) }), 'DIGEST_INVALID');
    await expectRegistryError(store.write(streamOf(data), { digest: digestOf(data), size: 5 }), 'SIZE_INVALID');
    await expect(store.write(failingSource(data, 100_000))).rejects.toThrow('client went away');
    expect(await filesUnder(join(root, 'blobs'))).toEqual([]);
    expect(await filesUnder(join(root, 'tmp'))).toEqual([]);
  });

  it('leaves nothing in tmp/ after successful and duplicate writes', async () => {
    const data = randomBytes(100_000);
    await Promise.all([store.write(streamOf(data)), store.write(streamOf(data)), store.write(streamOf(data))]);
    expect(await filesUnder(join(root, 'tmp'))).toEqual([]);
    expect((await filesUnder(join(root, 'blobs'))).length).toBe(1);
  });

  it('commits an upload in a NEW store instance (restart) by re-hashing the file', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 11);
    const digest = digestOf(data);
    const id = await store.uploads.create();
    await store.uploads.append(id, streamOf(data.subarray(0, 1_500_000)), 0);

    const restarted = new FileBlobStore({ root });
    await restarted.init();
    expect(await restarted.uploads.size(id)).toBe(1_500_000);
    await expectRegistryError(restarted.uploads.append(id, streamOf(data.subarray(1_500_000)), 1_000_000), 'RANGE_INVALID', 416);
    expect(await restarted.uploads.append(id, streamOf(data.subarray(1_500_000)), 1_500_000)).toBe(data.length);
    await expectRegistryError(restarted.uploads.commit(id, digestOf(data.subarray(1))), 'DIGEST_INVALID');
    expect(await restarted.uploads.commit(id, digest)).toEqual({ digest, size: data.length });
    expect((await collect((await restarted.open(digest))!.stream())).equals(data)).toBe(true);
    expect(await readdir(join(root, 'uploads'))).toEqual([]);
  });

  it('does not trust the incremental hash when another instance appended meanwhile', async () => {
    const data = randomBytes(300_000);
    const digest = digestOf(data);
    const id = await store.uploads.create();
    await store.uploads.append(id, streamOf(data.subarray(0, 100_000)), 0);
    const other = new FileBlobStore({ root });
    await other.uploads.append(id, streamOf(data.subarray(100_000, 200_000)), 100_000);
    await store.uploads.append(id, streamOf(data.subarray(200_000)), 200_000);
    expect(await store.uploads.commit(id, digest)).toEqual({ digest, size: data.length });
  });

  it('rejects path-traversal upload ids without touching the filesystem outside uploads/', async () => {
    const outside = join(root, 'outside');
    await mkdir(join(outside, 'data'), { recursive: true });
    await writeFile(join(root, 'victim'), 'keep me');
    const evil = [
      '..',
      '../outside',
      '../../victim',
      '/etc/passwd',
      `${randomUUID()}/../../outside`,
      `../tmp/${randomUUID()}`,
      'a/b',
      `${randomUUID().toUpperCase()}`,
      `${randomUUID()}\0`,
    ];
    for (const id of evil) {
      expect(isUploadId(id)).toBe(false);
      expect(await store.uploads.size(id)).toBeNull();
      await expectRegistryError(store.uploads.append(id, streamOf(Buffer.from('pwn')), 0), 'BLOB_UPLOAD_UNKNOWN', 404);
      await expectRegistryError(store.uploads.commit(id, digestOf(Buffer.alloc(0))), 'BLOB_UPLOAD_UNKNOWN', 404);
      expect(await store.uploads.cancel(id)).toBe(false);
    }
    expect(await readFile(join(root, 'victim'), 'utf8')).toBe('keep me');
    expect((await stat(join(outside, 'data'))).isDirectory()).toBe(true);
  });

  it('ignores foreign entries in uploads/ when purging', async () => {
    await mkdir(join(root, 'uploads', 'not-a-session'));
    const id = await store.uploads.create();
    expect(await store.uploads.purge(new Date(Date.now() + 60_000))).toEqual([id]);
    expect(await readdir(join(root, 'uploads'))).toEqual(['not-a-session']);
  });

  it('purges a session that a crash left without its data file', async () => {
    const id = randomUUID();
    await mkdir(join(root, 'uploads', id));
    expect(await store.uploads.size(id)).toBeNull();
    expect(await store.uploads.purge(new Date(Date.now() + 60_000))).toEqual([id]);
  });

  it('does not purge a session while an append is streaming into it', async () => {
    const id = await store.uploads.create();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = (async function* () {
      yield Buffer.from('first');
      await gate;
      yield Buffer.from('second');
    })();
    const { Readable } = await import('node:stream');
    const appending = store.uploads.append(id, Readable.from(slow, { objectMode: false }), 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.uploads.purge(new Date(Date.now() + 60_000))).toEqual([]);
    release();
    expect(await appending).toBe(11);
    expect(await store.uploads.size(id)).toBe(11);
  });

  it('reports absent blobs as null, not ENOENT, even when the root vanished', async () => {
    await rm(root, { recursive: true, force: true });
    const digest = digestOf(Buffer.from('x'));
    expect(await store.stat(digest)).toBeNull();
    expect(await store.open(digest)).toBeNull();
    expect(await store.delete(digest)).toBe(false);
    expect(await store.uploads.size(randomUUID())).toBeNull();
    expect(await store.uploads.purge(new Date())).toEqual([]);
    const err = await store.write(streamOf(Buffer.from('x'))).catch((e: unknown) => e);
    expect((err as Error).name).toBe('StorageError');
    expect((err as { code?: string }).code).toBeUndefined();
  });
});
