import { randomUUID, type Hash, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  AbortMultipartUploadCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Digester, RegistryError, parseDigest } from '@wharf/oci';
import type { BlobInfo, BlobSource, BlobStore, UploadStore } from '../blob-store';
import { checkDigest, isUploadId } from '../fs/paths';
import { writeObject } from './object-writer';
import { digestMismatch, isPreconditionFailed, toS3StorageError } from './s3-errors';
import type { S3Keys } from './s3-keys';
import { type ListedObject, listObjects } from './s3-listing';
import { MIN_PART } from './s3-options';

export interface S3UploadContext {
  client: S3Client;
  bucket: string;
  keys: S3Keys;
  partSize: number;
}

interface Chunk {
  key: string;
  offset: number;
  size: number;
}

interface Session {
  chunks: Chunk[];
  size: number;
  lastModified: Date;
}

/** The largest piece one UploadPartCopy copies (S3 allows 5 GiB). */
const COPY_PIECE = 1024 * 1024 * 1024;
/** S3's limit for one CopyObject. */
const COPY_OBJECT_MAX = 5 * 1024 * 1024 * 1024;

function unknownUpload(id: string): RegistryError {
  return new RegistryError('BLOB_UPLOAD_UNKNOWN', 'upload session not found', { id });
}

/**
 * Resumable upload sessions in the bucket, so that every replica sees the same session: a marker
 * object per session and one object per append, keyed by its offset (the session's size is where
 * its last chunk ends). Nothing of a session lives only in one process's memory, except a shortcut:
 * the process that received every byte of a session in order keeps the running hash, and commits
 * without reading the bytes again; any other process re-reads the chunks to hash them.
 * Committing assembles the chunks under the blob's key after the digest matched: server-side copies
 * (CopyObject, UploadPartCopy) when the chunks can be multipart parts, otherwise a streamed re-upload.
 */
export class S3UploadStore implements UploadStore {
  /** Running hashes of the sessions this process received in order: bytes hashed and the state. */
  private readonly hashes = new Map<string, { bytes: number; hash: Hash }>();

  constructor(
    private readonly ctx: S3UploadContext,
    private readonly blobs: Pick<BlobStore, 'stat'>,
  ) {}

  async create(): Promise<string> {
    const id = randomUUID();
    try {
      await this.ctx.client.send(new PutObjectCommand({ Bucket: this.ctx.bucket, Key: this.ctx.keys.session(id), Body: Buffer.alloc(0), ContentLength: 0 }));
    } catch (err) {
      throw toS3StorageError(err, 'create upload session');
    }
    this.hashes.set(id, { bytes: 0, hash: createHash('sha256') });
    return id;
  }

  async size(id: string): Promise<number | null> {
    return (await this.session(id))?.size ?? null;
  }

  async append(id: string, body: BlobSource, offset: number): Promise<number> {
    // Bytes go to the bucket through this process either way: a body that could receive itself into a file is read as a stream.
    const source = body instanceof Readable ? body : body.stream();
    const session = await this.session(id);
    if (!session) {
      source.resume();
      throw unknownUpload(id);
    }
    if (offset !== session.size) {
      source.resume();
      throw new RegistryError('RANGE_INVALID', `upload offset ${offset} does not match the current size ${session.size}`, {
        offset,
        size: session.size,
      });
    }
    const known = this.hashes.get(id);
    const hash = known && known.bytes === offset ? known.hash.copy() : null;
    const { client, bucket, partSize } = this.ctx;
    let written: number;
    try {
      // createOnly: of two appends at one offset (two replicas), the store lets one write its chunk.
      written = await writeObject({ client, bucket, key: this.ctx.keys.chunk(id, offset), partSize, createOnly: true }, feeding(source, hash), (bytes) => {
        // An empty append stores nothing.
        if (bytes === 0) throw new EmptyAppend();
      });
    } catch (err) {
      if (err instanceof EmptyAppend) return offset;
      source.destroy();
      if (isPreconditionFailed(err)) {
        throw new RegistryError('RANGE_INVALID', `another append at offset ${offset} came first`, { offset });
      }
      throw toS3StorageError(err, 'append to upload');
    }
    if (hash) this.hashes.set(id, { bytes: offset + written, hash });
    else this.hashes.delete(id);
    return offset + written;
  }

  async commit(id: string, digest: string): Promise<BlobInfo> {
    const session = await this.session(id);
    if (!session) throw unknownUpload(id);
    const want = checkDigest(digest);
    const known = this.hashes.get(id);
    const memo = known && known.bytes === session.size && want.algorithm === 'sha256' ? `sha256:${known.hash.copy().digest('hex')}` : null;
    if (memo !== null && memo !== want.digest) throw digestMismatch(memo, want.digest);
    const info = { digest: want.digest, size: session.size };
    if (!(await this.blobs.stat(want.digest))) {
      if (this.copyable(session.chunks)) {
        if (memo === null) {
          const actual = await this.rehash(session.chunks, want.algorithm);
          if (actual !== want.digest) throw digestMismatch(actual, want.digest);
        }
        await this.assemble(session.chunks, this.ctx.keys.blob(want.digest));
      } else {
        await this.reupload(session.chunks, want.digest);
      }
    }
    await this.remove(id, session);
    return info;
  }

  async cancel(id: string): Promise<boolean> {
    const session = await this.session(id);
    if (!session) return false;
    await this.remove(id, session);
    return true;
  }

