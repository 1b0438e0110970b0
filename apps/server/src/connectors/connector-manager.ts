import type { RequestListener, Server } from 'node:http';
import type { TlsCertificates } from '../tls/tls-certificates';
import { closeServer, createRegistryServer, listen } from './http-server';

/** `http` for a repository's `docker.httpPort`, `https` for its `docker.httpsPort`. */
export type Scheme = 'http' | 'https';
export const SCHEMES: readonly Scheme[] = ['http', 'https'];

/** A repository's connector ports as configured (null: none). */
export type ConnectorPorts = Record<Scheme, number | null>;

export interface BoundConnector {
  port: number;
  server: Server;
  scheme: Scheme;
}

/**
 * Up to two listeners per repository, `docker.httpPort` (HTTP) and `docker.httpsPort` (HTTPS, with the
 * certificate of WHARF_TLS_CERTIFICATE), opened and closed while Wharf runs. Binding is a separate step
 * (`bind`) from taking effect (`activate`) so a caller can refuse a change before anything is stored when a
 * port is unavailable.
 */
export class ConnectorManager {
  /** By `${scheme} ${repository}`. */
  private readonly active = new Map<string, BoundConnector>();

  constructor(
    private readonly host: string,
    private readonly listenerFor: (repository: string) => RequestListener,
    private readonly tls?: TlsCertificates,
  ) {}

  portOf(repository: string, scheme: Scheme = 'http'): number | undefined {
    return this.active.get(key(repository, scheme))?.port;
  }

  /** Already listening on this port for this repository? Then nothing needs binding. */
  isBound(repository: string, port: number, scheme: Scheme = 'http'): boolean {
    return this.portOf(repository, scheme) === port;
  }

  /** Binds `port` for `repository`; throws PortUnavailableError when it cannot. */
  async bind(repository: string, port: number, scheme: Scheme = 'http'): Promise<BoundConnector> {
    if (scheme === 'https' && !this.tls) throw new Error('an HTTPS connector needs WHARF_TLS_CERTIFICATE and WHARF_TLS_KEY');
    const server = createRegistryServer(this.listenerFor(repository), scheme === 'https' ? this.tls : undefined);
    const bound = await listen(server, port, this.host);
    return { port: bound, server, scheme };
  }

  /**
   * Binds every port of `ports` not open yet for `repository` (what is open stays). When one cannot be bound,
   * the others bound here are released and PortUnavailableError is thrown: nothing changed.
   */
  async bindAll(repository: string, ports: ConnectorPorts): Promise<BoundConnector[]> {
    const bound: BoundConnector[] = [];
    try {
      for (const scheme of SCHEMES) {
        const port = ports[scheme];
        if (port !== null && !this.isBound(repository, port, scheme)) bound.push(await this.bind(repository, port, scheme));
      }
    } catch (err) {
      await Promise.all(bound.map((c) => this.discard(c)));
      throw err;
    }
    return bound;
  }

  /** Makes what `bindAll` bound the repository's listeners, and closes the schemes `ports` has no port for. */
  async activateAll(repository: string, bound: BoundConnector[], ports: ConnectorPorts): Promise<void> {
    for (const connector of bound) await this.activate(repository, connector);
    for (const scheme of SCHEMES) if (ports[scheme] === null) await this.close(repository, undefined, scheme);
  }

  /** Makes a bound connector the repository's listener for its scheme, closing the one it replaces. */
  async activate(repository: string, connector: BoundConnector): Promise<void> {
    const k = key(repository, connector.scheme);
    const previous = this.active.get(k);
    this.active.set(k, connector);
    if (previous && previous.server !== connector.server) await closeServer(previous.server);
  }

  /**
   * Makes the open connectors match a repository's ports as stored (changed by another replica, or read at
   * start-up): opens them, moves them to new ports, or closes them (null). Throws PortUnavailableError.
   */
  async follow(repository: string, ports: ConnectorPorts): Promise<void> {
    await this.activateAll(repository, await this.bindAll(repository, ports), ports);
  }

  async discard(connector: BoundConnector): Promise<void> {
    await closeServer(connector.server);
  }

  /** Closes the repository's connector of `scheme`, or both. */
  async close(repository: string, graceMs?: number, scheme?: Scheme): Promise<void> {
    await Promise.all(
      (scheme ? [scheme] : SCHEMES).map(async (s) => {
        const current = this.active.get(key(repository, s));
        if (!current) return;
        this.active.delete(key(repository, s));
        await closeServer(current.server, graceMs);
      }),
    );
  }

  /** Closes every connector, letting requests in flight finish for up to `graceMs` (shutdown). */
  async closeAll(graceMs?: number): Promise<void> {
    await Promise.all([...this.active.values()].map((c) => closeServer(c.server, graceMs)));
    this.active.clear();
  }
}

function key(repository: string, scheme: Scheme): string {
  return `${scheme} ${repository}`;
}
