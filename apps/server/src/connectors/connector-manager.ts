import type { RequestListener, Server } from 'node:http';
import { closeServer, createRegistryServer, listen } from './http-server';

export interface BoundConnector {
  port: number;
  server: Server;
}

/**
 * One listener per repository `docker.httpPort`, opened and closed while Wharf runs.
 * Binding is a separate step (`bind`) from taking effect (`activate`) so a caller can
 * refuse a change before anything is stored when the port is unavailable.
 */
export class ConnectorManager {
  private readonly active = new Map<string, BoundConnector>();

  constructor(
    private readonly host: string,
    private readonly listenerFor: (repository: string) => RequestListener,
  ) {}

  portOf(repository: string): number | undefined {
    return this.active.get(repository)?.port;
  }

  /** Already listening on this port for this repository? Then nothing needs binding. */
  isBound(repository: string, port: number): boolean {
    return this.active.get(repository)?.port === port;
  }

  /** Binds `port` for `repository`; throws PortUnavailableError when it cannot. */
  async bind(repository: string, port: number): Promise<BoundConnector> {
    const server = createRegistryServer(this.listenerFor(repository));
    const bound = await listen(server, port, this.host);
    return { port: bound, server };
  }

  /** Makes a bound connector the repository's listener, closing the one it replaces. */
  async activate(repository: string, connector: BoundConnector): Promise<void> {
    const previous = this.active.get(repository);
    this.active.set(repository, connector);
    if (previous && previous.server !== connector.server) await closeServer(previous.server);
  }

  /**
   * Makes the open connector match a repository's port as stored (changed by another replica, or read
   * at start-up): opens it, moves it to the new port, or closes it (null). Throws PortUnavailableError.
   */
  async follow(repository: string, port: number | null): Promise<void> {
    if (port === null) return this.close(repository);
    if (this.isBound(repository, port)) return;
    await this.activate(repository, await this.bind(repository, port));
  }

  async discard(connector: BoundConnector): Promise<void> {
    await closeServer(connector.server);
  }

  async close(repository: string, graceMs?: number): Promise<void> {
    const current = this.active.get(repository);
    if (!current) return;
    this.active.delete(repository);
    await closeServer(current.server, graceMs);
  }

  /** Closes every connector, letting requests in flight finish for up to `graceMs` (shutdown). */
  async closeAll(graceMs?: number): Promise<void> {
    await Promise.all([...this.active.keys()].map((name) => this.close(name, graceMs)));
  }
}
