import { looksLikeApiToken, type ApiTokensService } from './api-tokens.service';
import type { AuditLog } from './audit';
import { ThrottledError } from './errors';
import { LoginThrottle } from './throttle';
import type { UsersService } from './users.service';

/** Who authenticated, and how. */
export interface Login {
  userId: string;
  via: 'password' | 'api-token';
  /** With `via: 'api-token'`: which token, so what is obtained with it can be revoked with it. */
  tokenId?: string;
}

/** Where a login attempt came through, for the audit log. */
export type Channel = 'registry' | 'token' | 'rest';

/**
 * The one place credentials are checked (registry Basic, the token endpoint, the REST API):
 * throttling first, then the password (or an API token given as the password, for `docker login`
 * in CI), and an audit entry for every failure. Unknown users and wrong passwords take the same
 * path, the same time and produce the same result.
 */
export class Authenticator {
  /** Limits audit entries for bad bearer tokens (unguessable, so not throttled, but not worth a flood of rows). */
  private readonly badTokenAudit = new LoginThrottle([{ name: 'address', maxFailures: 10, windowMs: 60_000 }]);

  constructor(
    private readonly users: UsersService,
    private readonly apiTokens: ApiTokensService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditLog,
  ) {}

  /** Basic credentials. null: wrong; throws ThrottledError while too many recent failures are on record. */
  async basic(username: string, password: string, address: string, channel: Channel): Promise<Login | null> {
    const wait = this.throttle.check(username, address);
    if (wait !== null) throw new ThrottledError(wait);
    let login: Login | null = null;
    if (looksLikeApiToken(password)) {
      const token = await this.apiTokens.verify(password);
      if (token && token.userId === username) login = { userId: username, via: 'api-token', tokenId: token.tokenId };
    } else {
      const user = await this.users.verify(username, password);
      if (user) login = { userId: user.userId, via: 'password' };
    }
    if (login) {
      this.throttle.success(username, address);
      return login;
    }
    this.throttle.failure(username, address);
    await this.audit.record({ userId: null, address }, 'authentication.failure', username, { channel, scheme: 'basic' });
    return null;
  }

  /** Whether the API token with this id still stands (for registry tokens obtained with it). */
  apiTokenLive(id: string): Promise<boolean> {
    return this.apiTokens.isLive(id);
  }

  /** An API token as a bearer token. */
  async apiToken(secret: string, address: string, channel: Channel): Promise<Login | null> {
    const token = await this.apiTokens.verify(secret);
    if (token) return { userId: token.userId, via: 'api-token', tokenId: token.tokenId };
    if (this.badTokenAudit.check(null, address) === null) {
      this.badTokenAudit.failure(null, address);
      await this.audit.record({ userId: null, address }, 'authentication.failure', null, { channel, scheme: 'bearer' });
    }
    return null;
  }
}
