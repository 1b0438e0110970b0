import { Injectable } from '@nestjs/common';
import type { RepositoryStatusJson } from '@wharf/api-types';
import { CleanupPolicyStore, ProxyRepository, type RepositoryConfig, RepositoryConflictError, RepositoryManager, RepositoryNotFoundError } from '@wharf/registry-core';
import { ConnectorManager } from '../../connectors/connector-manager';
import { WharfSettings } from '../../settings';
import { remoteUrlProblem } from './remote-url-check';
import { BlobStores } from '../../blobstores/blob-stores';

export class InvalidRepositoryError extends Error {
  /** The field at fault, as the REST validation errors name it ('*' for the whole body). */
  constructor(
    message: string,
    readonly field = '*',
  ) {
    super(message);
  }
}

/**
 * Creates, changes and deletes repositories so that the stored configuration and the open connector
 * ports never disagree: a port is bound before anything is stored, and released only after.
 */
@Injectable()
export class RepositoriesService {
  constructor(
    private readonly manager: RepositoryManager,
    private readonly connectors: ConnectorManager,
    private readonly settings: WharfSettings,
    private readonly blobStores: BlobStores,
    private readonly policies: CleanupPolicyStore,
  ) {}

  list(): RepositoryConfig[] {
    return this.manager.configs();
  }

  get(name: string): RepositoryConfig {
    const config = this.manager.config(name);
    if (!config) throw new RepositoryNotFoundError(`repository ${name} does not exist`);
    return config;
  }

  async create(config: RepositoryConfig): Promise<void> {
    if (this.manager.config(config.name)) throw new RepositoryConflictError(`repository ${config.name} already exists`);
    if (!this.blobStores.get(config.storage.blobStoreName)) {
      throw new InvalidRepositoryError(`storage.blobStoreName: there is no blob store named "${config.storage.blobStoreName}" (${this.blobStores.names().join(', ')})`, 'storage.blobStoreName');
    }
    this.checkPort(config);
    await this.checkPolicies(config);
    await this.checkRemote(config);
    const port = config.docker.httpPort;
    const bound = port === null ? null : await this.connectors.bind(config.name, port);
    try {
      await this.manager.create(config);
    } catch (err) {
      if (bound) await this.connectors.discard(bound);
      throw err;
    }
    if (bound) await this.connectors.activate(config.name, bound);
  }

  async update(config: RepositoryConfig): Promise<void> {
    const current = this.get(config.name);
    if (current.type !== config.type) throw new RepositoryNotFoundError(`repository ${config.name} is not a ${config.type} repository`);
    if (current.storage.blobStoreName !== config.storage.blobStoreName) {
      throw new InvalidRepositoryError(`storage.blobStoreName cannot change (the repository's blobs are in "${current.storage.blobStoreName}")`, 'storage.blobStoreName');
    }
    this.checkPort(config);
    await this.checkPolicies(config);
    await this.checkRemote(config);
    const port = config.docker.httpPort;
    const bound = port === null || this.connectors.isBound(config.name, port) ? null : await this.connectors.bind(config.name, port);
    try {
      await this.manager.update(config);
    } catch (err) {
      if (bound) await this.connectors.discard(bound);
      throw err;
    }
    if (bound) await this.connectors.activate(config.name, bound);
    if (port === null) await this.connectors.close(config.name);
  }

  async delete(name: string): Promise<void> {
    await this.manager.delete(name);
    await this.connectors.close(name);
  }

  /** Upstream health, rate-limit figures and cache counters of a proxy; the basics for other types. */
  status(name: string): RepositoryStatusJson {
    const config = this.get(name);
    const repository = this.manager.get(name);
    if (!(repository instanceof ProxyRepository)) return { name, type: config.type, online: config.online };
    const state = repository.state;
    const until = state.autoBlockedUntil();
    const success = state.lastSuccessAt?.getTime() ?? 0;
    const failure = state.lastFailure?.at.getTime() ?? 0;
    const rate = state.rateLimit;
    return {
      name,
      type: 'proxy',
      online: config.online,
      upstream: {
        remoteUrl: repository.remoteUrl,
        reachable: success === 0 && failure === 0 ? null : success >= failure,
        lastSuccessAt: state.lastSuccessAt?.toISOString() ?? null,
        lastFailure: state.lastFailure ? { at: state.lastFailure.at.toISOString(), message: state.lastFailure.message } : null,
        blocked: config.type === 'proxy' && config.httpClient.blocked,
        autoBlocked: until !== undefined,
        autoBlockedUntil: until?.toISOString() ?? null,
      },
      rateLimit: rate
        ? { limit: rate.limit ?? null, remaining: rate.remaining ?? null, source: rate.source ?? null, observedAt: rate.observedAt.toISOString() }
        : null,
      counters: { ...state.counters, upstreamRequests: { ...state.counters.upstreamRequests } },
      fillsInFlight: state.fillsInFlight,
    };
  }

