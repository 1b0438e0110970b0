import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BlobStore, FileBlobStore } from '@wharf/blobstore';
import { MIGRATIONS } from '@wharf/migrations';
import { TypeOrmBlobStoreConfigs, TypeOrmRepositoryConfigs, copyDatabase, dialectOf, openDatabase } from '@wharf/persistence';
import { DEFAULT_BLOB_STORE, type S3BlobStoreConfig } from '@wharf/registry-core';
import type { DataSource } from 'typeorm';
import { openS3Store } from '../blobstores/blob-stores';
import { blobStoreSealer, configSealer } from '../secrets/config-sealer';
import { SecretBox } from '../secrets/secret-box';

/**
 * What moves a single-node installation (SQLite + the file blob store in its data directory) to the
 * scale-out setup (PostgreSQL + an S3 blob store). See docs/replicas.md "Moving an installation".
 */
export interface InstallationMigration {
  /** The stopped Wharf's data directory: wharf.db, blobs/ (the `default` store), secrets/config.key. */
  dataDir: string;
  /** A new, empty PostgreSQL database (`postgres://...`). */
  databaseUrl: string;
  /**
   * An S3 blob store (the JSON of POST /service/rest/v1/blobstores/s3) to copy the `default` store's blobs
   * into; every repository on `default` then uses it. Without it, only the metadata moves.
   */
  s3Store?: S3BlobStoreConfig;
  log?: (line: string) => void;
}

export interface MigrationReport {
  /** Rows copied per table. */
  tables: Record<string, number>;
  /** Blobs written into the S3 store, and those it held already. */
  blobs: { copied: number; present: number; bytes: number };
  /** Repositories moved from `default` to the S3 store. */
  repositories: string[];
}

/** Tables whose rows only make sense next to the old files: resumable uploads in progress, claims of live writes. */
const LEFT_BEHIND = ['upload_sessions', 'blob_claims'];

/**
 * Copies the metadata into PostgreSQL (one transaction: the target is left empty on failure) and, with an S3
 * store, every blob of the `default` store into the bucket (each verified against its digest as it is
 * written, so a copy cut short leaves nothing half-written; blobs already there are skipped, so a second run
 * after a failure carries on). The secrets stay sealed with the data directory's `secrets/config.key`: the
 * replicas must use that file (WHARF_SECRET_KEY_FILE). Run it with Wharf stopped.
 */
export async function migrateInstallation(m: InstallationMigration): Promise<MigrationReport> {
  const log = m.log ?? (() => undefined);
  if (dialectOf(m.databaseUrl) !== 'postgres') throw new Error('the target database must be a postgres:// URL');
  const keyFile = join(m.dataDir, 'secrets', 'config.key');
  for (const file of [join(m.dataDir, 'wharf.db'), keyFile]) {
    if (!existsSync(file)) throw new Error(`${file} does not exist: --data-dir must be the data directory of a Wharf that has run`);
  }
  const box = await SecretBox.load(keyFile);
  const source = await openDatabase({ sqlitePath: join(m.dataDir, 'wharf.db'), migrations: MIGRATIONS });
  let target: DataSource | undefined;
  try {
    target = await openDatabase({ sqlitePath: ':memory:', url: m.databaseUrl, migrations: MIGRATIONS });
    const tables = await copyDatabase(source, target, { skipTables: LEFT_BEHIND, onTable: (table, rows) => log(`${table}: ${rows} rows`) });
    const report: MigrationReport = { tables, blobs: { copied: 0, present: 0, bytes: 0 }, repositories: [] };
    if (!m.s3Store) return report;
    const store = await openS3Store(m.s3Store);
    try {
      const files = new FileBlobStore({ root: join(m.dataDir, 'blobs') });
      await files.init();
      report.blobs = await copyBlobs(files, store, log);
    } finally {
      store.destroy?.();
    }
    await new TypeOrmBlobStoreConfigs(target, blobStoreSealer(box)).save(m.s3Store);
    const repositories = new TypeOrmRepositoryConfigs(target, configSealer(box));
    for (const config of await repositories.list()) {
      if (config.storage.blobStoreName !== DEFAULT_BLOB_STORE) continue;
      await repositories.save({ ...config, storage: { ...config.storage, blobStoreName: m.s3Store.name } });
      report.repositories.push(config.name);
    }
    log(`repositories now on ${m.s3Store.name}: ${report.repositories.join(', ') || 'none'}`);
    return report;
  } finally {
    await target?.destroy();
    await source.destroy();
  }
}

async function copyBlobs(from: FileBlobStore, to: BlobStore, log: (line: string) => void): Promise<MigrationReport['blobs']> {
  const counts = { copied: 0, present: 0, bytes: 0 };
  for await (const blob of from.list()) {
    if (await to.stat(blob.digest)) {
      counts.present += 1;
      continue;
    }
    const content = await from.open(blob.digest);
    if (!content) continue;
    try {
      await to.write(content.stream(), { digest: blob.digest, size: blob.size });
    } finally {
      await content.close();
    }
    counts.copied += 1;
    counts.bytes += blob.size;
    if (counts.copied % 100 === 0) log(`${counts.copied} blobs copied (${counts.bytes} bytes)`);
  }
  log(`blobs: ${counts.copied} copied (${counts.bytes} bytes), ${counts.present} already in the bucket`);
  return counts;
}
