/**
 * The garbage collector against the real metadata adapters (SQLite) and the file blob store, with the
 * race cases of docs/garbage-collection.md forced in both orders through the collector's hooks and
 * paused ports. (Under test/ because registry-core's src must not import persistence.)
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobClaimEntity, TypeOrmBlobClaims, TypeOrmContentCatalog, TypeOrmGarbageLedger } from '@wharf/persistence';
import { DIALECTS } from '../../persistence/test/database';
import type { HostedRepository } from '../src/hosted/hosted-repository';
import { type CollectionResult, type CollectorHooks, GarbageCollector } from '../src/lifecycle/garbage-collector';
import { hostedConfig } from './configs';
import { collect, type ImageManifest, imageManifest, randomBlob, streamOf } from '@wharf/test-kit';
import { expectRegistryError, pushBlobs, pushImage } from './fixtures';
import { type HostedHarness, openHostedHarness } from './hosted-harness';

/** A promise the test opens when it wants the paused side to go on. */
interface Gate {
  /** Resolves once something arrived at the gate. */
  reached: Promise<void>;
  /** Arrives at the gate and waits there until it opens. */
  pass(): Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open!: () => void;
  let arrive!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  return {
    reached,
    open,
    async pass() {
      arrive();
      await wait;
    },
  };
}

/** Makes `target[method]` stop at a gate before it runs, on every call until the gate opens. */
function pauseBefore<K extends string, T extends Record<K, (...args: never[]) => Promise<unknown>>>(target: T, method: K): Gate {
  const paused = gate();
  const original = target[method].bind(target) as T[K];
  target[method] = (async (...args: Parameters<T[K]>) => {
    await paused.pass();
    return original(...args);
  }) as T[K];
  return paused;
}

