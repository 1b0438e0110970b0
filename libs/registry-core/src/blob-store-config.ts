/**
 * A named blob store besides the built-in `default` (a file store in the data directory): an S3 bucket,
 * configured as Nexus configures one (its REST API's S3BlobStoreApiModel). Repositories choose theirs
 * by `storage.blobStoreName` when they are created.
 */
export interface S3BlobStoreConfig {
  name: string;
  type: 's3';
  bucketConfiguration: {
    bucket: {
      name: string;
      region: string;
      /** Key prefix inside the bucket ('' for none). */
      prefix: string;
      /** Days before deleted blobs are removed for good (Nexus's setting; -1 = never). Stored and shown. */
      expiration: number;
    };
    /** Static credentials; null = the SDK's default chain (environment, instance role). */
    bucketSecurity: { accessKeyId: string; secretAccessKey: string } | null;
    /**
     * An S3-compatible server instead of AWS. `redirect` (a Wharf extension, default false): whole-blob
     * downloads are answered with a 307 to a presigned URL of the object, valid 10 minutes.
     */
    advancedBucketConnection: { endpoint: string | null; forcePathStyle: boolean; redirect?: boolean } | null;
  };
}

export type BlobStoreConfig = S3BlobStoreConfig;

/** The built-in file store every installation has. */
export const DEFAULT_BLOB_STORE = 'default';
