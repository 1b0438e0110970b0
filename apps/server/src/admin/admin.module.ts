import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ComponentsController } from './components/components.controller';
import { ComponentsService } from './components/components.service';
import { JsonBodyMiddleware } from './http/json-body.middleware';
import { RepositoriesController } from './repositories/repositories.controller';
import { RepositoriesService } from './repositories/repositories.service';
import { ApiTokenStrategy } from '../auth/rest/api-token.strategy';
import { RestAuthGuard } from '../auth/rest/rest-auth.guard';
import { AuditController } from './audit/audit.controller';
import { AnonymousController } from './security/anonymous.controller';
import { ApiTokensController } from './security/api-tokens.controller';
import { PrivilegesController } from './security/privileges.controller';
import { RealmsController } from './security/realms.controller';
import { RolesController } from './security/roles.controller';
import { UsersController } from './security/users.controller';
import { MetricsController } from './metrics/metrics.controller';
import { StatusController } from './status/status.controller';

/** The Nexus-shaped REST API under /service/rest/v1. */
@Module({
  controllers: [
    StatusController,
    MetricsController,
    RepositoriesController,
    ComponentsController,
    AnonymousController,
    UsersController,
    RolesController,
    PrivilegesController,
    RealmsController,
    ApiTokensController,
    AuditController,
  ],
  providers: [RepositoriesService, ComponentsService, ApiTokenStrategy, RestAuthGuard],
  exports: [RepositoriesService],
})
export class AdminModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonBodyMiddleware).forRoutes('*');
  }
}
