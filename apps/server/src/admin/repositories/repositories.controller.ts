import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { HostedRepositoryView, RepositorySummary } from '@wharf/api-types';
import type { Request } from 'express';
import { AdminGuard } from '../../auth/admin.guard';
import { WharfSettings } from '../../settings';
import { HostedRepositoryDto } from './hosted-repository.dto';
import { hostedFromDto, hostedToJson, summaryOf } from './repository-json.mapper';
import { InvalidRepositoryError, RepositoriesService } from './repositories.service';
import { RepositoryNotFoundError } from '@wharf/registry-core';

@Controller('service/rest/v1/repositories')
@UseGuards(AdminGuard)
export class RepositoriesController {
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly settings: WharfSettings,
  ) {}

  @Get()
  list(@Req() req: Request): RepositorySummary[] {
    return this.repositories.list().map((c) => summaryOf(c, this.url(req, c.name)));
  }

  @Post('docker/hosted')
  @HttpCode(201)
  async createHosted(@Body() dto: HostedRepositoryDto): Promise<void> {
    await this.repositories.create(hostedFromDto(dto));
  }

  @Get('docker/hosted/:name')
  getHosted(@Param('name') name: string, @Req() req: Request): HostedRepositoryView {
    const config = this.repositories.get(name);
    if (config.type !== 'hosted') throw new RepositoryNotFoundError(`repository ${name} is not a hosted repository`);
    return hostedToJson(config, this.url(req, name));
  }

  @Put('docker/hosted/:name')
  @HttpCode(204)
  async updateHosted(@Param('name') name: string, @Body() dto: HostedRepositoryDto): Promise<void> {
    if (dto.name !== name) throw new InvalidRepositoryError(`name "${dto.name}" in the body differs from "${name}" in the path; repositories cannot be renamed`);
    await this.repositories.update(hostedFromDto(dto));
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(@Param('name') name: string): Promise<void> {
    await this.repositories.delete(name);
  }

  private url(req: Request, name: string): string {
    return `${this.settings.externalBase(req.headers.host)}/repository/${name}`;
  }
}
