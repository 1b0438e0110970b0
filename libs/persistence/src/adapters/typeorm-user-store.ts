import { UserIdTakenError, type UserRecord, UserStore } from '@wharf/registry-core';
import type { DataSource, Repository } from 'typeorm';
import { byteOrder } from '../dialect';
import { UserEntity } from '../entities';
import { isUniqueViolationOf } from '../sql/unique-violation';

/** Local-realm user accounts. */
export class TypeOrmUserStore extends UserStore {
  private readonly users: Repository<UserEntity>;

  constructor(private readonly db: DataSource) {
    super();
    this.users = db.getRepository(UserEntity);
  }

  async get(userId: string): Promise<UserRecord | null> {
    const row = await this.users.findOneBy({ userId });
    return row ? toRecord(row) : null;
  }

  async list(): Promise<UserRecord[]> {
    return (await this.users.createQueryBuilder('u').orderBy(byteOrder(this.db, 'u.userId')).getMany()).map(toRecord);
  }

  async save(user: UserRecord): Promise<void> {
    const row = { ...user, roles: JSON.stringify(user.roles) };
    // A replaced user keeps its key (a legacy duplicate has none, and must not take one).
    if ((await this.users.update({ userId: user.userId }, row)).affected) return;
    try {
      await this.users.insert({ ...row, userIdKey: user.userId.toLowerCase() });
    } catch (err) {
      if (isUniqueViolationOf(err, 'userIdKey') || isUniqueViolationOf(err, 'userId')) throw new UserIdTakenError(user.userId);
      throw err;
    }
  }

  async delete(userId: string): Promise<boolean> {
    return ((await this.users.delete({ userId })).affected ?? 0) > 0;
  }
}

function toRecord(row: UserEntity): UserRecord {
  return {
    userId: row.userId,
    firstName: row.firstName,
    lastName: row.lastName,
    emailAddress: row.emailAddress,
    passwordHash: row.passwordHash,
    status: row.status === 'disabled' ? 'disabled' : 'active',
    roles: JSON.parse(row.roles) as string[],
  };
}
