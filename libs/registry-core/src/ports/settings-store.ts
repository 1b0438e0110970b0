/** Port: server-wide settings (anonymous access, active realms, first-start markers), JSON values by key. */
export abstract class SettingsStore {
  /** The stored value, or `fallback` when the key was never set. */
  abstract get<T>(key: string, fallback: T): Promise<T>;
  /** Inserts or replaces. */
  abstract set<T>(key: string, value: T): Promise<void>;
}
