import type { RepositoryConfig } from '../repository-config';

/** Port: the stored configuration of every repository. */
export abstract class RepositoryConfigs {
  abstract list(): Promise<RepositoryConfig[]>;
  abstract get(name: string): Promise<RepositoryConfig | null>;
  /** Inserts or replaces. */
  abstract save(config: RepositoryConfig): Promise<void>;
  /** Removes the repository and every tag, manifest record, blob link and upload session it owns. */
  abstract delete(name: string): Promise<boolean>;
}
