/**
 * Builds HostedRepository instances on a real FileBlobStore (temp dir) and either the real
 * persistence adapters (SQLite :memory: or a PostgreSQL database of its own, with the committed
 * migrations) or the in-memory port fakes.
 * Lives under test/ because registry-core's src must not depend on persistence.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBlobStore } from '@wharf/blobstore';
import { ManifestReferenceEntity, TypeOrmBlobClaims, TypeOrmBlobLinks, TypeOrmManifestIndex, TypeOrmTagIndex, TypeOrmUploadSessions } from '@wharf/persistence';
import { closeTestDatabase, openTestDatabase } from '../../persistence/test/database';
import type { DataSource } from 'typeorm';
import { ManifestCache } from '../src/cache/manifest-cache';
import { type HostedDependencies, HostedRepository } from '../src/hosted/hosted-repository';
import type { HostedConfig } from '../src/repository-config';
import { DownloadRecorder } from '../src/usage/download-recorder';
import { MemoryBlobClaims, MemoryBlobLinks, MemoryManifestIndex, MemoryTagIndex, MemoryUploadSessions } from './memory-ports';

export type MetadataKind = 'sqlite' | 'postgres' | 'memory';

export interface HostedHarness {
  kind: MetadataKind;
  /** Set for the databases. */
  db: DataSource | null;
  blobs: FileBlobStore;
  root: string;
  deps: HostedDependencies;
  /** When set, the repositories' clock; otherwise real time. */
  clock: { at: Date | null };
  repository(config: HostedConfig): HostedRepository;
  /** The rows recording what each manifest of an image references (databases only). */
  manifestReferences(repository: string, image: string): Promise<{ manifest: string; digest: string }[]>;
  cleanup(): Promise<void>;
}

export async function openHostedHarness(kind: MetadataKind): Promise<HostedHarness> {
  const root = await mkdtemp(join(tmpdir(), 'wharf-hosted-'));
  const blobs = new FileBlobStore({ root });
  await blobs.init();
  const clock: { at: Date | null } = { at: null };
  const now = (): Date => clock.at ?? new Date();
  let db: DataSource | null = null;
  let deps: HostedDependencies;
  if (kind !== 'memory') {
    db = await openTestDatabase(kind);
    const manifests = new TypeOrmManifestIndex(db);
    deps = {
      blobs,
      manifests,
      tags: new TypeOrmTagIndex(db),
      links: new TypeOrmBlobLinks(db),
      uploads: new TypeOrmUploadSessions(db),
      manifestCache: new ManifestCache(),
      downloads: new DownloadRecorder(manifests, { now }),
      claims: new TypeOrmBlobClaims(db),
      now,
    };
  } else {
    const manifests = new MemoryManifestIndex();
    const links = new MemoryBlobLinks();
    manifests.links = links;
    deps = {
      blobs,
      manifests,
      tags: new MemoryTagIndex(manifests),
      links,
      uploads: new MemoryUploadSessions(),
      manifestCache: new ManifestCache(),
      downloads: new DownloadRecorder(manifests, { now }),
      claims: new MemoryBlobClaims(),
      now,
    };
  }
  return {
    kind,
    db,
    blobs,
    root,
    deps,
    clock,
    repository: (config) => new HostedRepository(config, deps),
    manifestReferences: async (repository, image) => (db ? db.getRepository(ManifestReferenceEntity).findBy({ repository, image }) : []),
    cleanup: async () => {
      if (db) await closeTestDatabase(db);
      await rm(root, { recursive: true, force: true });
    },
  };
}
