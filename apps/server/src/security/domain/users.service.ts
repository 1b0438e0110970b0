import { createHash, randomBytes } from 'node:crypto';
import { PASSWORD_MAX_LENGTH, USER_ID } from '@wharf/api-types';
import { UserIdTakenError, type UserRecord, type UserStore } from '@wharf/registry-core';
import { SecurityInputError, SecurityNotFoundError } from './errors';
import { hashPassword, verifyPassword } from './password-hasher';
import type { SecurityModel } from './security-model';

export interface AuthenticatedUser {
  userId: string;
  roles: string[];
}

export type UserStatus = 'active' | 'disabled';

/** A user as the REST API shows it: never a password or its hash. */
export interface UserView {
  userId: string;
  firstName: string;
  lastName: string;
  emailAddress: string;
  source: 'default';
  status: UserStatus;
  readOnly: false;
  roles: string[];
  externalRoles: string[];
}

export interface UserInput {
  userId: string;
  firstName?: string;
  lastName?: string;
  emailAddress?: string;
  status?: UserStatus;
  roles?: string[];
}

export const ADMIN_USER = 'admin';
export const ANONYMOUS_USER = 'anonymous';
export const MAX_PASSWORD_LENGTH = PASSWORD_MAX_LENGTH;

/** How long a verified username/password pair is remembered, so scrypt is not paid on every registry request. */
const VERIFIED_TTL_MS = 60_000;

export class UsersService {
  private readonly verified = new Map<string, { user: AuthenticatedUser; until: number }>();
  /**
   * Checks under way, by the same key: a client opening many connections at once with the same credentials
   * (docker pulls layers in parallel) pays one scrypt, not one each at 16 MiB apiece.
   */
  private readonly checking = new Map<string, { userId: string; result: Promise<AuthenticatedUser | null> }>();

  constructor(
    private readonly store: UserStore,
    private readonly model: SecurityModel,
  ) {}

  /** Creates `admin` on first start. Returns the generated password when one had to be made up. */
  async bootstrapAdmin(password: string | undefined): Promise<{ created: boolean; generated?: string }> {
    if (await this.store.get(ADMIN_USER)) return { created: false };
    const chosen = password ?? randomBytes(18).toString('base64url');
    await this.save({
      userId: ADMIN_USER,
      firstName: 'Administrator',
      lastName: 'User',
      emailAddress: 'admin@example.org',
      passwordHash: await hashPassword(chosen),
      status: 'active',
      roles: ['nx-admin'],
    });
    return { created: true, ...(password ? {} : { generated: chosen }) };
  }

  /** Creates the `anonymous` user (no password: it never logs in) when it does not exist. */
  async bootstrapAnonymous(roles: string[]): Promise<boolean> {
    if (await this.store.get(ANONYMOUS_USER)) return false;
    await this.save({
      userId: ANONYMOUS_USER,
      firstName: 'Anonymous',
      lastName: 'User',
      emailAddress: 'anonymous@example.org',
      passwordHash: null,
      status: 'active',
      roles,
    });
    return true;
  }

  /** The user for a username/password pair, or null; unknown users and wrong passwords cost the same. */
  async verify(userId: string, password: string): Promise<AuthenticatedUser | null> {
    if (password.length > MAX_PASSWORD_LENGTH) return null;
    const key = createHash('sha256').update(userId).update('\0').update(password).digest('base64');
    const now = Date.now();
    const hit = this.verified.get(key);
    if (hit && hit.until > now) return hit.user;
    const running = this.checking.get(key);
    if (running) return running.result;
    const check = { userId, result: this.check(userId, password) };
    this.checking.set(key, check);
    try {
      const user = await check.result;
      // Remembered only if nobody invalidated the user meanwhile (the check may have read the old password).
      if (user && this.checking.get(key) === check) {
        if (this.verified.size > 1000) this.verified.clear();
        this.verified.set(key, { user, until: now + VERIFIED_TTL_MS });
      }
      return user;
    } finally {
      if (this.checking.get(key) === check) this.checking.delete(key);
    }
  }

  private async check(userId: string, password: string): Promise<AuthenticatedUser | null> {
    const record: UserRecord | null = await this.store.get(userId);
    const ok = await verifyPassword(password, record?.passwordHash ?? null);
    if (!ok || !record || record.status !== 'active') return null;
    // The stored record is the truth: a user created or changed on another replica a moment ago counts at once.
    this.model.setUser(record);
    return { userId: record.userId, roles: record.roles };
  }

