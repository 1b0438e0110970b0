/** Runtime facts other modules need (resolved after the main port is bound). */
export class WharfSettings {
  constructor(
    public mainPort: number,
    public readonly baseUrl: string | undefined,
    public readonly dataDir: string,
  ) {}

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
