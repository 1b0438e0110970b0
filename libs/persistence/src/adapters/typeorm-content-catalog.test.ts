import type { ManifestRecord } from '@wharf/registry-core';
import { beforeEach, expect, it } from 'vitest';
import { describeOnEachDialect, sha } from '../../test/database';
import { TypeOrmBlobLinks } from './typeorm-blob-links';
import { TypeOrmContentCatalog } from './typeorm-content-catalog';
import { TypeOrmManifestIndex } from './typeorm-manifest-index';
import { TypeOrmTagIndex } from './typeorm-tag-index';

const REPO = 'docker-hosted';

function record(digest: string, extra: Partial<ManifestRecord> = {}): ManifestRecord {
  return { digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 500, createdAt: new Date('2030-01-01T00:00:00.000Z'), ...extra };
}

describeOnEachDialect('TypeOrmContentCatalog', (db) => {
  let catalog: TypeOrmContentCatalog;
  let manifests: TypeOrmManifestIndex;
  let tags: TypeOrmTagIndex;
  let links: TypeOrmBlobLinks;

  beforeEach(() => {
    catalog = new TypeOrmContentCatalog(db());
    manifests = new TypeOrmManifestIndex(db());
    tags = new TypeOrmTagIndex(db());
    links = new TypeOrmBlobLinks(db());
  });

  it('reads a repository as manifests with their references and tags', async () => {
    await manifests.put(REPO, 'app', record(sha(1), { lastDownloadedAt: new Date('2030-02-01T00:00:00.000Z'), subject: sha(9) }), [sha(10), sha(11)]);
    await manifests.put(REPO, 'tools', record(sha(2)), []);
    await manifests.put('other', 'app', record(sha(3)), []);
    await tags.set(REPO, 'app', 'v1', sha(1));
    await tags.set(REPO, 'app', 'latest', sha(1));
    const all = await catalog.manifests(REPO);
    expect(all.map((m) => `${m.image}@${m.digest}`).sort()).toEqual([`app@${sha(1)}`, `tools@${sha(2)}`]);
    const app = all.find((m) => m.image === 'app')!;
    expect(app.references.sort()).toEqual([sha(10), sha(11)]);
    expect(app.tags.map((t) => t.name).sort()).toEqual(['latest', 'v1']);
    expect(app.lastDownloadedAt?.toISOString()).toBe('2030-02-01T00:00:00.000Z');
    expect(app.subject).toBe(sha(9));
    expect(app.createdAt.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect((await catalog.manifests(REPO, 'tools')).map((m) => m.digest)).toEqual([sha(2)]);
  });

  it('gives the sizes of stored blobs and manifests', async () => {
    await links.link(REPO, 'app', sha(10), 1234);
    await manifests.put(REPO, 'app', record(sha(1)), []);
    const sizes = await catalog.sizes([sha(10), sha(1), sha(99)]);
    expect([...sizes.entries()].sort()).toEqual([
      [sha(1), 500],
      [sha(10), 1234],
    ]);
  });

  it('sums what each repository stores, each digest once per repository, and what several store together', async () => {
    await links.link(REPO, 'app', sha(10), 3_000_000_000); // past 2 GiB: a bigint on PostgreSQL
    await links.link(REPO, 'tools', sha(10), 3_000_000_000); // the same blob linked to a second image
    await links.link(REPO, 'app', sha(11), 200);
    await manifests.put(REPO, 'app', record(sha(1)), [sha(10), sha(11)]);
    await links.link('other', 'app', sha(10), 3_000_000_000); // shared with another repository
    await links.link('other', 'app', sha(12), 70);
    await manifests.put('other', 'app', record(sha(3)), [sha(10), sha(12)]);
    const all = await catalog.storedBytes();
    expect(all.get(REPO)).toEqual({ blobCount: 3, totalBytes: 3_000_000_000 + 200 + 500 });
    expect(all.get('other')).toEqual({ blobCount: 3, totalBytes: 3_000_000_000 + 70 + 500 });
    expect(all.has('empty')).toBe(false);
    expect(await catalog.storedBytesOf([REPO, 'other'])).toEqual({ blobCount: 5, totalBytes: 3_000_000_000 + 200 + 70 + 500 + 500 });
    expect(await catalog.storedBytesOf(['empty'])).toEqual({ blobCount: 0, totalBytes: 0 });
    expect(await catalog.storedBytesOf([])).toEqual({ blobCount: 0, totalBytes: 0 });
  });

  it('tells which digests manifests other than the excluded ones still hold, in any repository', async () => {
    await manifests.put(REPO, 'app', record(sha(1)), [sha(10), sha(11)]);
    await manifests.put(REPO, 'app', record(sha(2)), [sha(11)]);
    await manifests.put('other', 'app', record(sha(3)), [sha(12)]);
    await manifests.put('other', 'app', record(sha(1)), []);
    const held = await catalog.heldElsewhere([sha(1), sha(10), sha(11), sha(12), sha(13)], REPO, [{ image: 'app', digest: sha(1) }]);
    expect([...held].sort()).toEqual([sha(1), sha(11), sha(12)]);
  });

  it('removes tags still pointing where planned, then manifests nothing keeps, parents before children', async () => {
    await manifests.put(REPO, 'app', record(sha(11)), [sha(100)]);
    await manifests.put(REPO, 'app', record(sha(1)), [sha(11)]);
    await manifests.put(REPO, 'app', record(sha(5), { subject: sha(1) }), []);
    await manifests.put(REPO, 'app', record(sha(2)), []);
    await tags.set(REPO, 'app', 'v1', sha(1));
    await tags.set(REPO, 'app', 'v2', sha(2));
    await tags.set(REPO, 'app', 'moved', sha(2));
    const removed = await catalog.remove(
      REPO,
      [
        { image: 'app', tag: 'v1', digest: sha(1) },
        { image: 'app', tag: 'moved', digest: sha(9) }, // moved since the plan: stays
      ],
      [
        { image: 'app', digest: sha(11) }, // listed before its parent
        { image: 'app', digest: sha(5) },
        { image: 'app', digest: sha(1) },
        { image: 'app', digest: sha(2) }, // still tagged: stays
      ],
    );
    expect(removed.tags.map((t) => t.tag)).toEqual(['v1']);
    expect(removed.manifests.map((m) => m.digest).sort()).toEqual([sha(1), sha(11), sha(5)].sort());
    expect((await catalog.manifests(REPO)).map((m) => m.digest)).toEqual([sha(2)]);
    const refs: { n: number }[] = await db().query('SELECT COUNT(*) AS n FROM manifest_references');
    expect(Number(refs[0]!.n)).toBe(0);
  });

  it('keeps a manifest a tagged referrer describes', async () => {
    await manifests.put(REPO, 'app', record(sha(1)), []);
    await manifests.put(REPO, 'app', record(sha(2), { subject: sha(1) }), []);
    await tags.set(REPO, 'app', 'sig', sha(2));
    const removed = await catalog.remove(REPO, [], [{ image: 'app', digest: sha(1) }]);
    expect(removed.manifests).toEqual([]);
  });
});
