import { beforeEach, describe, expect, it } from 'vitest';
import { byteOrder, describeOnEachDialect, sha } from '../../test/database';
import { TagEntity } from '../entities';
import { TypeOrmManifestIndex } from './typeorm-manifest-index';
import { TypeOrmTagIndex } from './typeorm-tag-index';

const REPO = 'docker-hosted';

describeOnEachDialect('TypeOrmTagIndex', (db) => {
  let tags: TypeOrmTagIndex;
  let manifests: TypeOrmManifestIndex;

  beforeEach(() => {
    tags = new TypeOrmTagIndex(db());
    manifests = new TypeOrmManifestIndex(db());
  });

  async function putManifest(image: string, digest: string, repository = REPO): Promise<void> {
    await manifests.put(repository, image, { digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 100, createdAt: new Date() }, []);
  }

  /** Every page of `list`, checking that only the last page lacks `next`. */
  async function walk<T>(list: (page: { n: number; last?: string }) => Promise<{ items: T[]; next?: string }>, n: number): Promise<T[]> {
    const out: T[] = [];
    let last: string | undefined;
    for (let guard = 0; guard < 1000; guard++) {
      const page = await list(last === undefined ? { n } : { n, last });
      out.push(...page.items);
      if (page.next === undefined) return out;
      expect(page.items.length).toBe(n);
      last = page.next;
    }
    throw new Error('pagination did not end');
  }

  describe('set / get', () => {
    it('moves updatedAt only when the tag moves to another digest (a proxy revalidating keeps it)', async () => {
      await tags.set(REPO, 'app', 'v1', sha(1));
      await db().getRepository(TagEntity).update({ repository: REPO }, { updatedAt: new Date('2020-01-01T00:00:00Z') });
      const verified = new Date('2031-01-01T00:00:00.000Z');
      await tags.set(REPO, 'app', 'v1', sha(1), verified);
      const same = await tags.get(REPO, 'app', 'v1');
      expect(same?.updatedAt.toISOString()).toBe('2020-01-01T00:00:00.000Z');
      expect(same?.verifiedAt?.toISOString()).toBe(verified.toISOString());
      await tags.set(REPO, 'app', 'v1', sha(2));
      const moved = await tags.get(REPO, 'app', 'v1');
      expect(moved?.digest).toBe(sha(2));
      expect(moved!.updatedAt.getTime()).toBeGreaterThan(Date.parse('2025-01-01'));
      expect(moved?.verifiedAt).toBeUndefined();
    });

    it('stores a tag and reads it back', async () => {
      const before = Date.now();
      await tags.set(REPO, 'library/app', 'v1', sha(1));
      const got = await tags.get(REPO, 'library/app', 'v1');
      expect(got).toEqual({ image: 'library/app', name: 'v1', digest: sha(1), updatedAt: expect.any(Date) });
      expect(got!.verifiedAt).toBeUndefined();
      expect(got!.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(got!.updatedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1);
    });

    it('keeps verifiedAt to the millisecond', async () => {
      const verifiedAt = new Date('2031-07-08T09:10:11.123Z');
      await tags.set(REPO, 'app', 'v1', sha(1), verifiedAt);
      expect((await tags.get(REPO, 'app', 'v1'))?.verifiedAt?.toISOString()).toBe('2031-07-08T09:10:11.123Z');
    });

    it('upserts: setting a tag again moves it, with one row', async () => {
      await tags.set(REPO, 'app', 'v1', sha(1), new Date('2030-01-01T00:00:00Z'));
      await tags.set(REPO, 'app', 'v1', sha(2));
      const got = await tags.get(REPO, 'app', 'v1');
      expect(got?.digest).toBe(sha(2));
      expect(got?.verifiedAt).toBeUndefined();
      const rows: { n: number }[] = await db().query('SELECT COUNT(*) AS n FROM tags');
      expect(Number(rows[0]!.n)).toBe(1);
    });

    it('scopes tags by repository and image, and tag names are case-sensitive', async () => {
      await tags.set(REPO, 'app', 'v1', sha(1));
      await tags.set('other', 'app', 'v1', sha(2));
      await tags.set(REPO, 'app2', 'v1', sha(3));
      await tags.set(REPO, 'app', 'V1', sha(4));
      expect((await tags.get(REPO, 'app', 'v1'))?.digest).toBe(sha(1));
      expect((await tags.get('other', 'app', 'v1'))?.digest).toBe(sha(2));
      expect((await tags.get(REPO, 'app2', 'v1'))?.digest).toBe(sha(3));
      expect((await tags.get(REPO, 'app', 'V1'))?.digest).toBe(sha(4));
      expect(await tags.get(REPO, 'app', 'v2')).toBeNull();
      expect(await tags.get(REPO, 'nope', 'v1')).toBeNull();
    });

    it('deletes a tag, telling whether it existed', async () => {
      await tags.set(REPO, 'app', 'v1', sha(1));
      await tags.set(REPO, 'app', 'v2', sha(1));
      expect(await tags.delete(REPO, 'app', 'v1')).toBe(true);
      expect(await tags.delete(REPO, 'app', 'v1')).toBe(false);
      expect(await tags.get(REPO, 'app', 'v1')).toBeNull();
      expect((await tags.get(REPO, 'app', 'v2'))?.digest).toBe(sha(1));
    });

    it('deletes every tag of an image pointing at a digest, and only those', async () => {
      await tags.set(REPO, 'app', 'a', sha(1));
      await tags.set(REPO, 'app', 'b', sha(1));
      await tags.set(REPO, 'app', 'c', sha(2));
      await tags.set(REPO, 'other', 'a', sha(1));
      await tags.set('repo2', 'app', 'a', sha(1));
      expect(await tags.deleteByDigest(REPO, 'app', sha(1))).toBe(2);
      expect(await tags.deleteByDigest(REPO, 'app', sha(1))).toBe(0);
      expect((await tags.list(REPO, 'app', {})).items).toEqual(['c']);
      expect((await tags.list(REPO, 'other', {})).items).toEqual(['a']);
      expect((await tags.list('repo2', 'app', {})).items).toEqual(['a']);
    });

    it('claims a tag only when nobody holds it, returning the holder (claim)', async () => {
      expect(await tags.claim(REPO, 'app', 'v1', sha(1))).toBe(sha(1));
      expect(await tags.claim(REPO, 'app', 'v1', sha(2))).toBe(sha(1));
      expect((await tags.get(REPO, 'app', 'v1'))?.digest).toBe(sha(1));
      expect(await tags.claim(REPO, 'other', 'v1', sha(2))).toBe(sha(2));
      expect(await tags.claim('repo2', 'app', 'v1', sha(3))).toBe(sha(3));
    });

    it('lets exactly one of many concurrent claims win', async () => {
      const holders = await Promise.all(Array.from({ length: 8 }, (_, i) => tags.claim(REPO, 'app', 'race', sha(i + 1))));
      expect(new Set(holders).size).toBe(1);
      expect((await tags.get(REPO, 'app', 'race'))?.digest).toBe(holders[0]);
    });

    it('forgets every verification time of one repository (expireAll)', async () => {
      const at = new Date('2030-01-01T00:00:00Z');
      await tags.set(REPO, 'a', 'v1', sha(1), at);
      await tags.set(REPO, 'b', 'v1', sha(1), at);
      await tags.set('other', 'a', 'v1', sha(1), at);
      await tags.expireAll(REPO);
      expect((await tags.get(REPO, 'a', 'v1'))?.verifiedAt).toBeUndefined();
      expect((await tags.get(REPO, 'b', 'v1'))?.digest).toBe(sha(1));
      expect((await tags.get('other', 'a', 'v1'))?.verifiedAt?.toISOString()).toBe(at.toISOString());
    });
  });

  describe('list', () => {
    const names = ['v2', 'latest', 'V1', 'B', 'a', 'A', '_x', '1.0', '10', '9', 'a-b', 'a.b', 'a_b', 'a__b', 'z'];

    beforeEach(async () => {
      for (const n of names) await tags.set(REPO, 'app', n, sha(1));
      await tags.set(REPO, 'app-other', 'zz', sha(1));
      await tags.set('other', 'app', 'yy', sha(1));
    });

    it('sorts in byte order (uppercase before underscore before lowercase)', async () => {
      const sorted = byteOrder(names);
      expect(sorted.slice(0, 7)).toEqual(['1.0', '10', '9', 'A', 'B', 'V1', '_x']);
      expect(await tags.list(REPO, 'app', {})).toEqual({ items: sorted });
    });

    it.each([1, 2, 4, 5, 14, 15, 16])('pages with n=%i and the next cursor', async (n) => {
      expect(await walk((p) => tags.list(REPO, 'app', p), n)).toEqual(byteOrder(names));
    });

    it('returns next = last item of a full page, and no next on the last page', async () => {
      const sorted = byteOrder(names);
      expect(await tags.list(REPO, 'app', { n: 3 })).toEqual({ items: sorted.slice(0, 3), next: sorted[2] });
      expect(await tags.list(REPO, 'app', { n: 3, last: sorted[11] })).toEqual({ items: sorted.slice(12, 15) });
      expect(await tags.list(REPO, 'app', { n: 15 })).toEqual({ items: sorted });
    });

    it('takes any string as the last cursor, not only an existing tag', async () => {
      expect((await tags.list(REPO, 'app', { last: 'a0' })).items).toEqual(['a__b', 'a_b', 'latest', 'v2', 'z']);
      expect((await tags.list(REPO, 'app', { last: '~' })).items).toEqual([]);
      expect((await tags.list(REPO, 'app', { last: '' })).items).toEqual(byteOrder(names));
    });

    it.each([0, -1, Number.NaN])('treats n=%s as "no limit asked" (the maximum page)', async (n) => {
      expect((await tags.list(REPO, 'app', { n })).items).toEqual(byteOrder(names));
    });

    it('caps a page at 1000 tags', async () => {
      for (let i = 0; i < 1005; i++) await tags.set(REPO, 'many', `t${String(i).padStart(4, '0')}`, sha(1));
      const page = await tags.list(REPO, 'many', { n: 5000 });
      expect(page.items.length).toBe(1000);
      expect(page.next).toBe('t0999');
      expect((await tags.list(REPO, 'many', { last: page.next! })).items).toEqual(['t1000', 't1001', 't1002', 't1003', 't1004']);
      // 1005 inserts one by one: about 4 s on PostgreSQL on a busy 2-core machine, near vitest's 5 s default.
    }, 30_000);

    it('is empty for an image without tags', async () => {
      expect(await tags.list(REPO, 'nope', {})).toEqual({ items: [] });
    });
  });

  describe('listImages', () => {
    it('lists the images holding manifests, distinct, in byte order, paginated', async () => {
      const images = ['zeta', 'alpha/one', 'alpha', 'Beta', 'alpha-two', 'alpha/one/two', 'beta'];
      for (const [i, image] of images.entries()) {
        await putManifest(image, sha(i + 1));
        await putManifest(image, sha(i + 100));
      }
      await putManifest('elsewhere', sha(999), 'other');
      await tags.set(REPO, 'tag-without-manifest', 'v1', sha(5));

      const sorted = byteOrder(images);
      expect(await tags.listImages(REPO, {})).toEqual({ items: sorted });
      for (const n of [1, 2, 3, 7]) expect(await walk((p) => tags.listImages(REPO, p), n), `n=${n}`).toEqual(sorted);
      expect(await tags.listImages(REPO, { n: 2, last: 'alpha' })).toEqual({ items: ['alpha-two', 'alpha/one'], next: 'alpha/one' });
      expect(await tags.listImages('other', {})).toEqual({ items: ['elsewhere'] });
      expect(await tags.listImages('empty', {})).toEqual({ items: [] });
    });
  });

  describe('listAll', () => {
    beforeEach(async () => {
      await tags.set(REPO, 'b', 'v1', sha(1));
      await tags.set(REPO, 'a/x', 'v1', sha(2), new Date('2030-01-01T00:00:00.000Z'));
      await tags.set(REPO, 'a', 'v2', sha(3));
      await tags.set(REPO, 'a', 'v1', sha(4));
      await tags.set(REPO, 'a', 'latest', sha(4));
      await tags.set(REPO, 'a-b', 'v1', sha(5));
      await tags.set('other', 'a', 'v1', sha(6));
    });

    const order = ['a:latest', 'a:v1', 'a:v2', 'a-b:v1', 'a/x:v1', 'b:v1'];

    it('lists every tag of the repository ordered by image, then tag', async () => {
      const page = await tags.listAll(REPO, {});
      expect(page.next).toBeUndefined();
      expect(page.items.map((r) => `${r.image}:${r.name}`)).toEqual(order);
      expect(page.items[0]).toEqual({ image: 'a', name: 'latest', digest: sha(4), updatedAt: expect.any(Date) });
      expect(page.items.find((r) => r.image === 'a/x')?.verifiedAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    });

    it('pages with the cursor image:tag', async () => {
      const first = await tags.listAll(REPO, { n: 2 });
      expect(first.items.map((r) => `${r.image}:${r.name}`)).toEqual(order.slice(0, 2));
      expect(first.next).toBe('a:v1');
      const second = await tags.listAll(REPO, { n: 2, last: first.next! });
      expect(second.items.map((r) => `${r.image}:${r.name}`)).toEqual(order.slice(2, 4));
      expect(second.next).toBe('a-b:v1');
      for (const n of [1, 3, 5, 6]) {
        const all = await walk(async (p) => {
          const res = await tags.listAll(REPO, p);
          return { items: res.items.map((r) => `${r.image}:${r.name}`), ...(res.next ? { next: res.next } : {}) };
        }, n);
        expect(all, `n=${n}`).toEqual(order);
      }
    });

    it('resumes after a cursor whose tag no longer exists', async () => {
      expect((await tags.listAll(REPO, { last: 'a:v1' })).items.map((r) => `${r.image}:${r.name}`)).toEqual(order.slice(2));
      await tags.delete(REPO, 'a', 'v1');
      expect((await tags.listAll(REPO, { last: 'a:v1' })).items.map((r) => `${r.image}:${r.name}`)).toEqual(order.slice(2));
      expect((await tags.listAll(REPO, { last: 'a-b:zzz' })).items.map((r) => `${r.image}:${r.name}`)).toEqual(['a/x:v1', 'b:v1']);
    });
  });
});
