import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

export interface ObjectTarget {
  client: S3Client;
  bucket: string;
  key: string;
  /** Bytes per multipart part; a body no larger is sent with one PutObject. */
  partSize: number;
  /** Only create the object: when `key` exists, the store refuses (HTTP 412) and nothing is written. */
  createOnly?: boolean;
}

/**
 * Streams `source` into the object `key` with bounded memory: the bytes are cut into parts of about
 * `partSize`, one part is sent while the next fills (at most two in memory). The object becomes
 * visible only when `beforeVisible` (called with the byte count once the source has ended, and whether
 * parts were uploaded) returns:
 * it may throw (a digest mismatch), and then nothing is stored. A source error aborts the upload too.
 * Returns the number of bytes stored.
 */
export async function writeObject(
  target: ObjectTarget,
  source: AsyncIterable<Buffer>,
  beforeVisible: (bytes: number, multipart: boolean) => Promise<void> | void,
): Promise<number> {
  const { client, bucket, key, partSize } = target;
  const condition = target.createOnly ? { IfNoneMatch: '*' } : {};
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let uploadId: string | undefined;
  const parts: CompletedPart[] = [];
  let inFlight: Promise<void> = Promise.resolve();

  const sendPart = async (body: Buffer): Promise<void> => {
    await inFlight; // one part on the wire at a time, the next one filling meanwhile
    if (uploadId === undefined) {
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      uploadId = created.UploadId!;
    }
    const PartNumber = parts.length + 1;
    const part: CompletedPart = { PartNumber };
    parts.push(part);
    inFlight = client
      .send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.length }))
      .then((sent) => {
        part.ETag = sent.ETag;
      });
    inFlight.catch(() => undefined); // awaited (and thrown) by the next part or the end
  };
  const take = (): Buffer => {
    const body = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return body;
  };

  try {
    for await (const chunk of source) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      total += chunk.length;
      if (pendingBytes >= partSize) await sendPart(take());
    }
    if (uploadId === undefined && parts.length === 0) {
      const body = take();
      await beforeVisible(total, false);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length, ...condition }));
      return total;
    }
    if (pendingBytes > 0) await sendPart(take());
    await inFlight;
    await beforeVisible(total, true);
    await client.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, ...condition }),
    );
    uploadId = undefined;
    return total;
  } catch (err) {
    await inFlight.catch(() => undefined);
    if (uploadId !== undefined) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    }
    throw err;
  }
}
