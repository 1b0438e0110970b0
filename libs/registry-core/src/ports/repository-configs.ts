import type { RepositoryConfig } from '../repository-config';

/** Seals and opens secrets inside a configuration (upstream passwords) so that a store keeps them encrypted at rest. */
export interface ConfigSealer {
  seal(config: RepositoryConfig): RepositoryConfig;
  open(config: RepositoryConfig): RepositoryConfig;
}

/** Port: the stored configuration of every repository. */
export abstract class RepositoryConfigs {
  abstract list(): Promise<RepositoryConfig[]>;
  abstract get(name: string): Promise<RepositoryConfig | null>;
  /** Inserts or replaces. */
  abstract save(config: RepositoryConfig): Promise<void>;
  /** Removes the repository and every tag, manifest record, blob link and upload session it owns. */
  abstract delete(name: string): Promise<boolean>;
}
