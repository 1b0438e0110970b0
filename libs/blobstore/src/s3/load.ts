import type { S3BlobStore } from './s3-blob-store';

/**
 * The S3 store class, loaded on first use: it brings the AWS SDK (about 4 MiB of heap and 200 modules), which
 * a server without an S3 blob store never needs.
 */
export async function loadS3BlobStore(): Promise<typeof S3BlobStore> {
  return (await import('./s3-blob-store')).S3BlobStore;
}
