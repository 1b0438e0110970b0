import { UpstreamAddressPolicy } from '@wharf/registry-core';

export interface PolicySettings {
  /** Connector ports below 1024 may be configured (WHARF_ALLOW_PRIVILEGED_PORTS). */
  allowPrivilegedPorts?: boolean;
  /** Upstream addresses proxies may not reach (WHARF_UPSTREAM_DENY). */
  upstreamPolicy?: UpstreamAddressPolicy;
}

/** Runtime facts other modules need (resolved after the main port is bound). */
export class WharfSettings {
  readonly allowPrivilegedPorts: boolean;
  readonly upstreamPolicy: UpstreamAddressPolicy;

  constructor(
    public mainPort: number,
    public readonly baseUrl: string | undefined,
    public readonly dataDir: string,
    policies: PolicySettings = {},
  ) {
    this.allowPrivilegedPorts = policies.allowPrivilegedPorts ?? false;
    this.upstreamPolicy = policies.upstreamPolicy ?? new UpstreamAddressPolicy();
  }

  /** The external base URL: configured, or derived from the request's Host header. */
  externalBase(host: string | undefined): string {
    return this.baseUrl ?? `http://${safeHost(host) ?? `localhost:${this.mainPort}`}`;
  }

  /**
   * The base URL of the port a registry client is talking to, for token realms: the main port's external
   * base; for a connector port, the request's host with the configured base's scheme (behind a TLS proxy).
   */
  portBase(host: string | undefined, connector: boolean): string {
    if (!connector) return this.externalBase(host);
    const scheme = this.baseUrl?.startsWith('https:') ? 'https' : 'http';
    return `${scheme}://${safeHost(host) ?? `localhost:${this.mainPort}`}`;
  }
}

/** A Host header fit to be echoed into a URL (no header or URL injection), or undefined. */
function safeHost(host: string | undefined): string | undefined {
  return host !== undefined && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? host : undefined;
}
