import type { ManifestRecord } from '@wharf/registry-core';
import { beforeEach, expect, it } from 'vitest';
import { IsNull, Not } from 'typeorm';
import { describeOnEachDialect, sha } from '../../test/database';
import { BlobLinkEntity, ManifestEntity, ManifestReferenceEntity } from '../entities';
import { TypeOrmManifestIndex } from './typeorm-manifest-index';

const REPO = 'docker-hosted';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function record(digest: string, extra: Partial<ManifestRecord> = {}): ManifestRecord {
  return { digest, mediaType: OCI_MANIFEST, size: 512, createdAt: new Date('2030-01-01T00:00:00.000Z'), ...extra };
}

describeOnEachDialect('TypeOrmManifestIndex', (db) => {
  let index: TypeOrmManifestIndex;

  beforeEach(() => {
    index = new TypeOrmManifestIndex(db());
  });

  async function references(repository: string, image: string, manifest: string): Promise<string[]> {
    const rows = await db().getRepository(ManifestReferenceEntity).find({ where: { repository, image, manifest }, order: { digest: 'ASC' } });
    return rows.map((r) => r.digest);
  }

  it('stores a record and reads it back unchanged', async () => {
    const full = record(sha(1), {
      size: 1234,
      artifactType: 'application/vnd.example.sbom+json',
      subject: sha(2),
      annotations: { 'org.opencontainers.image.created': '2030-01-01T00:00:00Z', 'ünïcode': '✓ "quoted"' },
      createdAt: new Date('2031-02-03T04:05:06.789Z'),
    });
    await index.put(REPO, 'app', full, []);
    expect(await index.get(REPO, 'app', sha(1))).toEqual(full);

    await index.put(REPO, 'app', record(sha(3)), []);
    const plain = await index.get(REPO, 'app', sha(3));
    expect(plain).toEqual(record(sha(3)));
    expect(Object.keys(plain!).sort()).toEqual(['createdAt', 'digest', 'mediaType', 'size']);
  });

  it('answers null for a manifest the image does not hold', async () => {
    await index.put(REPO, 'app', record(sha(1)), []);
    expect(await index.get(REPO, 'app', sha(2))).toBeNull();
    expect(await index.get(REPO, 'other', sha(1))).toBeNull();
    expect(await index.get('other', 'app', sha(1))).toBeNull();
  });

  it('keeps the first createdAt and lastDownloadedAt when put again', async () => {
    await index.put(REPO, 'app', record(sha(1), { createdAt: new Date('2030-01-01T00:00:00.000Z') }), [sha(10)]);
    await index.recordDownloads([{ repository: REPO, image: 'app', digest: sha(1), at: new Date('2030-06-01T12:00:00.500Z') }]);
    await index.put(REPO, 'app', record(sha(1), { createdAt: new Date('2035-01-01T00:00:00.000Z') }), [sha(10)]);
    const got = await index.get(REPO, 'app', sha(1));
    expect(got?.createdAt.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(got?.lastDownloadedAt?.toISOString()).toBe('2030-06-01T12:00:00.500Z');
    const rows: { n: number }[] = await db().query('SELECT COUNT(*) AS n FROM manifests');
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('records references, each once, and keeps them on a re-put', async () => {
    await index.put(REPO, 'app', record(sha(1)), [sha(11), sha(12), sha(11), sha(13)]);
    expect(await references(REPO, 'app', sha(1))).toEqual([sha(11), sha(12), sha(13)]);
    await index.put(REPO, 'app', record(sha(1)), [sha(11), sha(12), sha(13)]);
    expect(await references(REPO, 'app', sha(1))).toEqual([sha(11), sha(12), sha(13)]);
    await index.put(REPO, 'other', record(sha(1)), [sha(14)]);
    expect(await references(REPO, 'app', sha(1))).toEqual([sha(11), sha(12), sha(13)]);
    expect(await references(REPO, 'other', sha(1))).toEqual([sha(14)]);
  });

  it('stores a manifest with many references in one put', async () => {
    const refs = Array.from({ length: 600 }, (_, i) => sha(1000 + i));
    await index.put(REPO, 'app', record(sha(1)), refs);
    expect((await references(REPO, 'app', sha(1))).length).toBe(600);
  });

  it('lists the referrers of a subject, sorted by digest, within one image', async () => {
    await index.put(REPO, 'app', record(sha(1)), []);
    await index.put(REPO, 'app', record(sha(30), { subject: sha(1), artifactType: 'application/vnd.example.sig' }), []);
    await index.put(REPO, 'app', record(sha(20), { subject: sha(1), annotations: { a: 'b' } }), []);
    await index.put(REPO, 'app', record(sha(40), { subject: sha(2) }), []);
    await index.put(REPO, 'other', record(sha(50), { subject: sha(1) }), []);
    await index.put('repo2', 'app', record(sha(60), { subject: sha(1) }), []);

    const referrers = await index.referrers(REPO, 'app', sha(1));
    expect(referrers.map((r) => r.digest)).toEqual([sha(20), sha(30)]);
    expect(referrers[0]).toEqual(record(sha(20), { subject: sha(1), annotations: { a: 'b' } }));
    expect(referrers[1]?.artifactType).toBe('application/vnd.example.sig');
    expect(await index.referrers(REPO, 'app', sha(99))).toEqual([]);
  });

  it('records last-downloaded times in a batch, per manifest, only ever moving forward', async () => {
    await index.put(REPO, 'app', record(sha(1)), []);
    await index.put(REPO, 'app', record(sha(2)), []);
    await index.put(REPO, 'other', record(sha(1)), []);
    const at = new Date('2032-03-04T05:06:07.089Z');
    const earlier = new Date('2032-03-04T05:06:07.088Z');
    await index.recordDownloads([
      { repository: REPO, image: 'app', digest: sha(1), at },
      { repository: REPO, image: 'app', digest: sha(2), at: earlier },
      { repository: REPO, image: 'app', digest: sha(3), at },
    ]);
    expect((await index.get(REPO, 'app', sha(1)))?.lastDownloadedAt?.toISOString()).toBe(at.toISOString());
    expect((await index.get(REPO, 'app', sha(2)))?.lastDownloadedAt?.toISOString()).toBe(earlier.toISOString());
    expect((await index.get(REPO, 'other', sha(1)))?.lastDownloadedAt).toBeUndefined();
    expect(await index.get(REPO, 'app', sha(3))).toBeNull();
    // an older report (another process's late flush) does not move the time back
    await index.recordDownloads([{ repository: REPO, image: 'app', digest: sha(1), at: earlier }]);
    expect((await index.get(REPO, 'app', sha(1)))?.lastDownloadedAt?.toISOString()).toBe(at.toISOString());
  });

  it('keeps the last-downloaded time a first put brings (a proxy caching what it serves)', async () => {
    const at = new Date('2031-01-01T00:00:00.000Z');
    await index.put(REPO, 'app', record(sha(1), { lastDownloadedAt: at }), []);
    expect((await index.get(REPO, 'app', sha(1)))?.lastDownloadedAt?.toISOString()).toBe(at.toISOString());
  });

  it('writes a large batch of downloads', async () => {
    const manifests = db().getRepository(ManifestEntity);
    const digests = Array.from({ length: 1200 }, (_, i) => sha(5000 + i));
    await manifests.insert(digests.map((digest) => ({ ...record(digest), repository: REPO, image: 'app', annotations: null })));
    const at = new Date('2033-01-01T00:00:00.000Z');
    await index.recordDownloads(digests.map((digest) => ({ repository: REPO, image: 'app', digest, at })));
    expect(await manifests.countBy({ lastDownloadedAt: Not(IsNull()) })).toBe(1200);
  });

  it('tells whether an image holds any manifest', async () => {
    expect(await index.hasImage(REPO, 'app')).toBe(false);
    await index.put(REPO, 'app', record(sha(1)), []);
    expect(await index.hasImage(REPO, 'app')).toBe(true);
    expect(await index.hasImage(REPO, 'app/sub')).toBe(false);
    expect(await index.hasImage('other', 'app')).toBe(false);
    await index.delete(REPO, 'app', sha(1));
    expect(await index.hasImage(REPO, 'app')).toBe(false);
  });

  it('deletes a manifest and its references, telling whether it existed', async () => {
    await index.put(REPO, 'app', record(sha(1)), [sha(11)]);
    await index.put(REPO, 'app', record(sha(2)), [sha(11)]);
    await index.put(REPO, 'other', record(sha(1)), [sha(11)]);
    expect(await index.delete(REPO, 'app', sha(1))).toBe(true);
    expect(await index.delete(REPO, 'app', sha(1))).toBe(false);
    expect(await index.get(REPO, 'app', sha(1))).toBeNull();
    expect(await references(REPO, 'app', sha(1))).toEqual([]);
    expect(await references(REPO, 'app', sha(2))).toEqual([sha(11)]);
    expect(await references(REPO, 'other', sha(1))).toEqual([sha(11)]);
    expect(await index.get(REPO, 'other', sha(1))).not.toBeNull();
  });

  it('leaves nothing half-written when a put fails', async () => {
    await index.put(REPO, 'app', record(sha(1)), [sha(11)]);
    // A null reference makes the insert of references fail (NOT NULL) after the manifest row was saved.
    await expect(index.put(REPO, 'app', record(sha(2)), [null as unknown as string])).rejects.toBeDefined();
    expect(await index.get(REPO, 'app', sha(2))).toBeNull();
  });

  it('checks required digests in the same step that records the manifest, storing nothing when one is missing', async () => {
    await db().getRepository(BlobLinkEntity).insert({ repository: REPO, image: 'app', digest: sha(10), size: 10, createdAt: new Date() });
    await index.put(REPO, 'app', record(sha(20)), []);
    // a linked blob and a manifest of the image are present; a blob linked to another image is not
    await db().getRepository(BlobLinkEntity).insert({ repository: REPO, image: 'other', digest: sha(11), size: 10, createdAt: new Date() });
    expect(await index.put(REPO, 'app', record(sha(1)), [sha(10), sha(20), sha(11)], [sha(10), sha(20), sha(11)])).toBe(sha(11));
    expect(await index.get(REPO, 'app', sha(1))).toBeNull();
    expect(await references(REPO, 'app', sha(1))).toEqual([]);
    expect(await index.put(REPO, 'app', record(sha(1)), [sha(10), sha(20)], [sha(10), sha(20)])).toBeNull();
    expect(await references(REPO, 'app', sha(1))).toEqual([sha(10), sha(20)]);
  });

  it('marks a manifest verified', async () => {
    await index.put(REPO, 'app', record(sha(1), { verifiedAt: new Date('2030-01-01T00:00:00.000Z') }), []);
    expect((await index.get(REPO, 'app', sha(1)))?.verifiedAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    await index.markVerified(REPO, 'app', sha(1), new Date('2030-02-01T00:00:00.000Z'));
    expect((await index.get(REPO, 'app', sha(1)))?.verifiedAt?.toISOString()).toBe('2030-02-01T00:00:00.000Z');
  });
});
