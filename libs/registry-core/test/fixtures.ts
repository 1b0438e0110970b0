/**
 * DockerRepository helpers for registry-core's tests: pushing @wharf/test-kit content through the
 * domain API, RegistryError assertions, and pagination checks.
 */
import { expect } from 'vitest';
import { isRegistryError } from '@wharf/oci';
import { type Blob, type Manifest, streamOf } from '@wharf/test-kit';
import type { DockerRepository } from '../src/docker-repository';

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

export async function pushBlobs(repo: DockerRepository, image: string, blobs: Blob[]): Promise<void> {
  for (const b of blobs) await repo.putBlob(image, b.digest, streamOf(b.bytes));
}

/** Pushes the image's blobs, then its manifest under `reference` (default: its digest). */
export async function pushImage(repo: DockerRepository, image: string, img: Manifest, reference = img.digest): Promise<string> {
  await pushBlobs(repo, image, img.blobs);
  const result = await repo.putManifest(image, reference, img.bytes, img.mediaType);
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
