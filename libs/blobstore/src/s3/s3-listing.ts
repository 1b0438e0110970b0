import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { toS3StorageError } from './s3-errors';

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

/** Every object under `prefix`, page by page (ListObjectsV2), never collected whole. */
export async function* listObjects(client: S3Client, bucket: string, prefix: string): AsyncIterable<ListedObject> {
  let token: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    } catch (err) {
      throw toS3StorageError(err, 'ListObjectsV2');
    }
    for (const o of page.Contents ?? []) {
      if (o.Key) yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
