import type { RepositoryConfig } from '../repository-config';
import { NamedConfigs, type Sealer } from './named-configs';

/** Seals and opens secrets inside a repository configuration (upstream passwords). */
export type ConfigSealer = Sealer<RepositoryConfig>;

/** Port: the stored configuration of every repository. */
export abstract class RepositoryConfigs extends NamedConfigs<RepositoryConfig> {
  /** Removes the repository and every tag, manifest record, blob link and upload session it owns. */
  abstract override delete(name: string): Promise<boolean>;
}
