import { beforeEach, expect, it } from 'vitest';
import { BlobDeletionEntity, BlobLinkEntity, ManifestReferenceEntity } from '../entities';
import { describeOnEachDialect, sha } from '../../test/database';
import { TypeOrmBlobLinks } from './typeorm-blob-links';

const REPO = 'docker-hosted';

describeOnEachDialect('TypeOrmBlobLinks', (db) => {
  let links: TypeOrmBlobLinks;

  beforeEach(() => {
    links = new TypeOrmBlobLinks(db());
  });

  it('links a blob to an image and reports its size', async () => {
    expect(await links.get(REPO, 'app', sha(1))).toBeNull();
    await links.link(REPO, 'app', sha(1), 4096);
    expect(await links.get(REPO, 'app', sha(1))).toMatchObject({ size: 4096 });
  });

  it('keeps sizes beyond 4 GiB exact', async () => {
    const big = 5 * 1024 * 1024 * 1024 + 7;
    await links.link(REPO, 'app', sha(1), big);
    expect(await links.get(REPO, 'app', sha(1))).toMatchObject({ size: big });
  });

  it('links the same blob again as one link, confirmed anew', async () => {
    await links.link(REPO, 'app', sha(1), 10);
    const first = (await links.get(REPO, 'app', sha(1)))!.linkedAt;
    await new Promise((r) => setTimeout(r, 5));
    await expect(links.link(REPO, 'app', sha(1), 10)).resolves.toBeUndefined();
    expect((await links.get(REPO, 'app', sha(1)))!.linkedAt.getTime()).toBeGreaterThan(first.getTime());
    expect(await links.get(REPO, 'app', sha(1))).toMatchObject({ size: 10 });
    const rows: { n: number }[] = await db().query('SELECT COUNT(*) AS n FROM blob_links');
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('scopes links by repository and image', async () => {
    await links.link(REPO, 'app', sha(1), 10);
    expect(await links.get(REPO, 'app2', sha(1))).toBeNull();
    expect(await links.get('other', 'app', sha(1))).toBeNull();
    expect(await links.get(REPO, 'app', sha(2))).toBeNull();
  });

  it('tells whether any image of a repository holds a blob', async () => {
    await links.link(REPO, 'a/b', sha(1), 10);
    expect(await links.inRepository(REPO, sha(1))).toBe(true);
    expect(await links.inRepository(REPO, sha(2))).toBe(false);
    expect(await links.inRepository('other', sha(1))).toBe(false);
  });

  it('unlinks from one image only, telling whether it was linked', async () => {
    await links.link(REPO, 'one', sha(1), 10);
    await links.link(REPO, 'two', sha(1), 10);
    await links.link('other', 'one', sha(1), 10);
    expect(await links.unlink(REPO, 'one', sha(1))).toBe(true);
    expect(await links.unlink(REPO, 'one', sha(1))).toBe(false);
    expect(await links.get(REPO, 'one', sha(1))).toBeNull();
    expect(await links.get(REPO, 'two', sha(1))).toMatchObject({ size: 10 });
    expect(await links.get('other', 'one', sha(1))).toMatchObject({ size: 10 });
  });

  it('links a blob already held elsewhere only while it is held and not being deleted', async () => {
    // held by another image's link
    await links.link('other', 'one', sha(1), 10);
    expect(await links.linkIfHeld(REPO, 'app', sha(1), 10)).toBe(true);
    expect(await links.get(REPO, 'app', sha(1))).toMatchObject({ size: 10 });
    // held by nothing
    expect(await links.linkIfHeld(REPO, 'app', sha(2), 10)).toBe(false);
    expect(await links.get(REPO, 'app', sha(2))).toBeNull();
    // held by a manifest reference, or as a manifest
    await db().getRepository(ManifestReferenceEntity).insert({ repository: 'x', image: 'y', manifest: sha(9), digest: sha(3) });
    expect(await links.linkIfHeld(REPO, 'app', sha(3), 10)).toBe(true);
    // held, but a collection is deleting it: refused
    await links.link('other', 'one', sha(4), 10);
    await db().getRepository(BlobDeletionEntity).insert({ digest: sha(4), owner: 'gc', startedAt: new Date('2030-01-01T00:00:00Z'), expiresAt: new Date('2099-01-01T00:00:00Z') });
    expect(await links.linkIfHeld(REPO, 'app', sha(4), 10)).toBe(false);
  });

  it('confirms a stale link (restarting its grace period) and leaves a fresh one', async () => {
    await links.link(REPO, 'app', sha(1), 10);
    await db().getRepository(BlobLinkEntity).update({ repository: REPO }, { createdAt: new Date('2020-01-01T00:00:00Z') });
    expect(await links.confirm(REPO, 'app', sha(1), new Date('2019-01-01T00:00:00Z'))).toBe(true);
    expect((await links.get(REPO, 'app', sha(1)))!.linkedAt.toISOString()).toBe('2020-01-01T00:00:00.000Z');
    const before = Date.now();
    expect(await links.confirm(REPO, 'app', sha(1), new Date())).toBe(true);
    expect((await links.get(REPO, 'app', sha(1)))!.linkedAt.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(await links.confirm(REPO, 'app', sha(2), new Date())).toBe(false);
  });
});
