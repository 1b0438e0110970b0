/**
 * Bytes of recently served manifests, keyed by digest. Content addressed, so entries never go stale;
 * bounded by total bytes (least recently used first out). Keeps the hot manifest-by-tag path off disk.
 */
export class ManifestCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  get(digest: string): Buffer | undefined {
    const value = this.entries.get(digest);
    if (value) {
      this.entries.delete(digest);
      this.entries.set(digest, value);
    }
    return value;
  }

  set(digest: string, value: Buffer): void {
    if (value.length > this.maxBytes / 4) return;
    const previous = this.entries.get(digest);
    if (previous) {
      this.entries.delete(digest);
      this.bytes -= previous.length;
    }
    this.entries.set(digest, value);
    this.bytes += value.length;
    for (const [key, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(key);
      this.bytes -= old.length;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
