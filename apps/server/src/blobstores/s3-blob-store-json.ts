import type { S3BlobStoreJson } from '@wharf/api-types';
import type { S3BlobStoreConfig } from '@wharf/registry-core';
import { InvalidBlobStoreError } from './blob-stores';
import type { S3BlobStoreDto } from './s3-blob-store.dto';

/**
 * The configuration a request describes. `previous` is the stored one on an update: a secret key left
 * out (or empty) keeps it, so a client may GET, change and PUT back what it got.
 */
export function s3FromDto(dto: S3BlobStoreDto, previous?: S3BlobStoreConfig): S3BlobStoreConfig {
  const { bucket, bucketSecurity, advancedBucketConnection } = dto.bucketConfiguration;
  let security: S3BlobStoreConfig['bucketConfiguration']['bucketSecurity'] = null;
  if (bucketSecurity) {
    const kept = previous?.bucketConfiguration.bucketSecurity;
    const secretAccessKey = bucketSecurity.secretAccessKey || (kept?.accessKeyId === bucketSecurity.accessKeyId ? kept.secretAccessKey : '');
    if (!secretAccessKey) throw new InvalidBlobStoreError('bucketConfiguration.bucketSecurity.secretAccessKey is required with accessKeyId');
    security = { accessKeyId: bucketSecurity.accessKeyId, secretAccessKey };
  }
  const endpoint = advancedBucketConnection?.endpoint || null;
  return {
    name: dto.name,
    type: 's3',
    bucketConfiguration: {
      bucket: { name: bucket.name, region: bucket.region, prefix: bucket.prefix ?? '', expiration: bucket.expiration ?? 3 },
      bucketSecurity: security,
      advancedBucketConnection: advancedBucketConnection
        ? {
            endpoint: endpoint?.replace(/\/+$/, '') ?? null,
            forcePathStyle: advancedBucketConnection.forcePathStyle ?? false,
            redirect: advancedBucketConnection.redirect ?? false,
          }
        : null,
    },
  };
}

/** What the API shows: everything but the secret key, which never leaves the server. */
export function s3ToJson(config: S3BlobStoreConfig): S3BlobStoreJson {
  const { bucket, bucketSecurity, advancedBucketConnection } = config.bucketConfiguration;
  return {
    name: config.name,
    type: 's3',
    softQuota: null,
    bucketConfiguration: {
      bucket: { ...bucket },
      bucketSecurity: bucketSecurity ? { accessKeyId: bucketSecurity.accessKeyId } : null,
      advancedBucketConnection: advancedBucketConnection ? { redirect: false, ...advancedBucketConnection } : null,
    },
  };
}
