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

  /**
   * The component or asset `ref` names (`lookup` finds it, `what` names it in the 404), once the caller may
   * browse its repository, or delete in it.
   */
  async require<R extends { repository: string }, T>(req: Request, ref: R, use: 'browse' | 'delete', lookup: (ref: R) => Promise<T | null>, what: string): Promise<T> {
    if (use === 'delete') this.requireDelete(req, ref.repository);
    else this.requireBrowse(req, ref.repository);
    const found = await lookup(ref);
    if (!found) throw new RepositoryNotFoundError(`${what} does not exist`);
    return found;
  }
}
