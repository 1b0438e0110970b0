import { Readable } from 'node:stream';
import { type BlobInfo, type BlobSource, type BlobStore, isStoreFull, readAll } from '@wharf/blobstore';
import { RegistryError, isDigestReference, referrerArtifactType, requiredBlobs, requiredManifests } from '@wharf/oci';
import { LookupCache } from '../cache/lookup-cache';
import type { ManifestCache } from '../cache/manifest-cache';
import {
  type BlobHandle,
  type DockerRepository,
  type ManifestHandle,
  type MountSource,
  type PutManifestResult,
  type UploadStatus,
  drainBody,
} from '../docker-repository';
import type { BlobClaims, BlobLinks, ManifestIndex, ManifestRecord, TagIndex, UploadSessions } from '../ports';
import type { HostedConfig } from '../repository-config';
import type { DownloadRecorder } from '../usage/download-recorder';
import { StoredRepository } from '../stored-repository';
import { checkPushedManifest, checkTagPolicy, checkWritable } from './manifest-rules';

export interface HostedDependencies {
  blobs: BlobStore;
  manifests: ManifestIndex;
  tags: TagIndex;
  links: BlobLinks;
  uploads: UploadSessions;
  manifestCache: ManifestCache;
  /** Records pulls (last-downloaded times) in batches. */
  downloads: DownloadRecorder;
  /** Holds blobs against garbage collection while they are written and linked. */
  claims: BlobClaims;
  /**
   * Other processes serve this repository from the same database (replicas): tags are then resolved in the
   * database on every pull, never from memory, so a tag pushed through one replica is what the next pull
   * through any other gets; and each change is announced, so the others drop what they remember of it.
   */
  shared?: { announceChange(repository: string): void };
  now?: () => Date;
}

/**
 * How stale a blob link may be before a push's blob check confirms it again. Garbage collection spares
 * links confirmed within its grace period, so a client that skips an upload because the blob exists
 * still finds it linked when it pushes the manifest (grace minus this interval later, at the least).
 */
export const LINK_CONFIRM_INTERVAL_MS = 10 * 60_000;

interface ResolvedManifest {
  digest: string;
  mediaType: string;
  size: number;
}

/** A private registry: content pushed by clients, stored in the blob store, described in the metadata store. */
export class HostedRepository extends StoredRepository<HostedConfig, HostedDependencies> implements DockerRepository {
  readonly type = 'hosted' as const;
  private readonly resolved = new LookupCache<ResolvedManifest>();
  private readonly linked = new LookupCache<{ size: number; linkedAt?: Date }>();
  private readonly now: () => Date;

  constructor(config: HostedConfig, deps: HostedDependencies) {
    super(config, deps);
    this.now = deps.now ?? (() => new Date());
  }

  // --- pull -------------------------------------------------------------------------------------

  async getManifest(image: string, reference: string): Promise<ManifestHandle | null> {
    this.ensureOnline();
    const found = await this.resolveManifest(image, reference);
    if (!found) return null;
    const bytes = await this.manifestBytes(found.digest);
    this.deps.downloads.record(this.name, image, found.digest);
    return { ...found, bytes };
  }

  async statBlob(image: string, digest: string): Promise<BlobInfo | null> {
    this.ensureOnline();
    const found = await this.linkedBlob(image, digest);
    if (!found) return null;
    // A pusher asking is about to rely on the link (it skips the upload): restart the link's grace period.
    if (found.linkedAt && this.now().getTime() - found.linkedAt.getTime() > LINK_CONFIRM_INTERVAL_MS) {
      const staleBefore = new Date(this.now().getTime() - LINK_CONFIRM_INTERVAL_MS);
      if (!(await this.deps.links.confirm(this.name, image, digest, staleBefore))) {
        this.changed();
        return null;
      }
      found.linkedAt = this.now();
    }
    return { digest, size: found.size };
  }

  async getBlob(image: string, digest: string): Promise<BlobHandle | null> {
    this.ensureOnline();
    if ((await this.linkedBlob(image, digest)) === null) return null;
    return this.deps.blobs.open(digest);
  }

  protected unknownImage(image: string): string {
    return `repository ${this.name} has no image ${image}`;
  }


  // --- push: blobs ------------------------------------------------------------------------------

  async startUpload(image: string): Promise<UploadStatus> {
    this.ensureWritable();
    const id = await this.deps.blobs.uploads.create();
    await this.deps.uploads.create({ id, repository: this.name, image, createdAt: this.now() });
    return { id, offset: 0 };
  }

  async getUpload(image: string, id: string): Promise<UploadStatus> {
    this.ensureOnline();
    await this.session(image, id);
    return { id, offset: await this.uploadSize(id) };
  }

