import { Readable } from 'node:stream';
import { type BlobInfo, type BlobSource, type BlobStore, readAll } from '@wharf/blobstore';
import {
  MediaType,
  RegistryError,
  acceptsMediaType,
  isDigestReference,
  parseManifest,
  referrerArtifactType,
  requiredBlobs,
  requiredManifests,
} from '@wharf/oci';
import type { ManifestCache } from '../cache/manifest-cache';
import { type BlobHandle, type DockerRepository, type ManifestHandle, type PutManifestResult, type UploadStatus, drainBody } from '../docker-repository';
import type { BlobClaims, BlobLinks, ManifestIndex, ManifestRecord, SharedLock, SharedLocks, TagIndex } from '../ports';
import type { ProxyConfig } from '../repository-config';
import { StoredRepository } from '../stored-repository';
import { type RegistryClient, UpstreamError, type UpstreamManifest } from '../upstream';
import type { BlobClaim } from '../ports/blob-claims';
import type { BlobFill, BlobFills } from './blob-fill';
import { CachePolicy } from './cache-policy';
import type { ProxyState } from './proxy-state';
import type { DownloadRecorder } from '../usage/download-recorder';

export interface ProxyDependencies {
  blobs: BlobStore;
  manifests: ManifestIndex;
  tags: TagIndex;
  links: BlobLinks;
  manifestCache: ManifestCache;
  /** Records pulls (last-downloaded times) in batches. */
  downloads: DownloadRecorder;
  /** Holds blobs against garbage collection while they are written and linked. */
  claims: BlobClaims;
  fills: BlobFills;
  /**
   * Locks shared with the other processes serving this repository (replicas on one database): one of them
   * fetches a cold blob, manifest or tag from the upstream while the others wait, then use what it stored.
   * Absent when this process is the only one (the in-process fills and resolutions suffice).
   */
  locks?: SharedLocks;
  client: RegistryClient;
  state: ProxyState;
  log: { warn(message: string): void };
  now?: () => number;
}

interface TagLookup {
  cached: ManifestHandle | null;
  acceptable: boolean;
  fresh: boolean;
}

/** What we ask the upstream for: every manifest type we can store, indexes first. */
const ACCEPT_ALL = [MediaType.OciIndex, MediaType.DockerManifestList, MediaType.OciManifest, MediaType.DockerManifest].join(', ');

const DOCKER_HUB_HOSTS = new Set(['registry-1.docker.io', 'docker.io', 'index.docker.io', 'registry.hub.docker.com']);

/**
 * A pull-through cache of a remote registry. Manifests by digest and blobs are immutable and cached
 * for good; tags are cached for their max age, then revalidated with a HEAD (not counted as a pull by
 * Docker Hub) and fetched again only when the digest moved. When the upstream fails, what is cached
 * keeps being served.
 */
export class ProxyRepository extends StoredRepository<ProxyConfig, ProxyDependencies> implements DockerRepository {
  readonly type = 'proxy' as const;
  private readonly policy: CachePolicy;
  private readonly now: () => number;
  private readonly dockerHub: boolean;
  /** In-flight tag resolutions: concurrent pulls of one tag cause one upstream request. */
  private readonly resolving = new Map<string, Promise<ManifestHandle | null>>();

  constructor(config: ProxyConfig, deps: ProxyDependencies) {
    super(config, deps);
    this.policy = new CachePolicy(config.proxy);
    for (const problem of this.policy.unusable) deps.log.warn(`proxy ${config.name}: tagMaxAge tier ignored: ${problem}`);
    this.now = deps.now ?? Date.now;
    this.dockerHub = config.dockerProxy.indexType === 'HUB' || DOCKER_HUB_HOSTS.has(hostOf(config.proxy.remoteUrl));
  }

  get client(): RegistryClient {
    return this.deps.client;
  }

  get state(): ProxyState {
    return this.deps.state;
  }

  get remoteUrl(): string {
    return this.config.proxy.remoteUrl;
  }

