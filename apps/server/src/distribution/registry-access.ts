import type { IncomingMessage } from 'node:http';
import type { RegistryError } from '@wharf/oci';

/** Who is calling, as far as the registry API is concerned. */
export interface Principal {
  userId: string;
  anonymous: boolean;
  roles: string[];
}

export type RegistryAction = 'pull' | 'push' | 'delete';

/**
 * Authentication and authorization for registry requests, provided by the auth module.
 * `authenticate` throws RegistryError('UNAUTHORIZED') with a challenge when credentials are missing or wrong.
 */
export abstract class RegistryAccess {
  abstract authenticate(req: IncomingMessage, scope?: { repository: string; image: string; actions: RegistryAction[] }): Promise<Principal>;
  abstract canAccess(principal: Principal, repository: string, action: RegistryAction): boolean;
  /** The 401 that asks the client to authenticate (with the realm's challenge). */
  abstract challenge(scope?: { repository: string; image: string; actions: RegistryAction[] }): RegistryError;
}