  /** Forgets remembered passwords of a user (password change, disable, delete). */
  invalidate(userId: string): void {
    for (const [key, entry] of this.verified) if (entry.user.userId === userId) this.verified.delete(key);
    for (const [key, entry] of this.checking) if (entry.userId === userId) this.checking.delete(key);
  }

  /** Forgets every remembered password (users may have changed on another replica while it was not listening). */
  invalidateAll(): void {
    this.verified.clear();
    this.checking.clear();
  }

  isAdmin(user: AuthenticatedUser): boolean {
    return this.model.isAdmin(user.userId);
  }

  async list(): Promise<UserView[]> {
    return (await this.store.list()).map(toView);
  }

  async all(): Promise<UserRecord[]> {
    return this.store.list();
  }

  async get(userId: string): Promise<UserView> {
    const record = await this.store.get(userId);
    if (!record) throw new SecurityNotFoundError(`user ${userId} does not exist`);
    return toView(record);
  }

  async create(input: UserInput, password: string): Promise<UserView> {
    if (!USER_ID.test(input.userId)) {
      throw new SecurityInputError('userId', 'userId must be 1-100 letters, digits and . _ @ + - (starting with a letter or digit)');
    }
    if (await this.store.get(input.userId)) throw new SecurityInputError('userId', `user ${input.userId} already exists`);
    const like = this.model.userIdLike(input.userId);
    if (like !== undefined) throw new SecurityInputError('userId', `user ${like} already exists (user ids are unique regardless of case)`);
    checkPassword(password);
    this.checkRoles(input.roles ?? []);
    const record: UserRecord = {
      userId: input.userId,
      firstName: input.firstName ?? '',
      lastName: input.lastName ?? '',
      emailAddress: input.emailAddress ?? '',
      passwordHash: await hashPassword(password),
      status: input.status ?? 'active',
      roles: [...new Set(input.roles ?? [])],
    };
    try {
      await this.save(record);
    } catch (err) {
      // Another replica created it (in some case) since this one's model was loaded: the database's unique key said so.
      if (err instanceof UserIdTakenError) throw new SecurityInputError('userId', err.message);
      throw err;
    }
    return toView(record);
  }

  /** Changes everything but the password. */
  async update(input: UserInput): Promise<UserView> {
    const current = await this.store.get(input.userId);
    if (!current) throw new SecurityNotFoundError(`user ${input.userId} does not exist`);
    this.checkRoles(input.roles ?? current.roles);
    const record: UserRecord = {
      ...current,
      firstName: input.firstName ?? current.firstName,
      lastName: input.lastName ?? current.lastName,
      emailAddress: input.emailAddress ?? current.emailAddress,
      status: input.status ?? current.status,
      roles: [...new Set(input.roles ?? current.roles)],
    };
    await this.save(record);
    this.invalidate(record.userId);
    return toView(record);
  }

  async changePassword(userId: string, password: string): Promise<void> {
    const current = await this.store.get(userId);
    if (!current) throw new SecurityNotFoundError(`user ${userId} does not exist`);
    checkPassword(password);
    await this.save({ ...current, passwordHash: await hashPassword(password) });
    this.invalidate(userId);
  }

  async delete(userId: string): Promise<void> {
    if (!(await this.store.delete(userId))) throw new SecurityNotFoundError(`user ${userId} does not exist`);
    this.model.removeUser(userId);
    this.invalidate(userId);
  }

  private async save(record: UserRecord): Promise<void> {
    await this.store.save(record);
    this.model.setUser(record);
  }

  private checkRoles(roles: string[]): void {
    const unknown = roles.filter((r) => !this.model.hasRole(r));
    if (unknown.length > 0) throw new SecurityInputError('roles', `unknown role(s): ${unknown.join(', ')}`);
  }
}

function checkPassword(password: string): void {
  if (typeof password !== 'string' || password.length === 0) throw new SecurityInputError('password', 'password must not be empty');
  if (password.length > MAX_PASSWORD_LENGTH) throw new SecurityInputError('password', `password must be at most ${MAX_PASSWORD_LENGTH} characters`);
}

export function toView(record: UserRecord): UserView {
  return {
    userId: record.userId,
    firstName: record.firstName,
    lastName: record.lastName,
    emailAddress: record.emailAddress,
    source: 'default',
    status: record.status,
    readOnly: false,
    roles: [...record.roles],
    externalRoles: [],
  };
}
