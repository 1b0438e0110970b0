import type { BlobStoreConfig } from '../blob-store-config';

/** Seals and opens the secrets inside a blob store configuration (the S3 secret key), so a store keeps them encrypted at rest. */
export interface BlobStoreConfigSealer {
  seal(config: BlobStoreConfig): BlobStoreConfig;
  open(config: BlobStoreConfig): BlobStoreConfig;
}

/** Port: the configured blob stores (the built-in `default` is not among them). */
export abstract class BlobStoreConfigs {
  abstract list(): Promise<BlobStoreConfig[]>;
  abstract get(name: string): Promise<BlobStoreConfig | null>;
  /** Inserts or replaces. */
  abstract save(config: BlobStoreConfig): Promise<void>;
  abstract delete(name: string): Promise<boolean>;
}
