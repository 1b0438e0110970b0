/**
 * A bounded memo of metadata lookups (tag -> manifest, image -> blob link) for one repository.
 * Any write to the repository clears it, so within this process it never serves a stale answer.
 * Only positive answers are kept: a miss always asks the store.
 */
export class LookupCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries = 10_000) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
  }
}
