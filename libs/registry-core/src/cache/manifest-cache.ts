/**
 * Bytes a cached entry costs beyond its manifest: the key (a 71-character digest), the Map entry, the Buffer
 * and its ArrayBuffer. Charged so that the bound holds for many small manifests too.
 */
const ENTRY_OVERHEAD = 256;

/**
 * Bytes of recently served manifests, keyed by digest. Content addressed, so entries never go stale;
 * bounded by the memory they take (least recently used first out). Keeps the hot manifest-by-tag path off disk.
 *
 * An entry holds its own copy of the bytes when the given Buffer is a slice of a larger allocation: a
 * manifest read or received as a small Buffer usually sits in Node's shared 8 KiB pool (or in a bigger
 * chunk), and caching the slice kept the whole allocation alive — 8 KiB or more for a 500-byte manifest,
 * which the soak test (test/e2e/soak.test.ts) saw as external memory growing with every push.
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
    this.forget(digest);
    const own = value.byteOffset === 0 && value.length === value.buffer.byteLength ? value : copyOf(value);
    this.entries.set(digest, own);
    this.bytes += cost(own);
    for (const [key, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(key);
      this.bytes -= cost(old);
    }
  }

  /** Drops an entry (its manifest was deleted: no need to keep it in memory until it ages out). */
  forget(digest: string): void {
    const previous = this.entries.get(digest);
    if (!previous) return;
    this.entries.delete(digest);
    this.bytes -= cost(previous);
  }

  get size(): number {
    return this.entries.size;
  }

  /** What the entries are charged, overhead included. */
  get chargedBytes(): number {
    return this.bytes;
  }
}

function cost(value: Buffer): number {
  return value.length + ENTRY_OVERHEAD;
}

/** A Buffer with an ArrayBuffer of its own, exactly as large (allocUnsafeSlow: never from the shared pool). */
function copyOf(value: Buffer): Buffer {
  const own = Buffer.allocUnsafeSlow(value.length);
  value.copy(own);
  return own;
}
