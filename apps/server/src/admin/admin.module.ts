import { Module } from '@nestjs/common';
import { SecurityModule } from '../security/security.module';
import { AssetsController } from './components/assets.controller';
import { ComponentsController } from './components/components.controller';
import { ComponentsService } from './components/components.service';
import { SearchController } from './components/search.controller';
import { SearchService } from './components/search.service';
import { MetricsController } from './metrics/metrics.controller';
import { RepositoriesController } from './repositories/repositories.controller';
import { RepositoriesService } from './repositories/repositories.service';
import { RepositorySettingsController } from './repositories/repository-settings.controller';
import { RepositoryStatusController } from './repositories/repository-status.controller';
import { StatusController } from './status/status.controller';
import { S3BlobStoresController } from '../blobstores/s3-blob-stores.controller';
import { BlobStoresController } from '../blobstores/blob-stores.controller';
import { CleanupPoliciesController } from './lifecycle/cleanup-policies.controller';
import { ImageSizeController } from './lifecycle/image-size.controller';
import { TasksController } from './lifecycle/tasks.controller';

/** The repository side of the Nexus-shaped REST API under /service/rest/v1 (security has its own module). */
@Module({
  imports: [SecurityModule],
  controllers: [
    StatusController,
    MetricsController,
    RepositoriesController,
    RepositorySettingsController,
    RepositoryStatusController,
    ComponentsController,
    SearchController,
    AssetsController,
    S3BlobStoresController,
    BlobStoresController,
    CleanupPoliciesController,
    TasksController,
    ImageSizeController,
  ],
  providers: [RepositoriesService, ComponentsService, SearchService],
  exports: [RepositoriesService],
})
export class AdminModule {}
