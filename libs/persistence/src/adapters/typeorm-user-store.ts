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
    // A replaced user keeps its key (a legacy duplicate has none, and must not take one).
    if ((await this.rows.update({ userId: user.userId }, user)).affected) return;
    try {
      await this.rows.insert({ ...user, userIdKey: user.userId.toLowerCase() });
    } catch (err) {
      if (isUniqueViolationOf(err, 'userIdKey') || isUniqueViolationOf(err, 'userId')) throw new UserIdTakenError(user.userId);
      throw err;
    }
  }

  async delete(userId: string): Promise<boolean> {
    return ((await this.rows.delete({ userId })).affected ?? 0) > 0;
  }
}

function toRecord({ userId, firstName, lastName, emailAddress, passwordHash, status, roles }: UserEntity): UserRecord {
  return { userId, firstName, lastName, emailAddress, passwordHash, status: status === 'disabled' ? 'disabled' : 'active', roles };
}
