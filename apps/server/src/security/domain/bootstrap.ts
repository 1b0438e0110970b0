import type { SettingsStore } from '@wharf/registry-core';
import { ANONYMOUS_ROLE, type RolesService } from './roles.service';
import type { UsersService } from './users.service';

const DEFAULTS_KEY = 'security.defaults';

/**
 * First-start defaults (docs/security.md): the built-in roles, user `admin` (role nx-admin), and once, the
 * `anonymous` user with role nx-anonymous (read and browse everywhere; anonymous access itself stays off).
 * Returns the admin password when one had to be generated.
 */
export async function bootstrapSecurity(
  security: { users: UsersService; roles: RolesService },
  settings: SettingsStore,
  adminPassword: string | undefined,
): Promise<string | undefined> {
  await security.roles.bootstrap();
  const admin = await security.users.bootstrapAdmin(adminPassword);
  if (!(await settings.get<boolean>(DEFAULTS_KEY, false))) {
    await security.users.bootstrapAnonymous([ANONYMOUS_ROLE]);
    await settings.set(DEFAULTS_KEY, true);
  }
  return admin.generated;
}
