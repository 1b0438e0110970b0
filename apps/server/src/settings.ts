/** Runtime facts other modules need (resolved after the main port is bound). */
export class WharfSettings {
  constructor(
    public mainPort: number,
    public readonly baseUrl: string | undefined,
    public readonly dataDir: string,
  ) {}

  /** The external base URL: configured, or derived from the request's Host header. */
  externalBase(host: string | undefined): string {
    return this.baseUrl ?? `http://${host ?? `localhost:${this.mainPort}`}`;
  }
}