  async purge(olderThan: Date): Promise<string[]> {
    const sessions = new Map<string, { keys: string[]; lastModified: number }>();
    for await (const object of this.objects(this.ctx.keys.uploads)) {
      const id = object.key.slice(this.ctx.keys.uploads.length).split('/')[0]!;
      const entry = sessions.get(id) ?? { keys: [], lastModified: 0 };
      entry.keys.push(object.key);
      entry.lastModified = Math.max(entry.lastModified, object.lastModified.getTime());
      sessions.set(id, entry);
    }
    const purged: string[] = [];
    for (const [id, entry] of sessions) {
      if (entry.lastModified >= olderThan.getTime()) continue;
      await this.deleteKeys(entry.keys);
      this.hashes.delete(id);
      purged.push(id);
    }
    return purged;
  }

  /** The session's chunks in offset order; null when there is no such session. */
  private async session(id: string): Promise<Session | null> {
    if (!isUploadId(id)) return null;
    const chunks: Chunk[] = [];
    let found = false;
    let lastModified = 0;
    for await (const object of this.objects(this.ctx.keys.upload(id))) {
      found = true;
      lastModified = Math.max(lastModified, object.lastModified.getTime());
      const offset = this.ctx.keys.chunkOffset(id, object.key);
      if (offset !== null) chunks.push({ key: object.key, offset, size: object.size });
    }
    if (!found) return null;
    chunks.sort((a, b) => a.offset - b.offset);
    let size = 0;
    for (const chunk of chunks) {
      if (chunk.offset !== size) throw toS3StorageError(new Error(`upload ${id} has a gap at ${size}`), 'read upload session');
      size += chunk.size;
    }
    return { chunks, size, lastModified: new Date(lastModified) };
  }

  /** Server-side assembly works when every chunk but the last is big enough to be a multipart part. */
  private copyable(chunks: Chunk[]): boolean {
    return chunks.length <= 1 || chunks.slice(0, -1).every((c) => c.size >= MIN_PART);
  }

  private async rehash(chunks: Chunk[], algorithm: 'sha256' | 'sha512'): Promise<string> {
    const digester = new Digester(algorithm);
    for (const chunk of chunks) for await (const data of await this.open(chunk)) digester.update(data as Buffer);
    return digester.digest();
  }

  /** Copies the chunks, in order, into `key` inside the store; the object appears when the copy completes. */
  private async assemble(chunks: Chunk[], key: string): Promise<void> {
    const { client, bucket } = this.ctx;
    const source = (chunk: Chunk) => `${bucket}/${encodeURIComponent(chunk.key).replace(/%2F/g, '/')}`;
    try {
      if (chunks.length === 0) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(0), ContentLength: 0 }));
        return;
      }
      if (chunks.length === 1 && chunks[0]!.size <= COPY_OBJECT_MAX) {
        await client.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: source(chunks[0]!) }));
        return;
      }
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      try {
        const parts: CompletedPart[] = [];
        for (const chunk of chunks) {
          for (let start = 0; start < chunk.size; start += COPY_PIECE) {
            const end = Math.min(start + COPY_PIECE, chunk.size) - 1;
            const PartNumber = parts.length + 1;
            const copied = await client.send(
              new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, CopySource: source(chunk), CopySourceRange: `bytes=${start}-${end}` }),
            );
            parts.push({ PartNumber, ETag: copied.CopyPartResult?.ETag });
          }
        }
        await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
      } catch (err) {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => undefined);
        throw err;
      }
    } catch (err) {
      throw toS3StorageError(err, 'assemble upload');
    }
  }

  /** Streams the chunks through this process into the blob's key, hashing them; visible only if the digest matched. */
  private async reupload(chunks: Chunk[], digest: string): Promise<void> {
    const digester = new Digester(parseDigest(digest).algorithm);
    const { client, bucket, partSize } = this.ctx;
    const open = (chunk: Chunk) => this.open(chunk);
    async function* bytes(): AsyncIterable<Buffer> {
      for (const chunk of chunks) {
        for await (const data of await open(chunk)) {
          digester.update(data as Buffer);
          yield data as Buffer;
        }
      }
    }
    try {
      await writeObject({ client, bucket, key: this.ctx.keys.blob(digest), partSize }, bytes(), () => {
        const actual = digester.digest();
        if (actual !== digest) throw digestMismatch(actual, digest);
      });
    } catch (err) {
      throw toS3StorageError(err, 'assemble upload');
    }
  }

  private async open(chunk: Chunk): Promise<Readable> {
    try {
      const res = await this.ctx.client.send(new GetObjectCommand({ Bucket: this.ctx.bucket, Key: chunk.key }));
      return res.Body as Readable;
    } catch (err) {
      throw toS3StorageError(err, 'read upload chunk');
    }
  }

  private async remove(id: string, session: Session): Promise<void> {
    this.hashes.delete(id);
    await this.deleteKeys([this.ctx.keys.session(id), ...session.chunks.map((c) => c.key)]);
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      try {
        await this.ctx.client.send(new DeleteObjectsCommand({ Bucket: this.ctx.bucket, Delete: { Objects, Quiet: true } }));
      } catch (err) {
        throw toS3StorageError(err, 'DeleteObjects');
      }
    }
  }

  private objects(prefix: string): AsyncIterable<ListedObject> {
    return listObjects(this.ctx.client, this.ctx.bucket, prefix);
  }
}

class EmptyAppend extends Error {}

/** The source's chunks, also fed to the running hash when there is one. */
async function* feeding(source: Readable, hash: Hash | null): AsyncIterable<Buffer> {
  for await (const data of source) {
    hash?.update(data as Buffer);
    yield data as Buffer;
  }
}
