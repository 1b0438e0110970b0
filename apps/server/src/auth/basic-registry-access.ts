import type { IncomingMessage } from 'node:http';
import { RegistryError, formatBasicChallenge, parseAuthorization } from '@wharf/oci';
import { type Principal, RegistryAccess, type RegistryAction } from '../distribution/registry-access';
import type { RepositoryManager } from '@wharf/registry-core';
import type { AnonymousAccess } from './anonymous-access';
import type { UsersService } from './users.service';

export const REALM = 'Wharf';

const ANONYMOUS: Principal = { userId: 'anonymous', anonymous: true, roles: [] };

/**
 * Registry access with HTTP Basic credentials of local users; administrators may do everything.
 * (The Docker token realm, anonymous access and per-repository privileges replace this in the security work.)
 */
export class BasicRegistryAccess extends RegistryAccess {
  constructor(
    private readonly users: UsersService,
    private readonly anonymous: AnonymousAccess,
    private readonly manager: RepositoryManager,
  ) {
    super();
  }

  async authenticate(req: IncomingMessage, scope?: { repository: string }): Promise<Principal> {
    const credentials = parseAuthorization(req.headers.authorization);
    if (credentials?.scheme === 'basic') {
      const user = await this.users.verify(credentials.username, credentials.password);
      if (user) return { userId: user.userId, anonymous: false, roles: user.roles };
      throw unauthorized('the username or password is incorrect');
    }
    if (credentials === null && this.anonymousMayTry(scope?.repository)) return ANONYMOUS;
    throw unauthorized('authentication required');
  }

  /** Administrators may do everything; anonymous callers may pull from repositories that do not force authentication. */
  canAccess(principal: Principal, repository: string, action: RegistryAction): boolean {
    if (principal.roles.includes('nx-admin')) return true;
    return principal.anonymous && action === 'pull' && this.anonymousMayTry(repository);
  }

  challenge(): RegistryError {
    return unauthorized('authentication required');
  }

  /** With anonymous access on: the API root, and repositories with docker.forceBasicAuth false. */
  private anonymousMayTry(repository: string | undefined): boolean {
    if (!this.anonymous.enabled) return false;
    if (repository === undefined) return true;
    const config = this.manager.config(repository);
    return config !== undefined && !config.docker.forceBasicAuth;
  }
}

function unauthorized(message: string): RegistryError {
  return new RegistryError('UNAUTHORIZED', message, undefined, { headers: { 'WWW-Authenticate': formatBasicChallenge(REALM) } });
}
