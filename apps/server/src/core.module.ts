import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmManifestIndex, TypeOrmTagIndex } from '@wharf/persistence';
import { RepositoryManager } from '@wharf/registry-core';
import { DataSource } from 'typeorm';
import { AnonymousAccess } from './auth/anonymous-access';
import { ApiTokensService } from './auth/api-tokens.service';
import { AuditLog } from './auth/audit';
import { Authenticator } from './auth/authenticator';
import { RealmRegistryAccess } from './auth/realm-registry-access';
import { RealmSettings } from './auth/realms';
import { RolesService } from './auth/roles.service';
import { SecurityModel } from './auth/security-model';
import { TokenService } from './auth/token-realm/token-service';
import { UsersService } from './auth/users.service';
import { ConnectorManager } from './connectors/connector-manager';
import type { WharfCore } from './core';
import { RegistryAccess } from './distribution/registry-access';
import { RegistryHandler } from './distribution/registry-handler';
import { WharfSettings } from './settings';

/** Hands the domain objects (built before Nest starts, as they need async set-up) to Nest's injector. */
@Global()
@Module({})
export class CoreModule {
  static register(core: WharfCore, settings: WharfSettings, host: string): DynamicModule {
    const security = core.security;
    const providers = [
      { provide: DataSource, useValue: core.db },
      { provide: RepositoryManager, useValue: core.manager },
      { provide: TypeOrmTagIndex, useValue: core.tags },
      { provide: TypeOrmManifestIndex, useValue: core.manifests },
      { provide: WharfSettings, useValue: settings },
      { provide: AnonymousAccess, useValue: core.anonymous },
      { provide: SecurityModel, useValue: security.model },
      { provide: UsersService, useValue: security.users },
      { provide: RolesService, useValue: security.roles },
      { provide: ApiTokensService, useValue: security.apiTokens },
      { provide: RealmSettings, useValue: security.realms },
      { provide: AuditLog, useValue: security.audit },
      { provide: Authenticator, useValue: security.authenticator },
      { provide: TokenService, useValue: security.tokens },
      {
        provide: RegistryAccess,
        useFactory: () =>
          new RealmRegistryAccess(security.model, security.authenticator, core.anonymous, security.realms, core.manager, security.tokens, settings),
      },
      {
        provide: RegistryHandler,
        useFactory: (manager: RepositoryManager, access: RegistryAccess) => new RegistryHandler(manager, access, new Logger('Registry')),
        inject: [RepositoryManager, RegistryAccess],
      },
      {
        provide: ConnectorManager,
        useFactory: (handler: RegistryHandler) => new ConnectorManager(host, (repository) => handler.connector(repository)),
        inject: [RegistryHandler],
      },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}
