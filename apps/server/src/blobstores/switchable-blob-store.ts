import type { BlobContent, BlobInfo, BlobSource, BlobStore, StoredBlob, UploadStore, WriteOptions } from '@wharf/blobstore';

/**
 * The one object repositories hold for a configured store: it forwards to the store built from the
 * current configuration, so a changed configuration (new credentials, endpoint, redirect) applies to
 * every repository at once, without rebuilding them. Calls under way finish on the store they began on.
 */
export class SwitchableBlobStore implements BlobStore {
  constructor(private current: BlobStore & { destroy?(): void }) {}

  /** Uses `next` from now on; the previous store is closed once calls begun on it had time to end. */
  switchTo(next: BlobStore & { destroy?(): void }): void {
    const previous = this.current;
    this.current = next;
    setTimeout(() => previous.destroy?.(), 10 * 60_000).unref();
  }

  destroy(): void {
    this.current.destroy?.();
  }

  stat(digest: string): Promise<BlobInfo | null> {
    return this.current.stat(digest);
  }

  open(digest: string): Promise<BlobContent | null> {
    return this.current.open(digest);
  }

  write(source: BlobSource, expected?: { digest?: string; size?: number }, options?: WriteOptions): Promise<BlobInfo> {
    return this.current.write(source, expected, options);
  }

  delete(digest: string): Promise<boolean> {
    return this.current.delete(digest);
  }

  list(): AsyncIterable<StoredBlob> {
    return this.current.list();
  }

  availableSpace(): Promise<number | null> {
    return this.current.availableSpace();
  }

  get uploads(): UploadStore {
    return this.current.uploads;
  }
}
