import { S3Client } from '@aws-sdk/client-s3';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { withoutNodeVersionNotice } from './node-version-notice';

/** Where an S3 blob store keeps its objects, and how to reach them (Nexus's bucketConfiguration, flattened). */
export interface S3BlobStoreOptions {
  bucket: string;
  /** AWS region; any value for S3-compatible servers that ignore it (RGW, MinIO). */
  region: string;
  /** Key prefix inside the bucket ('' or e.g. 'wharf/'); several stores may share a bucket under different prefixes. */
  prefix?: string;
  /** Custom endpoint of an S3-compatible server (http(s)://host:port); AWS when unset. */
  endpoint?: string;
  /** Path-style addressing (http://host/bucket/key), which most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Static credentials; the SDK's default chain (environment, instance profile ...) when unset. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Multipart part size in bytes (>= 5 MiB); a write holds at most two parts in memory. */
  partSize?: number;
  /**
   * Send clients of whole-blob downloads to a presigned GET URL of the object, valid this many seconds,
   * instead of streaming through Wharf (Distribution's `redirect`). Off when unset. The clients must
   * reach the endpoint themselves.
   */
  redirectSeconds?: number;
  /**
   * Downloads through the native addon's HTTP client, relayed to the client's socket off the JavaScript thread
   * (s3-object-reader.ts). On by default when the addon is here; false streams bodies through the SDK.
   */
  nativeReads?: boolean;
}

export const MiB = 1024 * 1024;
/** S3's smallest part (all but the last part of a multipart upload). */
export const MIN_PART = 5 * MiB;
export const DEFAULT_PART = 8 * MiB;

/**
 * A client for the store. Checksums only when an operation requires them: the SDK's default CRC
 * trailers (aws-chunked bodies) are refused by several S3-compatible servers for streamed bodies.
 */
export function createS3Client(options: S3BlobStoreOptions): S3Client {
  const credentials =
    options.accessKeyId && options.secretAccessKey ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } : undefined;
  withoutNodeVersionNotice();
  return new S3Client({
    region: options.region || 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(credentials ? { credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Keep-alive connections, enough of them for parallel layer downloads and part uploads.
    requestHandler: {
      httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
    },
  });
}