  async appendUpload(image: string, id: string, body: BlobSource, start?: number): Promise<UploadStatus> {
    this.ensureWritable();
    await this.session(image, id);
    const offset = await this.uploadSize(id);
    if (start !== undefined && start !== offset) {
      drainBody(body);
      throw new RegistryError('RANGE_INVALID', `chunk starts at ${start} but the upload has ${offset} bytes`, { offset });
    }
    return { id, offset: await this.appendBytes(id, body, offset) };
  }

  async finishUpload(image: string, id: string, digest: string, body?: BlobSource): Promise<BlobInfo> {
    this.ensureWritable();
    await this.session(image, id);
    if (body) await this.appendBytes(id, body, await this.uploadSize(id));
    const info = await this.holding(digest, async () => {
      const committed = await this.deps.blobs.uploads.commit(id, digest);
      await this.deps.links.link(this.name, image, committed.digest, committed.size);
      return committed;
    });
    await this.deps.uploads.delete(id);
    this.changed();
    return info;
  }

  async cancelUpload(image: string, id: string): Promise<void> {
    this.ensureOnline();
    await this.session(image, id);
    await this.deps.blobs.uploads.cancel(id);
    await this.deps.uploads.delete(id);
  }

  async putBlob(image: string, digest: string, body: BlobSource): Promise<BlobInfo> {
    this.ensureWritable();
    const info = await this.holding(digest, async () => {
      const written = await this.deps.blobs.write(body, { digest });
      await this.deps.links.link(this.name, image, written.digest, written.size);
      return written;
    });
    this.changed();
    return info;
  }

  async mountBlob(image: string, digest: string, from: MountSource): Promise<BlobInfo | null> {
    this.ensureWritable();
    const info = await from.repository.statBlob(from.image, digest).catch(() => null);
    if (!info || !(await this.deps.blobs.stat(digest))) return null;
    // Linked only while something still holds the blob: a collection may be deleting it right now.
    if (!(await this.deps.links.linkIfHeld(this.name, image, digest, info.size))) return null;
    this.changed();
    return info;
  }

  // --- push: manifests --------------------------------------------------------------------------

