import { RegistryError } from '@wharf/oci';
import type { DockerRepository } from './docker-repository';
import type { RepositoryConfigs } from './ports';
import type { RepositoryConfig } from './repository-config';

export type RepositoryFactory = (config: RepositoryConfig, manager: RepositoryManager) => DockerRepository;

export class RepositoryConflictError extends Error {}
export class RepositoryNotFoundError extends Error {}

/**
 * The live set of repositories: configuration from the store, one DockerRepository instance per name,
 * looked up by name (path routing) or by connector port.
 */
export class RepositoryManager {
  private readonly byName = new Map<string, { config: RepositoryConfig; instance: DockerRepository }>();

  constructor(
    private readonly store: RepositoryConfigs,
    private readonly factory: RepositoryFactory,
  ) {}

  async load(): Promise<void> {
    this.byName.clear();
    const configs = await this.store.list();
    for (const config of configs) this.byName.set(config.name, { config, instance: this.factory(config, this) });
  }

  get(name: string): DockerRepository | undefined {
    return this.byName.get(name)?.instance;
  }

  /** The repository for a registry request naming it; unknown names are the registry's NAME_UNKNOWN. */
  require(name: string): DockerRepository {
    const repository = this.get(name);
    if (!repository) throw new RegistryError('NAME_UNKNOWN', `repository ${name} does not exist`);
    return repository;
  }

  config(name: string): RepositoryConfig | undefined {
    return this.byName.get(name)?.config;
  }

  configs(): RepositoryConfig[] {
    return [...this.byName.values()].map((e) => e.config).sort((a, b) => a.name.localeCompare(b.name));
  }

  byPort(port: number): RepositoryConfig | undefined {
    for (const { config } of this.byName.values()) if (config.docker.httpPort === port) return config;
    return undefined;
  }

  async create(config: RepositoryConfig): Promise<void> {
    if (this.byName.has(config.name)) throw new RepositoryConflictError(`repository ${config.name} already exists`);
    this.checkPort(config);
    const instance = this.factory(config, this);
    await this.store.save(config);
    this.byName.set(config.name, { config, instance });
  }

  async update(config: RepositoryConfig): Promise<void> {
    const current = this.byName.get(config.name);
    if (!current) throw new RepositoryNotFoundError(`repository ${config.name} does not exist`);
    if (current.config.type !== config.type) throw new RepositoryConflictError(`repository ${config.name} is a ${current.config.type} repository`);
    this.checkPort(config);
    const instance = this.factory(config, this);
    await this.store.save(config);
    this.byName.set(config.name, { config, instance });
  }

  async delete(name: string): Promise<RepositoryConfig> {
    const current = this.byName.get(name);
    if (!current) throw new RepositoryNotFoundError(`repository ${name} does not exist`);
    await this.store.delete(name);
    this.byName.delete(name);
    return current.config;
  }

  private checkPort(config: RepositoryConfig): void {
    const port = config.docker.httpPort;
    if (port === null) return;
    const owner = this.byPort(port);
    if (owner && owner.name !== config.name) {
      throw new RepositoryConflictError(`port ${port} is already the connector of repository ${owner.name}`);
    }
  }
}
