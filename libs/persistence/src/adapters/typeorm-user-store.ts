import { UserIdTakenError, type UserRecord, type UserStore } from '@wharf/registry-core';
import { byteOrder } from '../dialect';
import { UserEntity } from '../entities';
import { TableAdapter } from './table-adapter';
import { isUniqueViolationOf } from '../sql/unique-violation';

/** Local-realm user accounts. */
export class TypeOrmUserStore extends TableAdapter(UserEntity) implements UserStore {
  async get(userId: string): Promise<UserRecord | null> {
    const row = await this.rows.findOneBy({ userId });
    return row ? toRecord(row) : null;
  }

  async list(): Promise<UserRecord[]> {
    return (await this.rows.createQueryBuilder('u').orderBy(byteOrder(this.db, 'u.userId')).getMany()).map(toRecord);
  }

  async save(user: UserRecord): Promise<void> {
    const row = { ...user, roles: JSON.stringify(user.roles) };
    // A replaced user keeps its key (a legacy duplicate has none, and must not take one).
    if ((await this.rows.update({ userId: user.userId }, row)).affected) return;
    try {
      await this.rows.insert({ ...row, userIdKey: user.userId.toLowerCase() });
    } catch (err) {
      if (isUniqueViolationOf(err, 'userIdKey') || isUniqueViolationOf(err, 'userId')) throw new UserIdTakenError(user.userId);
      throw err;
    }
  }

  async delete(userId: string): Promise<boolean> {
    return ((await this.rows.delete({ userId })).affected ?? 0) > 0;
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
