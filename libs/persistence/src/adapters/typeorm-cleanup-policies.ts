import type { CleanupPolicy, CleanupPolicyStore } from '@wharf/registry-core';
import { byteOrder } from '../dialect';
import { CleanupPolicyEntity } from '../entities';
import { TableAdapter } from './table-adapter';

export class TypeOrmCleanupPolicies extends TableAdapter(CleanupPolicyEntity) implements CleanupPolicyStore {
  async list(): Promise<CleanupPolicy[]> {
    const rows = await this.rows.createQueryBuilder('p').orderBy(byteOrder(this.db, 'p.name'), 'ASC').getMany();
    return rows.map(toPolicy);
  }

  async get(name: string): Promise<CleanupPolicy | null> {
    const row = await this.rows.findOneBy({ name });
    return row ? toPolicy(row) : null;
  }

  async save(policy: CleanupPolicy): Promise<void> {
    await this.rows.save({ name: policy.name, notes: policy.notes, format: policy.format, criteria: policy.criteria });
  }

  async delete(name: string): Promise<boolean> {
    return ((await this.rows.delete({ name })).affected ?? 0) > 0;
  }
}

function toPolicy(row: CleanupPolicyEntity): CleanupPolicy {
  return { name: row.name, notes: row.notes, format: 'docker', criteria: row.criteria };
}
