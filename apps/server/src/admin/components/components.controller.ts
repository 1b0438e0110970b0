import { BadRequestException, Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import type { ComponentJson, PageJson } from '@wharf/api-types';
import type { Request } from 'express';
import { AdminGuard } from '../../auth/admin.guard';
import { WharfSettings } from '../../settings';
import { ComponentsService } from './components.service';

@Controller('service/rest/v1/components')
@UseGuards(AdminGuard)
export class ComponentsController {
  constructor(
    private readonly components: ComponentsService,
    private readonly settings: WharfSettings,
  ) {}

  @Get()
  list(
    @Req() req: Request,
    @Query('repository') repository?: string,
    @Query('continuationToken') continuationToken?: string,
  ): Promise<PageJson<ComponentJson>> {
    if (!repository) throw new BadRequestException('the repository query parameter is required');
    return this.components.list(repository, continuationToken, this.settings.externalBase(req.headers.host));
  }
}