  /** invalidate-cache: every cached tag is revalidated on next use, and remembered 404s are forgotten. */
  async invalidate(): Promise<void> {
    await this.deps.tags.expireAll(this.name);
    this.deps.state.forgetMissing();
  }

  // --- manifests --------------------------------------------------------------------------------

  async getManifest(image: string, reference: string, accept?: string): Promise<ManifestHandle | null> {
    this.ensureOnline();
    const handle = isDigestReference(reference) ? await this.manifestByDigest(image, reference, accept) : await this.byTagOnce(image, reference, accept);
    if (handle) this.deps.downloads.record(this.name, image, handle.digest);
    return handle;
  }

  /** Concurrent pulls of one tag share one resolution (and at most one upstream request). */
  private byTagOnce(image: string, tag: string, accept: string | undefined): Promise<ManifestHandle | null> {
    const key = `${image}:${tag}:${accept ?? ''}`;
    const pending = this.resolving.get(key);
    if (pending) return pending;
    const work = this.manifestByTag(image, tag, accept).finally(() => this.resolving.delete(key));
    this.resolving.set(key, work);
    return work;
  }

  private async manifestByDigest(image: string, digest: string, accept: string | undefined): Promise<ManifestHandle | null> {
    const local = await this.cachedManifest(image, digest);
    if (local) return (await this.stillUpstream(image, local.record)) ? this.hit(local.handle) : null;
    const missKey = `${image}@${digest}`;
    if (this.deps.state.isKnownMissing(missKey)) return null;
    this.ensureUpstreamAllowed(`manifest ${digest}`);
    return this.exclusively(`manifest ${image}@${digest}`, async () => {
      const stored = this.deps.locks ? await this.localManifest(image, digest) : null;
      return stored ? this.hit(stored) : this.fetchManifest(image, digest, accept, missKey);
    });
  }

  private async fetchManifest(image: string, digest: string, accept: string | undefined, missKey: string): Promise<ManifestHandle | null> {
    const fetched = await this.upstream(() => this.deps.client.getManifest(this.upstreamImage(image), digest, accept ?? ACCEPT_ALL));
    if (!fetched) {
      this.deps.state.rememberMissing(missKey, this.negativeTtl());
      return null;
    }
    this.deps.state.counters.cacheMisses += 1;
    return this.storeManifest(image, fetched);
  }

  /**
   * contentMaxAge: a manifest cached by digest is asked for again upstream (a HEAD by digest, which Docker
   * Hub does not count as a pull) once it was last confirmed that long ago. The bytes cannot have changed;
   * what can is that the upstream removed the image (a takedown): then it leaves the cache too, and the
   * collection frees what only it held. An upstream that fails or is blocked keeps the cached copy served.
   */
  private async stillUpstream(image: string, record: ManifestRecord): Promise<boolean> {
    const maxAge = this.config.proxy.contentMaxAge;
    const digest = record.digest;
    if (maxAge < 0) return true;
    const confirmed = (record.verifiedAt ?? record.createdAt).getTime();
    if (this.now() - confirmed < maxAge * 60_000 || this.upstreamBlocked()) return true;
    try {
      const head = await this.upstream(() => this.deps.client.headManifest(this.upstreamImage(image), digest, ACCEPT_ALL));
      if (head) {
        await this.deps.manifests.markVerified(this.name, image, digest, new Date(this.now()));
        return true;
      }
    } catch (err) {
      if (isUpstreamFailure(err)) return true;
      throw err;
    }
    this.deps.log.warn(`proxy ${this.name}: ${image}@${digest} is gone upstream; removed from the cache`);
    await this.deps.tags.deleteByDigest(this.name, image, digest);
    await this.deps.manifests.delete(this.name, image, digest);
    this.deps.state.rememberMissing(`${image}@${digest}`, this.negativeTtl());
    return false;
  }

