import { Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import type { ImageSizeJson } from '@wharf/api-types';
import { RepositoryNotFoundError } from '@wharf/registry-core';
import type { Request } from 'express';
import { RegistryAccess } from '../../distribution/registry-access';
import { Browse, principalOf } from '../../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';
import { StorageLifecycle } from '../../tasks/storage-lifecycle';
import { LifecycleInputError, LifecycleNotFoundError } from './lifecycle-errors';

/** Wharf: the bytes an image (a manifest of a repository) holds, and the bytes only it holds (Browse). */
@Controller('service/rest/v1/repositories/:name/image-size')
@UseGuards(RestAuthGuard)
@Browse()
export class ImageSizeController {
  constructor(
    private readonly lifecycle: StorageLifecycle,
    private readonly access: RegistryAccess,
  ) {}

  @Get()
  async size(@Param('name') name: string, @Req() req: Request, @Query('image') image?: string, @Query('digest') digest?: string): Promise<ImageSizeJson> {
    const principal = principalOf(req);
    if (!principal.admin && !this.access.canAccess(principal, name, 'browse')) throw new RepositoryNotFoundError(`repository ${name} does not exist`);
    if (!image) throw new LifecycleInputError('image', 'the image query parameter is required');
    if (!digest) throw new LifecycleInputError('digest', 'the digest query parameter is required');
    const size = await this.lifecycle.imageSize(name, image, digest);
    if (!size) throw new LifecycleNotFoundError(`manifest ${digest} is not in ${name}/${image}`);
    return size;
  }
}
