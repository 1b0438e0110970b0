/**
 * What every DockerRepository does for a puller (hosted, proxy, group): content that is there, wherever it
 * really lives, is served with its exact bytes, digests and media types, blobs whole or by range; what is
 * not there is null. Not a test file by itself: an implementation's test calls
 * `describeReadContract(name, factory)`. The fixture's `seed` puts an image where this repository finds it
 * (pushed into a hosted repository, into a group's member, into a proxy's upstream registry).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MT, type Manifest, collect, imageManifest, randomBlob, unknownDigest } from '@wharf/test-kit';
import type { DockerRepository } from '../src/docker-repository';

export interface ReadFixture {
  repository: DockerRepository;
  /** Makes `img` available under `image:tag` to the repository. */
  seed(image: string, tag: string, img: Manifest): Promise<void>;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;

export function describeReadContract(name: string, factory: () => Promise<ReadFixture>): void {
  describe(`DockerRepository read contract: ${name}`, () => {
    let fixture: ReadFixture;
    let repo: DockerRepository;

    beforeEach(async () => {
      fixture = await factory();
      repo = fixture.repository;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('serves an image by tag and by digest with its exact bytes, digest and media type (OCI and Docker schema 2)', async () => {
      for (const format of ['oci', 'docker'] as const) {
        const img = imageManifest({ mediaType: format === 'oci' ? MT.ociManifest : MT.dockerManifest });
        await fixture.seed(`app-${format}`, '1.0', img);
        for (const reference of ['1.0', img.digest]) {
          const m = await repo.getManifest(`app-${format}`, reference, img.mediaType);
          expect(m, `${format} ${reference}`).not.toBeNull();
          expect(m!.digest).toBe(img.digest);
          expect(m!.mediaType).toBe(img.mediaType);
          expect(m!.bytes.equals(img.bytes)).toBe(true);
        }
      }
    });

    it('answers null for a tag, a digest or an image it does not have', async () => {
      await fixture.seed('app', '1.0', imageManifest());
      expect(await repo.getManifest('app', 'missing')).toBeNull();
      expect(await repo.getManifest('app', unknownDigest())).toBeNull();
      expect(await repo.getManifest('nothing-here', '1.0')).toBeNull();
    });

    it('serves every blob of an image it served, with its size and exact bytes; then knows its size (HEAD)', async () => {
      const img = imageManifest({ layers: [randomBlob(3000), randomBlob(1)] });
      await fixture.seed('app', '1.0', img);
      expect(await repo.getManifest('app', '1.0')).not.toBeNull();
      for (const blob of img.blobs) {
        const content = await repo.getBlob('app', blob.digest);
        expect(content?.digest).toBe(blob.digest);
        expect(content?.size).toBe(blob.bytes.length);
        expect((await collect(content!.stream())).equals(blob.bytes)).toBe(true);
        // After a GET (a group answers a HEAD only from what its members hold already, never asking an upstream).
        expect(await repo.statBlob('app', blob.digest)).toEqual({ digest: blob.digest, size: blob.bytes.length });
      }
    });

    it('answers null for a blob it cannot serve', async () => {
      await fixture.seed('app', '1.0', imageManifest());
      const unknown = unknownDigest();
      expect(await repo.statBlob('app', unknown)).toBeNull();
      expect(await repo.getBlob('app', unknown)).toBeNull();
    });

    it('serves ranges of a blob (slice), and refuses one outside it with RANGE_INVALID', async () => {
      const img = imageManifest({ layers: [randomBlob(10_000)] });
      await fixture.seed('app', '1.0', img);
      const layer = img.layers[0]!;
      for (const [start, end] of [
        [0, 0],
        [10, 19],
        [9_999, 9_999],
        [0, 9_999],
      ] as const) {
        const part = (await repo.getBlob('app', layer.digest))!.slice({ start, end });
        expect(part.range).toEqual({ start, end });
        expect((await collect(part.stream())).equals(layer.bytes.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
      }
      const whole = (await repo.getBlob('app', layer.digest))!;
      expect(() => whole.slice({ start: 5, end: 10_000 })).toThrow(expect.objectContaining({ code: 'RANGE_INVALID', status: 416 }));
    });

    it('serves a 5 MiB layer intact to several readers at once, and again afterwards', async () => {
      const img = imageManifest({ layers: [randomBlob(5 * MiB + 17)] });
      await fixture.seed('app', '1.0', img);
      const layer = img.layers[0]!;
      const bodies = await Promise.all(Array.from({ length: 4 }, async () => collect((await repo.getBlob('app', layer.digest))!.stream())));
      for (const body of bodies) expect(body.equals(layer.bytes)).toBe(true);
      expect((await collect((await repo.getBlob('app', layer.digest))!.stream())).equals(layer.bytes)).toBe(true);
    });

    it('lists the tag of an image it served', async () => {
      await fixture.seed('app', '2.0', imageManifest());
      expect(await repo.getManifest('app', '2.0')).not.toBeNull();
      expect((await repo.listTags('app', {})).items).toContain('2.0');
    });
  });
}
