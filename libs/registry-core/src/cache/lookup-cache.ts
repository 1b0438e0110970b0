/**
 * A bounded memo of metadata lookups (tag -> manifest, image -> blob link) for one repository.
 * Any write to the repository clears it, so within this process it never serves a stale answer.
 * Only positive answers are kept: a miss always asks the store.
 *
 * A lookup takes a {@link stamp} before it asks the store and hands it to {@link set}: an answer read
 * before a clear (a deletion here or on another replica, announced while the lookup was under way) is
 * then not kept, so it cannot outlive the deletion.
 */
export class LookupCache<V> {
  private readonly entries = new Map<string, V>();
  private generation = 0;

  constructor(private readonly maxEntries = 10_000) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Taken before the store is asked; see {@link set}. */
  stamp(): number {
    return this.generation;
  }

  /** Keeps `value` unless the cache was cleared since `stamp` was taken (the answer may be stale). */
  set(key: string, value: V, stamp: number): void {
    if (stamp !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