  private async manifestByTag(image: string, tag: string, accept: string | undefined): Promise<ManifestHandle | null> {
    const found = await this.lookUpTag(image, tag, accept);
    if (found.fresh) return this.hit(found.cached!);
    if (!this.deps.locks) return this.revalidateTag(image, tag, accept, found);
    // Another replica may be asking the upstream: wait for it, then use the tag it stored.
    return this.exclusively(`tag ${image}:${tag}`, async () => {
      const again = await this.lookUpTag(image, tag, accept);
      return again.fresh ? this.hit(again.cached!) : this.revalidateTag(image, tag, accept, again);
    });
  }

  /** The cached manifest of a tag, whether the client takes its type, and whether it is within its max age. */
  private async lookUpTag(image: string, tag: string, accept: string | undefined): Promise<TagLookup> {
    const cachedTag = await this.deps.tags.get(this.name, image, tag);
    const cached = cachedTag ? await this.localManifest(image, cachedTag.digest) : null;
    const acceptable = cached !== null && (accept === undefined || acceptsMediaType(accept, cached.mediaType));
    return { cached, acceptable, fresh: cached !== null && acceptable && this.policy.isFresh(tag, cachedTag!.verifiedAt, this.now()) };
  }

  private async revalidateTag(image: string, tag: string, accept: string | undefined, { cached, acceptable }: TagLookup): Promise<ManifestHandle | null> {
    const missKey = `${image}:${tag}`;
    if (!cached && this.deps.state.isKnownMissing(missKey)) return null;
    if (this.upstreamBlocked()) {
      if (cached) return this.stale(cached, `${image}:${tag}`, 'upstream is blocked');
      throw this.blockedError(`${image}:${tag}`);
    }
    const upstreamImage = this.upstreamImage(image);
    try {
      if (cached && acceptable) {
        // Stale: a HEAD tells whether the tag moved, without counting as a pull on Docker Hub.
        const head = await this.upstream(() => this.deps.client.headManifest(upstreamImage, tag, ACCEPT_ALL));
        if (head && head.digest === cached.digest) {
          await this.deps.tags.set(this.name, image, tag, cached.digest, new Date(this.now()));
          return this.hit(cached);
        }
        if (!head) return this.upstreamForgot(image, tag, missKey);
      }
      // Ask for every type we store; only a client that cannot take the cached type gets its own Accept passed on.
      const wanted = cached && !acceptable && accept !== undefined ? accept : ACCEPT_ALL;
      const fetched = await this.upstream(() => this.deps.client.getManifest(upstreamImage, tag, wanted));
      if (!fetched) return this.upstreamForgot(image, tag, missKey);
      this.deps.state.counters.cacheMisses += 1;
      const handle = await this.storeManifest(image, fetched);
      // Record the resolution even if clients then pull by digest: cleanup must not see untagged garbage.
      if (wanted === ACCEPT_ALL) await this.deps.tags.set(this.name, image, tag, handle.digest, new Date(this.now()));
      return handle;
    } catch (err) {
      if (cached && isUpstreamFailure(err)) return this.stale(cached, `${image}:${tag}`, (err as Error).message);
      throw err;
    }
  }

  private async upstreamForgot(image: string, tag: string, missKey: string): Promise<null> {
    await this.deps.tags.delete(this.name, image, tag);
    this.deps.state.rememberMissing(missKey, this.negativeTtl());
    return null;
  }

