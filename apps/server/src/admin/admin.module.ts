import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ComponentsController } from './components/components.controller';
import { ComponentsService } from './components/components.service';
import { JsonBodyMiddleware } from './http/json-body.middleware';
import { RepositoriesController } from './repositories/repositories.controller';
import { RepositoriesService } from './repositories/repositories.service';
import { AnonymousController } from './security/anonymous.controller';
import { StatusController } from './status/status.controller';

/** The Nexus-shaped REST API under /service/rest/v1. */
@Module({
  controllers: [StatusController, RepositoriesController, ComponentsController, AnonymousController],
  providers: [RepositoriesService, ComponentsService],
  exports: [RepositoriesService],
})
export class AdminModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonBodyMiddleware).forRoutes('*');
  }
}
