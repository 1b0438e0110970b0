import { type BlobStore, type FileBlobStore, loadS3BlobStore } from '@wharf/blobstore';
import { type BlobStoreConfig, type BlobStoreConfigs, DEFAULT_BLOB_STORE, type S3BlobStoreConfig } from '@wharf/registry-core';
import { SwitchableBlobStore } from './switchable-blob-store';

/** A blob store configuration is unusable (bad bucket, unreachable endpoint, a name taken, a change not allowed). */
export class InvalidBlobStoreError extends Error {}

export class BlobStoreNotFoundError extends Error {}

/** An opened store: S3 stores hold a client with connections to close. */
type OpenStore = BlobStore & { destroy?(): void };

/** Opens the store a configuration describes; S3 buckets are created when missing. */
export type BlobStoreOpener = (config: BlobStoreConfig) => Promise<OpenStore>;

/** How long a presigned download URL stays valid. */
const REDIRECT_SECONDS = 600;

export const openS3Store: BlobStoreOpener = async (config: S3BlobStoreConfig) => {
  const { bucket, bucketSecurity, advancedBucketConnection } = config.bucketConfiguration;
  const S3BlobStore = await loadS3BlobStore();
  const store = new S3BlobStore({
    bucket: bucket.name,
    region: bucket.region,
    prefix: bucket.prefix,
    ...(advancedBucketConnection?.endpoint ? { endpoint: advancedBucketConnection.endpoint } : {}),
    forcePathStyle: advancedBucketConnection?.forcePathStyle ?? false,
    ...(bucketSecurity ? { accessKeyId: bucketSecurity.accessKeyId, secretAccessKey: bucketSecurity.secretAccessKey } : {}),
    ...(advancedBucketConnection?.redirect ? { redirectSeconds: REDIRECT_SECONDS } : {}),
  });
  await store.init();
  return store;
};

/**
 * Every blob store of this Wharf by name: the built-in `default` file store and the configured ones
 * (S3 buckets). A repository resolves its store by `storage.blobStoreName`.
 */
export class BlobStores {
  private readonly stores = new Map<string, { config: BlobStoreConfig | null; store: OpenStore & Partial<Pick<SwitchableBlobStore, 'switchTo'>> }>();

  constructor(
    readonly fallback: FileBlobStore,
    private readonly configs: BlobStoreConfigs,
    private readonly open: BlobStoreOpener = openS3Store,
  ) {
    this.stores.set(DEFAULT_BLOB_STORE, { config: null, store: fallback });
  }

  /** Opens every configured store (start-up). */
  async load(): Promise<void> {
    for (const config of await this.configs.list()) this.stores.set(config.name, { config, store: new SwitchableBlobStore(await this.open(config)) });
  }

  /**
   * Reads a configured store again (another replica created or changed it) and opens it: every repository
   * on it uses the new settings at once. A store whose configuration is gone is left open (there is no
   * deletion of stores; its repositories would lose their blobs).
   */
  async refresh(name: string): Promise<void> {
    const config = await this.configs.get(name);
    if (!config) return;
    const store = await this.open(config);
    const entry = this.stores.get(name);
    if (entry?.store.switchTo) {
      entry.config = config;
      entry.store.switchTo(store);
    } else {
      this.stores.set(name, { config, store: new SwitchableBlobStore(store) });
    }
  }

  /** Every configured store read again (after the change feed may have missed announcements). */
  async refreshAll(): Promise<void> {
    for (const config of await this.configs.list()) await this.refresh(config.name);
  }

  get(name: string): BlobStore | undefined {
    return this.stores.get(name)?.store;
  }

  require(name: string): BlobStore {
    const store = this.get(name);
    if (!store) throw new BlobStoreNotFoundError(`no blob store named "${name}"`);
    return store;
  }

  names(): string[] {
    return [...this.stores.keys()];
  }

  /** Every store, the default first. */
  all(): BlobStore[] {
    return [...this.stores.values()].map((s) => s.store);
  }

  /** A configured store's configuration (secrets included: never hand it out as is); null for `default`. */
  config(name: string): BlobStoreConfig | null {
    const entry = this.stores.get(name);
    if (!entry) throw new BlobStoreNotFoundError(`no blob store named "${name}"`);
    return entry.config;
  }

  /** Opens the new store (creating its bucket) before storing its configuration: a store that cannot work is refused. */
  async create(config: BlobStoreConfig): Promise<void> {
    if (this.stores.has(config.name)) throw new InvalidBlobStoreError(`a blob store named "${config.name}" already exists`);
    const store = await this.reach(config);
    await this.configs.save(config);
    this.stores.set(config.name, { config, store: new SwitchableBlobStore(store) });
  }

  /**
   * Credentials, endpoint, redirect and expiration may change (every repository on the store uses the new
   * settings at once); the bucket and prefix may not (the blobs are there).
   */
  async update(config: BlobStoreConfig): Promise<void> {
    const current = this.config(config.name);
    if (!current) throw new InvalidBlobStoreError(`the blob store "${config.name}" is built in and cannot be changed`);
    const [was, now] = [current.bucketConfiguration.bucket, config.bucketConfiguration.bucket];
    if (was.name !== now.name || was.prefix !== now.prefix) {
      throw new InvalidBlobStoreError(`the bucket and prefix of blob store "${config.name}" cannot be changed (${was.name}/${was.prefix})`);
    }
    const store = await this.reach(config);
    await this.configs.save(config);
    const entry = this.stores.get(config.name)!;
    entry.config = config;
    entry.store.switchTo?.(store);
  }

  close(): void {
    for (const { store } of this.stores.values()) store.destroy?.();
  }

  private async reach(config: BlobStoreConfig): Promise<OpenStore> {
    try {
      return await this.open(config);
    } catch (err) {
      throw new InvalidBlobStoreError(`cannot use bucket "${config.bucketConfiguration.bucket.name}": ${(err as Error).message}`);
    }
  }
}
