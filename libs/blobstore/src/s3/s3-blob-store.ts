import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { PassThrough, Readable } from 'node:stream';
import { Digester } from '@wharf/oci';
import type { BlobContent, BlobInfo, BlobSource, BlobStore, StoredBlob, WriteOptions } from '../blob-store';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { StreamedContent } from '../content';
import { checkDigest } from '../fs/paths';
import { writeObject } from './object-writer';
import { isS3NotFound, digestMismatch, sizeInvalid, toS3StorageError } from './s3-errors';
import { S3Content } from './s3-content';
import { S3Keys } from './s3-keys';
import { listObjects } from './s3-listing';
import { S3ObjectReader } from './s3-object-reader';
import { DEFAULT_PART, MIN_PART, type S3BlobStoreOptions, createS3Client } from './s3-options';
import { S3UploadStore } from './s3-upload-store';

/** Thrown inside a write to stop it when the blob turns out to be stored already (nothing to make visible). */
class AlreadyStored extends Error {}

/**
 * A BlobStore in an S3 bucket (AWS S3 or an S3-compatible server: Ceph RGW, MinIO). Blobs are streamed
 * with bounded memory (multipart, two parts at most in memory), hashed as they flow, and become
 * visible under their digest only once it matched: a multipart upload is completed (or a small body
 * put) after the check, so a reader never sees a partial or unverified object. Reads stream the
 * object, ranges included. Upload sessions live in the bucket (see S3UploadStore), so any replica
 * can continue or finish what another started.
 */
export class S3BlobStore implements BlobStore {
  readonly uploads: S3UploadStore;
  private readonly client: S3Client;
  private readonly keys: S3Keys;
  private readonly bucket: string;
  private readonly partSize: number;
  private readonly reader: S3ObjectReader | null;

  constructor(private readonly options: S3BlobStoreOptions) {
    if (!options.bucket) throw new Error('an S3 blob store needs a bucket');
    this.client = createS3Client(options);
    this.keys = new S3Keys(normalizePrefix(options.prefix));
    this.bucket = options.bucket;
    this.partSize = Math.max(options.partSize ?? DEFAULT_PART, MIN_PART);
    this.reader = options.nativeReads !== false && S3ObjectReader.available() ? new S3ObjectReader(this.client, this.bucket) : null;
    this.uploads = new S3UploadStore({ client: this.client, bucket: this.bucket, keys: this.keys, partSize: this.partSize }, this);
  }

  /** Creates the bucket when it does not exist (as Nexus does). */
  async init(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (err) {
      if (!isS3NotFound(err)) throw toS3StorageError(err, `HeadBucket ${this.bucket}`);
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw toS3StorageError(err, `CreateBucket ${this.bucket}`);
    }
  }

  /** Closes the client's connections. */
  destroy(): void {
    this.reader?.destroy();
    this.client.destroy();
  }

