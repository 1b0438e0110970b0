import { Injectable } from '@nestjs/common';
import type { RepositoryStatusJson, UpstreamStatusJson } from '@wharf/api-types';
import { CleanupPolicyStore, ProxyRepository, type RepositoryConfig, RepositoryConflictError, RepositoryManager, RepositoryNotFoundError } from '@wharf/registry-core';
import { type ConnectorPorts, ConnectorManager, SCHEMES, type Scheme } from '../../connectors/connector-manager';
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
    await this.apply(config, () => this.manager.create(config));
  }

  async update(config: RepositoryConfig): Promise<void> {
    const current = this.get(config.name);
    if (current.type !== config.type) throw new RepositoryNotFoundError(`repository ${config.name} is not a ${config.type} repository`);
    if (current.storage.blobStoreName !== config.storage.blobStoreName) {
      throw new InvalidRepositoryError(`storage.blobStoreName cannot change (the repository's blobs are in "${current.storage.blobStoreName}")`, 'storage.blobStoreName');
    }
    await this.apply(config, () => this.manager.update(config));
  }

  /**
   * What a create and an update share: the settings are checked, the connector ports bound before the change
   * (so a taken port refuses it), then activated, or discarded when the change fails.
   */
  private async apply(config: RepositoryConfig, change: () => Promise<void>): Promise<void> {
    this.checkPort(config);
    await this.checkPolicies(config);
    await this.checkRemote(config);
    const ports = portsOf(config);
    const bound = await this.connectors.bindAll(config.name, ports);
    try {
      await change();
    } catch (err) {
      await Promise.all(bound.map((c) => this.connectors.discard(c)));
      throw err;
    }
    await this.connectors.activateAll(config.name, bound, ports);
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
    const rate = state.rateLimit;
    return {
      name,
      type: 'proxy',
      online: config.online,
      upstream: upstreamOf(repository, config),
      rateLimit: rate
        ? { limit: rate.limit ?? null, remaining: rate.remaining ?? null, source: rate.source ?? null, observedAt: rate.observedAt.toISOString() }
        : null,
      counters: { ...state.counters, upstreamRequests: { ...state.counters.upstreamRequests } },
      fillsInFlight: state.fillsInFlight,
    };
  }

  /** The upstream health of a proxy (null for other types), as this process last saw it. */
  upstream(name: string): UpstreamStatusJson | null {
    const repository = this.manager.get(name);
    return repository instanceof ProxyRepository ? upstreamOf(repository, this.get(name)) : null;
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
      const ports = portsOf(config);
      if (ports.http === null && ports.https === null) continue;
      try {
        for (const scheme of SCHEMES) if (ports[scheme] !== null) this.checkPrivileged(ports[scheme], scheme);
        if (ports.https !== null && !this.settings.tls) throw new InvalidRepositoryError(NO_CERTIFICATE, 'docker.httpsPort');
        // Already open when another replica's change was followed during start-up.
        await this.connectors.follow(config.name, ports);
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

  /** Each connector port: allowed, not one of Wharf's main ports, not another repository's, not both schemes at once. */
  private checkPort(config: RepositoryConfig): void {
    const ports = portsOf(config);
    if (ports.http !== null && ports.http === ports.https) {
      throw new InvalidRepositoryError(`docker.httpsPort ${ports.https} is also docker.httpPort: a port serves HTTP or HTTPS, choose two`, 'docker.httpsPort');
    }
    if (ports.https !== null && !this.settings.tls) throw new InvalidRepositoryError(NO_CERTIFICATE, 'docker.httpsPort');
    for (const scheme of SCHEMES) {
      const port = ports[scheme];
      if (port === null) continue;
      const field = fieldOf(scheme);
      this.checkPrivileged(port, scheme);
      if (this.settings.mainPorts.includes(port)) {
        throw new InvalidRepositoryError(`${field} ${port} is Wharf's main port; choose another port`, field);
      }
      const owner = this.manager.configs().find((c) => c.name !== config.name && (c.docker.httpPort === port || c.docker.httpsPort === port));
      if (owner) throw new InvalidRepositoryError(`${field} ${port} is already used by repository ${owner.name}`, field);
    }
  }

  /** Ports below 1024 are the system's (ssh, http...): Wharf running as root must not take them by accident. */
  private checkPrivileged(port: number, scheme: Scheme): void {
    if (port < 1024 && !this.settings.allowPrivilegedPorts) {
      const field = fieldOf(scheme);
      throw new InvalidRepositoryError(
        `${field} ${port} is a privileged port (below 1024); choose 1024 or above, or start Wharf with WHARF_ALLOW_PRIVILEGED_PORTS=true`,
        field,
      );
    }
  }

  /** A proxy's remote URL: no credentials in it, no denied address, not Wharf itself. */
  private async checkRemote(config: RepositoryConfig): Promise<void> {
    if (config.type !== 'proxy') return;
    const connectorPorts = (c: RepositoryConfig) => [c.docker.httpPort ?? 0, c.docker.httpsPort ?? 0];
    const ownPorts = new Set([...this.settings.mainPorts, ...this.manager.configs().flatMap(connectorPorts), ...connectorPorts(config)]);
    const problem = await remoteUrlProblem(config.proxy.remoteUrl, {
      policy: this.settings.upstreamPolicy,
      ownPorts,
      ...(this.settings.baseUrl ? { baseUrl: this.settings.baseUrl } : {}),
    });
    if (problem) throw new InvalidRepositoryError(problem, 'proxy.remoteUrl');
  }
}

const NO_CERTIFICATE = 'docker.httpsPort needs a certificate: start Wharf with WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY (PEM files)';

function portsOf(config: RepositoryConfig): ConnectorPorts {
  return { http: config.docker.httpPort, https: config.docker.httpsPort };
}

function fieldOf(scheme: Scheme): string {
  return scheme === 'http' ? 'docker.httpPort' : 'docker.httpsPort';
}

function upstreamOf(repository: ProxyRepository, config: RepositoryConfig): UpstreamStatusJson {
  const state = repository.state;
  const until = state.autoBlockedUntil();
  const success = state.lastSuccessAt?.getTime() ?? 0;
  const failure = state.lastFailure?.at.getTime() ?? 0;
  return {
    remoteUrl: repository.remoteUrl,
    reachable: success === 0 && failure === 0 ? null : success >= failure,
    lastSuccessAt: state.lastSuccessAt?.toISOString() ?? null,
    lastFailure: state.lastFailure ? { at: state.lastFailure.at.toISOString(), message: state.lastFailure.message } : null,
    blocked: config.type === 'proxy' && config.httpClient.blocked,
    autoBlocked: until !== undefined,
    autoBlockedUntil: until?.toISOString() ?? null,
  };
}
