import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { closeTestDatabase, DIALECTS, openTestDatabase, sha } from '../../test/database';
import { TypeOrmBlobLinks } from './typeorm-blob-links';

const REPO = 'docker-hosted';

describe.each(DIALECTS)(`TypeOrmBlobLinks on %s`, (dialect) => {
  let db: DataSource;
  let links: TypeOrmBlobLinks;

  beforeEach(async () => {
    db = await openTestDatabase(dialect);
    links = new TypeOrmBlobLinks(db);
  });

  afterEach(async () => {
    await closeTestDatabase(db);
  });

  it('links a blob to an image and reports its size', async () => {
    expect(await links.get(REPO, 'app', sha(1))).toBeNull();
    await links.link(REPO, 'app', sha(1), 4096);
    expect(await links.get(REPO, 'app', sha(1))).toEqual({ size: 4096 });
  });

  it('keeps sizes beyond 4 GiB exact', async () => {
    const big = 5 * 1024 * 1024 * 1024 + 7;
    await links.link(REPO, 'app', sha(1), big);
    expect(await links.get(REPO, 'app', sha(1))).toEqual({ size: big });
  });

  it('ignores linking the same blob again', async () => {
    await links.link(REPO, 'app', sha(1), 10);
    await expect(links.link(REPO, 'app', sha(1), 10)).resolves.toBeUndefined();
    expect(await links.get(REPO, 'app', sha(1))).toEqual({ size: 10 });
    const rows: { n: number }[] = await db.query('SELECT COUNT(*) AS n FROM blob_links');
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
    expect(await links.get(REPO, 'two', sha(1))).toEqual({ size: 10 });
    expect(await links.get('other', 'one', sha(1))).toEqual({ size: 10 });
  });
});