describe.each(DIALECTS)('GarbageCollector (%s metadata, file blob store)', (dialect) => {
  let harness: HostedHarness;
  let ledger: TypeOrmGarbageLedger;
  let hosted: HostedRepository;

  beforeEach(async () => {
    harness = await openHostedHarness(dialect);
    ledger = new TypeOrmGarbageLedger(harness.db!);
    hosted = harness.repository(hostedConfig('docker-hosted'));
  });

  afterEach(async () => {
    await harness.cleanup();
  });

  // "Now" runs a second ahead, so that with no grace period what was written in this millisecond is old enough too.
  const ahead = () => new Date(Date.now() + 1000);
  const collector = (hooks: CollectorHooks = {}, graceMs = 0) => new GarbageCollector(ledger, harness.blobs, { graceMs, batchSize: 50, now: ahead }, hooks);
  const stored = async (digest: string) => (await harness.blobs.stat(digest)) !== null;
  /** Starts a collection that pauses at `point` until `resume()`; resolves once it got there. */
  async function pausedAt(point: keyof CollectorHooks): Promise<{ run: Promise<CollectionResult>; resume(): void }> {
    const paused = gate();
    const run = collector({ [point]: () => paused.pass() }).collect();
    await paused.reached;
    return { run, resume: paused.open };
  }

  const storeDigests = async () => {
    const all: string[] = [];
    for await (const b of harness.blobs.list()) all.push(b.digest);
    return all.sort();
  };

  /** Pulls the image by tag and checks every byte against its digest. */
  async function expectPullable(repo: HostedRepository, image: string, tag: string, img: ImageManifest): Promise<void> {
    const manifest = await repo.getManifest(image, tag);
    expect(manifest?.digest).toBe(img.digest);
    for (const blob of img.blobs) {
      const handle = await repo.getBlob(image, blob.digest);
      expect(handle, `blob ${blob.digest} of ${image}:${tag}`).not.toBeNull();
      expect((await collect(handle!.stream())).equals(blob.bytes)).toBe(true);
    }
  }

  it('frees what a deleted image alone held and keeps what another image shares', async () => {
    const base = randomBlob(4096);
    const a = imageManifest({ layers: [base, randomBlob(1000), randomBlob(2000)] });
    const b = imageManifest({ layers: [base, randomBlob(3000)] });
    await pushImage(hosted, 'a', a, 'v1');
    await pushImage(hosted, 'b', b, 'v1');

    await hosted.deleteManifest('a', a.digest);
    const result = await collector().collect();

    const unique = a.blobs.filter((x) => x.digest !== base.digest);
    for (const blob of unique) expect(await stored(blob.digest)).toBe(false);
    expect(await stored(a.digest)).toBe(false);
    expect(await stored(base.digest)).toBe(true);
    await expectPullable(hosted, 'b', 'v1', b);
    expect(result.blobsDeleted).toBe(unique.length + 1);
    expect(result.bytesFreed).toBe(unique.reduce((n, x) => n + x.bytes.length, 0) + a.bytes.length);
    // a second run finds nothing more
    expect((await collector().collect()).blobsDeleted).toBe(0);
  });

  it('frees a blob shared by two repositories only once neither references it', async () => {
    const other = harness.repository(hostedConfig('docker-hosted-2'));
    const img = imageManifest({ layers: [randomBlob(5000)] });
    await pushImage(hosted, 'app', img, 'v1');
    await pushImage(other, 'app', img, 'v1');

    await hosted.deleteManifest('app', img.digest);
    await collector().collect();
    for (const blob of img.blobs) expect(await stored(blob.digest)).toBe(true);
    await expectPullable(other, 'app', 'v1', img);

    await other.deleteManifest('app', img.digest);
    await collector().collect();
    for (const blob of img.blobs) expect(await stored(blob.digest)).toBe(false);
    expect(await storeDigests()).toEqual([]);
  });

  it('keeps blobs and links within the grace period (an upload whose manifest is not pushed yet)', async () => {
    const img = imageManifest();
    await pushBlobs(hosted, 'app', img.blobs);
    await collector({}, 60 * 60_000).collect();
    for (const blob of img.blobs) expect(await stored(blob.digest)).toBe(true);
    // the push completes later
    await hosted.putManifest('app', 'v1', img.bytes, img.mediaType);
    await expectPullable(hosted, 'app', 'v1', img);
    // without a grace period, uploaded blobs no manifest uses are garbage
    const lone = imageManifest();
    await pushBlobs(hosted, 'app', lone.blobs);
    await collector().collect();
    for (const blob of lone.blobs) expect(await stored(blob.digest)).toBe(false);
    await expectPullable(hosted, 'app', 'v1', img);
  });

  it('keeps untagged manifests and what they reference (only cleanup policies remove them)', async () => {
    const img = imageManifest();
    await pushImage(hosted, 'app', img);
    await collector().collect();
    expect((await hosted.getManifest('app', img.digest))?.digest).toBe(img.digest);
    for (const blob of img.blobs) expect(await stored(blob.digest)).toBe(true);
  });

  describe('a manifest PUT racing the sweep', () => {
    it('sweep first: the blobs are decided and deleted, the PUT fails with MANIFEST_BLOB_UNKNOWN and leaves nothing', async () => {
      const img = imageManifest();
      await pushBlobs(hosted, 'app', img.blobs);
      // the client checks its blobs (warming the repository's cache), then the collection decides them
      for (const blob of img.blobs) expect(await hosted.statBlob('app', blob.digest)).not.toBeNull();
      const { run, resume } = await pausedAt('beforeDelete');
      await expectRegistryError(hosted.putManifest('app', 'v1', img.bytes, img.mediaType), 'MANIFEST_BLOB_UNKNOWN');
      resume();
      await run;
      expect(await hosted.getManifest('app', 'v1')).toBeNull();
      expect(await hosted.getManifest('app', img.digest)).toBeNull();
      for (const blob of img.blobs) expect(await stored(blob.digest)).toBe(false);
      // the client pushes again and succeeds
      await pushImage(hosted, 'app', img, 'v1');
      await expectPullable(hosted, 'app', 'v1', img);
    });

    it('PUT first: it commits between the mark and the decision, and the sweep keeps every blob it references', async () => {
      const img = imageManifest();
      const { run, resume } = await pausedAt('afterMark');
      // the whole push happens after the mark: the collection's listing sees blobs the mark did not
      await pushImage(hosted, 'app', img, 'v1');
      resume();
      const result = await run;
      expect(result.blobsDeleted).toBe(0);
      await expectPullable(hosted, 'app', 'v1', img);
    });

    it('PUT paused inside: the sweep runs to the end before the PUT records its references: the PUT fails, nothing dangles', async () => {
      const img = imageManifest();
      await pushBlobs(hosted, 'app', img.blobs);
      const inside = pauseBefore(harness.deps.manifests, 'put');
      const push = hosted.putManifest('app', 'v1', img.bytes, img.mediaType);
      await inside.reached;
      const result = await collector().collect();
      // the manifest's own bytes are claimed by the PUT: kept; the unreferenced layers are gone
      expect(await stored(img.digest)).toBe(true);
      expect(result.blobsDeleted).toBe(img.blobs.length);
      inside.open();
      await expectRegistryError(push, 'MANIFEST_BLOB_UNKNOWN');
      expect(await hosted.getManifest('app', img.digest)).toBeNull();
    });
  });

  it('never deletes a blob an upload is committing (claimed before it lands, until it is linked)', async () => {
    const img = imageManifest({ layers: [randomBlob(2048)] });
    const linking = pauseBefore(harness.deps.links, 'link');
    const upload = hosted.putBlob('app', img.layers[0]!.digest, streamOf(img.layers[0]!.bytes));
    await linking.reached;
    // the bytes are in the store, nothing references them yet: only the claim protects them
    expect(await stored(img.layers[0]!.digest)).toBe(true);
    const result = await collector().collect();
    expect(result.blobsDeleted).toBe(0);
    linking.open();
    await upload;
    await pushBlobs(hosted, 'app', [img.config]);
    await hosted.putManifest('app', 'v1', img.bytes, img.mediaType);
    await expectPullable(hosted, 'app', 'v1', img);
  });

  describe('a mount racing the sweep', () => {
    it('sweep first: the mount is refused (the client uploads instead)', async () => {
      const source = harness.repository(hostedConfig('docker-hosted-2'));
      const img = imageManifest();
      await pushBlobs(source, 'src', img.blobs);
      const { run, resume } = await pausedAt('beforeDelete');
      // the source repository's cache still believes it holds the blob; the store is about to lose it
      expect(await hosted.mountBlob('app', img.layers[0]!.digest, { repository: source, image: 'src' })).toBeNull();
      resume();
      await run;
      expect(await hosted.statBlob('app', img.layers[0]!.digest)).toBeNull();
    });

    it('mount first: the linked blob is kept', async () => {
      const source = harness.repository(hostedConfig('docker-hosted-2'));
      const img = imageManifest();
      await pushImage(source, 'src', img, 'v1');
      for (const blob of img.blobs) expect(await hosted.mountBlob('app', blob.digest, { repository: source, image: 'src' })).not.toBeNull();
      await hosted.putManifest('app', 'v1', img.bytes, img.mediaType);
      await source.deleteManifest('src', img.digest);
      await collector().collect();
      await expectPullable(hosted, 'app', 'v1', img);
    });
  });

  describe('an interrupted collection (the process died between deciding and deleting)', () => {
    async function interrupted(): Promise<ImageManifest> {
      const img = imageManifest();
      await pushImage(hosted, 'app', img, 'v1');
      await hosted.deleteManifest('app', img.digest);
      // decide with a lease that runs out at once, then "die" before deleting anything
      const dying = new GarbageCollector(ledger, harness.blobs, { graceMs: 0, leaseMs: 1, now: ahead }, {
        beforeDelete: () => new Promise(() => undefined),
      });
      void dying.collect();
      await expect.poll(async () => (await harness.db!.query('SELECT COUNT(*) AS n FROM blob_deletions'))[0].n).toBe(img.blobs.length + 1);
      await new Promise((r) => setTimeout(r, 5));
      return img;
    }

    it('the next collection finishes the work', async () => {
      const img = await interrupted();
      const result = await collector().collect();
      expect(result.resumed).toBe(img.blobs.length + 1);
      expect(await storeDigests()).toEqual([]);
      expect((await harness.db!.query('SELECT COUNT(*) AS n FROM blob_deletions'))[0].n).toBe(0);
    });

    it('on a start alone on the database, deletions a dead process left are resumed at once, before their lease ran out', async () => {
      const img = imageManifest();
      await pushImage(hosted, 'app', img, 'v1');
      await hosted.deleteManifest('app', img.digest);
      void new GarbageCollector(ledger, harness.blobs, { graceMs: 0, now: ahead }, { beforeDelete: () => new Promise(() => undefined) }).collect();
      await expect.poll(async () => (await harness.db!.query('SELECT COUNT(*) AS n FROM blob_deletions'))[0].n).toBe(img.blobs.length + 1);
      // Their two-minute lease is still running: a collection leaves them alone.
      expect((await collector().collect()).resumed).toBe(0);
      expect(await ledger.abandonDeletions()).toBe(img.blobs.length + 1);
      expect((await collector().collect()).resumed).toBe(img.blobs.length + 1);
      expect(await storeDigests()).toEqual([]);
    });

    it('a writer needing a decided digest takes the dead deletion over and stores its blob', async () => {
      const img = await interrupted();
      await pushImage(hosted, 'app', img, 'v2');
      await collector().collect();
      await expectPullable(hosted, 'app', 'v2', img);
    });
  });

  it('a writer waits while a collection deletes its digest, then stores the blob again', async () => {
    const img = imageManifest();
    await pushBlobs(hosted, 'app', img.blobs);
    const { run, resume } = await pausedAt('beforeDelete');
    let pushed = false;
    const push = pushImage(hosted, 'app', img, 'v1').then(() => (pushed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(pushed).toBe(false);
    resume();
    await run;
    await push;
    await expectPullable(hosted, 'app', 'v1', img);
  });

  it('claims of a dead writer expire', async () => {
    const img = imageManifest();
    const digest = img.layers[0]!.digest;
    await harness.blobs.write(streamOf(img.layers[0]!.bytes), { digest });
    const claims = new TypeOrmBlobClaims(harness.db!);
    const live = await claims.claim(digest);
    expect((await collector().collect()).blobsDeleted).toBe(0);
    await live.release();
    // a claim whose writer died is never renewed: once its lease is over it holds nothing
    await harness.db!.getRepository(BlobClaimEntity).insert({ id: 'dead', digest, expiresAt: new Date('2020-01-01T00:00:00Z') });
    expect((await collector().collect()).blobsDeleted).toBe(1);
  });

  it('the catalog sees the repository as one graph for cleanup', async () => {
    const img = imageManifest();
    await pushImage(hosted, 'app', img, 'v1');
    const catalog = new TypeOrmContentCatalog(harness.db!);
    const [m] = await catalog.manifests('docker-hosted');
    expect(m).toMatchObject({ image: 'app', digest: img.digest, tags: [{ name: 'v1' }] });
    expect([...m!.references].sort()).toEqual(img.blobs.map((b) => b.digest).sort());
  });
});
