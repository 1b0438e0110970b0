import type { BlobStoreConfig } from '../blob-store-config';
import { NamedConfigs, type Sealer } from './named-configs';

/** Seals and opens the secrets inside a blob store configuration (the S3 secret key). */
export type BlobStoreConfigSealer = Sealer<BlobStoreConfig>;

/** Port: the configured blob stores (the built-in `default` is not among them). */
export abstract class BlobStoreConfigs extends NamedConfigs<BlobStoreConfig> {}
