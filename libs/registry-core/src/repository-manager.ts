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
  /** Changes run one at a time, so checks (name, port, membership) and the store never interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: RepositoryConfigs,
    private readonly factory: RepositoryFactory,
  ) {}

  async load(): Promise<void> {
    this.byName.clear();
    const configs = await this.store.list();
    for (const config of configs) this.byName.set(config.name, { config, instance: this.factory(config, this) });
  }

  /**
   * Reads one repository's configuration again (another process changed it): a new instance for what is
   * stored, or none when it was deleted. `prepare` runs before the instance is built (open a blob store
   * this process does not know yet). Returns the configuration before and after.
   */
  refresh(name: string, prepare?: (config: RepositoryConfig) => Promise<void>): Promise<{ before?: RepositoryConfig; after?: RepositoryConfig }> {
    return this.serialized(async () => {
      const before = this.byName.get(name)?.config;
      const after = await this.store.get(name);
      if (!after) {
        this.byName.delete(name);
        return before ? { before } : {};
      }
      await prepare?.(after);
      this.byName.set(name, { config: after, instance: this.factory(after, this) });
      return before ? { before, after } : { after };
    });
  }

  /** Names of every stored repository, whether or not this process has an instance yet. */
  async storedNames(): Promise<string[]> {
    return (await this.store.list()).map((c) => c.name);
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
    // Code-point order: the catalog's `last` cursor compares names the same way.
    return [...this.byName.values()].map((e) => e.config).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  byPort(port: number): RepositoryConfig | undefined {
    for (const { config } of this.byName.values()) if (config.docker.httpPort === port) return config;
    return undefined;
  }

  create(config: RepositoryConfig): Promise<void> {
    return this.serialized(() => this.createNow(config));
  }

  private async createNow(config: RepositoryConfig): Promise<void> {
    if (this.byName.has(config.name)) throw new RepositoryConflictError(`repository ${config.name} already exists`);
    this.checkPort(config);
    this.checkGroup(config);
    const instance = this.factory(config, this);
    await this.store.save(config);
    this.byName.set(config.name, { config, instance });
  }

  update(config: RepositoryConfig): Promise<void> {
    return this.serialized(() => this.updateNow(config));
  }

  private async updateNow(config: RepositoryConfig): Promise<void> {
    const current = this.byName.get(config.name);
    if (!current) throw new RepositoryNotFoundError(`repository ${config.name} does not exist`);
    if (current.config.type !== config.type) throw new RepositoryConflictError(`repository ${config.name} is a ${current.config.type} repository`);
    this.checkPort(config);
    this.checkGroup(config);
    const instance = this.factory(config, this);
    await this.store.save(config);
    this.byName.set(config.name, { config, instance });
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Groups that list `name` as a member. */
  groupsContaining(name: string): string[] {
    return this.configs()
      .filter((c) => c.type === 'group' && c.group.memberNames.includes(name))
      .map((c) => c.name);
  }

  delete(name: string): Promise<RepositoryConfig> {
    return this.serialized(() => this.deleteNow(name));
  }

  private async deleteNow(name: string): Promise<RepositoryConfig> {
    const current = this.byName.get(name);
    if (!current) throw new RepositoryNotFoundError(`repository ${name} does not exist`);
    const groups = this.groupsContaining(name);
    if (groups.length > 0) {
      throw new RepositoryConflictError(`repository ${name} is a member of group ${groups.join(', ')}; remove it from the group first`);
    }
    await this.store.delete(name);
    this.byName.delete(name);
    return current.config;
  }

  /** Members must exist, the writable member must be a hosted member, and groups may not contain themselves. */
  private checkGroup(config: RepositoryConfig): void {
    if (config.type !== 'group') return;
    const { memberNames, writableMember } = config.group;
    const seen = new Set<string>();
    for (const member of memberNames) {
      if (seen.has(member)) throw new RepositoryConflictError(`group.memberNames lists ${member} twice`);
      seen.add(member);
      if (member === config.name) throw new RepositoryConflictError(`group ${config.name} cannot be a member of itself`);
      if (!this.byName.has(member)) throw new RepositoryConflictError(`group.memberNames: repository ${member} does not exist`);
    }
    if (writableMember !== null) {
      if (!memberNames.includes(writableMember)) {
        throw new RepositoryConflictError(`group.writableMember ${writableMember} must be one of the group's members`);
      }
      if (this.byName.get(writableMember)?.config.type !== 'hosted') {
        throw new RepositoryConflictError(`group.writableMember ${writableMember} must be a hosted repository`);
      }
    }
    const cycle = this.findCycle(config);
    if (cycle) throw new RepositoryConflictError(`group members would form a cycle: ${cycle.join(' -> ')}`);
  }

  /** Depth-first search over group membership with `candidate` in place of its stored version. */
  private findCycle(candidate: RepositoryConfig): string[] | null {
    const membersOf = (name: string): string[] => {
      const config = name === candidate.name ? candidate : this.byName.get(name)?.config;
      return config?.type === 'group' ? config.group.memberNames : [];
    };
    const path: string[] = [];
    const visit = (name: string): string[] | null => {
      if (path.includes(name)) return [...path.slice(path.indexOf(name)), name];
      path.push(name);
      for (const member of membersOf(name)) {
        const found = visit(member);
        if (found) return found;
      }
      path.pop();
      return null;
    };
    return visit(candidate.name);
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
