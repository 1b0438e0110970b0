/**
 * Test fixtures built in code: blobs, image manifests, indexes and referrer artifacts with real
 * digests, plus small helpers for streams and RegistryError assertions. No binary fixtures.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { type Descriptor, MediaType, digestOf, isRegistryError } from '@wharf/oci';
import type { DockerRepository } from '../src/docker-repository';

/** A source yielding `data` in `chunkSize` pieces, yielding to the event loop in between (like a socket). */
export function streamOf(data: Buffer | string, chunkSize = 64 * 1024): Readable {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Readable.from(
    (async function* () {
      for (let off = 0; off < bytes.length; off += chunkSize) {
        await new Promise((r) => setImmediate(r));
        yield bytes.subarray(off, Math.min(off + chunkSize, bytes.length));
      }
    })(),
    { objectMode: false },
  );
}

export async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Awaits `promise` and checks it rejected with a RegistryError of `code` (and `status`, when given). */
export async function expectRegistryError(promise: Promise<unknown>, code: string, status?: number): Promise<void> {
  let error: unknown;
  let resolved = false;
  try {
    await promise;
    resolved = true;
  } catch (err) {
    error = err;
  }
  expect(resolved, `expected RegistryError ${code}, but the call succeeded`).toBe(false);
  expect(isRegistryError(error), `expected RegistryError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code, String(error)).toBe(code);
  if (status !== undefined) expect((error as { status: number }).status).toBe(status);
}

/** Calls `fn` and checks it rejects (not throws synchronously) with a RegistryError of `code`. */
export async function expectRejects(fn: () => Promise<unknown>, code: string, status?: number): Promise<void> {
  let promise: Promise<unknown> | undefined;
  let thrown: unknown;
  try {
    promise = fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected a rejected promise, but the call threw synchronously: ${String(thrown)}`).toBeUndefined();
  await expectRegistryError(promise!, code, status);
}

export interface TestBlob {
  bytes: Buffer;
  digest: string;
  descriptor: Descriptor;
}

export function blobOf(bytes: Buffer | string, mediaType = 'application/octet-stream'): TestBlob {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const digest = digestOf(b);
  return { bytes: b, digest, descriptor: { mediaType, digest, size: b.length } };
}

export function randomBlob(size = 1024, mediaType = 'application/vnd.oci.image.layer.v1.tar'): TestBlob {
  return blobOf(randomBytes(size), mediaType);
}

export interface TestManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  descriptor: Descriptor;
}

export interface TestImage {
  config: TestBlob;
  layers: TestBlob[];
  /** Every blob the manifest requires (config first). */
  blobs: TestBlob[];
  manifest: TestManifest;
}

export interface ImageOptions {
  /** Sizes of random layers (default one 2 KiB layer). */
  layers?: number[];
  /** Layers put below the random ones (a base image other images share). */
  base?: TestBlob[];
  /** Docker schema 2 or OCI image manifest (default). */
  format?: 'oci' | 'docker';
  /** Leave `mediaType` out of an OCI manifest (it must then come from the Content-Type). */
  omitMediaType?: boolean;
  artifactType?: string;
  /** Replaces the image config by the OCI empty descriptor `{}` (for artifacts). */
  emptyConfig?: boolean;
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/**
 * Serializes like no JSON library would by default (3-space indent, trailing newline), so a test
 * comparing bytes catches any re-serialization.
 */
export function manifestBytes(body: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(body, null, 3)}\n`);
}

export function manifestOf(body: Record<string, unknown>, mediaType: string): TestManifest {
  const bytes = manifestBytes(body);
  const digest = digestOf(bytes);
  return { bytes, digest, mediaType, descriptor: { mediaType, digest, size: bytes.length } };
}

export const EMPTY_CONFIG = blobOf('{}', MediaType.OciEmpty);

/** A unique image (random layers, a nonce in the config) with its manifest. */
export function buildImage(opts: ImageOptions = {}): TestImage {
  const format = opts.format ?? 'oci';
  const layerType = format === 'oci' ? 'application/vnd.oci.image.layer.v1.tar' : 'application/vnd.docker.image.rootfs.diff.tar';
  const layers = [...(opts.base ?? []), ...(opts.layers ?? [2048]).map((size) => randomBlob(size, layerType))];
  const config = opts.emptyConfig
    ? EMPTY_CONFIG
    : blobOf(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { Labels: { nonce: randomUUID() } },
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
        }),
        format === 'oci' ? MediaType.OciConfig : MediaType.DockerContainerConfig,
      );
  const mediaType = format === 'oci' ? MediaType.OciManifest : MediaType.DockerManifest;
  const body: Record<string, unknown> = { schemaVersion: 2 };
  if (!opts.omitMediaType) body.mediaType = mediaType;
  if (opts.artifactType) body.artifactType = opts.artifactType;
  body.config = config.descriptor;
  body.layers = layers.map((l) => l.descriptor);
  if (opts.subject) body.subject = opts.subject;
  if (opts.annotations) body.annotations = opts.annotations;
  return { config, layers, blobs: [config, ...layers], manifest: manifestOf(body, mediaType) };
}

export function buildIndex(children: TestManifest[], opts: { format?: 'oci' | 'docker'; subject?: Descriptor } = {}): TestManifest {
  const mediaType = (opts.format ?? 'oci') === 'oci' ? MediaType.OciIndex : MediaType.DockerManifestList;
  const body: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType,
    manifests: children.map((c, i) => ({
      ...c.descriptor,
      platform: { architecture: ['amd64', 'arm64', 's390x', 'ppc64le'][i % 4], os: 'linux' },
    })),
  };
  if (opts.subject) body.subject = opts.subject;
  return manifestOf(body, mediaType);
}

/** An OCI artifact (empty config, one small layer) pointing at `subject`. */
export function buildReferrer(subject: Descriptor, artifactType: string, annotations?: Record<string, string>): TestImage {
  return buildImage({ layers: [64], emptyConfig: true, artifactType, subject, ...(annotations ? { annotations } : {}) });
}

export async function pushBlobs(repo: DockerRepository, image: string, blobs: TestBlob[]): Promise<void> {
  for (const b of blobs) await repo.putBlob(image, b.digest, streamOf(b.bytes));
}

/** Pushes the image's blobs, then its manifest under `reference` (default: its digest). */
export async function pushImage(repo: DockerRepository, image: string, img: TestImage, reference = img.manifest.digest): Promise<string> {
  await pushBlobs(repo, image, img.blobs);
  const result = await repo.putManifest(image, reference, img.manifest.bytes, img.manifest.mediaType);
  return result.digest;
}

/** Walks every page of a cursor listing, checking the `next` cursor protocol on the way. */
export async function allPages(list: (page: { n?: number; last?: string }) => Promise<{ items: string[]; next?: string }>, n: number): Promise<string[][]> {
  const pages: string[][] = [];
  let last: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await list(last === undefined ? { n } : { n, last });
    pages.push(page.items);
    expect(page.items.length).toBeLessThanOrEqual(n);
    if (page.next === undefined) return pages;
    expect(page.items.length, 'a page with a next cursor is full').toBe(n);
    expect(page.next).toBe(page.items[page.items.length - 1]);
    last = page.next;
  }
  throw new Error('pagination did not terminate');
}

/** Byte order (what the distribution spec calls lexical order; SQLite's BINARY collation). */
export function byteOrder(values: string[]): string[] {
  return [...values].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
