import { RegistryError } from '@wharf/oci';

/**
 * A caller that has not logged in asked a group for something a member hidden from it might hold. The
 * protocol layer answers with its credentials challenge (401 + WWW-Authenticate), so docker logs in and retries.
 */
export class LoginRequired extends RegistryError {
  constructor(group: string) {
    super('UNAUTHORIZED', `authentication required: a member of group ${group} that needs credentials may hold it`);
  }
}
