import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmManifestIndex, TypeOrmTagIndex } from '@wharf/persistence';
import { AnonymousAccess } from './auth/anonymous-access';
import { RepositoryManager } from '@wharf/registry-core';
import { DataSource } from 'typeorm';
import { BasicRegistryAccess } from './auth/basic-registry-access';
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
    const providers = [
      { provide: DataSource, useValue: core.db },
      { provide: RepositoryManager, useValue: core.manager },
      { provide: TypeOrmTagIndex, useValue: core.tags },
      { provide: TypeOrmManifestIndex, useValue: core.manifests },
      { provide: WharfSettings, useValue: settings },
      { provide: UsersService, useFactory: () => new UsersService(core.users) },
      { provide: AnonymousAccess, useValue: core.anonymous },
      {
        provide: RegistryAccess,
        useFactory: (users: UsersService, anonymous: AnonymousAccess, manager: RepositoryManager) => new BasicRegistryAccess(users, anonymous, manager),
        inject: [UsersService, AnonymousAccess, RepositoryManager],
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
