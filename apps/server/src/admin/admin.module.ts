import { Module } from '@nestjs/common';
import { SecurityModule } from '../security/security.module';
import { ComponentsController } from './components/components.controller';
import { ComponentsService } from './components/components.service';
import { MetricsController } from './metrics/metrics.controller';
import { RepositoriesController } from './repositories/repositories.controller';
import { RepositoriesService } from './repositories/repositories.service';
import { StatusController } from './status/status.controller';
import { S3BlobStoresController } from '../blobstores/s3-blob-stores.controller';

/** The repository side of the Nexus-shaped REST API under /service/rest/v1 (security has its own module). */
@Module({
  imports: [SecurityModule],
  controllers: [StatusController, MetricsController, RepositoriesController, ComponentsController, S3BlobStoresController],
  providers: [RepositoriesService, ComponentsService],
  exports: [RepositoriesService],
})
export class AdminModule {}
