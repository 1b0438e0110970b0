/**
 * The contract every BlobStore implementation passes. Not a test file by itself: an
 * implementation's test calls `describeBlobStoreContract(name, factory)`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { digestOf, isRegistryError } from '@wharf/oci';
import { collect, streamOf } from '@wharf/test-kit';
import { TestCa } from '../../../test/support/tls';
import { waitFor } from '../../../test/support/wait';
import type { BlobContent, BlobStore, StoredBlob, WriteInProgress } from '../src/blob-store';
import { DeliveryServer, fetchPath, type Transport } from './delivery';

export interface BlobStoreFixture {
  store: BlobStore;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;
const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A source that yields the first `failAfter` bytes of `data`, then errors (a dropped client). */
export function failingSource(data: Buffer, failAfter: number, chunkSize = 16 * 1024): Readable {
  return Readable.from(
    (async function* () {
      for (let off = 0; off < failAfter; off += chunkSize) {
        await new Promise((r) => setImmediate(r));
        yield data.subarray(off, Math.min(off + chunkSize, failAfter));
      }
      await new Promise((r) => setImmediate(r));
      throw Object.assign(new Error('client went away'), { code: 'ECONNRESET' });
    })(),
    { objectMode: false },
  );
}

export async function expectRegistryError(
  promise: Promise<unknown>,
  code: string,
  status?: number,
): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  expect(error, `expected RegistryError ${code}`).toBeDefined();
  expect(isRegistryError(error), `expected a RegistryError, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  if (status !== undefined) expect((error as { status: number }).status).toBe(status);
}

/** Polls `condition` (synchronisation only). */
const until = (condition: () => boolean) => waitFor('the reader to catch up', condition, { timeoutMs: 20_000, intervalMs: 5 });

/** The store's listing, sorted by digest. */
export async function listAll(store: BlobStore): Promise<StoredBlob[]> {
  const blobs: StoredBlob[] = [];
  for await (const blob of store.list()) blobs.push(blob);
  return blobs.sort((a, b) => a.digest.localeCompare(b.digest));
}

export interface ContractOptions {
  /** The store offers writes in progress to readers (WriteOptions.onStarted); default true. */
  followsWrites?: boolean;
}

export function describeBlobStoreContract(name: string, factory: () => Promise<BlobStoreFixture>, options: ContractOptions = {}): void {
  const followsWrites = options.followsWrites ?? true;
  describe(`BlobStore contract: ${name}`, () => {
    let fixture: BlobStoreFixture;
    let store: BlobStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('blobs', () => {
      it('round-trips multi-MiB random data with exact bytes (write, stat, read)', async () => {
        const data = randomBytes(3 * MiB + 12345);
        const digest = digestOf(data);
        const info = await store.write(streamOf(data), { digest, size: data.length });
        expect(info).toEqual({ digest, size: data.length });
        expect(await store.stat(digest)).toEqual({ digest, size: data.length });

        const content = await store.open(digest);
        expect(content).not.toBeNull();
        expect(content!.digest).toBe(digest);
        expect(content!.size).toBe(data.length);
        expect(content!.range).toBeUndefined();
        const body = await collect(content!.stream());
        expect(body.length).toBe(data.length);
        expect(body.equals(data)).toBe(true);
      });

      it('computes the sha256 digest when none is expected', async () => {
        const data = randomBytes(200_000);
        const info = await store.write(streamOf(data, 7_000));
        expect(info).toEqual({ digest: digestOf(data), size: data.length });
        expect((await collect((await store.open(info.digest))!.stream())).equals(data)).toBe(true);
      });

      it('serves ranged reads', async () => {
        const data = randomBytes(2 * MiB + 777);
        const digest = digestOf(data);
        await store.write(streamOf(data), { digest });
        const ranges: Array<[number, number]> = [
          [0, 0],
          [0, 99],
          [1, MiB + 5],
          [MiB - 1, MiB],
          [12345, data.length - 1],
          [data.length - 1, data.length - 1],
          [0, data.length - 1],
        ];
        for (const [start, end] of ranges) {
          const content = (await store.open(digest))!.slice({ start, end });
          expect(content.size).toBe(data.length);
          expect(content.range).toEqual({ start, end });
          const body = await collect(content.stream());
          expect(body.equals(data.subarray(start, end + 1)), `range ${start}-${end}`).toBe(true);
        }
      });

      it('rejects a range outside the blob with RANGE_INVALID', async () => {
        const data = randomBytes(1000);
        const digest = digestOf(data);
        await store.write(streamOf(data), { digest });
        for (const range of [
          { start: 0, end: 1000 },
          { start: 10, end: 9 },
          { start: -1, end: 5 },
          { start: 0.5, end: 5 },
        ]) {
          const content = (await store.open(digest))!;
          expect(() => content.slice(range), JSON.stringify(range)).toThrow(expect.objectContaining({ code: 'RANGE_INVALID', status: 416 }));
        }
      });

      it('answers null/false for absent blobs', async () => {
        const digest = digestOf(randomBytes(32));
        expect(await store.stat(digest)).toBeNull();
        expect(await store.open(digest)).toBeNull();
        expect(await store.delete(digest)).toBe(false);
      });

      it('rejects malformed digests with DIGEST_INVALID', async () => {
        for (const bad of ['', 'sha256:', 'sha256:../../etc/passwd', 'md5:d41d8cd98f00b204e9800998ecf8427e', `sha256:${'A'.repeat(64)}`]) {
          await expectRegistryError(store.stat(bad), 'DIGEST_INVALID', 400);
          await expectRegistryError(store.open(bad), 'DIGEST_INVALID', 400);
          await expectRegistryError(store.delete(bad), 'DIGEST_INVALID', 400);
        }
        await expectRegistryError(store.write(streamOf(Buffer.from('x')), { digest: 'sha256:nope' }), 'DIGEST_INVALID', 400);
      });

      it('rejects a digest mismatch with DIGEST_INVALID and stores nothing', async () => {
        const data = randomBytes(MiB + 3);
        const claimed = digestOf(randomBytes(16));
        await expectRegistryError(store.write(streamOf(data), { digest: claimed, size: data.length }), 'DIGEST_INVALID', 400);
        expect(await store.stat(claimed)).toBeNull();
        expect(await store.stat(digestOf(data))).toBeNull();
        expect(await store.open(digestOf(data))).toBeNull();
      });

      it('rejects a size mismatch with SIZE_INVALID and stores nothing', async () => {
        const data = randomBytes(300_000);
        const digest = digestOf(data);
        await expectRegistryError(store.write(streamOf(data), { digest, size: data.length + 1 }), 'SIZE_INVALID', 400);
        await expectRegistryError(store.write(streamOf(data), { digest, size: data.length - 1 }), 'SIZE_INVALID', 400);
        await expectRegistryError(store.write(streamOf(data), { size: 10 }), 'SIZE_INVALID', 400);
        expect(await store.stat(digest)).toBeNull();
        expect(await store.open(digest)).toBeNull();
      });

      it('stores nothing when the source fails midway', async () => {
        const data = randomBytes(500_000);
        const digest = digestOf(data);
        await expect(store.write(failingSource(data, 200_000), { digest })).rejects.toThrow();
        await expect(store.write(failingSource(data, 200_000))).rejects.toThrow();
        expect(await store.stat(digest)).toBeNull();
        expect(await store.stat(digestOf(data.subarray(0, 200_000)))).toBeNull();
      });

      it('never shows a blob before its write has completed', async () => {
        const data = randomBytes(256 * 1024);
        const digest = digestOf(data);
        const src = new Readable({ read() {} });
        const pending = store.write(src, { digest });
        src.push(data.subarray(0, 100_000));
        await new Promise((r) => setTimeout(r, 20));
        expect(await store.stat(digest)).toBeNull();
        expect(await store.open(digest)).toBeNull();
        src.push(data.subarray(100_000));
        src.push(null);
        expect(await pending).toEqual({ digest, size: data.length });
        expect(await store.stat(digest)).toEqual({ digest, size: data.length });
      });

      it('writes an existing blob idempotently', async () => {
        const data = randomBytes(123_456);
        const digest = digestOf(data);
        const first = await store.write(streamOf(data), { digest, size: data.length });
        const second = await store.write(streamOf(data, 1000), { digest, size: data.length });
        const third = await store.write(streamOf(data));
        expect(second).toEqual(first);
        expect(third).toEqual(first);
        expect(await store.stat(digest)).toEqual(first);
        expect((await collect((await store.open(digest))!.stream())).equals(data)).toBe(true);
      });

      it('deletes a blob', async () => {
        const data = randomBytes(10_000);
        const digest = digestOf(data);
        await store.write(streamOf(data), { digest });
        expect(await store.delete(digest)).toBe(true);
        expect(await store.stat(digest)).toBeNull();
        expect(await store.open(digest)).toBeNull();
        expect(await store.delete(digest)).toBe(false);
        // and it can come back
        expect(await store.write(streamOf(data), { digest })).toEqual({ digest, size: data.length });
        expect(await store.stat(digest)).toEqual({ digest, size: data.length });
      });

      it('supports sha512 digests', async () => {
        const data = randomBytes(MiB + 17);
        const digest = digestOf(data, 'sha512');
        expect(await store.write(streamOf(data), { digest, size: data.length })).toEqual({ digest, size: data.length });
        expect(await store.stat(digest)).toEqual({ digest, size: data.length });
        const body = await collect((await store.open(digest))!.stream());
        expect(body.equals(data)).toBe(true);
        const part = (await store.open(digest))!.slice({ start: 5, end: 50 });
        expect((await collect(part.stream())).equals(data.subarray(5, 51))).toBe(true);
        // the same bytes under sha256 are a different blob
        expect(await store.stat(digestOf(data))).toBeNull();
        await expectRegistryError(
          store.write(streamOf(data), { digest: digestOf(randomBytes(8), 'sha512') }),
          'DIGEST_INVALID',
        );
        expect(await store.delete(digest)).toBe(true);
        expect(await store.stat(digest)).toBeNull();
      });

      it('stores and reads a 0-byte blob', async () => {
        const info = await store.write(Readable.from([]), { digest: EMPTY_SHA256, size: 0 });
        expect(info).toEqual({ digest: EMPTY_SHA256, size: 0 });
        expect(await store.stat(EMPTY_SHA256)).toEqual({ digest: EMPTY_SHA256, size: 0 });
        const content = await store.open(EMPTY_SHA256);
        expect(content!.size).toBe(0);
        expect(content!.range).toBeUndefined();
        expect((await collect(content!.stream())).length).toBe(0);
        expect(await store.write(Readable.from([]))).toEqual(info);
      });

      it('lets concurrent writers of one digest all succeed with one intact blob', async () => {
        const data = randomBytes(2 * MiB + 1);
        const digest = digestOf(data);
        const writers = Array.from({ length: 8 }, (_, i) =>
          store.write(streamOf(data, 32 * 1024 + i * 1000), i % 2 === 0 ? { digest, size: data.length } : undefined),
        );
        // and one liar among them, which must not disturb the others
        const liar = store.write(streamOf(randomBytes(data.length)), { digest, size: data.length });
        const [results] = await Promise.all([Promise.all(writers), expectRegistryError(liar, 'DIGEST_INVALID')]);
        for (const r of results) expect(r).toEqual({ digest, size: data.length });
        expect(await store.stat(digest)).toEqual({ digest, size: data.length });
        expect((await collect((await store.open(digest))!.stream())).equals(data)).toBe(true);
      });

      it('keeps reads of a blob intact while it is written again', async () => {
        const data = randomBytes(3 * MiB);
        const digest = digestOf(data);
        await store.write(streamOf(data), { digest });
        const reads = Array.from({ length: 3 }, async () => collect((await store.open(digest))!.stream()));
        const writes = Array.from({ length: 3 }, () => store.write(streamOf(data), { digest }));
        await Promise.all(writes);
        for (const body of await Promise.all(reads)) expect(body.equals(data)).toBe(true);
      });
    });

    describe.each<Transport>(['http', 'https'])('delivery to an HTTP response (%s)', (transport) => {
      // Over plain HTTP a store may send in the kernel (sendfile); over TLS it must copy: both are covered.
      let ca: TestCa;
      let server: DeliveryServer;

      beforeAll(async () => {
        ca = TestCa.create();
        const cert = ca.issue(['127.0.0.1']);
        server = await DeliveryServer.start(transport, { cert: cert.cert, key: cert.key, ca: ca.cert });
      });

      afterAll(async () => {
        await server?.close();
        ca?.dispose();
      });

      async function stored(size: number): Promise<{ data: Buffer; digest: string }> {
        const data = randomBytes(size);
        const digest = digestOf(data);
        await store.write(streamOf(data, MiB), { digest, size });
        return { data, digest };
      }

      const opened = async (digest: string): Promise<BlobContent> => (await store.open(digest))!;

      it('delivers a whole blob and ranges byte for byte, and the keep-alive connection carries on', async () => {
        const { data, digest } = await stored(5 * MiB + 77);
        const whole = await fetchPath(server, server.route(() => opened(digest)));
        const part = await fetchPath(server, server.route(async () => (await opened(digest)).slice({ start: MiB + 3, end: 3 * MiB })));
        const last = await fetchPath(server, server.route(async () => (await opened(digest)).slice({ start: data.length - 1, end: data.length - 1 })));
        const again = await fetchPath(server, server.route(() => opened(digest)));
        expect([whole.status, part.status, last.status, again.status]).toEqual([200, 206, 206, 200]);
        expect(whole.complete && whole.body.equals(data)).toBe(true);
        expect(part.complete && part.body.equals(data.subarray(MiB + 3, 3 * MiB + 1))).toBe(true);
        expect(last.body.equals(data.subarray(data.length - 1))).toBe(true);
        expect(again.complete && again.body.equals(data)).toBe(true);
        expect(new Set([whole.socket, part.socket, last.socket, again.socket]).size).toBe(1);
      });

      it('delivers a 0-byte blob', async () => {
        await store.write(Readable.from([]), { digest: EMPTY_SHA256, size: 0 });
        const got = await fetchPath(server, server.route(() => opened(EMPTY_SHA256)));
        expect(got).toMatchObject({ status: 200, complete: true });
        expect(got.body.length).toBe(0);
      });

      it('a reader that stops reading and hangs up: that delivery fails, the store and the next reader do not', { timeout: 20_000 }, async () => {
        // Larger than the loopback socket buffers can hold, so the sender really waits for the reader.
        const { data, digest } = await stored(48 * MiB);
        const path = server.route(() => opened(digest));
        const stopped = await fetchPath(server, path, { stopAfter: MiB, hangUpAfterMs: 200 });
        expect(stopped.complete).toBe(false);
        expect(await server.outcomes.get(path)).toBeInstanceOf(Error);
        const next = await fetchPath(server, server.route(() => opened(digest)));
        expect(next.complete && next.body.equals(data)).toBe(true);
      });

      /** Starts a write of `data` from a source the test feeds; resolves once readers may follow it. */
      async function writing(data: Buffer, expectedDigest = digestOf(data)) {
        const feed = new PassThrough();
        let started!: (write: WriteInProgress) => void;
        const following = new Promise<WriteInProgress>((resolve) => (started = resolve));
        const done = store.write(feed, { digest: expectedDigest, size: data.length }, { onStarted: started });
        done.catch(() => undefined);
        return { feed, done, write: await following };
      }

      it.runIf(followsWrites)('follows a write: bytes go out as they arrive, the last one only once the digest matched', async () => {
        const data = randomBytes(6 * MiB + 5);
        const { feed, done, write } = await writing(data);
        let received = 0;
        const path = server.route(async () => (await write.follow())!);
        const reading = fetchPath(server, path, { onBytes: (n) => (received = n) });
        feed.write(data.subarray(0, 2 * MiB));
        await until(() => received >= 2 * MiB - 1);
        feed.write(data.subarray(2 * MiB));
        // Every byte has arrived, but the write has not seen the end of its source: it cannot have verified it.
        await until(() => received >= data.length - 1);
        await new Promise((r) => setTimeout(r, 100));
        expect(received).toBe(data.length - 1);
        feed.end();
        const got = await reading;
        expect(got.complete && got.body.equals(data)).toBe(true);
        expect(await done).toEqual({ digest: digestOf(data), size: data.length });
        expect(await server.outcomes.get(path)).toBe('ok');
        // Following a write that has completed reads the stored blob.
        const after = await fetchPath(server, server.route(async () => (await write.follow())!));
        expect(after.complete && after.body.equals(data)).toBe(true);
      });

      it.runIf(followsWrites)('follows a write with a range, and as a stream', async () => {
        const data = randomBytes(3 * MiB);
        const { feed, done, write } = await writing(data);
        const part = fetchPath(server, server.route(async () => (await write.follow())!.slice({ start: 10, end: MiB })));
        const streamed = collect((await write.follow())!.stream());
        feed.end(data);
        expect((await part).body.equals(data.subarray(10, MiB + 1))).toBe(true);
        expect((await streamed).equals(data)).toBe(true);
        await done;
      });

      it.runIf(followsWrites)('a write whose content is corrupt: its followers are cut off short, and following it afterwards fails', async () => {
        const data = randomBytes(4 * MiB);
        const claimed = digestOf(randomBytes(16));
        const { feed, done, write } = await writing(data, claimed);
        const path = server.route(async () => (await write.follow())!);
        const reading = fetchPath(server, path);
        feed.end(data);
        await expectRegistryError(done, 'DIGEST_INVALID');
        const got = await reading;
        expect(got.complete).toBe(false);
        expect(got.body.length).toBeLessThan(data.length);
        expect(await server.outcomes.get(path)).toMatchObject({ code: 'DIGEST_INVALID' });
        await expectRegistryError(write.follow(), 'DIGEST_INVALID');
        expect(await store.stat(claimed)).toBeNull();
      });

      it.runIf(followsWrites)('a follower that stops reading does not hold the write back', { timeout: 20_000 }, async () => {
        const data = randomBytes(40 * MiB);
        const { feed, done, write } = await writing(data);
        const path = server.route(async () => (await write.follow())!);
        const reading = fetchPath(server, path, { stopAfter: 64 * 1024, hangUpAfterMs: 1_500, ownConnection: true });
        feed.end(data);
        expect(await done).toEqual({ digest: digestOf(data), size: data.length });
        // The follower is still there, its connection open and unread: the write completed regardless.
        const other = await fetchPath(server, server.route(() => opened(digestOf(data))));
        expect(other.complete && other.body.equals(data)).toBe(true);
        expect((await reading).complete).toBe(false);
        expect(await server.outcomes.get(path)).toBeInstanceOf(Error);
      });
    });

    describe('listing', () => {
      it('lists every complete blob once, with its size and a recent modification time', async () => {
        expect(await listAll(store)).toEqual([]);
        const before = Date.now() - 5_000;
        const blobs = [randomBytes(10), randomBytes(MiB + 3), Buffer.alloc(0)];
        const written = [];
        for (const data of blobs) written.push(await store.write(streamOf(data)));
        const sha512 = randomBytes(100);
        written.push(await store.write(streamOf(sha512), { digest: digestOf(sha512, 'sha512') }));
        // an upload in progress and a failed write are not blobs
        const id = await store.uploads.create();
        await store.uploads.append(id, streamOf(randomBytes(1000)), 0);
        await expectRegistryError(store.write(streamOf(randomBytes(10)), { digest: digestOf(randomBytes(10)) }), 'DIGEST_INVALID');

        const listed = await listAll(store);
        expect(listed.map(({ digest, size }) => ({ digest, size }))).toEqual(
          [...written].sort((a, b) => a.digest.localeCompare(b.digest)),
        );
        for (const blob of listed) {
          expect(blob.lastModified).toBeInstanceOf(Date);
          expect(blob.lastModified.getTime()).toBeGreaterThanOrEqual(before);
          expect(blob.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
        }
      });

      it('no longer lists a deleted blob', async () => {
        const kept = await store.write(streamOf(randomBytes(20)));
        const gone = await store.write(streamOf(randomBytes(30)));
        expect(await store.delete(gone.digest)).toBe(true);
        expect((await listAll(store)).map((b) => b.digest)).toEqual([kept.digest]);
      });

      it('streams a listing while blobs are deleted under it', async () => {
        const written = [];
        for (let i = 0; i < 40; i += 1) written.push(await store.write(streamOf(randomBytes(64))));
        const seen: string[] = [];
        for await (const blob of store.list()) {
          seen.push(blob.digest);
          // delete something not yet seen: it may or may not appear, but the walk must not fail
          const victim = written.find((w) => !seen.includes(w.digest));
          if (victim) await store.delete(victim.digest);
        }
        expect(new Set(seen).size).toBe(seen.length);
        for (const digest of seen) expect(written.map((w) => w.digest)).toContain(digest);
      });

      it('tells how much space is left, or null when it cannot', async () => {
        const space = await store.availableSpace();
        if (space !== null) {
          expect(Number.isSafeInteger(space)).toBe(true);
          expect(space).toBeGreaterThanOrEqual(0);
        }
      });
    });

    describe('uploads', () => {
      it('appends several chunks at the right offsets and commits', async () => {
        const data = randomBytes(2 * MiB + 4321);
        const digest = digestOf(data);
        const id = await store.uploads.create();
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(await store.uploads.size(id)).toBe(0);

        const cuts = [0, 1, 700_000, MiB + 1, data.length];
        for (let i = 0; i + 1 < cuts.length; i++) {
          const chunk = data.subarray(cuts[i], cuts[i + 1]);
          const newSize = await store.uploads.append(id, streamOf(chunk, 50_000), cuts[i]!);
          expect(newSize).toBe(cuts[i + 1]);
          expect(await store.uploads.size(id)).toBe(cuts[i + 1]);
        }
        expect(await store.stat(digest)).toBeNull();

        expect(await store.uploads.commit(id, digest)).toEqual({ digest, size: data.length });
        expect(await store.stat(digest)).toEqual({ digest, size: data.length });
        expect((await collect((await store.open(digest))!.stream())).equals(data)).toBe(true);
        // the session is gone
        expect(await store.uploads.size(id)).toBeNull();
        await expectRegistryError(store.uploads.append(id, streamOf(Buffer.from('x')), data.length), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(store.uploads.commit(id, digest), 'BLOB_UPLOAD_UNKNOWN', 404);
      });

      it('gives every session its own id', async () => {
        const ids = await Promise.all(Array.from({ length: 5 }, () => store.uploads.create()));
        expect(new Set(ids).size).toBe(5);
      });

      it('rejects an append at the wrong offset with 416 RANGE_INVALID and keeps the data', async () => {
        const id = await store.uploads.create();
        await expectRegistryError(store.uploads.append(id, streamOf(Buffer.from('abc')), 1), 'RANGE_INVALID', 416);
        expect(await store.uploads.size(id)).toBe(0);
        expect(await store.uploads.append(id, streamOf(Buffer.from('hello ')), 0)).toBe(6);
        await expectRegistryError(store.uploads.append(id, streamOf(Buffer.from('xx')), 0), 'RANGE_INVALID', 416);
        await expectRegistryError(store.uploads.append(id, streamOf(Buffer.from('xx')), 7), 'RANGE_INVALID', 416);
        await expectRegistryError(store.uploads.append(id, streamOf(Buffer.from('xx')), 5), 'RANGE_INVALID', 416);
        expect(await store.uploads.size(id)).toBe(6);
        expect(await store.uploads.append(id, streamOf(Buffer.from('world')), 6)).toBe(11);
        const digest = digestOf(Buffer.from('hello world'));
        expect(await store.uploads.commit(id, digest)).toEqual({ digest, size: 11 });
        expect((await collect((await store.open(digest))!.stream())).toString()).toBe('hello world');
      });

      it('rejects a commit with the wrong digest and keeps the session', async () => {
        const data = randomBytes(400_000);
        const id = await store.uploads.create();
        await store.uploads.append(id, streamOf(data), 0);
        const wrong = digestOf(randomBytes(10));
        await expectRegistryError(store.uploads.commit(id, wrong), 'DIGEST_INVALID', 400);
        expect(await store.stat(wrong)).toBeNull();
        expect(await store.stat(digestOf(data))).toBeNull();
        expect(await store.uploads.size(id)).toBe(data.length);
        await expectRegistryError(store.uploads.commit(id, 'sha256:bogus'), 'DIGEST_INVALID', 400);
        // the client may retry with the right digest ...
        expect(await store.uploads.commit(id, digestOf(data))).toEqual({ digest: digestOf(data), size: data.length });
        expect(await store.uploads.size(id)).toBeNull();
      });

      it('can keep appending after a failed commit', async () => {
        const a = randomBytes(100_000);
        const b = randomBytes(50_000);
        const id = await store.uploads.create();
        await store.uploads.append(id, streamOf(a), 0);
        await expectRegistryError(store.uploads.commit(id, digestOf(Buffer.concat([a, b]))), 'DIGEST_INVALID');
        expect(await store.uploads.append(id, streamOf(b), a.length)).toBe(a.length + b.length);
        const digest = digestOf(Buffer.concat([a, b]));
        expect(await store.uploads.commit(id, digest)).toEqual({ digest, size: a.length + b.length });
      });

      it('keeps the bytes that arrived before the source failed, without corrupting anything', async () => {
        const data = randomBytes(600_000);
        const digest = digestOf(data);
        const id = await store.uploads.create();
        await store.uploads.append(id, streamOf(data.subarray(0, 100_000)), 0);
        await expect(store.uploads.append(id, failingSource(data.subarray(100_000), 250_000), 100_000)).rejects.toThrow();
        const size = (await store.uploads.size(id))!;
        expect(size).toBeGreaterThanOrEqual(100_000);
        expect(size).toBeLessThanOrEqual(350_000);
        // the client resumes from where the store says it is
        expect(await store.uploads.append(id, streamOf(data.subarray(size)), size)).toBe(data.length);
        expect(await store.uploads.commit(id, digest)).toEqual({ digest, size: data.length });
        expect((await collect((await store.open(digest))!.stream())).equals(data)).toBe(true);
      });

      it('commits into an existing blob (dedupe)', async () => {
        const data = randomBytes(70_000);
        const digest = digestOf(data);
        await store.write(streamOf(data), { digest });
        const id = await store.uploads.create();
        await store.uploads.append(id, streamOf(data), 0);
        expect(await store.uploads.commit(id, digest)).toEqual({ digest, size: data.length });
        expect(await store.uploads.size(id)).toBeNull();
        expect((await collect((await store.open(digest))!.stream())).equals(data)).toBe(true);
      });

      it('commits with sha512', async () => {
        const data = randomBytes(MiB + 99);
        const digest = digestOf(data, 'sha512');
        const id = await store.uploads.create();
        await store.uploads.append(id, streamOf(data.subarray(0, 1000)), 0);
        await store.uploads.append(id, streamOf(data.subarray(1000)), 1000);
        expect(await store.uploads.commit(id, digest)).toEqual({ digest, size: data.length });
        expect((await collect((await store.open(digest))!.stream())).equals(data)).toBe(true);
      });

      it('commits an empty upload as the 0-byte blob', async () => {
        const id = await store.uploads.create();
        expect(await store.uploads.commit(id, EMPTY_SHA256)).toEqual({ digest: EMPTY_SHA256, size: 0 });
        expect(await store.stat(EMPTY_SHA256)).toEqual({ digest: EMPTY_SHA256, size: 0 });
        const id2 = await store.uploads.create();
        expect(await store.uploads.append(id2, Readable.from([]), 0)).toBe(0);
        expect(await store.uploads.commit(id2, EMPTY_SHA256)).toEqual({ digest: EMPTY_SHA256, size: 0 });
      });

      it('cancels a session', async () => {
        const id = await store.uploads.create();
        await store.uploads.append(id, streamOf(randomBytes(1000)), 0);
        expect(await store.uploads.cancel(id)).toBe(true);
        expect(await store.uploads.size(id)).toBeNull();
        expect(await store.uploads.cancel(id)).toBe(false);
        await expectRegistryError(store.uploads.append(id, streamOf(Buffer.from('x')), 0), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(store.uploads.commit(id, EMPTY_SHA256), 'BLOB_UPLOAD_UNKNOWN', 404);
      });

      it('treats unknown and malformed ids as unknown', async () => {
        for (const id of [randomUUID(), 'nope', '../../etc', '', '..', `${randomUUID()}/../x`]) {
          expect(await store.uploads.size(id)).toBeNull();
          await expectRegistryError(store.uploads.append(id, streamOf(Buffer.from('x')), 0), 'BLOB_UPLOAD_UNKNOWN', 404);
          await expectRegistryError(store.uploads.commit(id, EMPTY_SHA256), 'BLOB_UPLOAD_UNKNOWN', 404);
          expect(await store.uploads.cancel(id)).toBe(false);
        }
      });

      it('purges sessions last modified before the cut-off', async () => {
        const a = await store.uploads.create();
        const b = await store.uploads.create();
        await store.uploads.append(b, streamOf(randomBytes(100)), 0);
        expect(await store.uploads.purge(new Date(Date.now() - 60_000))).toEqual([]);
        expect(await store.uploads.size(a)).toBe(0);
        expect(await store.uploads.size(b)).toBe(100);

        const purged = await store.uploads.purge(new Date(Date.now() + 60_000));
        expect([...purged].sort()).toEqual([a, b].sort());
        expect(await store.uploads.size(a)).toBeNull();
        expect(await store.uploads.size(b)).toBeNull();
        expect(await store.uploads.purge(new Date(Date.now() + 60_000))).toEqual([]);
      });

      it('does not touch blobs when purging or cancelling', async () => {
        const data = randomBytes(5000);
        const digest = digestOf(data);
        const id = await store.uploads.create();
        await store.uploads.append(id, streamOf(data), 0);
        await store.uploads.commit(id, digest);
        await store.uploads.create();
        await store.uploads.purge(new Date(Date.now() + 60_000));
        expect(await store.stat(digest)).toEqual({ digest, size: data.length });
      });
    });
  });
}
