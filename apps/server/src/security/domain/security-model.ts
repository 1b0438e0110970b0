import type { RoleRecord, UserRecord } from '@wharf/registry-core';
import { PrivilegeSet } from './privileges';

interface UserFacts {
  status: UserRecord['status'];
  roles: string[];
}

const EMPTY = new PrivilegeSet([]);

/**
 * Users' roles and roles' privileges, held in memory so that an authorization decision on the
 * registry's hot path is a map lookup. The services that change users and roles keep it current;
 * every change drops the compiled privilege sets, which are rebuilt on next use.
 */
export class SecurityModel {
  private readonly users = new Map<string, UserFacts>();
  private readonly roles = new Map<string, RoleRecord>();
  private readonly compiled = new Map<string, PrivilegeSet>();

  load(users: UserRecord[], roles: RoleRecord[]): void {
    this.users.clear();
    this.roles.clear();
    for (const u of users) this.users.set(u.userId, { status: u.status, roles: [...u.roles] });
    for (const r of roles) this.roles.set(r.id, { ...r });
    this.compiled.clear();
  }

  setUser(user: Pick<UserRecord, 'userId' | 'status' | 'roles'>): void {
    this.users.set(user.userId, { status: user.status, roles: [...user.roles] });
    this.compiled.delete(user.userId);
  }

  removeUser(userId: string): void {
    this.users.delete(userId);
    this.compiled.delete(userId);
  }

  setRole(role: RoleRecord): void {
    this.roles.set(role.id, { ...role });
    this.compiled.clear();
  }

  removeRole(id: string): void {
    this.roles.delete(id);
    this.compiled.clear();
  }

  hasRole(id: string): boolean {
    return this.roles.has(id);
  }

  containedRoles(id: string): string[] {
    return [...(this.roles.get(id)?.roles ?? [])];
  }

  /** The stored user whose id equals `userId` ignoring case, if any (user ids are unique regardless of case). */
  userIdLike(userId: string): string | undefined {
    const wanted = userId.toLowerCase();
    for (const id of this.users.keys()) if (id.toLowerCase() === wanted) return id;
    return undefined;
  }

  /** Is there a user of this id (active or not)? */
  hasUser(userId: string): boolean {
    return this.users.has(userId);
  }

  /** Is there an active user of this id? */
  isActive(userId: string): boolean {
    return this.users.get(userId)?.status === 'active';
  }

  /** Role ids of a user as stored (not expanded). */
  rolesOf(userId: string): string[] {
    return [...(this.users.get(userId)?.roles ?? [])];
  }

  /** Every privilege a user holds through its roles and their contained roles (cycles are harmless). */
  privilegesOf(userId: string): PrivilegeSet {
    const cached = this.compiled.get(userId);
    if (cached) return cached;
    const user = this.users.get(userId);
    if (!user) return EMPTY;
    const set = new PrivilegeSet(this.expand(user.roles));
    this.compiled.set(userId, set);
    return set;
  }

  isAdmin(userId: string): boolean {
    return this.isActive(userId) && this.privilegesOf(userId).isAll;
  }

  /** The privilege names reachable from some role ids. */
  expand(roleIds: string[]): Set<string> {
    const privileges = new Set<string>();
    const seen = new Set<string>();
    const stack = [...roleIds];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const role = this.roles.get(id);
      if (!role) continue;
      for (const p of role.privileges) privileges.add(p);
      stack.push(...role.roles);
    }
    return privileges;
  }
}
