import { Body, Controller, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { S3BlobStoreJson } from '@wharf/api-types';
import type { Request } from 'express';
import { AuditLog } from '../security/domain/audit';
import { actorOf } from '../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../security/rest-auth/rest-auth.guard';
import { BlobStoreNotFoundError, BlobStores, InvalidBlobStoreError } from './blob-stores';
import { s3FromDto, s3ToJson } from './s3-blob-store-json';
import { S3BlobStoreDto } from './s3-blob-store.dto';

/** Nexus's S3 blob store endpoints: create, change, read (administrators only). */
@Controller('service/rest/v1/blobstores/s3')
@UseGuards(RestAuthGuard)
export class S3BlobStoresController {
  constructor(
    private readonly stores: BlobStores,
    private readonly audit: AuditLog,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Body() dto: S3BlobStoreDto, @Req() req: Request): Promise<void> {
    await this.stores.create(s3FromDto(dto));
    await this.audit.record(actorOf(req), 'blobstore.create', dto.name, { type: 's3', bucket: dto.bucketConfiguration.bucket.name });
  }

  @Get(':name')
  get(@Param('name') name: string): S3BlobStoreJson {
    return s3ToJson(this.s3(name));
  }

  @Put(':name')
  @HttpCode(204)
  async update(@Param('name') name: string, @Body() dto: S3BlobStoreDto, @Req() req: Request): Promise<void> {
    if (dto.name !== name) throw new InvalidBlobStoreError(`name "${dto.name}" in the body differs from "${name}" in the path; blob stores cannot be renamed`);
    await this.stores.update(s3FromDto(dto, this.s3(name)));
    await this.audit.record(actorOf(req), 'blobstore.update', name, { type: 's3' });
  }

  private s3(name: string) {
    const config = this.stores.config(name);
    if (!config) throw new BlobStoreNotFoundError(`blob store ${name} is not an S3 blob store`);
    return config;
  }
}
