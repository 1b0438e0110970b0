import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES, MediaType, digestOf } from '@wharf/oci';
import { hostedConfig } from '../../test/configs';
import { describeDockerRepositoryContract } from '../../test/docker-repository.contract';
import { describeReadContract } from '../../test/read-contract';
import { collect, descriptorOf, imageManifest, indexManifest, manifestOf, MT, platformDescriptors, randomBlob, streamOf } from '@wharf/test-kit';
import { expectRegistryError, expectRejects, pushBlobs, pushImage } from '../../test/fixtures';
import { type HostedHarness, type MetadataKind, openHostedHarness } from '../../test/hosted-harness';
import type { DockerRepository } from '../docker-repository';
import { HostedRepository } from './hosted-repository';

describe(HostedRepository.name, () => {
  for (const kind of ['sqlite', 'postgres', 'memory'] as const) {
    describeDockerRepositoryContract(`HostedRepository (${kind} metadata, FileBlobStore)`, async () => {
      const harness = await openHostedHarness(kind);
      return {
        repository: harness.repository(hostedConfig('docker-hosted')),
        sibling: harness.repository(hostedConfig('docker-hosted-2')),
        cleanup: () => harness.cleanup(),
      };
    });
  }

  describeReadContract('HostedRepository (in-memory ports, FileBlobStore)', async () => {
    const harness = await openHostedHarness('memory');
    const repository = harness.repository(hostedConfig('docker-hosted'));
    return { repository, seed: async (image, tag, img) => void (await pushImage(repository, image, img, tag)), cleanup: () => harness.cleanup() };
  });

  describe.each<MetadataKind>(['sqlite', 'postgres', 'memory'])('hosted specifics (%s metadata)', (kind) => {
    let harness: HostedHarness;

    beforeEach(async () => {
      harness = await openHostedHarness(kind);
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    const open = (overrides: Parameters<typeof hostedConfig>[1] = {}, name = 'docker-hosted'): HostedRepository =>
      harness.repository(hostedConfig(name, overrides));

    it('a deleted manifest leaves the manifest cache (memory is not held for deleted content)', async () => {
      const repo = open();
      const img = imageManifest();
      await pushImage(repo, 'app', img, 'v1');
      expect((await repo.getManifest('app', 'v1'))?.bytes.equals(img.bytes)).toBe(true);
      expect(harness.deps.manifestCache.get(img.digest)).toBeDefined();
      await repo.deleteManifest('app', img.digest);
      expect(harness.deps.manifestCache.get(img.digest)).toBeUndefined();
      expect(await repo.getManifest('app', img.digest)).toBeNull();
    });

    describe('write policy ALLOW_ONCE', () => {
      it('lets the same digest be pushed to a tag again, but not another one', async () => {
        const repo = open({ storage: { writePolicy: 'ALLOW_ONCE' } });
        const first = imageManifest();
        const second = imageManifest();
        await pushImage(repo, 'app', first, '1.0');
        expect((await repo.putManifest('app', '1.0', first.bytes, first.mediaType)).digest).toBe(first.digest);

        await pushBlobs(repo, 'app', second.blobs);
        await expectRegistryError(repo.putManifest('app', '1.0', second.bytes, second.mediaType), 'DENIED', 403);
        expect((await repo.getManifest('app', '1.0'))?.digest).toBe(first.digest);
        expect(await repo.getManifest('app', second.digest)).toBeNull();

        await repo.putManifest('app', '1.1', second.bytes, second.mediaType);
        expect((await repo.getManifest('app', '1.1'))?.digest).toBe(second.digest);
        expect((await repo.listTags('app', {})).items).toEqual(['1.0', '1.1']);
      });

      it('does not restrict pushes by digest', async () => {
        const repo = open({ storage: { writePolicy: 'ALLOW_ONCE' } });
        const img = imageManifest();
        await pushImage(repo, 'app', img);
        await pushImage(repo, 'app', img);
        expect((await repo.getManifest('app', img.digest))?.digest).toBe(img.digest);
      });

      it('exempts `latest` with latestPolicy, and only `latest`', async () => {
        const repo = open({ storage: { writePolicy: 'ALLOW_ONCE', latestPolicy: true } });
        const first = imageManifest();
        const second = imageManifest();
        await pushImage(repo, 'app', first, 'latest');
        await pushImage(repo, 'app', first, 'stable');
        await pushImage(repo, 'app', second, 'latest');
        expect((await repo.getManifest('app', 'latest'))?.digest).toBe(second.digest);
        await expectRegistryError(repo.putManifest('app', 'stable', second.bytes, second.mediaType), 'DENIED', 403);
        // the exemption is for the exact tag `latest`
        await repo.putManifest('app', 'Latest', second.bytes, second.mediaType);
        await expectRegistryError(repo.putManifest('app', 'Latest', first.bytes, first.mediaType), 'DENIED', 403);
      });

      it('keeps `latest` immutable without latestPolicy', async () => {
        const repo = open({ storage: { writePolicy: 'ALLOW_ONCE', latestPolicy: false } });
        const first = imageManifest();
        const second = imageManifest();
        await pushImage(repo, 'app', first, 'latest');
        await pushBlobs(repo, 'app', second.blobs);
        await expectRegistryError(repo.putManifest('app', 'latest', second.bytes, second.mediaType), 'DENIED', 403);
        expect((await repo.getManifest('app', 'latest'))?.digest).toBe(first.digest);
      });

      /** Two different manifests pushed at once under the same new tag of an ALLOW_ONCE repository. */
      async function raceForTag() {
        const repo = open({ storage: { writePolicy: 'ALLOW_ONCE' } });
        const first = imageManifest();
        const second = imageManifest();
        await pushBlobs(repo, 'app', [...first.blobs, ...second.blobs]);
        const results = await Promise.allSettled([
          repo.putManifest('app', '1.0', first.bytes, first.mediaType),
          repo.putManifest('app', '1.0', second.bytes, second.mediaType),
        ]);
        return { repo, first, second, results };
      }

      it('lets only one of two concurrent pushes of different manifests claim a new tag', async () => {
        const { repo, first, second, results } = await raceForTag();
        expect(results.map((r) => r.status).sort(), 'an immutable tag was written twice').toEqual(['fulfilled', 'rejected']);
        const winner = results[0]!.status === 'fulfilled' ? first : second;
        expect((await repo.getManifest('app', '1.0'))?.digest).toBe(winner.digest);
        const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect((rejected.reason as { code?: string }).code).toBe('DENIED');
      });

      it('leaves nothing of the losing push of such a race', async () => {
        const { repo, first, second, results } = await raceForTag();
        const loser = results[0]!.status === 'rejected' ? first : second;
        expect(await repo.getManifest('app', loser.digest), 'a push answered 403 DENIED still stored its manifest').toBeNull();
      });

      it('applies per image: the same tag in another image is a new tag', async () => {
        const repo = open({ storage: { writePolicy: 'ALLOW_ONCE' } });
        await pushImage(repo, 'one', imageManifest(), 'v1');
        await pushImage(repo, 'two', imageManifest(), 'v1');
        expect((await repo.listImages({})).items).toEqual(['one', 'two']);
      });
    });

    describe('write policy DENY', () => {
      it('refuses every write with DENIED and still serves reads', async () => {
        const writable = open();
        const img = imageManifest();
        await pushImage(writable, 'app', img, 'v1');
        const { id } = await writable.startUpload('app');

        const repo = open({ storage: { writePolicy: 'DENY' } });
        const data = randomBlob(100);
        const writes: [string, () => Promise<unknown>][] = [
          ['startUpload', () => repo.startUpload('app')],
          ['appendUpload', () => repo.appendUpload('app', id, streamOf(data.bytes), 0)],
          ['finishUpload', () => repo.finishUpload('app', id, data.digest, streamOf(data.bytes))],
          ['putBlob', () => repo.putBlob('app', data.digest, streamOf(data.bytes))],
          ['mountBlob', () => repo.mountBlob('other', img.config.digest, { repository: writable, image: 'app' })],
          ['putManifest by tag', () => repo.putManifest('app', 'v2', img.bytes, img.mediaType)],
          ['putManifest by digest', () => repo.putManifest('app', img.digest, img.bytes, img.mediaType)],
          ['deleteManifest', () => repo.deleteManifest('app', img.digest)],
          ['deleteTag', () => repo.deleteTag('app', 'v1')],
          ['deleteBlob', () => repo.deleteBlob('app', img.config.digest)],
        ];
        for (const [what, call] of writes) {
          await expectRejects(call, 'DENIED', 403).catch((e: unknown) => {
            throw new Error(`${what}: ${String(e)}`);
          });
        }

        expect((await repo.getManifest('app', 'v1'))?.bytes.equals(img.bytes)).toBe(true);
        expect(await repo.statBlob('app', img.config.digest)).toEqual({ digest: img.config.digest, size: img.config.bytes.length });
        expect((await repo.listTags('app', {})).items).toEqual(['v1']);
        expect((await repo.listImages({})).items).toEqual(['app']);
        expect(await repo.statBlob('app', data.digest)).toBeNull();
        expect(await repo.statBlob('other', img.config.digest)).toBeNull();
        expect(await writable.getUpload('app', id)).toEqual({ id, offset: 0 });
      });
    });

    describe('offline', () => {
      const calls: [string, (repo: HostedRepository, source: DockerRepository) => Promise<unknown>][] = [
        ['getManifest', (r) => r.getManifest('app', 'v1')],
        ['statBlob', (r) => r.statBlob('app', digestOf('x'))],
        ['getBlob', (r) => r.getBlob('app', digestOf('x'))],
        ['listTags', (r) => r.listTags('app', {})],
        ['listImages', (r) => r.listImages({})],
        ['listReferrers', (r) => r.listReferrers('app', digestOf('x'))],
        ['startUpload', (r) => r.startUpload('app')],
        ['getUpload', (r) => r.getUpload('app', randomUUID())],
        ['appendUpload', (r) => r.appendUpload('app', randomUUID(), streamOf('x'), 0)],
        ['finishUpload', (r) => r.finishUpload('app', randomUUID(), digestOf('x'))],
        ['cancelUpload', (r) => r.cancelUpload('app', randomUUID())],
        ['putBlob', (r) => r.putBlob('app', digestOf('x'), streamOf('x'))],
        ['mountBlob', (r, source) => r.mountBlob('app', digestOf('x'), { repository: source, image: 'app' })],
        ['putManifest', (r) => r.putManifest('app', 'v1', imageManifest().bytes, MediaType.OciManifest)],
        ['deleteManifest', (r) => r.deleteManifest('app', digestOf('x'))],
        ['deleteTag', (r) => r.deleteTag('app', 'v1')],
        ['deleteBlob', (r) => r.deleteBlob('app', digestOf('x'))],
      ];

      it.each(calls)('%s rejects with UNAVAILABLE (503)', async (_name, call) => {
        const source = open({}, 'source');
        const repo = open({ online: false });
        await expectRejects(() => call(repo, source), 'UNAVAILABLE', 503);
      });

      it('serves nothing that an online instance of the same repository stored', async () => {
        const img = imageManifest();
        await pushImage(open(), 'app', img, 'v1');
        const repo = open({ online: false });
        await expectRegistryError(repo.getManifest('app', 'v1'), 'UNAVAILABLE', 503);
        await expectRegistryError(repo.getBlob('app', img.config.digest), 'UNAVAILABLE', 503);
      });
    });

    describe('manifest checks', () => {
      it('refuses a manifest over the size limit with 413 MANIFEST_INVALID', async () => {
        const repo = open();
        const img = imageManifest();
        await pushBlobs(repo, 'app', img.blobs);
        const huge = manifestOf(
          {
            schemaVersion: 2,
            mediaType: MediaType.OciManifest,
            config: descriptorOf(MT.ociConfig, img.config),
            layers: img.layers.map((l) => descriptorOf(MT.ociLayer, l)),
            annotations: { padding: 'x'.repeat(MAX_MANIFEST_BYTES) },
          },
          MediaType.OciManifest,
        );
        expect(huge.bytes.length).toBeGreaterThan(MAX_MANIFEST_BYTES);
        await expectRegistryError(repo.putManifest('app', 'big', huge.bytes, huge.mediaType), 'MANIFEST_INVALID', 413);
        await expectRegistryError(repo.putManifest('app', huge.digest, huge.bytes, huge.mediaType), 'MANIFEST_INVALID', 413);
        expect(await repo.getManifest('app', 'big')).toBeNull();
        expect(await harness.blobs.stat(huge.digest)).toBeNull();
      });

      it('accepts a manifest of exactly the size limit', async () => {
        const repo = open();
        const img = imageManifest();
        await pushBlobs(repo, 'app', img.blobs);
        const body = {
          schemaVersion: 2,
          mediaType: MediaType.OciManifest,
          config: descriptorOf(MT.ociConfig, img.config),
          layers: img.layers.map((l) => descriptorOf(MT.ociLayer, l)),
          annotations: { padding: '' },
        };
        const base = manifestOf(body, MediaType.OciManifest).bytes.length;
        body.annotations.padding = 'x'.repeat(MAX_MANIFEST_BYTES - base);
        const exact = manifestOf(body, MediaType.OciManifest);
        expect(exact.bytes.length).toBe(MAX_MANIFEST_BYTES);
        expect((await repo.putManifest('app', 'edge', exact.bytes, exact.mediaType)).digest).toBe(exact.digest);
        expect((await repo.getManifest('app', 'edge'))?.bytes.equals(exact.bytes)).toBe(true);
      });

      it('refuses a manifest whose digest differs from the digest in the URL', async () => {
        const repo = open();
        const img = imageManifest();
        await pushBlobs(repo, 'app', img.blobs);
        const wrong = digestOf(Buffer.concat([img.bytes, Buffer.from(' ')]));
        await expectRegistryError(repo.putManifest('app', wrong, img.bytes, img.mediaType), 'DIGEST_INVALID', 400);
        expect(await repo.getManifest('app', wrong)).toBeNull();
        expect(await repo.getManifest('app', img.digest)).toBeNull();
        await expectRegistryError(repo.listTags('app', {}), 'NAME_UNKNOWN');
      });

      it.each(['sha256:1234', 'sha256:' + 'A'.repeat(64), 'md5:' + '0'.repeat(32), 'sha256:'])(
        'refuses the malformed digest reference %s',
        async (reference) => {
          const repo = open();
          const img = imageManifest();
          await pushBlobs(repo, 'app', img.blobs);
          await expectRegistryError(repo.putManifest('app', reference, img.bytes, img.mediaType), 'DIGEST_INVALID');
        },
      );

      it('stores a manifest pushed by a sha512 digest under that digest', async () => {
        const repo = open();
        const img = imageManifest();
        await pushBlobs(repo, 'app', img.blobs);
        const sha512 = digestOf(img.bytes, 'sha512');
        expect((await repo.putManifest('app', sha512, img.bytes, img.mediaType)).digest).toBe(sha512);
        expect((await repo.getManifest('app', sha512))?.bytes.equals(img.bytes)).toBe(true);
      });

      it.each([
        ['-leading-dash'],
        ['.leading-dot'],
        ['has space'],
        ['slash/tag'],
        ['plus+tag'],
        ['ümlaut'],
        ['a'.repeat(129)],
        [''],
      ])('refuses the tag %j with TAG_INVALID', async (tag) => {
        const repo = open();
        const img = imageManifest();
        await pushBlobs(repo, 'app', img.blobs);
        await expectRegistryError(repo.putManifest('app', tag, img.bytes, img.mediaType), 'TAG_INVALID', 400);
        expect(await repo.getManifest('app', img.digest)).toBeNull();
      });

      it.each([['a'.repeat(128)], ['_private'], ['V1.0-rc_1'], ['0'], ['latest']])('accepts the tag %j', async (tag) => {
        const repo = open();
        await pushImage(repo, 'app', imageManifest(), tag);
        expect((await repo.listTags('app', {})).items).toEqual([tag]);
      });

      it('refuses schema 1 and a Content-Type that contradicts the manifest', async () => {
        const repo = open();
        const img = imageManifest();
        await pushBlobs(repo, 'app', img.blobs);
        const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'app', tag: 'v1', fsLayers: [], history: [] }));
        await expectRegistryError(repo.putManifest('app', 'v1', schema1, MediaType.DockerSchema1Signed), 'MANIFEST_INVALID');
        await expectRegistryError(repo.putManifest('app', 'v1', img.bytes, MediaType.DockerManifest), 'MANIFEST_INVALID');
        expect(await repo.getManifest('app', 'v1')).toBeNull();
      });
    });

    describe('blobs and uploads', () => {
      it('serves a manifest as a blob of its image', async () => {
        const repo = open();
        const img = imageManifest();
        await pushImage(repo, 'app', img, 'v1');
        expect(await repo.statBlob('app', img.digest)).toEqual({ digest: img.digest, size: img.bytes.length });
        expect((await collect((await repo.getBlob('app', img.digest))!.stream())).equals(img.bytes)).toBe(true);
        expect(await repo.statBlob('other', img.digest)).toBeNull();
      });

      it('keeps the session after a digest mismatch so the client can retry', async () => {
        const repo = open();
        const data = randomBlob(2000);
        const { id } = await repo.startUpload('app');
        await repo.appendUpload('app', id, streamOf(data.bytes), 0);
        await expectRegistryError(repo.finishUpload('app', id, digestOf('other')), 'DIGEST_INVALID');
        expect(await repo.getUpload('app', id)).toEqual({ id, offset: 2000 });
        expect(await repo.finishUpload('app', id, data.digest)).toEqual({ digest: data.digest, size: 2000 });
      });

      it('records the owner of each upload session and forgets it when done', async () => {
        const repo = open();
        harness.clock.at = new Date('2030-01-02T03:04:05.678Z');
        const done = await repo.startUpload('team/app');
        const cancelled = await repo.startUpload('team/app');
        const session = await harness.deps.uploads.get(done.id);
        expect(session).toMatchObject({ id: done.id, repository: 'docker-hosted', image: 'team/app' });
        expect(session!.createdAt.getTime()).toBe(harness.clock.at.getTime());
        expect((await harness.deps.uploads.olderThan(new Date('2030-01-02T03:04:06Z'))).map((s) => s.id).sort()).toEqual(
          [done.id, cancelled.id].sort(),
        );

        const data = randomBlob(10);
        await repo.finishUpload('team/app', done.id, data.digest, streamOf(data.bytes));
        expect(await harness.deps.uploads.get(done.id)).toBeNull();
        await repo.cancelUpload('team/app', cancelled.id);
        expect(await harness.deps.uploads.get(cancelled.id)).toBeNull();
        expect(await harness.blobs.uploads.size(cancelled.id)).toBeNull();
      });

      it('answers BLOB_UPLOAD_UNKNOWN when the session is recorded but its bytes are gone', async () => {
        const repo = open();
        const { id } = await repo.startUpload('app');
        await harness.blobs.uploads.cancel(id);
        await expectRegistryError(repo.getUpload('app', id), 'BLOB_UPLOAD_UNKNOWN', 404);
        await expectRegistryError(repo.appendUpload('app', id, streamOf('x'), 0), 'BLOB_UPLOAD_UNKNOWN', 404);
      });

      it('does not mount from a source that fails', async () => {
        const repo = open();
        const data = randomBlob(100);
        await repo.putBlob('base', data.digest, streamOf(data.bytes));
        const broken = {
          ...repo,
          statBlob: () => Promise.reject(new Error('upstream down')),
        } as unknown as DockerRepository;
        expect(await repo.mountBlob('app', data.digest, { repository: broken, image: 'base' })).toBeNull();
        expect(await repo.statBlob('app', data.digest)).toBeNull();
      });

      it('does not mount a blob whose bytes left the blob store', async () => {
        const repo = open();
        const data = randomBlob(100);
        await repo.putBlob('base', data.digest, streamOf(data.bytes));
        await harness.blobs.delete(data.digest);
        expect(await repo.mountBlob('app', data.digest, { repository: repo, image: 'base' })).toBeNull();
        expect(await repo.statBlob('app', data.digest)).toBeNull();
      });

      it('shares blob bytes between repositories but not their links', async () => {
        const one = open({}, 'one');
        const two = open({}, 'two');
        const data = randomBlob(1000);
        await one.putBlob('app', data.digest, streamOf(data.bytes));
        expect(await two.statBlob('app', data.digest)).toBeNull();
        expect(await two.putBlob('app', data.digest, streamOf(data.bytes))).toEqual({ digest: data.digest, size: 1000 });
        await one.deleteBlob('app', data.digest);
        expect((await collect((await two.getBlob('app', data.digest))!.stream())).equals(data.bytes)).toBe(true);
      });
    });

    describe('metadata', () => {
      it('records when a manifest was last pulled, in batches written on flush', async () => {
        const repo = open();
        const img = imageManifest();
        const lastDownloaded = async () => (await harness.deps.manifests.get('docker-hosted', 'app', img.digest))?.lastDownloadedAt?.toISOString();
        harness.clock.at = new Date('2030-05-01T10:00:00.000Z');
        await pushImage(repo, 'app', img, 'v1');
        expect(await lastDownloaded()).toBeUndefined();

        await repo.getManifest('app', 'v1');
        // nothing is written on the pull itself
        expect(await lastDownloaded()).toBeUndefined();
        expect(harness.deps.downloads.pendingCount).toBe(1);
        await harness.deps.downloads.flush();
        expect(await lastDownloaded()).toBe('2030-05-01T10:00:00.000Z');

        // many pulls between flushes are one update, with the latest time; by tag or by digest alike
        harness.clock.at = new Date('2030-05-01T10:30:00.000Z');
        await repo.getManifest('app', 'v1');
        harness.clock.at = new Date('2030-05-01T11:00:00.001Z');
        await repo.getManifest('app', img.digest);
        expect(harness.deps.downloads.pendingCount).toBe(1);
        await harness.deps.downloads.flush();
        expect(await lastDownloaded()).toBe('2030-05-01T11:00:00.001Z');
        expect((await harness.deps.manifests.get('docker-hosted', 'app', img.digest))?.createdAt.toISOString()).toBe(
          '2030-05-01T10:00:00.000Z',
        );
      });

      it('records what a manifest references (for garbage collection)', async () => {
        if (!harness.db) return;
        const repo = open();
        const img = imageManifest({ layers: [randomBlob(10), randomBlob(20)] });
        await pushImage(repo, 'app', img, 'v1');
        const index = indexManifest(platformDescriptors([img]));
        await repo.putManifest('app', 'multi', index.bytes, index.mediaType);
        const rows = await harness.manifestReferences('docker-hosted', 'app');
        const of = (m: string) => rows.filter((r) => r.manifest === m).map((r) => r.digest).sort();
        expect(of(img.digest)).toEqual(img.blobs.map((b) => b.digest).sort());
        expect(of(index.digest)).toEqual([img.digest]);
      });
    });

    it('names itself after its configuration and is of type hosted', () => {
      const repo = open({}, 'my-hosted');
      expect(repo.name).toBe('my-hosted');
      expect(repo.type).toBe('hosted');
    });

    it('handles many layers and a large manifest round trip', async () => {
      const repo = open();
      const img = imageManifest({ layers: Array.from({ length: 40 }, (_, i) => randomBlob(100 + i)) });
      await pushImage(repo, 'big/app', img, 'v1');
      expect((await repo.getManifest('big/app', 'v1'))?.bytes.equals(img.bytes)).toBe(true);
      for (const l of img.layers) expect(await repo.statBlob('big/app', l.digest)).toEqual({ digest: l.digest, size: l.bytes.length });
    });
  });
});
