import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { GroupRepositoryView, HostedRepositoryView, ProxyRepositoryView, ProxyStatusJson, RepositorySummary } from '@wharf/api-types';
import type { Request } from 'express';
import { AdminGuard } from '../../auth/admin.guard';
import { WharfSettings } from '../../settings';
import { HostedRepositoryDto } from './hosted-repository.dto';
import { GroupRepositoryDto } from './group-repository.dto';
import { ProxyRepositoryDto } from './proxy-repository.dto';
import { groupFromDto, groupToJson, hostedFromDto, hostedToJson, proxyFromDto, proxyToJson, summaryOf } from './repository-json.mapper';
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

  @Post('docker/proxy')
  @HttpCode(201)
  async createProxy(@Body() dto: ProxyRepositoryDto): Promise<void> {
    await this.repositories.create(proxyFromDto(dto));
  }

  @Get('docker/proxy/:name')
  getProxy(@Param('name') name: string, @Req() req: Request): ProxyRepositoryView {
    const config = this.repositories.get(name);
    if (config.type !== 'proxy') throw new RepositoryNotFoundError(`repository ${name} is not a proxy repository`);
    return proxyToJson(config, this.url(req, name));
  }

  @Put('docker/proxy/:name')
  @HttpCode(204)
  async updateProxy(@Param('name') name: string, @Body() dto: ProxyRepositoryDto): Promise<void> {
    if (dto.name !== name) throw new InvalidRepositoryError(`name "${dto.name}" in the body differs from "${name}" in the path; repositories cannot be renamed`);
    const previous = this.repositories.get(name);
    await this.repositories.update(proxyFromDto(dto, previous.type === 'proxy' ? previous : undefined));
  }

  @Post('docker/group')
  @HttpCode(201)
  async createGroup(@Body() dto: GroupRepositoryDto): Promise<void> {
    await this.repositories.create(groupFromDto(dto));
  }

  @Get('docker/group/:name')
  getGroup(@Param('name') name: string, @Req() req: Request): GroupRepositoryView {
    const config = this.repositories.get(name);
    if (config.type !== 'group') throw new RepositoryNotFoundError(`repository ${name} is not a group repository`);
    return groupToJson(config, this.url(req, name));
  }

  @Put('docker/group/:name')
  @HttpCode(204)
  async updateGroup(@Param('name') name: string, @Body() dto: GroupRepositoryDto): Promise<void> {
    if (dto.name !== name) throw new InvalidRepositoryError(`name "${dto.name}" in the body differs from "${name}" in the path; repositories cannot be renamed`);
    await this.repositories.update(groupFromDto(dto));
  }

  @Get(':name/status')
  status(@Param('name') name: string): ProxyStatusJson | { name: string; type: string; online: boolean } {
    return this.repositories.status(name);
  }

  @Post(':name/invalidate-cache')
  @HttpCode(204)
  async invalidate(@Param('name') name: string): Promise<void> {
    await this.repositories.invalidateCache(name);
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
