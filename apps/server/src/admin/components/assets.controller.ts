import { BadRequestException, Controller, Delete, Get, HttpCode, Param, Query, Req, UseGuards } from '@nestjs/common';
import type { AssetJson, PageJson } from '@wharf/api-types';
import { RepositoryManager } from '@wharf/registry-core';
import type { Request } from 'express';
import { RegistryAccess } from '../../distribution/registry-access';
import { AuditLog } from '../../security/domain/audit';
import { AnyUser, Browse, actorOf } from '../../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';
import { WharfSettings } from '../../settings';
import { parseAssetId } from './component-ids';
import { ContentAccess } from './content-access';
import { ComponentsService } from './components.service';

/**
 * Nexus's `/service/rest/v1/assets`: a Docker asset here is a manifest (one per tag in the list, by digest
 * by id). Blobs are not listed as assets.
 */
@Controller('service/rest/v1/assets')
@UseGuards(RestAuthGuard)
export class AssetsController {
  constructor(
    private readonly components: ComponentsService,
    private readonly manager: RepositoryManager,
    private readonly settings: WharfSettings,
    access: RegistryAccess,
    private readonly audit: AuditLog,
  ) {
    this.content = new ContentAccess(manager, access);
  }

  private readonly content: ContentAccess;

  @Get()
  @Browse()
  async list(@Req() req: Request, @Query('repository') repository?: string, @Query('continuationToken') continuationToken?: string): Promise<PageJson<AssetJson>> {
    if (!repository) throw new BadRequestException('the repository query parameter is required');
    this.content.requireBrowse(req, repository);
    const page = await this.components.list(repository, continuationToken, this.base(req), {
      canBrowse: (member) => this.content.mayBrowse(req, member),
    });
    return { items: page.items.flatMap((c) => c.assets), continuationToken: page.continuationToken };
  }

  @Get(':id')
  @Browse()
  async get(@Param('id') id: string, @Req() req: Request): Promise<AssetJson> {
    return this.content.require(req, parseAssetId(id), 'browse', (ref) => this.components.assetById(ref, this.base(req)), `asset ${id}`);
  }

  /** Deletes the manifest (and the tags pointing to it), as a registry DELETE by digest does. */
  @Delete(':id')
  @AnyUser()
  @HttpCode(204)
  async delete(@Param('id') id: string, @Req() req: Request): Promise<void> {
    const ref = parseAssetId(id);
    await this.content.require(req, ref, 'delete', (r) => this.components.assetById(r, this.base(req)), `asset ${id}`);
    await this.manager.require(ref.repository).deleteManifest(ref.image, ref.digest);
    await this.audit.record(actorOf(req), 'asset.delete', ref.repository, { image: ref.image, digest: ref.digest });
  }


  private base(req: Request): string {
    return this.settings.externalBase(req);
  }
}
