import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeTestDatabase, openTestDatabase, sha } from '../test/database';
import { TypeOrmAuditLog } from './adapters/typeorm-audit-log';
import { TypeOrmManifestIndex } from './adapters/typeorm-manifest-index';
import { TypeOrmSettings } from './adapters/typeorm-settings';
import { TypeOrmTagIndex } from './adapters/typeorm-tag-index';
import { TypeOrmUserStore } from './adapters/typeorm-user-store';
import { copyDatabase } from './copy-database';

// The metadata half of moving a single-node installation to PostgreSQL: every row of every table, read
// through the entities from SQLite and written to PostgreSQL, reads back the same through the adapters.
describe('copyDatabase: SQLite into PostgreSQL', () => {
  let source: DataSource;
  let target: DataSource;

  beforeEach(async () => {
    source = await openTestDatabase('sqlite');
    target = await openTestDatabase('postgres');
  });

  afterEach(async () => {
    await closeTestDatabase(source);
    await closeTestDatabase(target);
  });

  it('copies rows of every kind (dates, JSON, 64-bit sizes, generated ids); generated ids carry on after the copied ones', async () => {
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    const user = { userId: 'dev', firstName: 'D', lastName: 'V', emailAddress: 'dev@example.org', passwordHash: 'scrypt$x', status: 'active' as const, roles: ['a', 'b'] };
    await new TypeOrmUserStore(source).save(user);
    await new TypeOrmSettings(source).set('anonymous', { enabled: true, userId: 'anonymous' });
    const audit = new TypeOrmAuditLog(source);
    for (let i = 0; i < 3; i++) await audit.append({ at, actor: 'admin', address: '10.0.0.1', action: `a${i}`, target: null, details: { i } });
    const big = 5 * 1024 ** 3;
    await new TypeOrmManifestIndex(source).put('repo', 'app', { digest: sha(1), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 123, createdAt: at, lastDownloadedAt: at, verifiedAt: at }, [sha(2)]);
    await new TypeOrmTagIndex(source).set('repo', 'app', 'v1', sha(1), at);
    await source.query('INSERT INTO blob_links (repository, image, digest, size, "createdAt") VALUES (?, ?, ?, ?, ?)', ['repo', 'app', sha(2), big, at.toISOString()]);

    const counts = await copyDatabase(source, target);
    expect(counts).toMatchObject({ users: 1, settings: 1, audit_events: 3, manifests: 1, tags: 1, blob_links: 1 });
    expect(await new TypeOrmUserStore(target).get('dev')).toEqual(user);
    expect(await new TypeOrmSettings(target).get('anonymous', null)).toEqual({ enabled: true, userId: 'anonymous' });
    expect((await new TypeOrmTagIndex(target).get('repo', 'app', 'v1'))?.digest).toBe(sha(1));
    expect((await new TypeOrmManifestIndex(target).get('repo', 'app', sha(1)))?.createdAt).toEqual(at);
    const [link] = await target.query('SELECT size FROM blob_links');
    expect(Number(link.size)).toBe(big);
    const events = await new TypeOrmAuditLog(target).list(10);
    expect(events.map((e) => e.action)).toEqual(['a2', 'a1', 'a0']);
    expect(events[2]!.details).toEqual({ i: 0 });
    // The next event gets a new id, after the copied ones.
    const next = await new TypeOrmAuditLog(target).append({ at, actor: null, address: null, action: 'after', target: null, details: {} });
    expect(next).toBeGreaterThan(Math.max(...events.map((e) => e.id)));
  });

  it('refuses a target that holds rows, and writes nothing into it', async () => {
    await new TypeOrmSettings(source).set('k', 1);
    await new TypeOrmSettings(target).set('already', true);
    await expect(copyDatabase(source, target)).rejects.toThrow(/not empty \(table settings has 1 rows\)/);
    expect(await new TypeOrmSettings(target).get('k', null)).toBeNull();
  });

  it('leaves out the tables it is told to', async () => {
    await new TypeOrmSettings(source).set('k', 1);
    expect(await copyDatabase(source, target, { skipTables: ['settings'] })).not.toHaveProperty('settings');
    expect(await new TypeOrmSettings(target).get('k', null)).toBeNull();
  });
});
