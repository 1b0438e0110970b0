import type { IncomingMessage } from 'node:http';
import { RegistryError, formatBasicChallenge, parseAuthorization } from '@wharf/oci';
import { type Principal, RegistryAccess, type RegistryAction } from '../distribution/registry-access';
import type { UsersService } from './users.service';

export const REALM = 'Wharf';

/**
 * Registry access with HTTP Basic credentials of local users; administrators may do everything.
 * (The Docker token realm, anonymous access and per-repository privileges replace this in the security work.)
 */
export class BasicRegistryAccess extends RegistryAccess {
  constructor(private readonly users: UsersService) {
    super();
  }

  async authenticate(req: IncomingMessage): Promise<Principal> {
    const credentials = parseAuthorization(req.headers.authorization);
    if (credentials?.scheme === 'basic') {
      const user = await this.users.verify(credentials.username, credentials.password);
      if (user) return { userId: user.userId, anonymous: false, roles: user.roles };
      throw unauthorized('the username or password is incorrect');
    }
    throw unauthorized('authentication required');
  }

  canAccess(principal: Principal, _repository: string, _action: RegistryAction): boolean {
    return principal.roles.includes('nx-admin');
  }
}

function unauthorized(message: string): RegistryError {
  return new RegistryError('UNAUTHORIZED', message, undefined, { headers: { 'WWW-Authenticate': formatBasicChallenge(REALM) } });
}
