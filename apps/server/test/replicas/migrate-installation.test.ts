import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3BlobStoreConfig } from '@wharf/registry-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBucket, createTestBucket } from '../../../../test/services/buckets';
import { createPostgresDatabase, dropPostgresDatabase } from '../../../../test/services/databases';
import { migrateInstallation } from '../../src/migration/migrate-installation';
import { type Manifest, imageManifest, randomBlob } from '@wharf/test-kit';
import { Registry } from '../support/registry';
import { createHosted } from '../support/rest';
import { type TestWharf, startTestWharf } from '../support/wharf';
import { createUser } from '../security/support/secure-wharf';

// A single-node installation (SQLite, blobs in the data directory) moved to PostgreSQL + an S3 bucket by the
// migration command's function, then started as a replica with a fresh data directory: every image pulls
// with the same digests and bytes, users log in, and nothing is read from the old data directory.

let single: TestWharf;
let bucket: TestBucket;
let databaseUrl: string;
const images: { repository: string; image: string; tag: string; manifest: Manifest }[] = [];
const user = { username: 'moved-user', password: 'moved-user-password-1' };

beforeAll(async () => {
  single = await startTestWharf({ keepData: true });
  await createHosted(single.http, 'apps');
  await createHosted(single.http, 'tools');
  const shared = randomBlob(3 * 1024 * 1024);
  for (const [repository, image, tag] of [['apps', 'team/web', '1.0'], ['apps', 'team/api', 'latest'], ['tools', 'ci/runner', 'v2']] as const) {
    const manifest = imageManifest({ layers: [shared, randomBlob(512 * 1024)] });
    const pushed = await new Registry(single.http, `/repository/${repository}`).pushImage(image, tag, manifest);
    expect(pushed.status, pushed.text()).toBe(201);
    images.push({ repository, image, tag, manifest });
  }
  await createUser(single.http, user.username, user.password, ['nx-admin']);
  await single.close();
  databaseUrl = await createPostgresDatabase();
  bucket = await createTestBucket({ create: false });
});

afterAll(async () => {
  await bucket?.remove();
  if (single) await rm(single.dataDir, { recursive: true, force: true });
});

describe('migrate-installation: SQLite + file store -> PostgreSQL + S3', () => {
  let moved: TestWharf;

  afterAll(async () => {
    await moved?.close();
  });

  it('copies the metadata and the blobs, and moves the repositories to the S3 store', async () => {
    const lines: string[] = [];
    const report = await migrateInstallation({
      dataDir: single.dataDir,
      databaseUrl,
      s3Store: { type: 's3', ...bucket.restBody('s3', 'moved') } as S3BlobStoreConfig,
      log: (line) => lines.push(line),
    });
    expect(report.repositories.sort()).toEqual(['apps', 'tools']);
    // 1 shared layer + 3 layers + 3 configs + 3 manifests.
    expect(report.blobs).toMatchObject({ copied: 10, present: 0 });
    expect(report.tables.manifests).toBe(3);
    expect(report.tables.users).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).toContain('blobs: 10 copied');
  });

  it('a replica on the new database and bucket serves every image with the same digests and bytes', async () => {
    moved = await startTestWharf({
      database: { url: databaseUrl },
      adminPassword: single.admin.password,
      config: { secretKeyFile: join(single.dataDir, 'secrets', 'config.key') },
    });
    for (const { repository, image, tag, manifest } of images) {
      const registry = new Registry(moved.http, `/repository/${repository}`);
      const got = await registry.getManifest(image, tag);
      expect(got.status, got.text()).toBe(200);
      expect(got.header('docker-content-digest')).toBe(manifest.digest);
      for (const blob of manifest.blobs) {
        const b = await registry.getBlob(image, blob.digest);
        expect(b.status).toBe(200);
        expect(b.body.equals(blob.bytes)).toBe(true);
      }
    }
    expect((await moved.anonymous.as(user).get('/service/rest/v1/repositories')).status).toBe(200);
    // Nothing came from a local file store: the new data directory holds no blob.
    const local = await readdir(join(moved.dataDir, 'blobs'), { recursive: true }).catch(() => []);
    expect(local.filter((f) => String(f).includes('sha256/'))).toEqual([]);
    expect((await bucket.keys()).filter((k) => k.startsWith('moved/blobs/'))).toHaveLength(10);
  });

  it('refuses to migrate into a database that holds rows (nothing is merged)', async () => {
    const other = await createPostgresDatabase();
    try {
      await migrateInstallation({ dataDir: single.dataDir, databaseUrl: other });
      await expect(migrateInstallation({ dataDir: single.dataDir, databaseUrl: other })).rejects.toThrow(/not empty/);
    } finally {
      await dropPostgresDatabase(other);
    }
  });
});
