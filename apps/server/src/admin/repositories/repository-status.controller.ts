import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { RepositoryStatusSummaryJson } from '@wharf/api-types';
import { RepositoryManager } from '@wharf/registry-core';
import type { Request } from 'express';
import { RegistryAccess } from '../../distribution/registry-access';
import { Browse } from '../../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';
import { StorageLifecycle } from '../../tasks/storage-lifecycle';
import { ContentAccess } from '../components/content-access';
import { RepositoriesService } from './repositories.service';

/**
 * Wharf: every repository's state (online, a proxy's upstream health) and what it stores, in one request, for
 * the UI's repository list (Nexus's list carries neither). Callers see the repositories they may browse.
 */
@Controller('service/rest/v1/repositoryStatus')
@UseGuards(RestAuthGuard)
@Browse()
export class RepositoryStatusController {
  private readonly content: ContentAccess;

  constructor(
    private readonly repositories: RepositoriesService,
    private readonly lifecycle: StorageLifecycle,
    manager: RepositoryManager,
    access: RegistryAccess,
  ) {
    this.content = new ContentAccess(manager, access);
  }

  @Get()
  async list(@Req() req: Request): Promise<RepositoryStatusSummaryJson[]> {
    const visible = (name: string) => this.content.mayBrowse(req, name);
    const configs = this.repositories.list().filter((c) => visible(c.name));
    // A group's figure counts the members this caller may browse, as its components listing shows them.
    const stored = await this.lifecycle.storedBytes(
      configs.map((c) => c.name),
      visible,
    );
    return configs.map((c) => {
      const bytes = stored.get(c.name) ?? { blobCount: 0, totalBytes: 0 };
      return {
        name: c.name,
        type: c.type,
        online: c.online,
        upstream: this.repositories.upstream(c.name),
        storage: { blobCount: bytes.blobCount, totalSizeInBytes: bytes.totalBytes },
      };
    });
  }
}