  async stat(digest: string): Promise<BlobInfo | null> {
    const key = this.keys.blob(digest);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { digest: checkDigest(digest).digest, size: head.ContentLength ?? 0 };
    } catch (err) {
      if (isS3NotFound(err)) return null;
      throw toS3StorageError(err, 'HeadObject');
    }
  }

  /**
   * The object's content. The whole object is requested at once (one round trip, and a later delete does not
   * cut it short); a slice asks for its range when it is used. Through the native reader when it is here
   * (S3Content), else as the SDK's stream.
   */
  async open(digest: string): Promise<BlobContent | null> {
    const key = this.keys.blob(digest);
    if (this.options.redirectSeconds) return this.openRedirecting(digest, key, this.options.redirectSeconds);
    if (this.reader) {
      const whole = await this.reader.get(key);
      return whole && new S3Content(checkDigest(digest).digest, whole.length, key, this.reader, whole);
    }
    let whole: Readable | undefined;
    let size: number;
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      whole = res.Body as Readable;
      size = res.ContentLength ?? 0;
    } catch (err) {
      if (isS3NotFound(err)) return null;
      throw toS3StorageError(err, 'GetObject');
    }
    const takeWhole = () => {
      const body = whole;
      whole = undefined;
      return body;
    };
    const openRange = (start: number, end: number): Readable => {
      const body = takeWhole();
      if (body && start === 0 && end === size - 1) return mappingErrors(body);
      body?.destroy();
      return this.rangeStream(key, start, end);
    };
    return new StreamedContent(checkDigest(digest).digest, size, openRange, undefined, () => takeWhole()?.destroy());
  }

  /** Content that points whole-blob readers at a presigned URL (its size from a HEAD; no body is fetched). */
  private async openRedirecting(digest: string, key: string, expiresIn: number): Promise<BlobContent | null> {
    const info = await this.stat(digest);
    if (!info) return null;
    const content = new StreamedContent(info.digest, info.size, (start, end) => (end < start ? Readable.from([]) : this.rangeStream(key, start, end)));
    const presign = () => getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
    return Object.assign(content, { location: presign });
  }

  /** Bytes [start, end] of an object, as a stream that starts once the store answers. */
  private rangeStream(key: string, start: number, end: number): Readable {
    const out = new PassThrough();
    this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end}` })).then(
      (res) => void mappingErrors(res.Body as Readable, out),
      (err: unknown) => out.destroy(toS3StorageError(err, 'GetObject')),
    );
    return out;
  }

  async write(source: BlobSource, expected?: { digest?: string; size?: number }, options?: WriteOptions): Promise<BlobInfo> {
    const want = expected?.digest !== undefined ? checkDigest(expected.digest) : undefined;
    const wantSize = expected?.size;
    if (wantSize !== undefined && !(Number.isSafeInteger(wantSize) && wantSize >= 0)) {
      throw sizeInvalid(`expected size ${wantSize} is not a non-negative integer`);
    }
    const digester = new Digester(want?.algorithm ?? 'sha256');
    const input = source instanceof Readable ? source : source.stream();
    // The digest decides the key, so a write without an expected digest goes to the sha256 key it computes:
    // its parts are uploaded to a key of its own and copied in place once known.
    const key = want ? this.keys.blob(want.digest) : undefined;
    if (!key) return this.writeUnaddressed(input, wantSize, options);
    let info: BlobInfo | undefined;
    try {
      await writeObject({ client: this.client, bucket: this.bucket, key, partSize: this.partSize }, hashing(input, digester, wantSize, options), async (bytes, multipart) => {
        info = verify(digester, bytes, want!.digest, wantSize);
        options?.onVerified?.();
        // Parts already uploaded are dropped when the blob is there; a small body is simply put again.
        if (multipart && (await this.stat(info.digest))) throw new AlreadyStored();
      });
    } catch (err) {
      if (err instanceof AlreadyStored && info) return info;
      input.destroy();
      throw toS3StorageError(err, `write ${key}`);
    }
    return info!;
  }

  /**
   * A write whose digest is not known in advance: bodies up to one part are hashed in memory and put
   * under their digest; larger ones are uploaded under a temporary upload session and committed from
   * there (a server-side copy), so memory stays bounded either way.
   */
  private async writeUnaddressed(input: Readable, wantSize: number | undefined, options?: WriteOptions): Promise<BlobInfo> {
    const id = await this.uploads.create();
    try {
      const digester = new Digester('sha256');
      const size = await this.uploads.append(id, Readable.from(hashing(input, digester, wantSize, options)), 0);
      const info = verify(digester, size, undefined, wantSize);
      options?.onVerified?.();
      return await this.uploads.commit(id, info.digest);
    } catch (err) {
      input.destroy();
      throw err;
    } finally {
      await this.uploads.cancel(id).catch(() => undefined);
    }
  }

  async delete(digest: string): Promise<boolean> {
    if (!(await this.stat(digest))) return false;
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keys.blob(digest) }));
      return true;
    } catch (err) {
      throw toS3StorageError(err, 'DeleteObject');
    }
  }

  async *list(): AsyncIterable<StoredBlob> {
    for await (const object of listObjects(this.client, this.bucket, this.keys.blobs)) {
      const digest = this.keys.digestOf(object.key);
      if (digest) yield { digest, size: object.size, lastModified: object.lastModified };
    }
  }

  /** An object store has no free-space figure: null, once the bucket answered (a store that does not throws). */
  async availableSpace(): Promise<number | null> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw toS3StorageError(err, `HeadBucket ${this.bucket}`);
    }
    return null;
  }

  get description(): string {
    return `s3://${this.bucket}/${this.keys.prefix}${this.options.endpoint ? ` at ${this.options.endpoint}` : ''}`;
  }
}

/** The body through `out`, failing as a StorageError when the store's connection fails (not as a client's ECONNRESET). */
function mappingErrors(body: Readable, out = new PassThrough()): Readable {
  body.on('error', (err) => out.destroy(toS3StorageError(err, 'GetObject')));
  out.on('close', () => body.destroy());
  return body.pipe(out);
}

/** '' or a prefix ending in '/', without a leading '/'. */
function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** The source's chunks, hashed as they pass; too many bytes fail at once (SIZE_INVALID). */
export async function* hashing(source: AsyncIterable<unknown>, digester: Digester, limit?: number, options?: WriteOptions): AsyncIterable<Buffer> {
  for await (const data of source) {
    const chunk = data as Buffer;
    if (limit !== undefined && digester.bytes + chunk.length > limit) {
      throw sizeInvalid(`content is larger than the expected ${limit} bytes`, { expectedSize: limit });
    }
    digester.update(chunk);
    options?.onProgress?.(digester.bytes);
    yield chunk;
  }
}

/** Checks size and digest once every byte passed; returns what was stored. */
export function verify(digester: Digester, bytes: number, wanted: string | undefined, wantSize: number | undefined): BlobInfo {
  if (wantSize !== undefined && bytes !== wantSize) {
    throw sizeInvalid(`content is ${bytes} bytes, expected ${wantSize}`, { expectedSize: wantSize, size: bytes });
  }
  const actual = digester.digest();
  if (wanted !== undefined && actual !== wanted) throw digestMismatch(actual, wanted);
  return { digest: actual, size: bytes };
}
