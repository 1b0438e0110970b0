import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { GroupRepositoryView, HostedRepositoryView, ProxyRepositoryView, RepositoryStatusJson, RepositorySummary } from '@wharf/api-types';
import type { Request } from 'express';
import { AuditLog } from '../../security/domain/audit';
import { Browse, actorOf, principalOf } from '../../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';
import { RegistryAccess } from '../../distribution/registry-access';
import { WharfSettings } from '../../settings';
import { HostedRepositoryDto } from './hosted-repository.dto';
import { GroupRepositoryDto } from './group-repository.dto';
import { ProxyRepositoryDto } from './proxy-repository.dto';
import { groupFromDto, groupToJson, hostedFromDto, hostedToJson, proxyFromDto, proxyToJson, summaryOf, viewOf } from './repository-json.mapper';
import { InvalidRepositoryError, RepositoriesService } from './repositories.service';
import { type RepositoryConfig, RepositoryNotFoundError } from '@wharf/registry-core';

@Controller('service/rest/v1/repositories')
@UseGuards(RestAuthGuard)
export class RepositoriesController {
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly settings: WharfSettings,
    private readonly access: RegistryAccess,
    private readonly audit: AuditLog,
  ) {}

  /** Every repository for administrators; for other callers, those they may browse. */
  @Get()
  @Browse()
  list(@Req() req: Request): RepositorySummary[] {
    return this.repositories
      .list()
      .filter((c) => this.mayBrowse(req, c.name))
      .map((c) => summaryOf(c, this.url(req, c.name)));
  }

  @Post('docker/hosted')
  @HttpCode(201)
  async createHosted(@Body() dto: HostedRepositoryDto, @Req() req: Request): Promise<void> {
    await this.repositories.create(hostedFromDto(dto));
    await this.audited(req, 'repository.create', dto.name, 'hosted');
  }

  @Get('docker/hosted/:name')
  @Browse()
  getHosted(@Param('name') name: string, @Req() req: Request): HostedRepositoryView {
    const config = this.visible(req, name);
    if (config.type !== 'hosted') throw new RepositoryNotFoundError(`repository ${name} is not a hosted repository`);
    return hostedToJson(config, this.url(req, name));
  }

  @Put('docker/hosted/:name')
  @HttpCode(204)
  async updateHosted(@Param('name') name: string, @Body() dto: HostedRepositoryDto, @Req() req: Request): Promise<void> {
    if (dto.name !== name) throw new InvalidRepositoryError(`name "${dto.name}" in the body differs from "${name}" in the path; repositories cannot be renamed`);
    await this.repositories.update(hostedFromDto(dto));
    await this.audited(req, 'repository.update', name, 'hosted');
  }

  @Post('docker/proxy')
  @HttpCode(201)
  async createProxy(@Body() dto: ProxyRepositoryDto, @Req() req: Request): Promise<void> {
    await this.repositories.create(proxyFromDto(dto));
    await this.audited(req, 'repository.create', dto.name, 'proxy');
  }

  @Get('docker/proxy/:name')
  @Browse()
  getProxy(@Param('name') name: string, @Req() req: Request): ProxyRepositoryView {
    const config = this.visible(req, name);
    if (config.type !== 'proxy') throw new RepositoryNotFoundError(`repository ${name} is not a proxy repository`);
    return proxyToJson(config, this.url(req, name));
  }

  @Put('docker/proxy/:name')
  @HttpCode(204)
  async updateProxy(@Param('name') name: string, @Body() dto: ProxyRepositoryDto, @Req() req: Request): Promise<void> {
    if (dto.name !== name) throw new InvalidRepositoryError(`name "${dto.name}" in the body differs from "${name}" in the path; repositories cannot be renamed`);
    const previous = this.repositories.get(name);
    await this.repositories.update(proxyFromDto(dto, previous.type === 'proxy' ? previous : undefined));
    await this.audited(req, 'repository.update', name, 'proxy');
  }

  @Post('docker/group')
  @HttpCode(201)
  async createGroup(@Body() dto: GroupRepositoryDto, @Req() req: Request): Promise<void> {
    await this.repositories.create(groupFromDto(dto));
    await this.audited(req, 'repository.create', dto.name, 'group');
  }

  @Get('docker/group/:name')
  @Browse()
  getGroup(@Param('name') name: string, @Req() req: Request): GroupRepositoryView {
    const config = this.visible(req, name);
    if (config.type !== 'group') throw new RepositoryNotFoundError(`repository ${name} is not a group repository`);
    return groupToJson(config, this.url(req, name));
  }

  @Put('docker/group/:name')
  @HttpCode(204)
  async updateGroup(@Param('name') name: string, @Body() dto: GroupRepositoryDto, @Req() req: Request): Promise<void> {
    if (dto.name !== name) throw new InvalidRepositoryError(`name "${dto.name}" in the body differs from "${name}" in the path; repositories cannot be renamed`);
    await this.repositories.update(groupFromDto(dto));
    await this.audited(req, 'repository.update', name, 'group');
  }

  /** Any repository by name, in its type's full shape (Nexus's GET /v1/repositories/{name}). */
  @Get(':name')
  @Browse()
  getByName(@Param('name') name: string, @Req() req: Request): HostedRepositoryView | ProxyRepositoryView | GroupRepositoryView {
    return viewOf(this.visible(req, name), this.url(req, name));
  }

  @Get(':name/status')
  status(@Param('name') name: string): RepositoryStatusJson {
    return this.repositories.status(name);
  }

  @Post(':name/invalidate-cache')
  @HttpCode(204)
  async invalidate(@Param('name') name: string, @Req() req: Request): Promise<void> {
    await this.repositories.invalidateCache(name);
    await this.audit.record(actorOf(req), 'repository.invalidate-cache', name);
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(@Param('name') name: string, @Req() req: Request): Promise<void> {
    const type = this.repositories.get(name).type;
    await this.repositories.delete(name);
    await this.audited(req, 'repository.delete', name, type);
  }

  /** A repository the caller may browse; one it may not is as unknown as one that does not exist. */
  private visible(req: Request, name: string): RepositoryConfig {
    if (!this.mayBrowse(req, name)) throw new RepositoryNotFoundError(`repository ${name} does not exist`);
    return this.repositories.get(name);
  }

  private mayBrowse(req: Request, name: string): boolean {
    const principal = principalOf(req);
    return principal.admin || this.access.canAccess(principal, name, 'browse');
  }

  private audited(req: Request, action: string, name: string, type: string): Promise<void> {
    return this.audit.record(actorOf(req), action, name, { type });
  }

  private url(req: Request, name: string): string {
    return `${this.settings.externalBase(req)}/repository/${name}`;
  }
}
