import { Body, Controller, Get, HttpCode, Param, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { BlobStoreQuotaStatusJson, BlobStoreSummaryJson, BlobStoreUsageSampleJson, FileBlobStoreJson, SoftQuotaJson } from '@wharf/api-types';
import type { Request } from 'express';
import { AuditLog } from '../security/domain/audit';
import { actorOf } from '../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../security/rest-auth/rest-auth.guard';
import { BlobStoreUsage, type SoftQuota, type StoreUsage } from './blob-store-usage';
import { BlobStoreNotFoundError, BlobStores, InvalidBlobStoreError } from './blob-stores';

/** Nexus's blob store list and quota status, the file store's soft quota, and Wharf's size history (administrators only). */
@Controller('service/rest/v1/blobstores')
@UseGuards(RestAuthGuard)
export class BlobStoresController {
  constructor(
    private readonly usage: BlobStoreUsage,
    private readonly stores: BlobStores,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(): Promise<BlobStoreSummaryJson[]> {
    return (await this.usage.list()).map(summaryToJson);
  }

  @Get(':name/quota-status')
  quotaStatus(@Param('name') name: string): Promise<BlobStoreQuotaStatusJson> {
    return this.usage.quotaStatus(name);
  }

  /** Wharf: the store's measured sizes over the last `days` (default 30), oldest first. */
  @Get(':name/usage-history')
  async history(@Param('name') name: string, @Query('days') days?: string): Promise<BlobStoreUsageSampleJson[]> {
    const n = days === undefined ? 30 : Number(days);
    if (!Number.isFinite(n) || n <= 0 || n > 366) throw new InvalidBlobStoreError('days must be a number from 1 to 366');
    const samples = await this.usage.history(name, new Date(Date.now() - n * 24 * 3600_000));
    return samples.map((s) => ({ at: s.at.toISOString(), blobCount: s.blobCount, totalBytes: s.totalBytes, availableBytes: s.availableBytes }));
  }

  @Get('file/:name')
  async getFile(@Param('name') name: string): Promise<FileBlobStoreJson> {
    this.requireFile(name);
    return { name, path: this.stores.fallback.paths.root, softQuota: await this.usage.softQuota(name) };
  }

  /** The built-in file store: only its soft quota can be changed (its path is the data directory's `blobs/`). */
  @Put('file/:name')
  @HttpCode(204)
  async updateFile(@Param('name') name: string, @Body() body: { name?: unknown; path?: unknown; softQuota?: unknown }, @Req() req: Request): Promise<void> {
    this.requireFile(name);
    if (body.name !== undefined && body.name !== name) throw new InvalidBlobStoreError(`name "${String(body.name)}" in the body differs from "${name}" in the path`);
    if (body.path !== undefined && body.path !== this.stores.fallback.paths.root) throw new InvalidBlobStoreError(`the path of blob store ${name} cannot be changed`);
    const quota = softQuotaOf(body.softQuota);
    await this.usage.setSoftQuota(name, quota);
    await this.audit.record(actorOf(req), 'blobstore.update', name, { type: 'file', softQuota: quota });
  }

  private requireFile(name: string): void {
    if (!this.stores.get(name) || this.stores.config(name) !== null) throw new BlobStoreNotFoundError(`blob store ${name} is not a file blob store`);
  }
}

function softQuotaOf(value: unknown): SoftQuota | null {
  if (value === undefined || value === null) return null;
  const q = value as Partial<SoftQuotaJson>;
  if (q.type !== 'spaceUsedQuota' && q.type !== 'spaceRemainingQuota') throw new InvalidBlobStoreError('softQuota.type must be spaceUsedQuota or spaceRemainingQuota');
  if (!Number.isSafeInteger(q.limit) || (q.limit as number) < 1) throw new InvalidBlobStoreError('softQuota.limit must be a whole number of bytes, at least 1');
  return { type: q.type, limit: q.limit as number };
}

function summaryToJson(u: StoreUsage): BlobStoreSummaryJson {
  return {
    name: u.name,
    type: u.type,
    unavailable: false,
    blobCount: u.blobCount,
    totalSizeInBytes: u.totalSizeInBytes,
    availableSpaceInBytes: u.availableSpaceInBytes,
    softQuota: u.softQuota,
    measuredAt: u.measuredAt.toISOString(),
  };
}
