import { Controller, Get, UseGuards } from '@nestjs/common';
import { RepositoryManager } from '@wharf/registry-core';
import type { PrivilegeJson } from '@wharf/api-types';
import { listPrivileges } from '../domain/privileges';
import { RestAuthGuard } from '../rest-auth/rest-auth.guard';

/** The privileges that exist: nx-all and the repository-view privileges of the current repositories. */
@Controller('service/rest/v1/security/privileges')
@UseGuards(RestAuthGuard)
export class PrivilegesController {
  constructor(private readonly manager: RepositoryManager) {}

  @Get()
  list(): PrivilegeJson[] {
    return listPrivileges(this.manager.configs().map((c) => c.name));
  }
}
