import { createHash, randomBytes } from 'node:crypto';
import type { TypeOrmUserStore, UserRecord } from '@wharf/persistence';
import { hashPassword, verifyPassword } from './password-hasher';

export interface AuthenticatedUser {
  userId: string;
  roles: string[];
}

/** How long a verified username/password pair is remembered, so scrypt is not paid on every registry request. */
const VERIFIED_TTL_MS = 60_000;

export class UsersService {
  private readonly verified = new Map<string, { user: AuthenticatedUser; until: number }>();

  constructor(private readonly store: TypeOrmUserStore) {}

  /** Creates `admin` on first start. Returns the generated password when one had to be made up. */
  async bootstrapAdmin(password: string | undefined): Promise<{ created: boolean; generated?: string }> {
    if (await this.store.get('admin')) return { created: false };
    const chosen = password ?? randomBytes(18).toString('base64url');
    await this.store.save({
      userId: 'admin',
      firstName: 'Administrator',
      lastName: 'User',
      emailAddress: 'admin@example.org',
      passwordHash: await hashPassword(chosen),
      status: 'active',
      roles: ['nx-admin'],
    });
    return { created: true, ...(password ? {} : { generated: chosen }) };
  }

  /** The user for a username/password pair, or null; unknown users and wrong passwords cost the same. */
  async verify(userId: string, password: string): Promise<AuthenticatedUser | null> {
    const key = createHash('sha256').update(userId).update('\0').update(password).digest('base64');
    const now = Date.now();
    const hit = this.verified.get(key);
    if (hit && hit.until > now) return hit.user;
    const record: UserRecord | null = await this.store.get(userId);
    const ok = await verifyPassword(password, record?.passwordHash ?? null);
    if (!ok || !record || record.status !== 'active') return null;
    const user = { userId: record.userId, roles: record.roles };
    if (this.verified.size > 1000) this.verified.clear();
    this.verified.set(key, { user, until: now + VERIFIED_TTL_MS });
    return user;
  }

  isAdmin(user: AuthenticatedUser): boolean {
    return user.roles.includes('nx-admin');
  }
}