  async putManifest(image: string, reference: string, bytes: Buffer, contentType?: string): Promise<PutManifestResult> {
    this.ensureWritable();
    const { parsed, digest, tag } = checkPushedManifest(reference, bytes, contentType, this.config.storage.strictContentTypeValidation);
    for (const blob of requiredBlobs(parsed)) {
      if ((await this.linkedBlob(image, blob.digest)) === null) {
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob ${blob.digest} is not in ${this.name}/${image}; push it first`, {
          digest: blob.digest,
        });
      }
    }
    for (const child of requiredManifests(parsed)) {
      if (!(await this.deps.manifests.get(this.name, image, child.digest))) {
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest ${child.digest} is not in ${this.name}/${image}; push it first`, {
          digest: child.digest,
        });
      }
    }
    if (tag) {
      const existing = await this.deps.tags.get(this.name, image, tag);
      checkTagPolicy(this.config.storage, this.name, tag, existing?.digest, digest);
    }
    const artifactType = referrerArtifactType(parsed);
    const record: ManifestRecord = {
      digest,
      mediaType: parsed.mediaType,
      size: bytes.length,
      createdAt: this.now(),
      ...(artifactType ? { artifactType } : {}),
      ...(parsed.subject ? { subject: parsed.subject.digest } : {}),
      ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
    };
    const required = [...requiredBlobs(parsed), ...requiredManifests(parsed)].map((d) => d.digest);
    const known = await this.deps.manifests.get(this.name, image, digest);
    const missing = await this.holding(digest, async () => {
      await this.deps.blobs.write(Readable.from([bytes]), { digest, size: bytes.length });
      // The references are checked again in the same atomic step that records them: a collection that
      // removed one since the check above makes the push fail here, never leave a dangling manifest.
      return this.deps.manifests.put(this.name, image, record, required, required);
    });
    if (missing) {
      this.changed();
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob ${missing} is no longer in ${this.name}/${image}; push it again`, { digest: missing });
    }
    if (tag) {
      try {
        await this.setTag(image, tag, digest);
      } catch (err) {
        // A push refused at the tag stores nothing: take back a manifest this push added.
        if (!known) await this.deps.manifests.delete(this.name, image, digest);
        this.changed();
        throw err;
      }
    }
    this.deps.manifestCache.set(digest, bytes);
    this.changed();
    return { digest, ...(parsed.subject ? { subject: parsed.subject.digest } : {}) };
  }

  async deleteManifest(image: string, digest: string): Promise<void> {
    this.ensureWritable();
    if (!(await this.deps.manifests.get(this.name, image, digest))) {
      throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${digest} is not in ${this.name}/${image}`);
    }
    await this.deps.tags.deleteByDigest(this.name, image, digest);
    await this.deps.manifests.delete(this.name, image, digest);
    // Another repository holding the same manifest reads it from the store again.
    this.deps.manifestCache.forget(digest);
    this.changed();
  }

  async deleteTag(image: string, tag: string): Promise<void> {
    this.ensureWritable();
    if (!(await this.deps.tags.delete(this.name, image, tag))) {
      throw new RegistryError('MANIFEST_UNKNOWN', `tag ${tag} is not in ${this.name}/${image}`);
    }
    this.changed();
  }

  async deleteBlob(image: string, digest: string): Promise<void> {
    this.ensureWritable();
    if (!(await this.deps.links.unlink(this.name, image, digest))) {
      throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is not in ${this.name}/${image}`);
    }
    this.changed();
  }

  // --- internals --------------------------------------------------------------------------------

  /** With ALLOW_ONCE a new tag is claimed atomically in the store: of two racing pushes only one wins. */
  private async setTag(image: string, tag: string, digest: string): Promise<void> {
    const { storage } = this.config;
    if (storage.writePolicy !== 'ALLOW_ONCE' || (storage.latestPolicy && tag === 'latest')) {
      await this.deps.tags.set(this.name, image, tag, digest);
      return;
    }
    const holder = await this.deps.tags.claim(this.name, image, tag, digest);
    checkTagPolicy(storage, this.name, tag, holder, digest);
  }

  private async resolveManifest(image: string, reference: string): Promise<ResolvedManifest | null> {
    const byDigest = isDigestReference(reference);
    // Content by digest never changes; a tag may move on another replica at any moment.
    const cacheable = byDigest || !this.deps.shared;
    const key = `${image}:${reference}`;
    const cached = cacheable ? this.resolved.get(key) : undefined;
    if (cached) return cached;
    const stamp = this.resolved.stamp();
    let digest = reference;
    if (!byDigest) {
      const tag = await this.deps.tags.get(this.name, image, reference);
      if (!tag) return null;
      digest = tag.digest;
    }
    const record = await this.deps.manifests.get(this.name, image, digest);
    if (!record) return null;
    const found = { digest, mediaType: record.mediaType, size: record.size };
    if (cacheable) this.resolved.set(key, found, stamp);
    return found;
  }

  private async manifestBytes(digest: string): Promise<Buffer> {
    const cached = this.deps.manifestCache.get(digest);
    if (cached) return cached;
    const content = await this.deps.blobs.open(digest);
    if (!content) throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${digest} is recorded but its content is missing from the blob store`);
    const bytes = await readAll(content);
    this.deps.manifestCache.set(digest, bytes);
    return bytes;
  }

  /** A blob this image may serve: a linked layer/config (with when it was linked), or one of its manifests read as a blob. */
  private async linkedBlob(image: string, digest: string): Promise<{ size: number; linkedAt?: Date } | null> {
    const key = `${image}@${digest}`;
    const cached = this.linked.get(key);
    if (cached !== undefined) return cached;
    const stamp = this.linked.stamp();
    const link = await this.deps.links.get(this.name, image, digest);
    const manifestSize = link ? undefined : (await this.deps.manifests.get(this.name, image, digest))?.size;
    const found = link ? { size: link.size, linkedAt: link.linkedAt } : manifestSize !== undefined ? { size: manifestSize } : null;
    if (found) this.linked.set(key, found, stamp);
    return found;
  }

  /** Runs `work` (which places `digest` in the store and links or records it) under a claim against collection. */
  private async holding<T>(digest: string, work: () => Promise<T>): Promise<T> {
    const claim = await this.deps.claims.claim(digest);
    try {
      return await work();
    } finally {
      await claim.release();
    }
  }

  /** Appends to an upload; when the store is full it has discarded the bytes, and the session goes too. */
  private async appendBytes(id: string, body: BlobSource, offset: number): Promise<number> {
    try {
      return await this.deps.blobs.uploads.append(id, body, offset);
    } catch (err) {
      if (isStoreFull(err)) await this.deps.uploads.delete(id).catch(() => undefined);
      throw err;
    }
  }

  private async session(image: string, id: string): Promise<void> {
    const session = await this.deps.uploads.get(id);
    if (!session || session.repository !== this.name || session.image !== image) {
      throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id} is not known for ${this.name}/${image}`);
    }
  }

  private async uploadSize(id: string): Promise<number> {
    const size = await this.deps.blobs.uploads.size(id);
    if (size === null) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id} has no data; start a new upload`);
    return size;
  }

  forgetCached(): void {
    this.resolved.clear();
    this.linked.clear();
  }

  private changed(): void {
    this.forgetCached();
    this.deps.shared?.announceChange(this.name);
  }

  private ensureWritable(): void {
    this.ensureOnline();
    checkWritable(this.config.storage, this.name);
  }
}
