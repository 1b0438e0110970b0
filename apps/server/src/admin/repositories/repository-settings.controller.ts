import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { GroupRepositoryView, HostedRepositoryView, ProxyRepositoryView } from '@wharf/api-types';
import type { Request } from 'express';
import { RegistryAccess } from '../../distribution/registry-access';
import { Browse, principalOf } from '../../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';
import { WharfSettings } from '../../settings';
import { RepositoriesService } from './repositories.service';
import { viewOf } from './repository-json.mapper';

/** Nexus's `GET /service/rest/v1/repositorySettings`: every repository the caller may browse, in full. */
@Controller('service/rest/v1/repositorySettings')
@UseGuards(RestAuthGuard)
@Browse()
export class RepositorySettingsController {
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly settings: WharfSettings,
    private readonly access: RegistryAccess,
  ) {}

  @Get()
  list(@Req() req: Request): (HostedRepositoryView | ProxyRepositoryView | GroupRepositoryView)[] {
    const principal = principalOf(req);
    const base = this.settings.externalBase(req);
    return this.repositories
      .list()
      .filter((c) => principal.admin || this.access.canAccess(principal, c.name, 'browse'))
      .map((c) => viewOf(c, `${base}/repository/${c.name}`));
  }
}
