import { ROLE_ID } from '@wharf/api-types';
import type { RoleRecord, RoleStore } from '@wharf/registry-core';
import { SecurityInputError, SecurityNotFoundError } from './errors';
import { ALL_PRIVILEGE, PrivilegeSyntaxError, parsePrivilege } from './privileges';
import type { SecurityModel } from './security-model';

export const ADMIN_ROLE = 'nx-admin';
export const ANONYMOUS_ROLE = 'nx-anonymous';

/** The built-in roles created on first start. */
export const BUILTIN_ROLES: RoleRecord[] = [
  { id: ADMIN_ROLE, name: 'nx-admin', description: 'Administrator Role', privileges: [ALL_PRIVILEGE], roles: [], readOnly: true },
  {
    id: ANONYMOUS_ROLE,
    name: 'nx-anonymous',
    description: 'Anonymous Role',
    privileges: ['nx-repository-view-*-*-browse', 'nx-repository-view-*-*-read'],
    roles: [],
    readOnly: false,
  },
];

/** A role as the REST API shows it (Nexus's RoleXO). */
export interface RoleView {
  id: string;
  source: 'default';
  name: string;
  description: string;
  readOnly: boolean;
  privileges: string[];
  roles: string[];
}

export interface RoleInput {
  id: string;
  name?: string;
  description?: string;
  privileges?: string[];
  roles?: string[];
}

export class RolesService {
  constructor(
    private readonly store: RoleStore,
    private readonly model: SecurityModel,
  ) {}

  /** Creates the built-in roles that do not exist yet. */
  async bootstrap(): Promise<void> {
    for (const role of BUILTIN_ROLES) {
      if (!(await this.store.get(role.id))) await this.save(role);
    }
  }

  async all(): Promise<RoleRecord[]> {
    return this.store.list();
  }

  async list(): Promise<RoleView[]> {
    return (await this.store.list()).map(toView);
  }

  async get(id: string): Promise<RoleView> {
    const role = await this.store.get(id);
    if (!role) throw new SecurityNotFoundError(`role ${id} does not exist`);
    return toView(role);
  }

  async create(input: RoleInput): Promise<RoleView> {
    if (!ROLE_ID.test(input.id)) throw new SecurityInputError('id', 'id must be 1-100 letters, digits and . _ - (starting with a letter or digit)');
    if (await this.store.get(input.id)) throw new SecurityInputError('id', `role ${input.id} already exists`);
    const role = this.validated({ id: input.id, name: input.name ?? input.id, description: input.description ?? '', privileges: input.privileges ?? [], roles: input.roles ?? [], readOnly: false });
    await this.save(role);
    return toView(role);
  }

  async update(input: RoleInput): Promise<RoleView> {
    const current = await this.store.get(input.id);
    if (!current) throw new SecurityNotFoundError(`role ${input.id} does not exist`);
    if (current.readOnly) throw new SecurityInputError('id', `role ${input.id} is built in and cannot be changed`);
    const role = this.validated({
      ...current,
      name: input.name ?? current.name,
      description: input.description ?? current.description,
      privileges: input.privileges ?? current.privileges,
      roles: input.roles ?? current.roles,
    });
    await this.save(role);
    return toView(role);
  }

  /** Deletes a role; users and roles that named it simply stop getting its privileges. */
  async delete(id: string): Promise<void> {
    const current = await this.store.get(id);
    if (!current) throw new SecurityNotFoundError(`role ${id} does not exist`);
    if (current.readOnly) throw new SecurityInputError('id', `role ${id} is built in and cannot be deleted`);
    await this.store.delete(id);
    this.model.removeRole(id);
  }

  private validated(role: RoleRecord): RoleRecord {
    for (const p of role.privileges) {
      try {
        parsePrivilege(p);
      } catch (err) {
        if (err instanceof PrivilegeSyntaxError) throw new SecurityInputError('privileges', err.message);
        throw err;
      }
    }
    const unknown = role.roles.filter((r) => r !== role.id && !this.model.hasRole(r));
    if (unknown.length > 0) throw new SecurityInputError('roles', `unknown role(s): ${unknown.join(', ')}`);
    if (role.roles.includes(role.id) || this.reaches(role.roles, role.id)) {
      throw new SecurityInputError('roles', `role ${role.id} would contain itself`);
    }
    return { ...role, privileges: [...new Set(role.privileges)], roles: [...new Set(role.roles)] };
  }

  /** Does any of these roles (transitively) contain `target`? */
  private reaches(from: string[], target: string): boolean {
    const seen = new Set<string>();
    const stack = [...from];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === target) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...this.model.containedRoles(id));
    }
    return false;
  }

  private async save(role: RoleRecord): Promise<void> {
    await this.store.save(role);
    this.model.setRole(role);
  }
}

function toView(role: RoleRecord): RoleView {
  return {
    id: role.id,
    source: 'default',
    name: role.name,
    description: role.description,
    readOnly: role.readOnly,
    privileges: [...role.privileges],
    roles: [...role.roles],
  };
}