  private async storeManifest(image: string, fetched: UpstreamManifest): Promise<ManifestHandle> {
    let parsed;
    try {
      parsed = parseManifest(fetched.bytes, fetched.mediaType);
    } catch (err) {
      throw new RegistryError('UNAVAILABLE', `upstream ${this.config.proxy.remoteUrl} sent an unusable manifest: ${(err as Error).message}`);
    }
    const references = [...requiredBlobs(parsed), ...requiredManifests(parsed)].map((d) => d.digest);
    // Claimed from before the bytes land until the manifest is recorded: a collection cannot free them in between.
    const claim = await this.deps.claims.claim(fetched.digest);
    try {
      await this.deps.blobs.write(Readable.from([fetched.bytes]), { digest: fetched.digest, size: fetched.bytes.length });
      const now = new Date(this.now());
      await this.deps.manifests.put(this.name, image, {
        digest: fetched.digest,
        mediaType: parsed.mediaType,
        size: fetched.bytes.length,
        createdAt: now,
        lastDownloadedAt: now,
        verifiedAt: now,
        ...(referrerArtifactType(parsed) ? { artifactType: referrerArtifactType(parsed)! } : {}),
        ...(parsed.subject ? { subject: parsed.subject.digest } : {}),
        ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
      }, references);
    } finally {
      await claim.release();
    }
    this.deps.manifestCache.set(fetched.digest, fetched.bytes);
    this.deps.state.counters.bytesFromUpstream += fetched.bytes.length;
    return { digest: fetched.digest, mediaType: parsed.mediaType, size: fetched.bytes.length, bytes: fetched.bytes };
  }

  private async localManifest(image: string, digest: string): Promise<ManifestHandle | null> {
    return (await this.cachedManifest(image, digest))?.handle ?? null;
  }

  /** The cached manifest with what the metadata knows of it. */
  private async cachedManifest(image: string, digest: string): Promise<{ handle: ManifestHandle; record: ManifestRecord } | null> {
    const record = await this.deps.manifests.get(this.name, image, digest);
    if (!record) return null;
    let bytes = this.deps.manifestCache.get(digest);
    if (!bytes) {
      const content = await this.deps.blobs.open(digest);
      if (!content) return null;
      bytes = await readAll(content);
      this.deps.manifestCache.set(digest, bytes);
    }
    return { handle: { digest, mediaType: record.mediaType, size: record.size, bytes }, record };
  }

  private hit(handle: ManifestHandle): ManifestHandle {
    this.deps.state.counters.cacheHits += 1;
    this.deps.state.counters.bytesFromCache += handle.size;
    return handle;
  }

  private stale(handle: ManifestHandle, what: string, reason: string): ManifestHandle {
    this.deps.state.counters.staleServed += 1;
    this.deps.log.warn(`proxy ${this.name}: serving cached ${what} (${handle.digest}) because ${reason}`);
    return this.hit(handle);
  }

  // --- blobs ------------------------------------------------------------------------------------

  async statBlob(image: string, digest: string, options?: { cachedOnly?: boolean }): Promise<BlobInfo | null> {
    this.ensureOnline();
    const local = await this.localBlob(image, digest);
    if (local) return local;
    if (options?.cachedOnly) {
      // A fill already under way counts as held (clients may have all its bytes before it is committed).
      const running = await this.deps.fills.get(digest);
      return running ? { digest, size: running.knownSize ?? (await running.done).size } : null;
    }
    const fill = await this.fillFor(image, digest);
    if (!fill) return null;
    const size = fill.knownSize ?? (await fill.done).size;
    return { digest, size };
  }

  async getBlob(image: string, digest: string): Promise<BlobHandle | null> {
    this.ensureOnline();
    const local = await this.serveLocal(image, digest);
    if (local) return local;
    const fill = await this.fillFor(image, digest);
    // The fill's content follows the blob as it arrives (or, once it is stored, reads it from the store).
    return fill ? fill.open() : null;
  }

  private async serveLocal(image: string, digest: string): Promise<BlobHandle | null> {
    if (!(await this.localBlob(image, digest))) return null;
    const content = await this.deps.blobs.open(digest);
    if (!content) return null;
    this.deps.state.counters.cacheHits += 1;
    this.deps.state.counters.bytesFromCache += content.size;
    return content;
  }

  /** A blob this proxy cached before (for any of its images) and the store still has. */
  private async localBlob(image: string, digest: string): Promise<BlobInfo | null> {
    if (!(await this.deps.links.inRepository(this.name, digest))) return null;
    const info = await this.deps.blobs.stat(digest);
    if (!info || (await this.deps.links.get(this.name, image, digest))) return info;
    // Cached for another image: linked here only while still held (a collection may be deleting it).
    return (await this.deps.links.linkIfHeld(this.name, image, digest, info.size)) ? info : null;
  }

