import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type SeenRequest, basicCredentials, seen } from './requests';
import { Served, type ServeTls } from './served';

export interface TokenGrant {
  /** Scopes asked for, each `type:name:actions`. */
  scopes: string[];
  /** The Basic user, null when anonymous. */
  user: string | null;
  service: string | null;
}

export interface TokenServerOptions {
  /** When set, Basic credentials are checked; wrong ones get 401. */
  credentials?: { username: string; password: string };
  /** Refuse anonymous requests (a private registry). Default false (Docker Hub style). */
  requireCredentials?: boolean;
  /** expires_in of the tokens (and when the registry stops accepting them); unset: omitted, never expire. */
  expiresIn?: number;
  /** Which field carries the token; default both, as Docker Hub answers. */
  field?: 'token' | 'access_token' | 'both';
  /** Delay before answering, to let concurrent requests pile up. */
  delayMs?: number;
  /** Path of the endpoint; default /token. */
  path?: string;
  /** The `service` the registry's challenge names; default fault-registry. */
  service?: string;
  /** Makes the token (e.g. a JWT a real registry checks); default a random string. */
  mint?: (grant: TokenGrant) => string;
  tls?: ServeTls;
}

/**
 * A Docker token server (https://distribution.github.io/distribution/spec/auth/token/):
 * `GET /token?service=..&scope=..`, anonymous or with Basic credentials -> `{"token","access_token","expires_in","issued_at"}`,
 * 401 for wrong or missing credentials. An UpstreamRegistry with `auth` set to it accepts what it issued.
 */
export class TokenServer extends Served {
  /** Every request to it, in order. */
  readonly requests: SeenRequest[] = [];
  /** Token -> what it grants, and until when (ms since the epoch). */
  readonly issued = new Map<string, TokenGrant & { expires: number }>();

  private constructor(readonly options: TokenServerOptions) {
    super(options.tls ?? null);
  }

  static async start(options: TokenServerOptions = {}): Promise<TokenServer> {
    const server = new TokenServer(options);
    await server.start(0);
    return server;
  }

  get service(): string {
    return this.options.service ?? 'fault-registry';
  }

  get realm(): string {
    return `${this.url}${this.options.path ?? '/token'}`;
  }

  /** Token requests that got a token. */
  get issuedCount(): number {
    return this.requests.filter((r) => r.status === 200).length;
  }

  /** Scopes requested, one entry per token request ('' when none). */
  get scopesRequested(): string[] {
    return this.requests.map((r) => new URL(r.url, 'http://x').searchParams.getAll('scope').join(' '));
  }

  /** Revoke every token issued so far (the registry refuses them). */
  revokeAll(): void {
    this.issued.clear();
  }

  /** True when `token` was issued here, has not expired and (with `image`) grants pulling it. */
  accepts(token: string, image?: string): boolean {
    const grant = this.issued.get(token);
    if (!grant || grant.expires < Date.now()) return false;
    return (
      image === undefined ||
      grant.scopes.some((s) => {
        const [type, name, actions] = s.split(':');
        return type === 'repository' && name === image && (actions ?? '').split(',').includes('pull');
      })
    );
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry = seen(req, res);
    this.requests.push(entry);
    if (this.options.delayMs) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const bytes = Buffer.from(JSON.stringify(body));
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length, ...headers }).end(bytes);
    };
    if (entry.path !== (this.options.path ?? '/token')) return answer(404, { details: 'not found' });
    const basic = basicCredentials(req.headers.authorization);
    const expected = this.options.credentials;
    const refuse = (details: string) => answer(401, { details }, { 'WWW-Authenticate': 'Basic realm="fault-token"' });
    if (basic && (!expected || basic.username !== expected.username || basic.password !== expected.password)) {
      return refuse('incorrect username or password');
    }
    if (!basic && this.options.requireCredentials) return refuse('credentials required');
    const url = new URL(entry.url, 'http://token');
    const grant: TokenGrant = {
      scopes: url.searchParams.getAll('scope').flatMap((s) => s.split(' ')),
      user: basic?.username ?? null,
      service: url.searchParams.get('service'),
    };
    const token = this.options.mint ? this.options.mint(grant) : randomBytes(24).toString('base64url');
    const { expiresIn, field = 'both' } = this.options;
    this.issued.set(token, { ...grant, expires: expiresIn === undefined ? Infinity : Date.now() + expiresIn * 1000 });
    return answer(200, {
      ...(field !== 'access_token' ? { token } : {}),
      ...(field !== 'token' ? { access_token: token } : {}),
      ...(expiresIn !== undefined ? { expires_in: expiresIn } : {}),
      issued_at: new Date().toISOString(),
    });
  }
}
