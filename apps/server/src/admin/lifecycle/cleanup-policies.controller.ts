import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { CleanupPolicyJson, CleanupPreviewJson } from '@wharf/api-types';
import { CleanupPolicyStore, type CleanupCriteria, RepositoryManager, RepositoryNotFoundError } from '@wharf/registry-core';
import type { Request } from 'express';
import { AuditLog } from '../../security/domain/audit';
import { actorOf } from '../../security/rest-auth/rest-principal';
import { RestAuthGuard } from '../../security/rest-auth/rest-auth.guard';
import { StorageLifecycle } from '../../tasks/storage-lifecycle';
import { CleanupPolicyDto, CleanupPreviewDto } from './cleanup-policy.dto';
import { criteriaFromDto, policyFromDto, policyToJson, previewToJson } from './cleanup-policy-json';
import { LifecycleInputError, LifecycleNotFoundError } from './lifecycle-errors';

/** Nexus's cleanup policy endpoints, plus a preview of what a policy would remove (administrators only). */
@Controller('service/rest/v1/cleanup-policies')
@UseGuards(RestAuthGuard)
export class CleanupPoliciesController {
  constructor(
    private readonly policies: CleanupPolicyStore,
    private readonly lifecycle: StorageLifecycle,
    private readonly manager: RepositoryManager,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(): Promise<CleanupPolicyJson[]> {
    return (await this.policies.list()).map(policyToJson);
  }

  @Get(':name')
  async get(@Param('name') name: string): Promise<CleanupPolicyJson> {
    return policyToJson(await this.require(name));
  }

  @Post()
  @HttpCode(201)
  async create(@Body() dto: CleanupPolicyDto, @Req() req: Request): Promise<void> {
    if (await this.policies.get(dto.name)) throw new LifecycleInputError('name', `a cleanup policy named "${dto.name}" already exists`);
    await this.policies.save(policyFromDto(dto));
    await this.audit.record(actorOf(req), 'cleanup-policy.create', dto.name);
  }

  @Put(':name')
  @HttpCode(204)
  async update(@Param('name') name: string, @Body() dto: CleanupPolicyDto, @Req() req: Request): Promise<void> {
    if (dto.name !== name) throw new LifecycleInputError('name', `name "${dto.name}" in the body differs from "${name}" in the path; policies cannot be renamed`);
    await this.require(name);
    await this.policies.save(policyFromDto(dto));
    await this.audit.record(actorOf(req), 'cleanup-policy.update', name);
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(@Param('name') name: string, @Req() req: Request): Promise<void> {
    await this.require(name);
    const users = this.manager
      .configs()
      .filter((c) => c.cleanup?.policyNames?.includes(name))
      .map((c) => c.name);
    if (users.length > 0) throw new LifecycleInputError('*', `cleanup policy ${name} is used by ${users.join(', ')}; remove it from their cleanup.policyNames first`);
    await this.policies.delete(name);
    await this.audit.record(actorOf(req), 'cleanup-policy.delete', name);
  }

  /** What a stored policy (`policyName`) or criteria not saved yet (`policy`) would remove from a repository now. */
  @Post('preview')
  @HttpCode(200)
  async preview(@Body() dto: CleanupPreviewDto): Promise<CleanupPreviewJson> {
    const config = this.manager.config(dto.repository);
    if (!config) throw new RepositoryNotFoundError(`repository ${dto.repository} does not exist`);
    if (config.type === 'group') throw new LifecycleInputError('repository', `repository ${dto.repository} is a group: cleanup applies to its hosted and proxy members`);
    let criteria: CleanupCriteria;
    if (dto.policy) criteria = criteriaFromDto(dto.policy);
    else if (dto.policyName) criteria = (await this.require(dto.policyName)).criteria;
    else throw new LifecycleInputError('policy', 'give either policyName or policy');
    return previewToJson(await this.lifecycle.preview(dto.repository, [criteria]));
  }

  private async require(name: string) {
    const policy = await this.policies.get(name);
    if (!policy) throw new LifecycleNotFoundError(`cleanup policy ${name} does not exist`);
    return policy;
  }
}
