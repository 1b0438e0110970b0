/** Seals and opens the secrets inside what a store writes (upstream passwords, an S3 secret key), so it keeps them encrypted at rest. */
export interface Sealer<T> {
  seal(value: T): T;
  open(value: T): T;
}

/** Port: configurations stored under their unique name (repositories, blob stores). */
export abstract class NamedConfigs<C extends { name: string }> {
  /** Every configuration, by name in byte order. */
  abstract list(): Promise<C[]>;
  abstract get(name: string): Promise<C | null>;
  /** Inserts or replaces. */
  abstract save(config: C): Promise<void>;
  abstract delete(name: string): Promise<boolean>;
}
