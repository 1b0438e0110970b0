import { looksLikeApiToken, type ApiTokensService } from './api-tokens.service';
import type { AuditLog } from './audit';
import { ThrottledError } from './errors';
import { MemoryLoginAttemptStore } from '@wharf/registry-core';
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
  private readonly badTokenAudit = new LoginThrottle(new MemoryLoginAttemptStore(), [{ name: 'address', maxFailures: 10, windowMs: 60_000 }]);

  constructor(
    private readonly users: UsersService,
    private readonly apiTokens: ApiTokensService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditLog,
  ) {}

  /** Basic credentials. null: wrong; throws ThrottledError while too many recent failures are on record. */
  async basic(username: string, password: string, address: string, channel: Channel): Promise<Login | null> {
    const decision = await this.throttle.begin(username, address);
    if (decision.retryAfter !== null) throw new ThrottledError(decision.retryAfter);
    const { attempt } = decision;
    let login: Login | null;
    try {
      login = await this.verify(username, password);
    } catch (err) {
      attempt.abandoned();
      throw err;
    }
    if (login) {
      await attempt.succeeded();
      return login;
    }
    await attempt.failed();
    await this.audit.record({ userId: null, address }, 'authentication.failure', username, { channel, scheme: 'basic' });
    return null;
  }

  private async verify(username: string, password: string): Promise<Login | null> {
    if (looksLikeApiToken(password)) {
      const token = await this.apiTokens.verify(password);
      return token && token.userId === username ? { userId: username, via: 'api-token', tokenId: token.tokenId } : null;
    }
    const user = await this.users.verify(username, password);
    return user ? { userId: user.userId, via: 'password' } : null;
  }

  /** Whether the API token with this id still stands (for registry tokens obtained with it). */
  apiTokenLive(id: string): Promise<boolean> {
    return this.apiTokens.isLive(id);
  }

  /** An API token as a bearer token. */
  async apiToken(secret: string, address: string, channel: Channel): Promise<Login | null> {
    const token = await this.apiTokens.verify(secret);
    if (token) return { userId: token.userId, via: 'api-token', tokenId: token.tokenId };
    const decision = await this.badTokenAudit.begin(null, address);
    if (decision.retryAfter === null) {
      await decision.attempt.failed();
      await this.audit.record({ userId: null, address }, 'authentication.failure', null, { channel, scheme: 'bearer' });
    }
    return null;
  }
}
