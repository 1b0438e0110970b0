import { type RoleRecord, type RoleStore } from '@wharf/registry-core';
import { RoleEntity } from '../entities';
import { TableAdapter } from './table-adapter';

/** Roles of the local authorization realm. */
export class TypeOrmRoleStore extends TableAdapter(RoleEntity) implements RoleStore {
  async get(id: string): Promise<RoleRecord | null> {
    const row = await this.rows.findOneBy({ id });
    return row ? toRecord(row) : null;
  }

  async list(): Promise<RoleRecord[]> {
    return (await this.rows.find({ order: { id: 'ASC' } })).map(toRecord);
  }

  async save(role: RoleRecord): Promise<void> {
    await this.rows.save({ ...role });
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.rows.delete({ id })).affected ?? 0) > 0;
  }
}

function toRecord({ id, name, description, privileges, roles, readOnly }: RoleEntity): RoleRecord {
  return { id, name, description, privileges, roles, readOnly: Boolean(readOnly) };
}
