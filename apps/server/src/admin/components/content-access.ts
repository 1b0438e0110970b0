import { ForbiddenException } from '@nestjs/common';
import { type RepositoryManager, RepositoryNotFoundError } from '@wharf/registry-core';
import type { Request } from 'express';
import type { RegistryAccess } from '../../distribution/registry-access';
import { principalOf } from '../../security/rest-auth/rest-principal';

/** Who may see and delete content through the REST API: the same privileges as the registry's. */
export class ContentAccess {
  constructor(
    private readonly manager: RepositoryManager,
    private readonly access: RegistryAccess,
  ) {}

  /** Administrators, and callers with the browse privilege on the repository. */
  mayBrowse(req: Request, repository: string): boolean {
    const principal = principalOf(req);
    return principal.admin || this.access.canAccess(principal, repository, 'browse');
  }

  /** A repository the caller may not browse is as unknown as one that does not exist (404). */
  requireBrowse(req: Request, repository: string): void {
    if (!this.manager.get(repository) || !this.mayBrowse(req, repository)) {
      throw new RepositoryNotFoundError(`repository ${repository} does not exist`);
    }
  }

  /** Deleting needs the delete privilege (or nx-all); a visible repository without it is 403. */
  requireDelete(req: Request, repository: string): void {
    this.requireBrowse(req, repository);
    const principal = principalOf(req);
    if (!principal.admin && !this.access.canAccess(principal, repository, 'delete')) {
      throw new ForbiddenException(`${principal.userId} may not delete in repository ${repository}`);
    }
  }
}
