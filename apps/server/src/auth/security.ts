import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { TypeOrmApiTokenStore, TypeOrmAuditLog, TypeOrmRoleStore, type TypeOrmSettings, TypeOrmUserStore } from '@wharf/persistence';
import type { DataSource } from 'typeorm';
import { ApiTokensService } from './api-tokens.service';
import { AuditLog } from './audit';
import { Authenticator } from './authenticator';
import { RealmSettings } from './realms';
import { ANONYMOUS_ROLE, RolesService } from './roles.service';
import { SecurityModel } from './security-model';
import { DEFAULT_THROTTLE_RULES, LoginThrottle, type ThrottleRule } from './throttle';
import { KeyRing } from './token-realm/key-ring';
import { TokenService } from './token-realm/token-service';
import { UsersService } from './users.service';

/** The security services of one Wharf instance (no HTTP here: the registry access and REST guard use them). */
export interface Security {
  model: SecurityModel;
  users: UsersService;
  roles: RolesService;
  apiTokens: ApiTokensService;
  realms: RealmSettings;
  throttle: LoginThrottle;
  audit: AuditLog;
  authenticator: Authenticator;
  keys: KeyRing;
  tokens: TokenService;
}

const DEFAULTS_KEY = 'security.defaults';

export async function createSecurity(
  db: DataSource,
  settings: TypeOrmSettings,
  dataDir: string,
  throttleRules: ThrottleRule[] = DEFAULT_THROTTLE_RULES,
): Promise<Security> {
  const model = new SecurityModel();
  const userStore = new TypeOrmUserStore(db);
  const roleStore = new TypeOrmRoleStore(db);
  model.load(await userStore.list(), await roleStore.list());
  const users = new UsersService(userStore, model);
  const roles = new RolesService(roleStore, model);
  const apiTokens = new ApiTokensService(new TypeOrmApiTokenStore(db), model);
  const realms = new RealmSettings(settings);
  await realms.load();
  const throttle = new LoginThrottle(throttleRules);
  const audit = new AuditLog(new TypeOrmAuditLog(db), new Logger('Audit'));
  const authenticator = new Authenticator(users, apiTokens, throttle, audit);
  const keys = await KeyRing.load(join(dataDir, 'secrets', 'token-keys.json'));
  const tokens = new TokenService(keys);
  return { model, users, roles, apiTokens, realms, throttle, audit, authenticator, keys, tokens };
}

/**
 * First-start defaults (CONTRACT.md): the built-in roles, user `admin` (role nx-admin), and once, the
 * `anonymous` user with role nx-anonymous (read and browse everywhere; anonymous access itself stays off).
 * Returns the admin password when one had to be generated.
 */
export async function bootstrapSecurity(security: Security, settings: TypeOrmSettings, adminPassword: string | undefined): Promise<string | undefined> {
  await security.roles.bootstrap();
  const admin = await security.users.bootstrapAdmin(adminPassword);
  if (!(await settings.get<boolean>(DEFAULTS_KEY, false))) {
    await security.users.bootstrapAnonymous([ANONYMOUS_ROLE]);
    await settings.set(DEFAULTS_KEY, true);
  }
  return admin.generated;
}