  /** A proxy revalidates its cached tags on next use; a group does so for every proxy it reaches. */
  async invalidateCache(name: string, seen = new Set<string>()): Promise<void> {
    const config = this.get(name);
    if (seen.has(name)) return;
    seen.add(name);
    const repository = this.manager.get(name);
    if (repository instanceof ProxyRepository) return repository.invalidate();
    if (config.type === 'hosted') throw new InvalidRepositoryError(`repository ${name} is hosted: it has no cache to invalidate`);
    if (config.type === 'group') {
      for (const member of config.group.memberNames) {
        if (this.manager.config(member)?.type !== 'hosted') await this.invalidateCache(member, seen);
      }
    }
  }

  /** Opens the connector of every stored repository (start-up). A port that cannot be bound is logged, not fatal. */
  async openAll(onError: (repository: string, err: Error) => void): Promise<void> {
    for (const config of this.manager.configs()) {
      const port = config.docker.httpPort;
      if (port === null) continue;
      try {
        this.checkPrivileged(port);
        // Already open when another replica's change was followed during start-up.
        await this.connectors.follow(config.name, port);
      } catch (err) {
        onError(config.name, err as Error);
      }
    }
  }

  /** Every name in `cleanup.policyNames` must be a cleanup policy (groups have none: cleanup applies to their members). */
  private async checkPolicies(config: RepositoryConfig): Promise<void> {
    const names = config.cleanup.policyNames;
    if (names.length > 0 && config.type === 'group') {
      throw new InvalidRepositoryError('cleanup.policyNames: a group has no content of its own; give its hosted and proxy members the policies', 'cleanup.policyNames');
    }
    for (const name of names) {
      if (!(await this.policies.get(name))) {
        throw new InvalidRepositoryError(`cleanup.policyNames: there is no cleanup policy named "${name}" (create it under /service/rest/v1/cleanup-policies)`, 'cleanup.policyNames');
      }
    }
  }

  private checkPort(config: RepositoryConfig): void {
    const port = config.docker.httpPort;
    if (port === null) return;
    this.checkPrivileged(port);
    if (port === this.settings.mainPort) {
      throw new InvalidRepositoryError(`docker.httpPort ${port} is Wharf's main port; choose another port`);
    }
    const owner = this.manager.byPort(port);
    if (owner && owner.name !== config.name) {
      throw new InvalidRepositoryError(`docker.httpPort ${port} is already used by repository ${owner.name}`);
    }
  }

  /** Ports below 1024 are the system's (ssh, http...): Wharf running as root must not take them by accident. */
  private checkPrivileged(port: number): void {
    if (port < 1024 && !this.settings.allowPrivilegedPorts) {
      throw new InvalidRepositoryError(
        `docker.httpPort ${port} is a privileged port (below 1024); choose 1024 or above, or start Wharf with WHARF_ALLOW_PRIVILEGED_PORTS=true`,
        'docker.httpPort',
      );
    }
  }

  /** A proxy's remote URL: no credentials in it, no denied address, not Wharf itself. */
  private async checkRemote(config: RepositoryConfig): Promise<void> {
    if (config.type !== 'proxy') return;
    const ownPorts = new Set([this.settings.mainPort, ...this.manager.configs().map((c) => c.docker.httpPort ?? 0)]);
    if (config.docker.httpPort !== null) ownPorts.add(config.docker.httpPort);
    const problem = await remoteUrlProblem(config.proxy.remoteUrl, {
      policy: this.settings.upstreamPolicy,
      ownPorts,
      ...(this.settings.baseUrl ? { baseUrl: this.settings.baseUrl } : {}),
    });
    if (problem) throw new InvalidRepositoryError(problem, 'proxy.remoteUrl');
  }
}