  /** The in-flight fill of this blob, joining one already running or starting it. null: upstream has no such blob. */
  private async fillFor(image: string, digest: string): Promise<BlobFill | null> {
    const running = this.deps.fills.get(digest);
    if (running) return running;
    const missKey = `${image}@${digest}`;
    if (this.deps.state.isKnownMissing(missKey)) return null;
    this.ensureUpstreamAllowed(`blob ${digest}`);
    // The claim is taken before the upstream request and released once the blob is linked (or the fill failed).
    // The shared lock (replicas) is held from before the upstream request until the blob is linked.
    let claim: BlobClaim | undefined;
    let lock: SharedLock | undefined;
    const release = async () => {
      const held = claim;
      const locked = lock;
      claim = undefined;
      lock = undefined;
      await held?.release().catch((err: Error) => this.deps.log.warn(`proxy ${this.name}: claim on ${digest} not released: ${err.message}`));
      await locked?.release().catch((err: Error) => this.deps.log.warn(`proxy ${this.name}: lock on ${digest} not released: ${err.message}`));
    };
    return this.deps.fills.begin(
      digest,
      this.deps.blobs,
      async () => {
        const { state } = this.deps;
        claim = await this.deps.claims.claim(digest);
        state.fillsInFlight += 1;
        let blob;
        try {
          lock = await this.deps.locks?.acquire(this.lockKey(`blob ${digest}`));
          // Fetched and linked by another replica while this one waited: read it from the store.
          const stored = lock ? await this.localBlob(image, digest) : null;
          if (stored) return { stored };
          blob = await this.upstream(() => this.deps.client.getBlob(this.upstreamImage(image), digest));
        } catch (err) {
          state.fillsInFlight -= 1;
          await release();
          throw err;
        }
        if (!blob) {
          state.fillsInFlight -= 1;
          await release();
          state.rememberMissing(missKey, this.negativeTtl());
          return null;
        }
        state.counters.cacheMisses += 1;
        return blob;
      },
      async (info, err) => {
        this.deps.state.fillsInFlight -= 1;
        try {
          if (info) await this.deps.links.link(this.name, image, digest, info.size);
          else this.deps.log.warn(`proxy ${this.name}: blob ${digest} from upstream not cached: ${err?.message}`);
        } finally {
          await release();
        }
      },
      // Counted when verified: clients may have every byte before the blob is committed.
      (bytes) => {
        this.deps.state.counters.bytesFromUpstream += bytes;
      },
    );
  }

  /** Runs `work` under the shared lock of `what` in this repository, when there are replicas; else at once. */
  private async exclusively<T>(what: string, work: () => Promise<T>): Promise<T> {
    const lock = await this.deps.locks?.acquire(this.lockKey(what));
    try {
      return await work();
    } finally {
      await lock?.release();
    }
  }

  private lockKey(what: string): string {
    return `proxy ${this.name} ${what}`;
  }

  // --- discovery: what is cached ----------------------------------------------------------------

  protected unknownImage(image: string): string {
    return `proxy ${this.name} has nothing cached for ${image}`;
  }


  // --- eviction (the only writes a proxy takes) -------------------------------------------------

