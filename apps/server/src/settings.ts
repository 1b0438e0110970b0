import { UpstreamAddressPolicy } from '@wharf/registry-core';

export interface PolicySettings {
  /** Connector ports below 1024 may be configured (WHARF_ALLOW_PRIVILEGED_PORTS). */
  allowPrivilegedPorts?: boolean;
  /** Upstream addresses proxies may not reach (WHARF_UPSTREAM_DENY). */
  upstreamPolicy?: UpstreamAddressPolicy;
  /** A certificate is configured (WHARF_TLS_CERTIFICATE): connectors may have a docker.httpsPort. */
  tls?: boolean;
  /** The main HTTPS port (WHARF_HTTPS_PORT), when there is one. */
  mainHttpsPort?: number;
}

/** Runtime facts other modules need (resolved after the main port is bound). */
export class WharfSettings {
  readonly allowPrivilegedPorts: boolean;
  readonly upstreamPolicy: UpstreamAddressPolicy;
  readonly tls: boolean;
  readonly mainHttpsPort: number | null;

  constructor(
    public mainPort: number,
    public readonly baseUrl: string | undefined,
    public readonly dataDir: string,
    policies: PolicySettings = {},
  ) {
    this.allowPrivilegedPorts = policies.allowPrivilegedPorts ?? false;
    this.upstreamPolicy = policies.upstreamPolicy ?? new UpstreamAddressPolicy();
    this.tls = policies.tls ?? false;
    this.mainHttpsPort = policies.mainHttpsPort ?? null;
  }

  /** Wharf's own ports, which no connector may take. */
  get mainPorts(): number[] {
    return this.mainHttpsPort === null ? [this.mainPort] : [this.mainPort, this.mainHttpsPort];
  }

  /** The external base URL: configured, or derived from the request's Host header and whether it came over TLS. */
  externalBase(req: ClientRequestFacts): string {
    return this.baseUrl ?? `${schemeOf(req)}://${safeHost(req.headers.host) ?? `localhost:${this.mainPort}`}`;
  }

  /**
   * The base URL of the port a registry client is talking to, for token realms: the main port's external
   * base; for a connector port, the request's host with its scheme (https on an HTTPS connector, or behind a
   * TLS proxy when the configured base is https).
   */
  portBase(req: ClientRequestFacts, connector: boolean): string {
    if (!connector) return this.externalBase(req);
    const scheme = this.baseUrl?.startsWith('https:') ? 'https' : schemeOf(req);
    return `${scheme}://${safeHost(req.headers.host) ?? `localhost:${this.mainPort}`}`;
  }
}

/** What externalBase reads of a request: its Host header, and whether its connection is TLS. */
export interface ClientRequestFacts {
  headers: { host?: string | undefined };
  socket: object;
}

function schemeOf(req: ClientRequestFacts): 'http' | 'https' {
  return (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
}

/** A Host header fit to be echoed into a URL (no header or URL injection), or undefined. */
function safeHost(host: string | undefined): string | undefined {
  return host !== undefined && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? host : undefined;
}
