/**
 * The behaviour every WRITABLE DockerRepository shares (hosted; a group through its writable
 * member). Not a test file by itself: an implementation's test calls
 * `describeDockerRepositoryContract(name, factory)`, like the BlobStore contract.
 *
 * The factory returns a fresh, empty, online repository whose write policy lets tags move
 * (ALLOW). `sibling`, when given, is a second repository of the same installation (same blob
 * store and metadata store, another name), used for cross-repository mounts and isolation.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaType, digestOf } from '@wharf/oci';
import type { DockerRepository } from '../src/docker-repository';
import { artifactManifest, blobOf, collect, imageManifest, indexManifest, manifestDescriptor, MT, platformDescriptors, randomBlob, streamOf } from '@wharf/test-kit';
import { allPages, byteOrder, expectRegistryError, pushBlobs, pushImage } from './fixtures';

export interface DockerRepositoryFixture {
  repository: DockerRepository;
  /** Another repository sharing this one's storage, when the implementation has such a thing. */
  sibling?: DockerRepository;
  cleanup(): Promise<void>;
}

export function describeDockerRepositoryContract(name: string, factory: () => Promise<DockerRepositoryFixture>): void {
  describe(`DockerRepository contract: ${name}`, () => {
    let fixture: DockerRepositoryFixture;
    let repo: DockerRepository;
    const extra: DockerRepositoryFixture[] = [];

    beforeEach(async () => {
      fixture = await factory();
      repo = fixture.repository;
    });

    afterEach(async () => {
      await fixture.cleanup();
      for (const f of extra.splice(0)) await f.cleanup();
    });

    /** Uploads `data` as the given chunks (PATCH with Content-Range), then finishes (PUT ?digest). */
    async function chunkedUpload(image: string, data: Buffer, cuts: number[]): Promise<{ id: string; offsets: number[] }> {
      const { id, offset } = await repo.startUpload(image);
      expect(offset).toBe(0);
      const offsets: number[] = [];
      let at = 0;
      for (const end of [...cuts, data.length]) {
        const status = await repo.appendUpload(image, id, streamOf(data.subarray(at, end), 7000), at);
        expect(status.id).toBe(id);
        offsets.push(status.offset);
        at = end;
      }
      return { id, offsets };
    }

    describe('blob uploads', () => {
      it('starts a session at offset 0 and reports its offset', async () => {
        const status = await repo.startUpload('app');
        expect(typeof status.id).toBe('string');
        expect(status.id.length).toBeGreaterThan(0);
        expect(status.offset).toBe(0);
        expect(await repo.getUpload('app', status.id)).toEqual({ id: status.id, offset: 0 });
        const other = await repo.startUpload('app');
        expect(other.id).not.toBe(status.id);
      });

      it('appends chunks at their offsets and finishes with the exact bytes', async () => {
        const data = randomBlob(300_000);
        const { id, offsets } = await chunkedUpload('app', data.bytes, [1, 100_000, 250_000]);
        expect(offsets).toEqual([1, 100_000, 250_000, 300_000]);
        expect(await repo.getUpload('app', id)).toEqual({ id, offset: 300_000 });

        const info = await repo.finishUpload('app', id, data.digest);
        expect(info).toEqual({ digest: data.digest, size: data.bytes.length });
        expect(await repo.statBlob('app', data.digest)).toEqual({ digest: data.digest, size: data.bytes.length });
        const handle = await repo.getBlob('app', data.digest);
        expect(handle?.digest).toBe(data.digest);
        expect(handle?.size).toBe(data.bytes.length);
        expect(handle?.range).toBeUndefined();
        expect((await collect(handle!.stream())).equals(data.bytes)).toBe(true);
      });

      it('appends at the end when the chunk has no start (streamed PATCH without Content-Range)', async () => {
        const data = randomBlob(50_000);
        const { id } = await repo.startUpload('app');
        expect((await repo.appendUpload('app', id, streamOf(data.bytes.subarray(0, 20_000)))).offset).toBe(20_000);
        expect((await repo.appendUpload('app', id, streamOf(data.bytes.subarray(20_000)))).offset).toBe(50_000);
        expect(await repo.finishUpload('app', id, data.digest)).toEqual({ digest: data.digest, size: 50_000 });
        expect((await collect((await repo.getBlob('app', data.digest))!.stream())).equals(data.bytes)).toBe(true);
      });

      it('takes the last chunk with the closing PUT, or the whole blob (monolithic)', async () => {
        const data = randomBlob(40_000);
        const first = await repo.startUpload('app');
        await repo.appendUpload('app', first.id, streamOf(data.bytes.subarray(0, 10_000)), 0);
        expect(await repo.finishUpload('app', first.id, data.digest, streamOf(data.bytes.subarray(10_000)))).toEqual({
          digest: data.digest,
          size: 40_000,
        });

        const whole = randomBlob(12_345);
        const second = await repo.startUpload('app');
        expect(await repo.finishUpload('app', second.id, whole.digest, streamOf(whole.bytes))).toEqual({
          digest: whole.digest,
          size: 12_345,
        });
        expect((await collect((await repo.getBlob('app', whole.digest))!.stream())).equals(whole.bytes)).toBe(true);
      });

      it('stores an empty blob', async () => {
        const empty = blobOf(Buffer.alloc(0));
        const { id } = await repo.startUpload('app');
        expect(await repo.finishUpload('app', id, empty.digest)).toEqual({ digest: empty.digest, size: 0 });
        expect(await repo.statBlob('app', empty.digest)).toEqual({ digest: empty.digest, size: 0 });
        const handle = await repo.getBlob('app', empty.digest);
        expect(handle?.size).toBe(0);
        expect((await collect(handle!.stream())).length).toBe(0);
      });

      it('ends the session when the upload finishes', async () => {
        const data = randomBlob(100);
        const { id } = await repo.startUpload('app');
        await repo.finishUpload('app', id, data.digest, streamOf(data.bytes));
        await expectRegistryError(repo.getUpload('app', id), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.appendUpload('app', id, streamOf('more'), 100), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.finishUpload('app', id, data.digest), 'BLOB_UPLOAD_UNKNOWN', 404);
      });

      it.each([
        ['a gap', 5],
        ['an overlap', 1000],
        ['a restart', 0],
      ])('refuses a chunk leaving %s with 416 RANGE_INVALID and keeps the session usable', async (_what, start) => {
        const data = randomBlob(4000);
        const { id } = await repo.startUpload('app');
        if (start !== 5) await repo.appendUpload('app', id, streamOf(data.bytes.subarray(0, 2000)), 0);
        const offset = start === 5 ? 0 : 2000;
        await expectRegistryError(repo.appendUpload('app', id, streamOf(data.bytes.subarray(offset)), start), 'RANGE_INVALID', 416);
        expect(await repo.getUpload('app', id)).toEqual({ id, offset });
        await repo.appendUpload('app', id, streamOf(data.bytes.subarray(offset)), offset);
        expect(await repo.finishUpload('app', id, data.digest)).toEqual({ digest: data.digest, size: 4000 });
      });

      it.each([
        ['an unknown id', () => randomUUID()],
        ['a malformed id', () => 'not-an-upload'],
        ['a path-traversal id', () => '../../blobs'],
      ])('answers BLOB_UPLOAD_UNKNOWN for %s', async (_what, makeId) => {
        const id = makeId();
        const data = blobOf('hello');
        await expectRegistryError(repo.getUpload('app', id), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.appendUpload('app', id, streamOf(data.bytes), 0), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.finishUpload('app', id, data.digest, streamOf(data.bytes)), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.cancelUpload('app', id), 'BLOB_UPLOAD_UNKNOWN', 404);
        expect(await repo.statBlob('app', data.digest)).toBeNull();
      });

      it("refuses another image's session with BLOB_UPLOAD_UNKNOWN and leaves it intact", async () => {
        const data = randomBlob(3000);
        const { id } = await repo.startUpload('owner');
        await repo.appendUpload('owner', id, streamOf(data.bytes.subarray(0, 1000)), 0);

        await expectRegistryError(repo.getUpload('intruder', id), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.appendUpload('intruder', id, streamOf(data.bytes.subarray(1000)), 1000), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.finishUpload('intruder', id, data.digest, streamOf(data.bytes.subarray(1000))), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.cancelUpload('intruder', id), 'BLOB_UPLOAD_UNKNOWN', 404);
        expect(await repo.statBlob('intruder', data.digest)).toBeNull();

        expect(await repo.getUpload('owner', id)).toEqual({ id, offset: 1000 });
        expect(await repo.finishUpload('owner', id, data.digest, streamOf(data.bytes.subarray(1000)))).toEqual({
          digest: data.digest,
          size: 3000,
        });
        expect(await repo.statBlob('intruder', data.digest)).toBeNull();
      });

      it("refuses another repository's session with BLOB_UPLOAD_UNKNOWN", async () => {
        const sibling = fixture.sibling;
        if (!sibling) return;
        const data = randomBlob(500);
        const { id } = await sibling.startUpload('app');
        await expectRegistryError(repo.getUpload('app', id), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.appendUpload('app', id, streamOf(data.bytes), 0), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.finishUpload('app', id, data.digest, streamOf(data.bytes)), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.cancelUpload('app', id), 'BLOB_UPLOAD_UNKNOWN', 404);
        expect(await sibling.getUpload('app', id)).toEqual({ id, offset: 0 });
      });

      it('answers DIGEST_INVALID on a digest mismatch and links nothing', async () => {
        const data = randomBlob(5000);
        const claimed = digestOf(Buffer.from('something else'));
        const { id } = await repo.startUpload('app');
        await repo.appendUpload('app', id, streamOf(data.bytes), 0);
        await expectRegistryError(repo.finishUpload('app', id, claimed), 'DIGEST_INVALID', 400);
        expect(await repo.statBlob('app', claimed)).toBeNull();
        expect(await repo.statBlob('app', data.digest)).toBeNull();
        expect(await repo.getBlob('app', data.digest)).toBeNull();

        await expectRegistryError(repo.putBlob('app', claimed, streamOf(data.bytes)), 'DIGEST_INVALID', 400);
        expect(await repo.statBlob('app', claimed)).toBeNull();
        expect(await repo.statBlob('app', data.digest)).toBeNull();
      });

      it('cancels a session', async () => {
        const data = randomBlob(800);
        const { id } = await repo.startUpload('app');
        await repo.appendUpload('app', id, streamOf(data.bytes), 0);
        await repo.cancelUpload('app', id);
        await expectRegistryError(repo.getUpload('app', id), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.finishUpload('app', id, data.digest), 'BLOB_UPLOAD_UNKNOWN', 404);
        expect(await repo.statBlob('app', data.digest)).toBeNull();
      });

      it('puts a blob in one call, idempotently', async () => {
        const data = randomBlob(70_000);
        expect(await repo.putBlob('app', data.digest, streamOf(data.bytes))).toEqual({ digest: data.digest, size: 70_000 });
        expect(await repo.putBlob('app', data.digest, streamOf(data.bytes))).toEqual({ digest: data.digest, size: 70_000 });
        expect(await repo.statBlob('app', data.digest)).toEqual({ digest: data.digest, size: 70_000 });
        expect((await collect((await repo.getBlob('app', data.digest))!.stream())).equals(data.bytes)).toBe(true);
      });

      it('keeps concurrent uploads of one image apart', async () => {
        const blobs = [randomBlob(60_000), randomBlob(45_000), randomBlob(1)];
        const ids = await Promise.all(blobs.map(() => repo.startUpload('app')));
        await Promise.all(
          blobs.map(async (b, i) => {
            const id = ids[i]!.id;
            const half = Math.floor(b.bytes.length / 2);
            await repo.appendUpload('app', id, streamOf(b.bytes.subarray(0, half), 5000), 0);
            await repo.appendUpload('app', id, streamOf(b.bytes.subarray(half), 5000), half);
            await repo.finishUpload('app', id, b.digest);
          }),
        );
        for (const b of blobs) expect((await collect((await repo.getBlob('app', b.digest))!.stream())).equals(b.bytes)).toBe(true);
      });
    });

    describe('blob reads', () => {
      it('answers null for blobs it does not hold', async () => {
        const digest = digestOf(Buffer.from('never pushed'));
        expect(await repo.statBlob('app', digest)).toBeNull();
        expect(await repo.getBlob('app', digest)).toBeNull();
      });

      it('serves a blob only to the image it was pushed to', async () => {
        const data = randomBlob(1000);
        await repo.putBlob('one', data.digest, streamOf(data.bytes));
        expect(await repo.statBlob('one', data.digest)).toEqual({ digest: data.digest, size: 1000 });
        expect(await repo.statBlob('two', data.digest)).toBeNull();
        expect(await repo.getBlob('two', data.digest)).toBeNull();
      });

      it.each([
        [0, 0],
        [10, 19],
        [0, 9_999],
        [9_999, 9_999],
        [4_096, 8_191],
      ])('returns the bytes %i-%i of a range, with the total size', async (start, end) => {
        const data = randomBlob(10_000);
        await repo.putBlob('app', data.digest, streamOf(data.bytes));
        const handle = (await repo.getBlob('app', data.digest))!.slice({ start, end });
        expect(handle.size).toBe(10_000);
        expect(handle.range).toEqual({ start, end });
        expect((await collect(handle.stream())).equals(data.bytes.subarray(start, end + 1))).toBe(true);
      });

      it('refuses a range outside the blob with RANGE_INVALID', async () => {
        const data = randomBlob(100);
        await repo.putBlob('app', data.digest, streamOf(data.bytes));
        const handle = (await repo.getBlob('app', data.digest))!;
        expect(() => handle.slice({ start: 100, end: 150 })).toThrow(expect.objectContaining({ code: 'RANGE_INVALID', status: 416 }));
      });

      it('reads large blobs intact', async () => {
        const data = randomBlob(5 * 1024 * 1024 + 17);
        await repo.putBlob('app', data.digest, streamOf(data.bytes, 256 * 1024));
        expect((await collect((await repo.getBlob('app', data.digest))!.stream())).equals(data.bytes)).toBe(true);
      });
    });

    describe('mounts', () => {
      it('mounts a blob from another image of the same repository', async () => {
        const data = randomBlob(2048);
        await repo.putBlob('source', data.digest, streamOf(data.bytes));
        expect(await repo.mountBlob('target', data.digest, { repository: repo, image: 'source' })).toEqual({
          digest: data.digest,
          size: 2048,
        });
        expect(await repo.statBlob('target', data.digest)).toEqual({ digest: data.digest, size: 2048 });
        expect((await collect((await repo.getBlob('target', data.digest))!.stream())).equals(data.bytes)).toBe(true);
      });

      it('does not mount what the source image does not hold, even if another image does', async () => {
        const data = randomBlob(512);
        await repo.putBlob('holder', data.digest, streamOf(data.bytes));
        expect(await repo.mountBlob('target', data.digest, { repository: repo, image: 'empty' })).toBeNull();
        expect(await repo.mountBlob('target', digestOf(Buffer.from('nowhere')), { repository: repo, image: 'holder' })).toBeNull();
        expect(await repo.statBlob('target', data.digest)).toBeNull();
      });

      it('mounts from another repository of the same installation', async () => {
        const sibling = fixture.sibling;
        if (!sibling) return;
        const data = randomBlob(3000);
        await sibling.putBlob('lib/base', data.digest, streamOf(data.bytes));
        expect(await repo.statBlob('app', data.digest)).toBeNull();
        expect(await repo.mountBlob('app', data.digest, { repository: sibling, image: 'lib/base' })).toEqual({
          digest: data.digest,
          size: 3000,
        });
        expect((await collect((await repo.getBlob('app', data.digest))!.stream())).equals(data.bytes)).toBe(true);
        expect(await repo.mountBlob('app2', data.digest, { repository: sibling, image: 'other' })).toBeNull();
      });

      it('mounts from a separate repository instance only when it can serve the bytes', async () => {
        const other = await factory();
        extra.push(other);
        const data = randomBlob(1500);
        await other.repository.putBlob('base', data.digest, streamOf(data.bytes));
        const mounted = await repo.mountBlob('app', data.digest, { repository: other.repository, image: 'base' });
        if (mounted === null) {
          // Storage not shared: the client falls back to uploading; nothing may be linked.
          expect(await repo.statBlob('app', data.digest)).toBeNull();
          expect(await repo.getBlob('app', data.digest)).toBeNull();
        } else {
          expect(mounted).toEqual({ digest: data.digest, size: 1500 });
          expect((await collect((await repo.getBlob('app', data.digest))!.stream())).equals(data.bytes)).toBe(true);
        }
      });
    });

    describe('manifests', () => {
      it('stores a manifest by tag and returns its exact bytes, digest and media type', async () => {
        const img = imageManifest({ layers: [randomBlob(1000), randomBlob(2000)] });
        const digest = await pushImage(repo, 'app', img, 'v1');
        expect(digest).toBe(img.digest);
        expect(digest).toBe(digestOf(img.bytes));
        for (const ref of ['v1', img.digest]) {
          const got = await repo.getManifest('app', ref);
          expect(got, ref).not.toBeNull();
          expect(got!.digest).toBe(img.digest);
          expect(got!.mediaType).toBe(MediaType.OciManifest);
          expect(got!.size).toBe(img.bytes.length);
          expect(got!.bytes.equals(img.bytes)).toBe(true);
        }
      });

      it('stores a manifest by digest without tagging it', async () => {
        const img = imageManifest();
        await pushBlobs(repo, 'app', img.blobs);
        const result = await repo.putManifest('app', img.digest, img.bytes, img.mediaType);
        expect(result).toEqual({ digest: img.digest });
        expect((await repo.getManifest('app', img.digest))?.bytes.equals(img.bytes)).toBe(true);
        expect((await repo.listTags('app', {})).items).toEqual([]);
      });

      it('keeps the media type of a Docker schema 2 manifest and of an OCI manifest without mediaType', async () => {
        const docker = imageManifest({ mediaType: MT.dockerManifest });
        await pushImage(repo, 'app', docker, 'docker');
        expect((await repo.getManifest('app', 'docker'))?.mediaType).toBe(MediaType.DockerManifest);

        const bare = imageManifest({ bodyMediaType: null });
        await pushImage(repo, 'app', bare, 'bare');
        const got = await repo.getManifest('app', 'bare');
        expect(got?.mediaType).toBe(MediaType.OciManifest);
        expect(got?.bytes.equals(bare.bytes)).toBe(true);
      });

      it('answers null for unknown tags and digests', async () => {
        await pushImage(repo, 'app', imageManifest(), 'v1');
        expect(await repo.getManifest('app', 'v2')).toBeNull();
        expect(await repo.getManifest('app', digestOf(Buffer.from('no manifest')))).toBeNull();
        expect(await repo.getManifest('other', 'v1')).toBeNull();
      });

      it('refuses a manifest whose blobs are missing with MANIFEST_BLOB_UNKNOWN, storing nothing', async () => {
        const img = imageManifest({ layers: [randomBlob(100), randomBlob(200)] });
        await pushBlobs(repo, 'app', [img.config, img.layers[0]!]);
        await expectRegistryError(repo.putManifest('app', 'v1', img.bytes, img.mediaType), 'MANIFEST_BLOB_UNKNOWN', 404);
        expect(await repo.getManifest('app', 'v1')).toBeNull();
        expect(await repo.getManifest('app', img.digest)).toBeNull();

        const noConfig = imageManifest();
        await pushBlobs(repo, 'app', noConfig.layers);
        await expectRegistryError(repo.putManifest('app', 'v2', noConfig.bytes, noConfig.mediaType), 'MANIFEST_BLOB_UNKNOWN');
      });

      it("does not accept blobs that only another image holds", async () => {
        const img = imageManifest();
        await pushBlobs(repo, 'elsewhere', img.blobs);
        await expectRegistryError(repo.putManifest('app', 'v1', img.bytes, img.mediaType), 'MANIFEST_BLOB_UNKNOWN');
        expect(await repo.getManifest('app', 'v1')).toBeNull();
      });

      it('accepts an index only once its child manifests are in the image', async () => {
        const amd = imageManifest();
        const arm = imageManifest();
        const index = indexManifest(platformDescriptors([amd, arm]));
        await pushImage(repo, 'app', amd);
        await expectRegistryError(repo.putManifest('app', 'multi', index.bytes, index.mediaType), 'MANIFEST_BLOB_UNKNOWN', 404);
        expect(await repo.getManifest('app', 'multi')).toBeNull();

        await pushImage(repo, 'other', arm);
        await expectRegistryError(repo.putManifest('app', 'multi', index.bytes, index.mediaType), 'MANIFEST_BLOB_UNKNOWN');

        await pushImage(repo, 'app', arm);
        expect((await repo.putManifest('app', 'multi', index.bytes, index.mediaType)).digest).toBe(index.digest);
        const got = await repo.getManifest('app', 'multi');
        expect(got?.mediaType).toBe(MediaType.OciIndex);
        expect(got?.digest).toBe(index.digest);
        expect(got?.bytes.equals(index.bytes)).toBe(true);
      });

      it('accepts a Docker manifest list', async () => {
        const child = imageManifest({ mediaType: MT.dockerManifest });
        await pushImage(repo, 'app', child);
        const list = indexManifest(platformDescriptors([child]), { mediaType: MT.dockerList });
        await repo.putManifest('app', 'list', list.bytes, list.mediaType);
        expect((await repo.getManifest('app', 'list'))?.mediaType).toBe(MediaType.DockerManifestList);
      });

      it('moves a tag to a new manifest, keeping the old one by digest', async () => {
        const first = imageManifest();
        const second = imageManifest();
        await pushImage(repo, 'app', first, 'v1');
        expect((await repo.getManifest('app', 'v1'))?.digest).toBe(first.digest);
        await pushImage(repo, 'app', second, 'v1');
        expect((await repo.getManifest('app', 'v1'))?.digest).toBe(second.digest);
        expect((await repo.getManifest('app', first.digest))?.bytes.equals(first.bytes)).toBe(true);
        expect((await repo.listTags('app', {})).items).toEqual(['v1']);
      });

      it('refuses an invalid manifest with MANIFEST_INVALID', async () => {
        await expectRegistryError(repo.putManifest('app', 'v1', Buffer.from('{not json'), MediaType.OciManifest), 'MANIFEST_INVALID', 400);
        expect(await repo.getManifest('app', 'v1')).toBeNull();
      });
    });

    describe('tags', () => {
      it('lists tags in byte order, page by page with n/last/next', async () => {
        const img = imageManifest();
        await pushImage(repo, 'app', img);
        const tags = ['v2', 'latest', 'V1', '1.0', '10', '9', '_build', 'a-b', 'a.b', 'a_b', 'z'];
        for (const t of tags) await repo.putManifest('app', t, img.bytes, img.mediaType);
        const sorted = byteOrder(tags);

        const all = await repo.listTags('app', {});
        expect(all).toEqual({ items: sorted });

        for (const n of [1, 3, 4, 11]) {
          const pages = await allPages((p) => repo.listTags('app', p), n);
          expect(pages.flat(), `n=${n}`).toEqual(sorted);
        }

        const firstTwo = await repo.listTags('app', { n: 2 });
        expect(firstTwo).toEqual({ items: sorted.slice(0, 2), next: sorted[1] });
        const next = await repo.listTags('app', { n: 2, last: firstTwo.next! });
        expect(next.items).toEqual(sorted.slice(2, 4));
        expect(await repo.listTags('app', { last: 'v2' })).toEqual({ items: ['z'] });
        expect(await repo.listTags('app', { last: 'zz' })).toEqual({ items: [] });
        expect(await repo.listTags('app', { n: 5, last: 'b' })).toEqual({ items: ['latest', 'v2', 'z'] });
      });

      it('answers NAME_UNKNOWN for an image it does not have', async () => {
        await pushImage(repo, 'app', imageManifest(), 'v1');
        await expectRegistryError(repo.listTags('nope', {}), 'NAME_UNKNOWN', 404);
        await expectRegistryError(repo.listTags('app/sub', { n: 10 }), 'NAME_UNKNOWN', 404);
      });

      it('answers NAME_UNKNOWN for an image it does not have, whatever the page asked for', async () => {
        await pushImage(repo, 'app', imageManifest(), 'v1');
        await expectRegistryError(repo.listTags('nope', { n: 10, last: 'v1' }), 'NAME_UNKNOWN', 404);
        await expectRegistryError(repo.listTags('nope', { last: 'a' }), 'NAME_UNKNOWN', 404);
        expect(await repo.listTags('app', { last: 'v1' })).toEqual({ items: [] });
      });

      it('lists only the tags of the image asked for', async () => {
        await pushImage(repo, 'a', imageManifest(), 'a1');
        await pushImage(repo, 'a/b', imageManifest(), 'ab1');
        await pushImage(repo, 'ab', imageManifest(), 'ab2');
        expect((await repo.listTags('a', {})).items).toEqual(['a1']);
        expect((await repo.listTags('a/b', {})).items).toEqual(['ab1']);
      });

      it('deletes a tag, keeping the manifest and the other tags', async () => {
        const img = imageManifest();
        await pushImage(repo, 'app', img, 'v1');
        await repo.putManifest('app', 'stable', img.bytes, img.mediaType);
        await repo.deleteTag('app', 'v1');
        expect(await repo.getManifest('app', 'v1')).toBeNull();
        expect((await repo.getManifest('app', 'stable'))?.digest).toBe(img.digest);
        expect((await repo.getManifest('app', img.digest))?.digest).toBe(img.digest);
        expect((await repo.listTags('app', {})).items).toEqual(['stable']);
        await expectRegistryError(repo.deleteTag('app', 'v1'), 'MANIFEST_UNKNOWN', 404);
      });
    });

    describe('images', () => {
      it('lists the images holding manifests, sorted and paginated', async () => {
        const names = ['zeta', 'alpha/one', 'alpha', 'beta-2', 'alpha/one/two', 'beta'];
        for (const n of names) await pushImage(repo, n, imageManifest(), 'v1');
        const only = randomBlob(10);
        await repo.putBlob('blob-only', only.digest, streamOf(only.bytes));

        const sorted = byteOrder(names);
        expect(await repo.listImages({})).toEqual({ items: sorted });
        for (const n of [1, 2, 5, 6]) expect((await allPages((p) => repo.listImages(p), n)).flat(), `n=${n}`).toEqual(sorted);
        expect(await repo.listImages({ n: 2, last: 'alpha/one' })).toEqual({ items: ['alpha/one/two', 'beta'], next: 'beta' });
      });

      it('lists nothing for an empty repository', async () => {
        expect(await repo.listImages({})).toEqual({ items: [] });
      });

      it("does not list another repository's images", async () => {
        const sibling = fixture.sibling;
        if (!sibling) return;
        await pushImage(sibling, 'theirs', imageManifest(), 'v1');
        await pushImage(repo, 'mine', imageManifest(), 'v1');
        expect((await repo.listImages({})).items).toEqual(['mine']);
        await expectRegistryError(repo.listTags('theirs', {}), 'NAME_UNKNOWN');
        expect(await repo.getManifest('theirs', 'v1')).toBeNull();
      });
    });

    describe('referrers', () => {
      it('lists the manifests whose subject is a digest, filtered by artifactType', async () => {
        const subject = imageManifest();
        await pushImage(repo, 'app', subject, 'v1');
        const sbom = artifactManifest(manifestDescriptor(subject), 'application/vnd.example.sbom+json', { 'org.example.kind': 'sbom' });
        const sig = artifactManifest(manifestDescriptor(subject), 'application/vnd.example.signature');
        for (const r of [sbom, sig]) {
          await pushBlobs(repo, 'app', r.blobs);
          expect(await repo.putManifest('app', r.digest, r.bytes, r.mediaType)).toEqual({
            digest: r.digest,
            subject: subject.digest,
          });
        }

        const all = await repo.listReferrers('app', subject.digest);
        const byDigest = (a: { digest: string }, b: { digest: string }) => (a.digest < b.digest ? -1 : 1);
        expect([...all].sort(byDigest)).toEqual(
          [
            {
              mediaType: MediaType.OciManifest,
              digest: sbom.digest,
              size: sbom.bytes.length,
              artifactType: 'application/vnd.example.sbom+json',
              annotations: { 'org.example.kind': 'sbom' },
            },
            {
              mediaType: MediaType.OciManifest,
              digest: sig.digest,
              size: sig.bytes.length,
              artifactType: 'application/vnd.example.signature',
            },
          ].sort(byDigest),
        );
        expect((await repo.listReferrers('app', subject.digest, 'application/vnd.example.signature')).map((d) => d.digest)).toEqual([
          sig.digest,
        ]);
        expect(await repo.listReferrers('app', subject.digest, 'application/vnd.example.none')).toEqual([]);
        expect(await repo.listReferrers('app', sig.digest)).toEqual([]);
        expect(await repo.listReferrers('other', subject.digest)).toEqual([]);
      });

      it('accepts a referrer before its subject is pushed', async () => {
        const subject = imageManifest();
        const ref = artifactManifest(manifestDescriptor(subject), 'application/vnd.example.early');
        await pushBlobs(repo, 'app', ref.blobs);
        expect((await repo.putManifest('app', ref.digest, ref.bytes, ref.mediaType)).subject).toBe(subject.digest);
        expect((await repo.listReferrers('app', subject.digest)).map((d) => d.digest)).toEqual([ref.digest]);
      });

      it('reports the config media type as artifactType when the manifest has none (OCI 1.1)', async () => {
        const subject = imageManifest();
        await pushImage(repo, 'app', subject, 'v1');
        const plain = imageManifest({ subject: manifestDescriptor(subject) });
        await pushImage(repo, 'app', plain);
        const listed = await repo.listReferrers('app', subject.digest);
        expect(listed.map((d) => [d.digest, d.artifactType])).toEqual([[plain.digest, MediaType.OciConfig]]);
        expect((await repo.listReferrers('app', subject.digest, MediaType.OciConfig)).length).toBe(1);
      });

      it('forgets a deleted referrer', async () => {
        const subject = imageManifest();
        await pushImage(repo, 'app', subject, 'v1');
        const ref = artifactManifest(manifestDescriptor(subject), 'application/vnd.example.sbom+json');
        await pushImage(repo, 'app', ref);
        await repo.deleteManifest('app', ref.digest);
        expect(await repo.listReferrers('app', subject.digest)).toEqual([]);
      });
    });

    describe('deletes', () => {
      it('deletes a manifest together with every tag pointing at it', async () => {
        const doomed = imageManifest();
        const kept = imageManifest();
        await pushImage(repo, 'app', doomed, 'v1');
        await repo.putManifest('app', 'v1.0', doomed.bytes, doomed.mediaType);
        await pushImage(repo, 'app', kept, 'v2');
        expect((await repo.getManifest('app', 'v1'))?.digest).toBe(doomed.digest);

        await repo.deleteManifest('app', doomed.digest);
        expect(await repo.getManifest('app', 'v1')).toBeNull();
        expect(await repo.getManifest('app', 'v1.0')).toBeNull();
        expect(await repo.getManifest('app', doomed.digest)).toBeNull();
        expect((await repo.listTags('app', {})).items).toEqual(['v2']);
        expect((await repo.getManifest('app', 'v2'))?.bytes.equals(kept.bytes)).toBe(true);
        await expectRegistryError(repo.deleteManifest('app', doomed.digest), 'MANIFEST_UNKNOWN', 404);
      });

      it('forgets an image whose last manifest is deleted', async () => {
        const img = imageManifest();
        await pushImage(repo, 'gone', img, 'v1');
        await pushImage(repo, 'stays', imageManifest(), 'v1');
        await repo.deleteManifest('gone', img.digest);
        expect((await repo.listImages({})).items).toEqual(['stays']);
        await expectRegistryError(repo.listTags('gone', {}), 'NAME_UNKNOWN');
      });

      it('deletes a manifest only from the image asked for', async () => {
        const img = imageManifest();
        await pushImage(repo, 'one', img, 'v1');
        await pushImage(repo, 'two', img, 'v1');
        await repo.deleteManifest('one', img.digest);
        expect(await repo.getManifest('one', 'v1')).toBeNull();
        expect((await repo.getManifest('two', 'v1'))?.bytes.equals(img.bytes)).toBe(true);
      });

      it('answers MANIFEST_UNKNOWN for a manifest the image does not hold', async () => {
        await expectRegistryError(repo.deleteManifest('app', digestOf(Buffer.from('x'))), 'MANIFEST_UNKNOWN', 404);
      });

      it('deletes a blob from one image only', async () => {
        const data = randomBlob(900);
        await repo.putBlob('one', data.digest, streamOf(data.bytes));
        expect(await repo.mountBlob('two', data.digest, { repository: repo, image: 'one' })).not.toBeNull();
        await repo.deleteBlob('one', data.digest);
        expect(await repo.statBlob('one', data.digest)).toBeNull();
        expect(await repo.getBlob('one', data.digest)).toBeNull();
        expect((await collect((await repo.getBlob('two', data.digest))!.stream())).equals(data.bytes)).toBe(true);
        await expectRegistryError(repo.deleteBlob('one', data.digest), 'BLOB_UNKNOWN', 404);
      });

      it('answers BLOB_UNKNOWN for a blob it does not hold', async () => {
        await expectRegistryError(repo.deleteBlob('app', digestOf(Buffer.from('never'))), 'BLOB_UNKNOWN', 404);
      });
    });
  });
}