  async deleteManifest(image: string, digest: string): Promise<void> {
    if (!(await this.deps.manifests.get(this.name, image, digest))) {
      throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${digest} is not cached in ${this.name}/${image}`);
    }
    await this.deps.tags.deleteByDigest(this.name, image, digest);
    await this.deps.manifests.delete(this.name, image, digest);
  }

  async deleteTag(image: string, tag: string): Promise<void> {
    if (!(await this.deps.tags.delete(this.name, image, tag))) {
      throw new RegistryError('MANIFEST_UNKNOWN', `tag ${tag} is not cached in ${this.name}/${image}`);
    }
  }

  async deleteBlob(image: string, digest: string): Promise<void> {
    if (!(await this.deps.links.unlink(this.name, image, digest))) {
      throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is not cached in ${this.name}/${image}`);
    }
  }

  // --- push: refused ----------------------------------------------------------------------------

  startUpload(): Promise<UploadStatus> {
    return this.readOnly();
  }
  getUpload(): Promise<UploadStatus> {
    return this.readOnly();
  }
  appendUpload(_image: string, _id: string, body: BlobSource): Promise<UploadStatus> {
    drainBody(body);
    return this.readOnly();
  }
  finishUpload(): Promise<BlobInfo> {
    return this.readOnly();
  }
  cancelUpload(): Promise<void> {
    return this.readOnly();
  }
  putBlob(): Promise<BlobInfo> {
    return this.readOnly();
  }
  mountBlob(): Promise<BlobInfo | null> {
    return this.readOnly();
  }
  putManifest(): Promise<PutManifestResult> {
    return this.readOnly();
  }

  // --- internals --------------------------------------------------------------------------------

  private readOnly(): Promise<never> {
    return Promise.reject(new RegistryError('DENIED', `${this.name} is a proxy repository and is read-only; push to a hosted repository`));
  }

  /** Docker Hub keeps official images under `library/`; clients may omit it. */
  private upstreamImage(image: string): string {
    return this.dockerHub && !image.includes('/') ? `library/${image}` : image;
  }

  private negativeTtl(): number {
    return this.config.negativeCache.enabled ? this.config.negativeCache.timeToLive : 0;
  }

  private upstreamBlocked(): boolean {
    return this.config.httpClient.blocked || this.deps.state.autoBlockedUntil() !== undefined;
  }

  private ensureUpstreamAllowed(what: string): void {
    if (this.upstreamBlocked()) throw this.blockedError(what);
  }

  private blockedError(what: string): RegistryError {
    const until = this.deps.state.autoBlockedUntil();
    const why = this.config.httpClient.blocked ? 'is blocked by configuration' : `is auto-blocked until ${until?.toISOString()} after failures`;
    return new RegistryError('UNAVAILABLE', `${what} is not cached and upstream ${this.config.proxy.remoteUrl} ${why}`);
  }

  /** Runs an upstream call, keeping the health record and translating failures into registry errors. */
  private async upstream<T>(call: () => Promise<T | null>): Promise<T | null> {
    try {
      const result = await call();
      this.deps.state.succeeded();
      this.deps.state.rateLimit = this.deps.client.rateLimit;
      return result;
    } catch (err) {
      this.deps.state.rateLimit = this.deps.client.rateLimit;
      if (!(err instanceof UpstreamError)) throw err;
      // Docker Hub answers an anonymous pull of a repository that does not exist with 401: that is "not found".
      if (err.kind === 'auth' && !this.config.httpClient.authentication) {
        this.deps.state.succeeded();
        return null;
      }
      const blockable = err.kind === 'unreachable' || err.kind === 'timeout' || (err.kind === 'status' && (err.status ?? 0) >= 500);
      const answered = err.kind === 'status' && err.status !== 429 && (err.status ?? 0) < 500;
      // A 4xx answer means the upstream is up: keep it out of reachability and auto-block.
      if (answered) this.deps.state.succeeded();
      else this.deps.state.failed(err.message, this.config.httpClient.autoBlock, blockable);
      if (err.status === 429) {
        throw new RegistryError('TOOMANYREQUESTS', `upstream ${this.config.proxy.remoteUrl} is rate limiting: ${err.message}`, undefined, {
          headers: err.retryAfter ? { 'Retry-After': err.retryAfter } : {},
        });
      }
      throw new RegistryError('UNAVAILABLE', `upstream ${this.config.proxy.remoteUrl} failed: ${err.message}`, undefined, {
        status: err.kind === 'auth' ? 502 : 503,
      });
    }
  }
}

function isUpstreamFailure(err: unknown): boolean {
  return err instanceof RegistryError && (err.code === 'UNAVAILABLE' || err.code === 'TOOMANYREQUESTS');
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
