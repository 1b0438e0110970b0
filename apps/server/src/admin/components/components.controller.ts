import { BadRequestException, Controller, Delete, Get, HttpCode, Param, Query, Req, UseGuards } from '@nestjs/common';
import type { ComponentJson, PageJson } from '@wharf/api-types';
import type { Request } from 'express';
import { RepositoryManager, RepositoryNotFoundError } from '@wharf/registry-core';
import { AuditLog } from '../../security/domain/audit';
import { AnyUser, Browse, actorOf } from '../../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';
import { RegistryAccess } from '../../distribution/registry-access';
import { WharfSettings } from '../../settings';
import { StorageLifecycle } from '../../tasks/storage-lifecycle';
import { parseComponentId } from './component-ids';
import { ContentAccess } from './content-access';
import { ComponentsService } from './components.service';

@Controller('service/rest/v1/components')
@UseGuards(RestAuthGuard)
@Browse()
export class ComponentsController {
  constructor(
    private readonly components: ComponentsService,
    private readonly settings: WharfSettings,
    access: RegistryAccess,
    manager: RepositoryManager,
    private readonly audit: AuditLog,
    private readonly lifecycle: StorageLifecycle,
  ) {
    this.content = new ContentAccess(manager, access);
  }

  private readonly content: ContentAccess;

  @Get()
  list(
    @Req() req: Request,
    @Query('repository') repository?: string,
    @Query('continuationToken') continuationToken?: string,
    @Query('name') name?: string,
  ): Promise<PageJson<ComponentJson>> {
    if (!repository) throw new BadRequestException('the repository query parameter is required');
    // A repository the caller may not browse is as unknown as one that does not exist.
    if (!this.content.mayBrowse(req, repository)) {
      throw new RepositoryNotFoundError(`repository ${repository} does not exist`);
    }
    return this.components.list(repository, continuationToken, this.settings.externalBase(req), {
      ...(name ? { name } : {}),
      canBrowse: (member) => this.content.mayBrowse(req, member),
    });
  }

  /** One component (a tag) by the id the list gave. */
  @Get(':id')
  async get(@Param('id') id: string, @Req() req: Request): Promise<ComponentJson> {
    return this.content.require(req, parseComponentId(id), 'browse', (ref) => this.components.componentById(ref, this.settings.externalBase(req)), `component ${id}`);
  }

  /**
   * Deletes the component as Nexus does: its tag, and the manifest only that tag kept (with its platform
   * manifests and referrers), so the next collection frees what only it held. A manifest another tag, a kept
   * index or a tagged referrer needs stays.
   */
  @Delete(':id')
  @AnyUser()
  @HttpCode(204)
  async delete(@Param('id') id: string, @Req() req: Request): Promise<void> {
    const ref = parseComponentId(id);
    await this.content.require(req, ref, 'delete', (r) => this.components.componentById(r, ''), `component ${id}`);
    const manifests = await this.lifecycle.deleteTag(ref.repository, ref.image, ref.tag);
    await this.audit.record(actorOf(req), 'component.delete', ref.repository, { image: ref.image, tag: ref.tag, manifests });
  }

}
