import { BadRequestException, Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import type { ComponentJson, PageJson } from '@wharf/api-types';
import type { Request } from 'express';
import { RepositoryNotFoundError } from '@wharf/registry-core';
import { Browse, principalOf } from '../../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';
import { RegistryAccess } from '../../distribution/registry-access';
import { WharfSettings } from '../../settings';
import { ComponentsService } from './components.service';

@Controller('service/rest/v1/components')
@UseGuards(RestAuthGuard)
@Browse()
export class ComponentsController {
  constructor(
    private readonly components: ComponentsService,
    private readonly settings: WharfSettings,
    private readonly access: RegistryAccess,
  ) {}

  @Get()
  list(
    @Req() req: Request,
    @Query('repository') repository?: string,
    @Query('continuationToken') continuationToken?: string,
    @Query('name') name?: string,
  ): Promise<PageJson<ComponentJson>> {
    if (!repository) throw new BadRequestException('the repository query parameter is required');
    const principal = principalOf(req);
    // A repository the caller may not browse is as unknown as one that does not exist.
    if (!principal.admin && !this.access.canAccess(principal, repository, 'browse')) {
      throw new RepositoryNotFoundError(`repository ${repository} does not exist`);
    }
    return this.components.list(repository, continuationToken, this.settings.externalBase(req.headers.host), {
      ...(name ? { name } : {}),
      canBrowse: (member) => principal.admin || this.access.canAccess(principal, member, 'browse'),
    });
  }
}
